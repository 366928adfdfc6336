#!/usr/bin/env node
/**
 * The `breakfix` command (the package's bin; compiled: dist/src/cli.js). It runs the command line
 * (src/cli-main.ts) from its bundle, dist/src/cli-main.cjs, with the V8 code cache `npm run
 * build` made for it (dist/src/cli-main.cjs.cache, see src/code-cache.ts and
 * scripts/code-cache.mjs), so a pass starts without compiling ~1.8 MB of JavaScript; without a
 * bundle (a build by `tsc` alone) it imports src/cli-main.ts as compiled.
 *
 * Environment: `BREAKFIX_CODE_CACHE=off` compiles from the source (to rule the cache out),
 * `BREAKFIX_CODE_CACHE=report` says on stderr what became of the cache (`code cache: used`, …);
 * any other value is ignored with a warning on stderr;
 * `BREAKFIX_WRITE_CODE_CACHE=<file>` writes a new cache there when the command exits.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBundle } from './code-cache.js';

const bundle = fileURLToPath(new URL('./cli-main.cjs', import.meta.url));
const mode = process.env.BREAKFIX_CODE_CACHE;
if (mode && mode !== 'off' && mode !== 'report') {
  // Still runs (with the cache): a misspelt debugging switch must not stop a pass.
  process.stderr.write(`breakfix: BREAKFIX_CODE_CACHE=${JSON.stringify(mode)} is ignored: expected off (compile from the source) or report (say what became of the cache)\n`);
}
if (existsSync(bundle)) {
  const use = runBundle(bundle, { useCache: mode !== 'off', writeCacheTo: process.env.BREAKFIX_WRITE_CODE_CACHE || undefined });
  if (mode === 'report') process.stderr.write(`code cache: ${use} (${bundle}.cache)\n`);
} else {
  if (mode === 'report') process.stderr.write(`code cache: no bundle (${bundle}); running the compiled modules\n`);
  await import('./cli-main.js');
}
