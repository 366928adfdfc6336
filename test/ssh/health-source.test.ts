/**
 * The ssh health source and `breakfix fleet run`, end to end against a real sshd: a small fleet
 * whose hosts are mapped onto loopback addresses, one host whose key known_hosts lacks, one host
 * failing a check.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputError } from '../helpers/errors.js';
import { loadConfig } from '../../src/config/config.js';
import { runPass } from '../../src/pass/run.js';
import { fleetFiles, randomFleet } from '../helpers/fleet.js';
import { describeSshd, startSshd, type TestSshd } from '../helpers/sshd-suite.js';

const root = join(import.meta.dirname, '../..');
let sshd: TestSshd;
let work: string;
let managed: string[];
let configPath: string;
let policies: string;

beforeAll(async () => {
  sshd = await startSshd({ allLoopback: true });
  work = mkdtempSync(join(tmpdir(), 'bf-ssh-health-'));
  const files = fleetFiles(randomFleet({ seed: 3, clusters: 1, maxHosts: 9, racks: 3, groups: 1, failRate: 0, outRate: 0, noGroupRate: 0 }));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(work, n), t);
  managed = files['inventory.tsv'].trim().split('\n').slice(1).map((l) => l.split('\t')).filter((f) => f[6] === 'managed').map((f) => f[0]).sort();
  expect(managed.length).toBeGreaterThanOrEqual(3);
  // Checks: the shipped reachable, and a marker check that fails where a file names the host.
  policies = join(work, 'policies');
  cpSync(join(root, 'policies'), policies, { recursive: true });
  mkdirSync(join(work, 'broken'));
  writeFileSync(join(work, 'broken', managed[1]), '');
  writeFileSync(
    join(policies, 'healthchecks.yml'),
    stringify({
      checks: {
        reachable: { command: ['true'], timeoutMs: 10000, reason: 'login works' },
        marker: { command: ['test', '!', '-e', `${work}/broken/{host}`], timeoutMs: 10000, reason: 'a marker file names a broken host' },
      },
    }),
  );
  // known_hosts lacks the last managed host: its key is unknown.
  const knownHosts = sshd.writeKnownHosts(managed.slice(0, -1), { file: join(work, 'known_hosts') });
  writeFileSync(join(work, 'hosts.txt'), managed.join('\n') + '\n');
  configPath = join(work, 'breakfix.yml');
  writeFileSync(
    configPath,
    stringify({
      state: './state',
      policies: './policies',
      datacenters: {
        dc1: {
          sources: {
            inventory: { path: 'inventory.tsv' },
            hdfs: { kind: 'hdfs-jmx', path: 'nn-jmx.json' },
            health: {
              kind: 'ssh',
              hosts: { set: 'managed' },
              knownHosts: 'known_hosts',
              identityFiles: [sshd.userKeyPath],
              agent: false,
              port: sshd.port,
              concurrency: 4,
              hostMap: Object.fromEntries(managed.map((h, i) => [h, { hostname: `127.0.3.${i + 1}` }])),
            },
          },
        },
      },
    }),
  );
});
afterAll(async () => {
  await sshd?.stop();
});

describeSshd('health checks over SSH', () => {
  it('a pass with the ssh health source checks the managed hosts live and builds the health sets from them', async () => {
    const config = loadConfig(configPath);
    const pass = await runPass({ dc: 'dc1', sources: config.datacenters.dc1.sources, policyDir: policies, stateDir: config.stateDir, seed: 1 });
    const unknownKey = managed[managed.length - 1];
    const tsv = readFileSync(join(pass.dir, 'sources', 'health.health-ssh.tsv'), 'utf8');
    expect(tsv).toContain(`${unknownKey}\treachable\tfail\thostkey-unknown: `);
    expect(tsv.split('\n').filter((l) => l.startsWith(`${unknownKey}\t`))).toHaveLength(1); // no other check ran on it
    const set = (name: string) => readFileSync(join(pass.dir, 'sets', name), 'utf8').split('\n').filter(Boolean);
    expect(set('unresponsive')).toEqual([unknownKey]);
    expect(set('failing-marker')).toEqual([managed[1]]);
    expect(set('responsive')).toEqual(managed.slice(0, -1));
    expect(readFileSync(join(pass.dir, 'sources', 'health-ssh', 'reachable', 'hostkey-unknown'), 'utf8')).toBe(`${unknownKey}\n`);
    const manifest = JSON.parse(readFileSync(join(pass.dir, 'sources', 'manifest.json'), 'utf8'));
    expect(manifest.sources.find((s: { kind: string }) => s.kind === 'health-ssh').ssh.hosts).toEqual({ set: 'managed' });
  });

  it('breakfix fleet run runs one check on a hosts file and writes one file per outcome', () => {
    const out = join(work, 'run-out');
    const r = spawnSync(process.execPath, [join(root, 'dist/src/cli.js'), 'fleet', 'run', '--config', configPath, '--hosts', join(work, 'hosts.txt'), '--out', out, '--json', '--', 'marker'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1); // some hosts not ok
    const res = JSON.parse(r.stdout);
    expect(res.counts).toMatchObject({ ok: managed.length - 2, fail: 1, 'hostkey-unknown': 1 });
    expect(readFileSync(join(out, 'fail'), 'utf8')).toBe(`${managed[1]}\n`);
    expect(readFileSync(join(out, 'ok'), 'utf8').trim().split('\n')).toEqual(managed.slice(0, -1).filter((h) => h !== managed[1]));
    expect(readFileSync(join(out, 'results.tsv'), 'utf8').split('\n')[0]).toBe('host\toutcome\texit\telapsed_ms\tdetail');
    expect(existsSync(join(out, 'timeout'))).toBe(true);
  });

  it('fleet run refuses an undeclared check and a bad hosts file, naming what to fix', () => {
    const bf = (...a: string[]) => spawnSync(process.execPath, [join(root, 'dist/src/cli.js'), 'fleet', 'run', '--config', configPath, ...a], { encoding: 'utf8' });
    const unknown = bf('--hosts', join(work, 'hosts.txt'), '--', 'no-such-check');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no check "no-such-check" is declared; declared: reachable, marker/);
    writeFileSync(join(work, 'bad-hosts.txt'), 'dn1.test\ndn2.test;reboot\n');
    const bad = bf('--hosts', join(work, 'bad-hosts.txt'), '--', 'reachable');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/bad-hosts\.txt:2: host: expected a DNS host name/);
  });
});

describe('the ssh health source in breakfix.yml', () => {
  it('names the file, line and field of a bad setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-ssh-config-'));
    const file = join(dir, 'breakfix.yml');
    const write = (health: string) =>
      writeFileSync(file, `datacenters:\n  dc1:\n    sources:\n      inventory: { path: inv.tsv }\n      hdfs: { path: nn.json }\n      health:\n${health}`);
    write('        kind: ssh\n        hosts: { set: managed, file: hosts.txt }\n');
    expect(inputError(() => loadConfig(file)).message).toMatch(/breakfix\.yml:8:\d+: datacenters\.dc1\.sources\.health\.hosts: give exactly one of set/);
    write('        kind: ssh\n        hosts: { set: managed }\n        concurrency: 0\n');
    expect(inputError(() => loadConfig(file)).message).toMatch(/:9:\d+: datacenters\.dc1\.sources\.health\.concurrency: /);
    write('        kind: ssh\n        hosts: { set: managed }\n        acceptAnyHostKey: true\n');
    expect(inputError(() => loadConfig(file)).message).toMatch(/acceptAnyHostKey/);
  });
});
