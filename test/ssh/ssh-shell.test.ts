import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteError } from '../../src/ssh/remote.js';
import { SshShell, type SshShellOptions } from '../../src/ssh/ssh-shell.js';
import { describeSshd, freePort, startSshd, type TestSshd } from '../helpers/sshd-suite.js';

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startSshd({ allLoopback: true });
});
afterAll(async () => {
  await sshd?.stop();
});

function shell(o: Partial<SshShellOptions> = {}): SshShell {
  return new SshShell({
    knownHosts: o.knownHosts ?? sshd.writeKnownHosts(['dn1.test']),
    identityFiles: [sshd.userKeyPath],
    agent: false,
    port: sshd.port,
    hosts: { '*.test': { hostname: '127.0.0.1' } },
    ...o,
  });
}

async function remoteError(p: Promise<unknown>): Promise<RemoteError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    return e as RemoteError;
  }
  throw new Error('expected a RemoteError, got a result');
}

describeSshd('SshShell against a real OpenSSH sshd', () => {
  it('delivers every argument byte for byte, shell metacharacters included', async () => {
    const marker = path.join(sshd.dir, 'injected');
    const args = ['a b', `$(touch ${marker})`, `\`touch ${marker}\``, `'; touch ${marker} #`, '"dq"', 'new\nline', '*', '$HOME', '\\back', '', 'a;b|c&d>e', "it's"];
    const r = await shell().exec('dn1.test', ['printf', '%s\\0', ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString().split('\0').slice(0, -1)).toEqual(args);
    expect(() => readFileSync(marker)).toThrow();
  });

  it('reports a host whose sshd refuses a command channel (MaxSessions 0) as a RemoteError, not a bare Error', async () => {
    // sshd_config keeps the first value of a keyword, so the override goes in a Match block.
    const strict = await startSshd({ extraConfig: ['Match Address 127.0.0.1', '  MaxSessions 0'] });
    try {
      const sh = new SshShell({ knownHosts: strict.writeKnownHosts(['dn1.test']), identityFiles: [strict.userKeyPath], agent: false, port: strict.port, hosts: { '*.test': { hostname: '127.0.0.1' } } });
      const e = await remoteError(sh.exec('dn1.test', ['true']));
      expect(e.kind).toBe('channel-refused');
      expect(e.host).toBe('dn1.test');
      expect(e.message).toMatch(/dn1\.test.*command channel/);
    } finally {
      await strict.stop();
    }
  });

  it('writes stdin, and returns the exit code and stderr', async () => {
    const sh = shell();
    const cat = await sh.exec('dn1.test', ['cat'], { stdin: 'dn7.test\ndn8.test\n' });
    expect(cat.stdout.toString()).toBe('dn7.test\ndn8.test\n');
    const failing = await sh.exec('dn1.test', ['sh', '-c', 'echo broken disk >&2; exit 3']);
    expect(failing).toMatchObject({ code: 3, timedOut: false });
    expect(failing.stderr.toString()).toBe('broken disk\n');
  });

  it('authenticates with a key held by ssh-agent (SSH_AUTH_SOCK)', async () => {
    const sock = path.join(sshd.dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', ['-q', sshd.userKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const r = await shell({ identityFiles: [], agent: sock }).exec('dn1.test', ['echo', 'via agent']);
      expect(r.stdout.toString()).toBe('via agent\n');
    } finally {
      agent.kill();
    }
  });

  it('maps a fleet name onto its loopback address, as ssh_config HostName does', async () => {
    const sh = shell({ hosts: { 'dn1.test': { hostname: '127.0.1.9' }, '*': { hostname: '127.0.0.1' } } });
    const r = await sh.exec('dn1.test', ['sh', '-c', 'echo $SSH_CONNECTION']);
    expect(r.stdout.toString().trim().split(' ')[2]).toBe('127.0.1.9');
  });

  it('accepts the host key from a hashed known_hosts (ssh-keygen -H)', async () => {
    const hashed = sshd.writeKnownHosts(['dn1.test'], { hashed: true });
    expect(readFileSync(hashed, 'utf8')).not.toContain('dn1.test');
    const r = await shell({ knownHosts: hashed }).exec('dn1.test', ['true']);
    expect(r.code).toBe(0);
  });

  it('refuses a host whose key differs from known_hosts (hostkey-mismatch)', async () => {
    const other = readFileSync(`${sshd.unauthorizedKeyPath()}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const file = path.join(sshd.dir, 'known_hosts.changed');
    writeFileSync(file, `[dn1.test]:${sshd.port} ${other}\n`);
    const e = await remoteError(shell({ knownHosts: file }).exec('dn1.test', ['true']));
    expect(e.kind).toBe('hostkey-mismatch');
    expect(e.host).toBe('dn1.test');
  });

  it('refuses a host whose known key is of a type the server does not offer (hostkey-mismatch)', async () => {
    const ecdsa = path.join(sshd.dir, 'other_ecdsa');
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', ecdsa], { stdio: 'ignore' });
    const file = path.join(sshd.dir, 'known_hosts.ecdsa');
    writeFileSync(file, `[dn1.test]:${sshd.port} ${readFileSync(`${ecdsa}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}\n`);
    const e = await remoteError(shell({ knownHosts: file }).exec('dn1.test', ['true']));
    expect(e.kind).toBe('hostkey-mismatch');
    expect(e.message).toContain('ecdsa-sha2-nistp256');
  });

  it('refuses a host known_hosts does not list (hostkey-unknown), even when another name has the same key', async () => {
    const e = await remoteError(shell({ knownHosts: sshd.writeKnownHosts(['dn2.test'], { file: path.join(sshd.dir, 'known_hosts.dn2') }) }).exec('dn1.test', ['true']));
    expect(e.kind).toBe('hostkey-unknown');
    expect(e.message).toContain(`[dn1.test]:${sshd.port}`);
  });

  it('reports a key the server does not accept as auth-failed', async () => {
    const e = await remoteError(shell({ identityFiles: [sshd.unauthorizedKeyPath()] }).exec('dn1.test', ['true']));
    expect(e.kind).toBe('auth-failed');
  });

  it('stops a command that outlives its timeout and says so', async () => {
    const r = await shell().exec('dn1.test', ['sleep', '30'], { timeoutMs: 300 });
    expect(r).toMatchObject({ code: null, timedOut: true });
  });

  it('reports a connection that drops mid-command (sshd killed) as connectionLost, then the host as unreachable', async () => {
    const own = await startSshd();
    try {
      const sh = shell({ knownHosts: own.writeKnownHosts(['dn1.test']), identityFiles: [own.userKeyPath], port: own.port });
      const started = path.join(own.dir, 'started');
      const running = sh.exec('dn1.test', ['sh', '-c', 'touch "$1"; sleep 30', 'sh', started]);
      // Kill once the command has started (the file it touches is proof), not after a guessed delay.
      for (let i = 0; i < 400 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(started)).toBe(true);
      await own.kill();
      const r = await running;
      expect(r).toMatchObject({ code: null, timedOut: false, connectionLost: true });
      expect((await remoteError(sh.exec('dn1.test', ['true']))).kind).toBe('unreachable');
    } finally {
      await own.stop();
    }
  });

  it('reports a closed port as unreachable', async () => {
    const e = await remoteError(shell({ port: await freePort() }).exec('dn1.test', ['true']));
    expect(e.kind).toBe('unreachable');
  });

  it('reports a server that never speaks SSH as connect-timeout', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const e = await remoteError(shell({ port, connectTimeoutMs: 300 }).exec('dn1.test', ['true']));
      expect(e.kind).toBe('connect-timeout');
    } finally {
      silent.close();
    }
  });

  it('refuses a host name that is not a DNS name before connecting', async () => {
    let connections = 0;
    const counter = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => counter.listen(0, '127.0.0.1', r));
    try {
      const port = (counter.address() as net.AddressInfo).port;
      for (const bad of ['dn1.test;reboot', '-oProxyCommand=x', 'DN1.test', '']) {
        const e = await remoteError(shell({ port }).exec(bad, ['true']));
        expect(e.kind).toBe('invalid-host');
      }
      expect(connections).toBe(0);
    } finally {
      counter.close();
    }
  });
});
