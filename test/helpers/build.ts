/**
 * The compiled code, for tests that run it in child processes: `dist/` when it is current
 * (`npm test` builds it first), else a build made into a temporary directory (`dist/` is never
 * written by the tests).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = join(import.meta.dirname, '../..');

/** True when `dist/` holds a build of every current source file (as after `npm run build`). */
function distIsFresh(): boolean {
  const stale = (dir: string): boolean => readdirSync(join(repo, dir), { withFileTypes: true }).some((e) => {
    const rel = join(dir, e.name);
    if (e.isDirectory()) return stale(rel);
    if (!e.name.endsWith('.ts')) return false;
    const js = join(repo, 'dist', rel.replace(/\.ts$/, '.js'));
    return !existsSync(js) || statSync(js).mtimeMs < statSync(join(repo, rel)).mtimeMs;
  });
  return !stale('src') && !stale('commands');
}

/** The directory of a current build (slow the first time when `dist/` is stale: call it in `beforeAll` with a long timeout). */
export function compiledBuild(): string {
  if (distIsFresh()) return join(repo, 'dist');
  const build = mkdtempSync(join(tmpdir(), 'bf-build-'));
  const r = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', repo, '--outDir', build], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc failed:\n${r.stdout}${r.stderr}`);
  // The compiled files need the package's module type, dependencies and data (the shipped
  // policies, the demo fleet: found from the package root, src/paths.ts), as in the real install.
  writeFileSync(join(build, 'package.json'), JSON.stringify({ name: 'breakfix', type: 'module' }));
  for (const dir of ['node_modules', 'policies', 'demo']) symlinkSync(join(repo, dir), join(build, dir));
  return build;
}

/** An `import` specifier for a compiled module of `build`, e.g. `moduleUrl(build, 'src/plan/store.js')`. */
export function moduleUrl(build: string, path: string): string {
  return pathToFileURL(join(build, path)).href;
}
