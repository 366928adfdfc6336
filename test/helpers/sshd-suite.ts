/**
 * Vitest glue for tests that need the real sshd of sshd.ts.
 *
 * `describeSshd('…', () => { … })` is `describe` when sshd is installed. When it is missing:
 * in CI (`CI` set) it is still `describe`, so startSshd() throws and the tests FAIL with what to
 * install; elsewhere the suite is skipped with a loud warning on stderr.
 */
import { describe } from 'vitest';
import { sshdMissing } from './sshd.js';

const missing = sshdMissing();
if (missing && !process.env.CI) {
  process.stderr.write(`\n*** WARNING: SSH tests SKIPPED: ${missing}. In CI (CI=1) they fail instead. ***\n\n`);
}

/** `describe` for suites that start a real sshd (see the module doc for CI vs local). */
export const describeSshd: typeof describe = missing && !process.env.CI ? (describe.skip as typeof describe) : describe;

export { startSshd, freePort, type TestSshd, type SshdOptions } from './sshd.js';
