/**
 * The real OpenSSH sshd of the tests and benchmarks: the lab sshd of src/ssh/lab-sshd.ts (also
 * started by `breakfix demo --drain --ssh`), so there is one way to run one. See that file.
 */
export { freePort, SSHD_PATH, sshdMissing, startSshd, type SshdOptions, type TestSshd } from '../../src/ssh/lab-sshd.js';
