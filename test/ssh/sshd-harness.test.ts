import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeSshd, startSshd } from '../helpers/sshd-suite.js';

function openssh(port: number, key: string, knownHosts: string, target: string, cmd: string): string {
  return execFileSync('ssh', ['-F', '/dev/null', '-p', String(port), '-i', key, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes', '-o', 'GlobalKnownHostsFile=/dev/null', target, cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describeSshd('the test sshd harness', () => {
  it('lets OpenSSH log in with the generated user key and a hashed known_hosts, and refuses an unknown key', async () => {
    const sshd = await startSshd();
    try {
      const kh = sshd.writeKnownHosts(['127.0.0.1'], { hashed: true });
      expect(execFileSync('cat', [kh], { encoding: 'utf8' })).toMatch(/^\|1\|/);
      expect(openssh(sshd.port, sshd.userKeyPath, kh, `${sshd.user}@127.0.0.1`, 'echo hello')).toBe('hello\n');
      expect(() => openssh(sshd.port, sshd.unauthorizedKeyPath(), kh, `${sshd.user}@127.0.0.1`, 'true')).toThrow();
    } finally {
      await sshd.stop();
    }
  });

  it('with allLoopback, answers on other 127/8 addresses', async () => {
    const sshd = await startSshd({ allLoopback: true });
    try {
      const kh = sshd.writeKnownHosts(['127.0.1.7']);
      expect(openssh(sshd.port, sshd.userKeyPath, kh, `${sshd.user}@127.0.1.7`, 'echo $SSH_CONNECTION').split(' ')[2]).toBe('127.0.1.7');
    } finally {
      await sshd.stop();
    }
  });
});
