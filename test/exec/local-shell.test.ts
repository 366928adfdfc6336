import { describe, expect, it } from 'vitest';
import { LocalShell } from '../../src/ssh/local.js';
import { RemoteError } from '../../src/ssh/remote.js';

describe('LocalShell: argv on this machine, no shell', () => {
  it('passes every argument as is, shell syntax included, and feeds stdin', async () => {
    const shell = new LocalShell();
    const r = await shell.exec('nn1.test', ['sh', '-c', 'printf "%s|" "$@"; cat', 'sh', '$(id)', "a b'c", ';rm -rf /'], { stdin: 'in\n' });
    expect(r).toMatchObject({ code: 0, timedOut: false });
    expect(r.stdout.toString()).toBe("$(id)|a b'c|;rm -rf /|in\n");
  });

  it('reports exit status, stderr and a timeout', async () => {
    const shell = new LocalShell();
    const fail = await shell.exec('nn1.test', ['sh', '-c', 'echo no >&2; exit 3']);
    expect(fail.code).toBe(3);
    expect(fail.stderr.toString()).toBe('no\n');
    const slow = await shell.exec('nn1.test', ['sleep', '5'], { timeoutMs: 50 });
    expect(slow).toMatchObject({ code: null, timedOut: true, signal: 'SIGKILL' });
  });

  it('refuses a host name that is not one, and a program that does not exist, as RemoteErrors', async () => {
    const shell = new LocalShell();
    await expect(shell.exec('nn1;reboot', ['true'])).rejects.toMatchObject({ kind: 'invalid-host' });
    // The same rule as SshShell: only a normalised host key, not a name that would normalise to one.
    for (const bad of ['NN1.test', 'nn1.test:22', ' nn1.test', 'nn1.test.', '']) {
      await expect(shell.exec(bad, ['true'])).rejects.toMatchObject({ kind: 'invalid-host' });
    }
    await expect(shell.exec('nn1.test', ['/nonexistent/hdfs'])).rejects.toBeInstanceOf(RemoteError);
    await expect(new LocalShell({ hosts: ['nn1.test'] }).exec('rm1.test', ['true'])).rejects.toMatchObject({ kind: 'unreachable' });
  });
});
