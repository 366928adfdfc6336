import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOut, headLines } from '../../src/ssh/fanout.js';
import { checkArgv, loadHealthChecks } from '../../src/ssh/healthchecks.js';
import { SshShell } from '../../src/ssh/ssh-shell.js';
import { inputError } from '../helpers/errors.js';
import { describeSshd, startSshd, type TestSshd } from '../helpers/sshd-suite.js';

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startSshd({ allLoopback: true });
});
afterAll(async () => {
  await sshd?.stop();
});

/** dn1.test … dnN.test, each on its own loopback address 127.0.2.i. */
function fleet(n: number): { hosts: string[]; map: Record<string, { hostname: string }> } {
  const hosts = Array.from({ length: n }, (_, i) => `dn${i + 1}.test`);
  return { hosts, map: Object.fromEntries(hosts.map((h, i) => [h, { hostname: `127.0.2.${i + 1}` }])) };
}

describeSshd('fan-out over a real sshd', () => {
  it('reaches 24 hosts on 24 loopback addresses, never more than 4 in flight (counted on the remote side)', async () => {
    const { hosts, map } = fleet(24);
    const work = path.join(sshd.dir, 'inflight');
    mkdirSync(path.join(work, 'now'), { recursive: true });
    mkdirSync(path.join(work, 'arrived'), { recursive: true });
    const shell = new SshShell({ knownHosts: sshd.writeKnownHosts(hosts), identityFiles: [sshd.userKeyPath], agent: false, port: sshd.port, hosts: map });
    // Each command marks itself in flight and records how many are; the first four then wait at a
    // barrier until four have arrived (polling, at most 20 s), so the fourth sees four in flight
    // whatever the timing, and a fan-out that ran one at a time would stop at one.
    const barrier = 'i=0; while [ "$(ls "$1/arrived" | wc -l)" -lt 4 ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done';
    const script = `touch "$1/now/$2"; ls "$1/now" | wc -l >> "$1/counts"; echo "$2 $SSH_CONNECTION" >> "$1/seen"; touch "$1/arrived/$2"; ${barrier}; rm "$1/now/$2"`;
    const results = await fanOut(shell, hosts, (h) => ['sh', '-c', script, 'sh', work, h], { concurrency: 4 });
    expect(results.map((r) => r.outcome)).toEqual(hosts.map(() => 'ok'));
    const counts = readFileSync(path.join(work, 'counts'), 'utf8').trim().split('\n').map(Number);
    expect(counts).toHaveLength(24);
    expect(Math.max(...counts)).toBe(4); // never more than 4, and 4 at the barrier
    const addressOf = new Map(readFileSync(path.join(work, 'seen'), 'utf8').trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ')[3]]));
    expect(hosts.map((h) => addressOf.get(h))).toEqual(hosts.map((h) => map[h].hostname));
  });

  it('gives each host its own result: ok, fail with stderr, timeout, unknown host key', async () => {
    const { hosts, map } = fleet(4);
    const shell = new SshShell({ knownHosts: sshd.writeKnownHosts(hosts.slice(0, 3)), identityFiles: [sshd.userKeyPath], agent: false, port: sshd.port, hosts: map });
    const argv = (h: string) => (h === 'dn2.test' ? ['sh', '-c', 'echo "disk /dev/sdc failed" >&2; echo second >&2; exit 4'] : h === 'dn3.test' ? ['sleep', '20'] : ['true']);
    const results = await fanOut(shell, hosts, argv, { concurrency: 4, timeoutMs: 3000 });
    expect(results.map((r) => [r.host, r.outcome, r.exitCode])).toEqual([
      ['dn1.test', 'ok', 0],
      ['dn2.test', 'fail', 4],
      ['dn3.test', 'timeout', null],
      ['dn4.test', 'hostkey-unknown', null],
    ]);
    expect(results[1].stderrHead).toBe('disk /dev/sdc failed\nsecond');
    expect(results[3].detail).toContain('no host key');
  });

  it('runs a declared check from policies/healthchecks.yml and reads its output', async () => {
    const { hosts, map } = fleet(1);
    const shell = new SshShell({ knownHosts: sshd.writeKnownHosts(hosts), identityFiles: [sshd.userKeyPath], agent: false, port: sshd.port, hosts: map });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'breakfix-checks-'));
    writeFileSync(
      path.join(dir, 'healthchecks.yml'),
      'checks:\n  echo-host:\n    command: [echo, "name={host}", "$(reboot)"]\n    timeoutMs: 5000\n    pass: { stdoutMatches: "^name=dn1\\\\.test \\\\$\\\\(reboot\\\\)$" }\n    detail: stdout\n    reason: test\n',
    );
    const check = loadHealthChecks(dir).get('echo-host')!;
    const [r] = await fanOut(shell, hosts, (h) => checkArgv(check, h), { judge: check.judge, timeoutMs: check.timeoutMs });
    expect(r).toMatchObject({ outcome: 'ok', detail: 'name=dn1.test $(reboot)' });
  });
});

describe('fan-out input and the healthchecks policy', () => {
  it('refuses a host list with an invalid or repeated name before running anything', async () => {
    let calls = 0;
    const shell = { exec: async () => ((calls++, { code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false })), close: async () => {} };
    await expect(fanOut(shell, ['dn1.test', 'dn1.test;reboot'], () => ['true'])).rejects.toThrow(/DNS host name/);
    await expect(fanOut(shell, ['dn1.test', 'dn1.test'], () => ['true'])).rejects.toThrow(/twice/);
    expect(calls).toBe(0);
  });

  it("one host's unexpected exception is that host's failure; the other two hosts still report", async () => {
    const ok = { code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false };
    const shell = {
      exec: async (host: string) => {
        if (host === 'dn2.test') throw new Error('(SSH) Channel open failure: open failed');
        return ok;
      },
      close: async () => {},
    };
    const results = await fanOut(shell, ['dn1.test', 'dn2.test', 'dn3.test'], () => ['true']);
    expect(results.map((r) => [r.host, r.outcome, r.exitCode])).toEqual([
      ['dn1.test', 'ok', 0],
      ['dn2.test', 'fail', null],
      ['dn3.test', 'ok', 0],
    ]);
    expect(results[1].detail).toContain('Channel open failure');
  });

  it('keeps the first three stderr lines', () => {
    expect(headLines(Buffer.from('\na\nb\n\nc\nd\n'))).toBe('a\nb\nc');
  });

  it('ships a valid policies/healthchecks.yml with a reachable check', () => {
    const checks = loadHealthChecks('policies');
    expect(checks.get('reachable')?.command).toEqual(['true']);
    const disk = checks.get('root-disk')!;
    const df = (pcent: string) => disk.judge({ code: 0, stdout: Buffer.from(`Use%\n ${pcent}\n`), stderr: Buffer.alloc(0), timedOut: false });
    expect(df('42%').ok).toBe(true);
    expect(df('97%')).toMatchObject({ ok: false });
  });

  it('names the file, line and field of a bad check', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'breakfix-checks-'));
    cpSync('policies/healthchecks.yml', path.join(dir, 'healthchecks.yml'));
    writeFileSync(path.join(dir, 'healthchecks.yml'), 'checks:\n  disk:\n    command: [df, "{hostname}"]\n    timeoutMs: 5000\n    reason: r\n');
    const e = inputError(() => loadHealthChecks(dir));
    expect(e.message).toMatch(/healthchecks\.yml:3:\d+: checks\.disk\.command\[1\]: expected placeholders among \{host\}/);
    writeFileSync(path.join(dir, 'healthchecks.yml'), 'checks:\n  disk:\n    command: [df]\n    timeoutMs: 5000\n');
    expect(inputError(() => loadHealthChecks(dir)).message).toMatch(/checks\.disk\.reason/);
  });
});
