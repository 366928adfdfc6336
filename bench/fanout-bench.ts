/**
 * `npm run bench:fanout`: breakfix's SSH fan-out against pdsh on the same hosts and the same sshd.
 *
 * 200 fleet hosts (bench-dn001.test …) mapped onto loopback addresses 127.0.1.1 … 127.0.1.200, one
 * real OpenSSH sshd (test/helpers/sshd.ts, MaxStartups raised to 512 so neither side is throttled),
 * known_hosts listing every host. Each round runs `true` on all hosts at concurrency 32:
 *   breakfix: fanOut() over SshShell (ssh2) in this process;
 *   pdsh:     `pdsh -R ssh -f 32 -w <hosts> true`, its ssh reading a generated ssh_config
 *             (HostName, Port, IdentityFile, UserKnownHostsFile, StrictHostKeyChecking yes).
 * Rounds alternate which side goes first; the best round of each is reported, as hosts/s.
 * Peak RSS is this process's (getrusage maxrss) after the breakfix rounds.
 *
 * Last line: `fanout-vs-pdsh ratio=<breakfix hosts/s ÷ pdsh hosts/s> rss_mb=<y> hosts=200`.
 * Options: --hosts N (default 200), --concurrency N (32), --rounds N (3).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fanOut } from '../src/ssh/fanout.js';
import { SshShell } from '../src/ssh/ssh-shell.js';
import { startSshd } from '../test/helpers/sshd.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const HOSTS = arg('hosts', 200);
const CONCURRENCY = arg('concurrency', 32);
const ROUNDS = arg('rounds', 3);

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/pdsh')) throw new Error('pdsh not found: apt-get install -y pdsh (.ci/run installs it)');
  if (HOSTS > 254 * 250) throw new Error('--hosts: at most 63,500 loopback addresses are mapped');
  const sshd = await startSshd({ allLoopback: true, maxStartups: 512 });
  try {
    const hosts = Array.from({ length: HOSTS }, (_, i) => `bench-dn${String(i + 1).padStart(3, '0')}.test`);
    // 127.0.1.1 … 127.0.1.250, then 127.0.2.1 …: all loopback on Linux.
    const addrs = hosts.map((_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);

    // breakfix: known_hosts by fleet name, host map to the loopback address.
    const knownHosts = sshd.writeKnownHosts(hosts);
    const map = Object.fromEntries(hosts.map((h, i) => [h, { hostname: addrs[i] }]));
    // pdsh: ssh looks the key up by the HostName it connects to, so its known_hosts lists the addresses.
    const sshKnownHosts = sshd.writeKnownHosts(addrs, { file: path.join(sshd.dir, 'known_hosts.ssh') });
    const sshConfig = path.join(sshd.dir, 'ssh_config');
    writeFileSync(
      sshConfig,
      [
        ...hosts.flatMap((h, i) => [`Host ${h}`, `  HostName ${addrs[i]}`]),
        'Host *',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.userKeyPath}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${sshKnownHosts}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  ConnectTimeout 10',
        '',
      ].join('\n'),
    );

    const shell = new SshShell({ knownHosts, identityFiles: [sshd.userKeyPath], agent: false, port: sshd.port, user: sshd.user, hosts: map, connectTimeoutMs: 15_000 });
    const breakfix = async (): Promise<number> => {
      const t0 = performance.now();
      const results = await fanOut(shell, hosts, () => ['true'], { concurrency: CONCURRENCY, timeoutMs: 30_000 });
      const s = (performance.now() - t0) / 1000;
      const bad = results.filter((r) => r.outcome !== 'ok');
      if (bad.length) throw new Error(`breakfix: ${bad.length} hosts not ok, e.g. ${bad[0].host}: ${bad[0].outcome} ${bad[0].detail}`);
      return HOSTS / s;
    };
    const pdsh = async (): Promise<number> => {
      const t0 = performance.now();
      const { code, stderr } = await run('pdsh', ['-R', 'ssh', '-f', String(CONCURRENCY), '-w', hosts.join(','), 'true'], {
        ...process.env,
        PDSH_SSH_ARGS: `-F ${sshConfig} -2 -a -x -l%u %h`,
      });
      const s = (performance.now() - t0) / 1000;
      if (code !== 0 || stderr.trim()) throw new Error(`pdsh failed (exit ${code}): ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
      return HOSTS / s;
    };

    console.log(`fan-out: ${HOSTS} hosts on ${addrs[0]}…${addrs[HOSTS - 1]}, one sshd on port ${sshd.port}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds, \`true\` on each host`);
    const best = { breakfix: 0, pdsh: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['breakfix', 'pdsh'] as const) : (['pdsh', 'breakfix'] as const);
      for (const side of order) {
        const rate = side === 'breakfix' ? await breakfix() : await pdsh();
        best[side] = Math.max(best[side], rate);
        console.log(`  round ${r + 1} ${side.padEnd(8)} ${rate.toFixed(1)} hosts/s`);
      }
    }
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const ratio = best.breakfix / best.pdsh;
    console.log(`best: breakfix ${best.breakfix.toFixed(1)} hosts/s, pdsh ${best.pdsh.toFixed(1)} hosts/s (goal: breakfix ≥ pdsh); breakfix peak RSS ${rssMb.toFixed(1)} MB`);
    console.log(`fanout-vs-pdsh ratio=${ratio.toFixed(2)} rss_mb=${rssMb.toFixed(1)} hosts=${HOSTS}`);
  } finally {
    await sshd.stop();
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

main().catch((e) => {
  console.error(`bench:fanout: ${(e as Error).message}`);
  process.exit(1);
});
