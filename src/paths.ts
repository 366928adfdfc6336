/**
 * Where the package's own files are at run time (shipped policies, demo data), found from the
 * running module whether it is compiled (`dist/src/…`) or run from source under vitest (`src/…`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding breakfix's package.json. @throws Error if it cannot be found (a broken install). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'breakfix') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the breakfix package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The reviewed policy shipped with the package: `<root>/policies`. */
export function shippedPolicyDir(): string {
  return join(packageRoot(), 'policies');
}
