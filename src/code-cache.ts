/**
 * Running a CommonJS bundle with a V8 code cache, so a command starts without compiling its
 * JavaScript again: `node:vm`'s `Script` takes the bytecode of an earlier run (`cachedData`) and
 * gives it back after a run (`createCachedData()`), see https://nodejs.org/docs/latest-v20.x/api/vm.html.
 * Node 20 caches nothing itself (`module.enableCompileCache()` came in Node 22.1), and the
 * `v8-compile-cache` package caches a file as compiled before it runs, without the functions the
 * run compiles, which are most of what a pass spends compiling.
 *
 * A cache file is the SHA-256 of the bundle's bytes (32 bytes), then V8's data. V8 checks that
 * the data fits its own version and flags and the source's length, not its text: the digest is
 * what keeps a cache made for another build of the bundle from being used.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * What became of a bundle's code cache: `used`; `absent` (no cache file, or one that cannot be
 * read); `stale` (made for other bytes of the bundle); `rejected` (V8 refused it: another Node
 * version or other V8 flags); `off` (not asked for). In every case but `used` the bundle is
 * compiled from its source, as without a cache.
 */
export type CodeCacheUse = 'used' | 'absent' | 'stale' | 'rejected' | 'off';

/** Options of {@link runBundle}. */
export interface RunBundleOptions {
  /** The cache file to read. Default: the bundle's path + `.cache`. */
  cacheFile?: string;
  /** false: compile from the source, reading no cache (`off`). Default true. */
  useCache?: boolean;
  /**
   * Write a cache for this bundle to this file when the process exits, after the run, so it holds
   * every function the run compiled (written to a temporary file, then renamed into place).
   */
  writeCacheTo?: string;
}

/** Bytes of the SHA-256 digest a cache file starts with. */
const DIGEST_BYTES = 32;

/**
 * Run the CommonJS file `bundle` in this context as Node would `require` it (`exports`,
 * `require` resolving from the bundle's directory, `module`, `__filename`, `__dirname`), and
 * `__breakfixImport`: `import()` from here, which a function compiled from a code cache cannot do
 * itself (src/import-package.ts). It is compiled with its code cache when one fits. The wrapper
 * keeps the bundle's first line on line 1, so stack traces name the bundle's own lines. Returns
 * what became of the cache.
 * @throws what reading the bundle or its first synchronous run throws.
 */
export function runBundle(bundle: string, opts: RunBundleOptions = {}): CodeCacheUse {
  const bytes = readFileSync(bundle);
  const digest = createHash('sha256').update(bytes).digest();
  let use: CodeCacheUse = 'off';
  let cachedData: Buffer | undefined;
  if (opts.useCache !== false) {
    const cache = readIfPresent(opts.cacheFile ?? `${bundle}.cache`);
    if (cache === undefined) use = 'absent';
    else if (cache.length <= DIGEST_BYTES || !cache.subarray(0, DIGEST_BYTES).equals(digest)) use = 'stale';
    else {
      cachedData = cache.subarray(DIGEST_BYTES);
      use = 'used';
    }
  }
  const source = bytes.toString('utf8').replace(/^#!.*/, '');
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __breakfixImport) {${source}\n})`, { filename: bundle, cachedData });
  if (cachedData && script.cachedDataRejected) use = 'rejected';
  const writeTo = opts.writeCacheTo;
  if (writeTo) process.once('exit', () => writeCodeCache(writeTo, digest, script.createCachedData()));
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string, importPackage: (specifier: string) => Promise<unknown>) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle), (specifier) => import(specifier));
  return use;
}

/**
 * Write a cache file (digest, then V8's data) whole: to `<file>.tmp-<pid>`, then renamed over
 * `file`. Not `writeAtomic` (src/pass/passdir.ts): this module is all the entry script loads
 * besides the bundle, so it imports none of the engine's modules.
 */
function writeCodeCache(file: string, digest: Buffer, data: Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, Buffer.concat([digest, data]));
  renameSync(tmp, file);
}

/** The file's bytes, or undefined when it cannot be read (missing, a directory, no permission): a cache is only ever a saving. */
function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
