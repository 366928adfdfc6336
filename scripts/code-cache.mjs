/**
 * Make the V8 code cache of the command line's bundle (dist/src/cli-main.cjs.cache, read by
 * src/cli.ts through src/code-cache.ts). Run by `npm run build` after scripts/bundle-cli.mjs.
 *
 * A cache holds the functions compiled when it is written, so it is written at the end of a real
 * `breakfix pass` (the command whose start-up matters most), on a generated 10,000-host fleet in a
 * temporary directory: its HDFS report (~6 MB) is over the size parsed in a worker thread, so the
 * pass takes the same code paths as on a large fleet. ~1-2 s; the cache is ~1 MB.
 *
 * @throws (exits non-zero) when the pass fails or writes no cache: the build then fails, as it
 * should when the built command cannot run a pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFleet } from '../dist/bench/gen-fleet.js';

const HOSTS = 10_000;
const cache = 'dist/src/cli-main.cjs.cache';
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'breakfix-code-cache-'));
try {
  const { files } = generateFleet(HOSTS, join(work, 'fleet'), 1);
  rmSync(cache, { force: true });
  const pass = spawnSync(process.execPath, [
    'dist/src/cli.js', 'pass', '--dc', 'cache', '--inventory', files.inventory, '--health', files.health, '--hdfs-report', files.hdfsReport,
    '--pass-dir', join(work, 'pass'), '--state', join(work, 'state'), '--seed', '1', '--quiet',
  ], { encoding: 'utf8', env: { ...process.env, BREAKFIX_WRITE_CODE_CACHE: cache, BREAKFIX_CODE_CACHE: 'off' } });
  if (pass.status !== 0) {
    process.stderr.write(`code-cache: the ${HOSTS}-host pass exited with ${pass.status}:\n${pass.stdout}\n${pass.stderr}\n`);
    process.exit(1);
  }
  if (!existsSync(cache)) {
    process.stderr.write(`code-cache: the pass wrote no ${cache}\n`);
    process.exit(1);
  }
  const kb = Math.round(statSync(cache).size / 1024);
  process.stdout.write(`code cache: ${cache} (${kb} KB) from a ${HOSTS}-host pass in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
