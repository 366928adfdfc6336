/**
 * src/code-cache.ts: a bundle run with the cache its own earlier run wrote, and every way a cache
 * must not be used (none, made for other bytes, not V8's data). Each bundle runs in a child
 * process, as the CLI entry runs it: a cache is written when that process exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The compiled module (`npm test` builds first), run by plain Node as the CLI entry runs it.
const moduleUrl = pathToFileURL(join(import.meta.dirname, '../../dist/src/code-cache.js')).href;
const work = mkdtempSync(join(tmpdir(), 'bf-code-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A CommonJS bundle that prints what its wrapper gave it and requires a built-in module. */
function writeBundle(name: string, marker: string): string {
  const file = join(work, name);
  writeFileSync(file, [
    '#!/usr/bin/env node',
    "const { basename } = require('node:path');",
    `function answer(n) { return n * 6 + ${marker.length}; }`,
    `module.exports.x = 1;`,
    `console.log(JSON.stringify({ marker: ${JSON.stringify(marker)}, answer: answer(7), file: basename(__filename), dir: __dirname, exportsSame: exports === module.exports }));`,
  ].join('\n'));
  return file;
}

/** Run `bundle` through runBundle in a fresh Node process: what it printed, and what became of the cache. */
function run(bundle: string, opts: Record<string, unknown>): { use: string; printed: Record<string, unknown> } {
  const script = `const { runBundle } = await import(${JSON.stringify(moduleUrl)}); console.log('use=' + runBundle(${JSON.stringify(bundle)}, ${JSON.stringify(opts)}));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  // The bundle prints one JSON line (before or after `use=`, as it runs synchronously or not).
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(2);
  const use = lines.find((l) => l.startsWith('use='))!;
  return { printed: JSON.parse(lines.find((l) => l !== use)!), use: use.slice('use='.length) };
}

describe('runBundle', () => {
  it('runs a CommonJS bundle as require would, with a cache written at exit and then used', () => {
    const bundle = writeBundle('a.cjs', 'alpha');
    const cache = join(work, 'a.cjs.cache');
    const first = run(bundle, { writeCacheTo: cache });
    expect(first.use).toBe('absent');
    expect(first.printed).toEqual({ marker: 'alpha', answer: 47, file: 'a.cjs', dir: work, exportsSame: true });
    const bytes = readFileSync(cache);
    expect(bytes.length).toBeGreaterThan(32);
    const second = run(bundle, {});
    expect(second.use).toBe('used');
    expect(second.printed).toEqual(first.printed);
  });

  it('compiles from the source when the cache was made for other bytes of the bundle', () => {
    const bundle = writeBundle('b.cjs', 'beta');
    run(bundle, { writeCacheTo: `${bundle}.cache` });
    // Same length, other text: V8's own check (the source's length) would take the old cache.
    writeBundle('b.cjs', 'bet4');
    const after = run(bundle, {});
    expect(after.use).toBe('stale');
    expect(after.printed.marker).toBe('bet4');
  });

  it('compiles from the source when V8 refuses the data after a matching digest', () => {
    const bundle = writeBundle('c.cjs', 'gamma');
    run(bundle, { writeCacheTo: `${bundle}.cache` });
    const good = readFileSync(`${bundle}.cache`);
    const broken = Buffer.concat([good.subarray(0, 32), Buffer.alloc(good.length - 32, 0x5a)]);
    writeFileSync(`${bundle}.cache`, broken);
    const after = run(bundle, {});
    expect(after.use).toBe('rejected');
    expect(after.printed.answer).toBe(47);
  });

  it('gives the bundle an import() that works in functions compiled from the cache', () => {
    const bundle = join(work, 'e.cjs');
    writeFileSync(bundle, [
      "async function load() { const os = await __breakfixImport('node:os'); return typeof os.cpus; }",
      "load().then((t) => console.log(JSON.stringify({ cpus: t })), (e) => console.log(JSON.stringify({ error: e.code ?? String(e) })));",
    ].join('\n'));
    const first = run(bundle, { writeCacheTo: `${bundle}.cache` });
    const second = run(bundle, {});
    expect(second.use).toBe('used');
    for (const r of [first, second]) expect(r.printed).toEqual({ cpus: 'function' });
  });

  it('reads no cache when told not to, and says so', () => {
    const bundle = writeBundle('d.cjs', 'delta');
    run(bundle, { writeCacheTo: `${bundle}.cache` });
    expect(run(bundle, { useCache: false }).use).toBe('off');
    expect(run(bundle, { cacheFile: join(work, 'none.cache') }).use).toBe('absent');
    // A cache that cannot be read (here a directory) is no cache, not an error.
    mkdirSync(join(work, 'dir.cache'));
    expect(run(bundle, { cacheFile: join(work, 'dir.cache') })).toEqual({ use: 'absent', printed: expect.objectContaining({ marker: 'delta' }) });
  });
});
