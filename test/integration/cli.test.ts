/**
 * The operator's commands through the compiled CLI: pass, show, diff, why, policy, source
 * inspect, --help. Runs `dist/src/cli.js` as a user would (npm test builds first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fleetFiles, randomFleet } from '../helpers/fleet.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');
const real = join(root, 'test/fixtures/real');

function bf(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: tmpdir() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let src: string;
let state: string;
const passFlags = () => ['--dc', 'dc1', '--state', state, '--inventory', join(src, 'inventory.tsv'), '--health', join(src, 'health.tsv'), '--hdfs-jmx', join(src, 'nn-jmx.json')];

beforeAll(() => {
  src = mkdtempSync(join(tmpdir(), 'bf-cli-src-'));
  state = mkdtempSync(join(tmpdir(), 'bf-cli-state-'));
  const files = fleetFiles(randomFleet({ seed: 8, clusters: 2, maxHosts: 200, racks: 6, groups: 1, failRate: 0.06, outRate: 0, noGroupRate: 0 }));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(src, n), t);
});

describe('an operator at the terminal', () => {
  it('the built command runs its bundle with the code cache the build made for it', () => {
    const r = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8', env: { ...process.env, BREAKFIX_CODE_CACHE: 'report' } });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toContain(`code cache: used (${join(root, 'dist/src/cli-main.cjs.cache')})`);
  });

  it('an unknown BREAKFIX_CODE_CACHE value is named on stderr and the command runs as usual', () => {
    const r = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8', env: { ...process.env, BREAKFIX_CODE_CACHE: 'of' } });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe('breakfix: BREAKFIX_CODE_CACHE="of" is ignored: expected off (compile from the source) or report (say what became of the cache)\n');
  });

  it('every command answers --help', () => {
    for (const c of [[], ['pass'], ['show'], ['diff'], ['why'], ['policy'], ['status'], ['pause'], ['resume'], ['plan'], ['serve'], ['source', 'inspect'], ['demo'], ['fleet', 'run']]) {
      const r = bf(...c, '--help');
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.out).toMatch(/Usage: breakfix/);
    }
  });

  it('stops quietly when its reader stops reading (`breakfix … | head`)', async () => {
    const child = spawn(process.execPath, [cli, 'pass', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The read end is closed before the child writes: its first write meets EPIPE.
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('runs a pass and reads the ten-second summary: counts, budget table, proposal, files', () => {
    const r = bf('pass', ...passFlags(), '--seed', '5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/hosts \d+ {2}managed \d+/);
    expect(r.out).toMatch(/cluster +archetype +managed +cap +in-flight +headroom/);
    expect(r.out).toMatch(/proposal dc1-[0-9a-f]{8}: \d+ hosts/);
    expect(r.out).toMatch(new RegExp(`files: ${state}/passes/dc1/`));
  });

  it('--json prints the plan', () => {
    const r = bf('pass', ...passFlags(), '--seed', '5', '--json');
    const plan = JSON.parse(r.out);
    expect(plan.seed).toBe(5);
    expect(plan.actions.length).toBeGreaterThan(0);
  });

  it('shows a set, explains a host, diffs two passes and prints the policy arithmetic', () => {
    const show = bf('show', 'drain-candidates', '--state', state, '--dc', 'dc1', '--json');
    const cands = JSON.parse(show.out);
    expect(cands.count).toBe(cands.hosts.length);
    const planned = JSON.parse(bf('pass', ...passFlags(), '--seed', '5', '--json').out);
    const host = planned.actions[0].host;
    const why = bf('why', host.toUpperCase(), '--state', state, '--dc', 'dc1');
    expect(why.code).toBe(0);
    expect(why.out).toContain(`PICKED to drain: ${planned.actions[0].reason}`);
    expect(why.out).toMatch(/sets \(\d+\): .*drain-candidates/);
    const diff = bf('diff', '--state', state, '--dc', 'dc1');
    expect(diff.code).toBe(0);
    expect(diff.out).toMatch(/no set changed|→/);
    const policy = bf('policy', 'c0', '--state', state, '--dc', 'dc1');
    expect(policy.out).toMatch(/c0: \d+ managed hosts.* → archetype (default|small)/);
    expect(policy.out).toMatch(/drain cap +clamp\(floor\(\d+% × \d+\) = \d+, \d+, \d+\) = \d+/);
    expect(policy.out).toMatch(/at most \d+ hosts per plan/);
  });

  it('diff of one set lists the hosts that joined and left', () => {
    const s2 = mkdtempSync(join(tmpdir(), 'bf-cli-diff-'));
    const flags = (s: string) => ['--dc', 'dcx', '--state', s2, '--inventory', join(src, 'inventory.tsv'), '--health', join(s, 'health.tsv'), '--hdfs-jmx', join(src, 'nn-jmx.json'), '--quiet'];
    expect(bf('pass', ...flags(src)).code).toBe(0);
    const h2 = mkdtempSync(join(tmpdir(), 'bf-cli-h2-'));
    const lines = readFileSync(join(src, 'health.tsv'), 'utf8').split('\n');
    const i = lines.findIndex((l) => /\tdisk\tok\t/.test(l));
    const host = lines[i].split('\t')[0];
    lines[i] = lines[i].replace('\tdisk\tok\t', '\tdisk\tfail\t');
    writeFileSync(join(h2, 'health.tsv'), lines.join('\n'));
    expect(bf('pass', ...flags(h2)).code).toBe(0);
    const d = bf('diff', 'failing', '--state', s2, '--dc', 'dcx');
    expect(d.out).toContain(`+ ${host}`);
  });

  it('records who asked for the pass as the plan\'s requester (the two-person rule compares against it)', () => {
    const s3 = mkdtempSync(join(tmpdir(), 'bf-cli-req-'));
    const flags = ['--dc', 'dcr', '--state', s3, '--inventory', join(src, 'inventory.tsv'), '--health', join(src, 'health.tsv'), '--hdfs-jmx', join(src, 'nn-jmx.json'), '--quiet'];
    expect(bf('pass', ...flags, '--requested-by', 'U024BE7LH').code).toBe(0);
    expect(bf('plan', 'list', '--state', s3).out).toMatch(/proposed +U024BE7LH/);
  });

  it('pause stops passes in a datacenter until resume; status shows who paused it and why', () => {
    const s4 = mkdtempSync(join(tmpdir(), 'bf-cli-pause-'));
    const flags = ['--dc', 'dcp', '--state', s4, '--inventory', join(src, 'inventory.tsv'), '--health', join(src, 'health.tsv'), '--hdfs-jmx', join(src, 'nn-jmx.json'), '--quiet'];
    expect(bf('pass', ...flags).code).toBe(0);
    expect(bf('pause', '--dc', 'dcp', '--state', s4, '--reason', 'NameNode failover in progress').code).toBe(0);
    const refused = bf('pass', ...flags);
    expect(refused.code).toBe(3);
    expect(refused.out).toMatch(/dcp is paused by .* \(NameNode failover in progress\)/);
    expect(bf('status', '--dc', 'dcp', '--state', s4).out).toMatch(/last pass .*: ok[\s\S]*PAUSED by .*: NameNode failover in progress/);
    expect(bf('resume', '--dc', 'dcp', '--state', s4).out).toMatch(/dcp resumed by/);
    expect(bf('pass', ...flags).code).toBe(0);
    expect(bf('status', '--dc', 'dcp', '--state', s4).out).toMatch(/not paused/);
  });

  it('show of a set that does not exist suggests close names and exits 1', () => {
    const r = bf('show', 'drain', '--state', state, '--dc', 'dc1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/did you mean: .*drain-candidates/);
  });

  it('inspects one real source and prints its raw sets; --json gives {"sets": …}', () => {
    const file = join(real, 'hdfs-namenode-jmx/hadoop-1.0.0-yahoo-full-jmx-dump.json');
    const r = bf('source', 'inspect', '--kind', 'hdfs-jmx', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/hdfs-live +10/);
    expect(r.out).toMatch(/hdfs-dead +1/);
    const j = JSON.parse(bf('source', 'inspect', '--kind', 'hdfs-jmx', file, '--json').out);
    expect(j.sets['hdfs-dead']).toEqual(['hrt18n14.cc1.ygridcore.net']);
  });

  it('a config file of the wrong shape is refused in English, naming the file, line and field (the bundle keeps zod\'s English messages)', () => {
    const config = join(mkdtempSync(join(tmpdir(), 'bf-cli-config-')), 'breakfix.yml');
    writeFileSync(config, 'dc: 12\n');
    const r = bf('pass', '--config', config);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`breakfix: ${config}:1:1: datacenters: Invalid input: expected record, received undefined\n`);
  });

  it('a usage error exits 2 with the usage hint', () => {
    const r = bf('source', 'inspect', '--kind', 'nope', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Allowed choices are inventory, health/);
  });

  it('a number flag that is not one is a usage error (exit 2) naming the flag, what it expects and what it got, before anything runs', () => {
    const demoState = mkdtempSync(join(tmpdir(), 'bf-cli-demo-'));
    const demo = bf('demo', '--seed', 'abc', '--state', demoState);
    expect(demo.code).toBe(2);
    expect(demo.err).toContain('--seed: expected a whole number from 0 to 4294967295, got "abc"');
    expect(readdirSync(demoState)).toEqual([]);
    const pass = bf('pass', ...passFlags(), '--seed', '-3');
    expect(pass.code).toBe(2);
    expect(pass.err).toContain('--seed: expected a whole number from 0 to 4294967295, got "-3"');
    for (const [flag, value, expected] of [['--port', '70000', 'from 0 to 65535'], ['--demo-dcs', '0', 'from 1 to 9'], ['--demo-speed', 'fast', 'a positive number']]) {
      const serve = bf('serve', '--demo', '--state', demoState, flag, value);
      expect(serve.code).toBe(2);
      expect(serve.err).toContain(`${flag}: expected ${expected.startsWith('from') ? 'a whole number ' : ''}${expected}, got "${value}"`);
    }
  });
});
