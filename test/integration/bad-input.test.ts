/**
 * The bad-input corpus, through the compiled CLI as an operator runs it: each input gets one
 * clear error naming the file and the field, a non-zero exit, and no pass directory that
 * claims success.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetFiles, randomFleet } from '../helpers/fleet.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');
const real = join(root, 'test/fixtures/real');

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bf-bad-'));
  const files = fleetFiles(randomFleet({ seed: 2, clusters: 2, maxHosts: 60, racks: 4, groups: 1, failRate: 0.05, outRate: 0, noGroupRate: 0 }));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  cpSync(join(root, 'policies'), join(dir, 'policies'), { recursive: true });
  return dir;
}

function pass(dir: string, overrides: Record<string, string> = {}) {
  const flags = { inventory: join(dir, 'inventory.tsv'), health: join(dir, 'health.tsv'), 'hdfs-jmx': join(dir, 'nn-jmx.json'), policies: join(dir, 'policies'), state: join(dir, 'state'), ...overrides };
  const args = [cli, 'pass', '--quiet', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr, state: flags.state };
}

/** No finished pass under the state directory claims success, and no plan was written. */
function noSuccess(state: string) {
  const found: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else found.push(p);
    }
  };
  walk(state);
  expect(found.filter((f) => f.endsWith('plan.json'))).toEqual([]);
  for (const s of found.filter((f) => f.endsWith('summary.json'))) expect(JSON.parse(readFileSync(s, 'utf8')).result).not.toBe('ok');
}

describe('bad input gets one clear error naming the file and field, and loses nothing', () => {
  it('the build exists (npm test builds first)', () => {
    expect(existsSync(cli)).toBe(true);
  });

  it('the real truncated FSNamesystem JSON sample', () => {
    const dir = setup();
    const truncated = join(real, 'hdfs-namenode-jmx/hadoop-2.x-fsnamesystem-underreplicated-TRUNCATED-datadog.json');
    const r = pass(dir, { 'hdfs-jmx': truncated });
    expect(r.code).toBe(1);
    expect(r.out).toContain(truncated);
    expect(r.out).toMatch(/\(document\).*JSON/);
    noSuccess(r.state);
  });

  it('a host name with shell metacharacters in the inventory', () => {
    const dir = setup();
    const inv = readFileSync(join(dir, 'inventory.tsv'), 'utf8').split('\n');
    inv[3] = inv[3].replace(/^[^\t]+/, 'web1;rm -rf /');
    writeFileSync(join(dir, 'inventory.tsv'), inv.join('\n'));
    const r = pass(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/inventory\.tsv:4.*host/);
    expect(r.out).toContain('web1;rm -rf /');
    noSuccess(r.state);
  });

  it('a host name with a space in the health file', () => {
    const dir = setup();
    writeFileSync(join(dir, 'health.tsv'), readFileSync(join(dir, 'health.tsv'), 'utf8').replace(/\n[^\t\n]+\t/, '\nbad host\t'));
    const r = pass(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/health\.tsv:2.*host/);
    noSuccess(r.state);
  });

  it('an inventory without its lifecycle column', () => {
    const dir = setup();
    const rows = readFileSync(join(dir, 'inventory.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t').filter((_, i) => i !== 6).join('\t'));
    writeFileSync(join(dir, 'inventory.tsv'), rows.join('\n') + '\n');
    const r = pass(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/inventory\.tsv.*lifecycle/);
    noSuccess(r.state);
  });

  it('an unknown lifecycle value', () => {
    const dir = setup();
    writeFileSync(join(dir, 'inventory.tsv'), readFileSync(join(dir, 'inventory.tsv'), 'utf8').replace('\tmanaged\t', '\tretired\t'));
    const r = pass(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/inventory\.tsv:\d+.*lifecycle.*retired/);
    noSuccess(r.state);
  });

  it('duplicate lines in the health file', () => {
    const dir = setup();
    const lines = readFileSync(join(dir, 'health.tsv'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'health.tsv'), [...lines, lines[1]].join('\n') + '\n');
    const r = pass(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/health\.tsv:\d+/);
    noSuccess(r.state);
  });

  it('unsorted inventory lines are normal: the sets come out sorted', () => {
    const dir = setup();
    const [head, ...rows] = readFileSync(join(dir, 'inventory.tsv'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'inventory.tsv'), [head, ...rows.reverse()].join('\n') + '\n');
    const r = pass(dir);
    expect(r.code).toBe(0);
  });

  it('a policy file with a syntax error', () => {
    const dir = setup();
    const p = join(dir, 'policies', 'sets.yml');
    writeFileSync(p, readFileSync(p, 'utf8').replace('expr: responsive - failing', 'expr: responsive - - failing'));
    const r = pass(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/sets\.yml:\d+:\d+: sets\.passing\.expr: expected a set name/);
    noSuccess(r.state);
  });

  it('a policy file with an unknown set name', () => {
    const dir = setup();
    const p = join(dir, 'policies', 'sets.yml');
    writeFileSync(p, readFileSync(p, 'utf8').replace('- ticketed - excluded - unknown - in-flight', '- ticketed - exclud - unknown - in-flight'));
    const r = pass(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/sets\.yml:\d+:\d+: sets\.drain-candidates\.expr: unknown set name "exclud"/);
    noSuccess(r.state);
  });

  it('an empty source', () => {
    const dir = setup();
    writeFileSync(join(dir, 'nn-jmx.json'), '');
    const r = pass(dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('nn-jmx.json');
    noSuccess(r.state);
  });

  it('a stale source is refused with its age and limit (exit 3)', () => {
    const dir = setup();
    const old = new Date(Date.now() - 3 * 86400_000);
    utimesSync(join(dir, 'inventory.tsv'), old, old);
    const r = pass(dir);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/inventory snapshot .*inventory\.tsv is 3\.0 d old \(limit 24\.0 h\)/);
    noSuccess(r.state);
  });

});

describe('a damaged file of the state directory gets a clear error naming the file and field, not a stack', () => {
  function run(args: string[]) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  }
  function twoPasses() {
    const dir = setup();
    expect(pass(dir).code).toBe(0);
    expect(pass(dir).code).toBe(0);
    const state = join(dir, 'state');
    const day = join(state, 'passes', 'default', readdirSync(join(state, 'passes', 'default'))[0]);
    const [older, newer] = readdirSync(day).sort().map((p) => join(day, p));
    return { dir, state, older, newer };
  }
  const damage = (file: string, edit: (summary: Record<string, unknown>) => void) => {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(s);
    writeFileSync(file, JSON.stringify(s));
  };

  // status shows what it can: the damaged last pass becomes its error line, the rest still shows.
  it('status on a pass whose summary.json has a result that is not one of ok, refused, error', () => {
    const { state, newer } = twoPasses();
    damage(join(newer, 'summary.json'), (s) => { s.result = 'fine'; });
    const r = run(['status', '--state', state, '--dc', 'default']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('not paused');
    expect(r.out).toContain(`${join(newer, 'summary.json')}: result: `);
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it('status on a pass whose summary.json is cut short', () => {
    const { state, newer } = twoPasses();
    const file = join(newer, 'summary.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100));
    const r = run(['status', '--state', state, '--dc', 'default']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${file}: (document): cannot read it as JSON`);
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it('diff against a previous pass whose summary.json has a count that is not a number', () => {
    const { state, older } = twoPasses();
    damage(join(older, 'summary.json'), (s) => { (s.counts as Record<string, unknown>).all = 'many'; });
    const r = run(['diff', '--state', state, '--dc', 'default']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${join(older, 'summary.json')}: counts.all: `);
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it('a damaged pause file still pauses (fail closed), and status and pass say which file and field', () => {
    const { dir, state } = twoPasses();
    mkdirSync(join(state, 'paused'), { recursive: true });
    const file = join(state, 'paused', 'default.json');
    writeFileSync(file, JSON.stringify({ by: 42, at: '2026-12-01T00:00:00Z', reason: 'x' }));
    const status = run(['status', '--state', state, '--dc', 'default']);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`PAUSED by unknown at unknown: damaged pause file (${file}: by: `);
    const p = pass(dir);
    expect(p.code).not.toBe(0);
    expect(p.out).toContain(`damaged pause file (${file}: by: `);
  });
});

