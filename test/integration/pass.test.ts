import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resumePass, runPass } from '../../src/pass/run.js';
import type { SourceSpec } from '../../src/pass/snapshot.js';
import { isSortedUnique } from '../../src/sets/hostset.js';
import { fleetFiles, randomFleet } from '../helpers/fleet.js';

const policyDir = join(import.meta.dirname, '../../policies');
const shape = { seed: 4, clusters: 3, maxHosts: 250, racks: 8, groups: 1, failRate: 0.08, outRate: 0, noGroupRate: 0 };

function fleetDir(s = shape): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-fleet-'));
  for (const [name, text] of Object.entries(fleetFiles(randomFleet(s)))) writeFileSync(join(dir, name), text);
  return dir;
}
const sources = (dir: string): SourceSpec[] => [
  { kind: 'inventory', location: join(dir, 'inventory.tsv') },
  { kind: 'health', location: join(dir, 'health.tsv') },
  { kind: 'hdfs-jmx', location: join(dir, 'nn-jmx.json') },
];

describe('a pass writes its directory, the program counter of DESIGN.md §2', () => {
  it('keeps raw snapshots, sorted set files, all-data, budget, plan, transcript and summary', async () => {
    const src = fleetDir();
    const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
    const r = await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state, seed: 9 });
    expect(r.summary.result).toBe('ok');
    expect(r.dir).toMatch(new RegExp(`${state}/passes/dc1/\\d{4}-\\d{2}-\\d{2}/\\d{6}-[0-9a-f]{8}$`));
    for (const f of ['all-data.tsv', 'budget.tsv', 'plan.json', 'transcript.log', 'summary.json', 'sources/manifest.json']) expect(existsSync(join(r.dir, f))).toBe(true);
    expect(readFileSync(join(r.dir, 'sources', 'inventory.inventory.tsv'))).toEqual(readFileSync(join(src, 'inventory.tsv')));
    for (const name of readdirSync(join(r.dir, 'sets'))) {
      const text = readFileSync(join(r.dir, 'sets', name), 'utf8');
      const lines = text === '' ? [] : text.slice(0, -1).split('\n');
      expect(isSortedUnique(lines), name).toBe(true);
    }
    const plan = JSON.parse(readFileSync(join(r.dir, 'plan.json'), 'utf8'));
    for (const k of ['id', 'digest', 'seed', 'policyDigest', 'sourceDigests', 'actions']) expect(plan).toHaveProperty(k);
    expect(plan.seed).toBe(9);
    expect(plan.actions.length).toBeGreaterThan(0);
    for (const a of plan.actions) expect(Object.keys(a).sort()).toEqual(['action', 'cluster', 'dataGroup', 'host', 'rack', 'reason']);
    expect(readFileSync(join(r.dir, 'budget.tsv'), 'utf8').split('\n')[0]).toBe('cluster\taction\tsize\tarchetype\tpct\tfloor\tceiling\tcap\tin-flight\theadroom\tcandidates\tpicked\treason');
    expect(readFileSync(join(r.dir, 'transcript.log'), 'utf8')).toMatch(/budget c0 \(\w+\): clamp\(floor/);
  });

  it('same inputs and seed give the same actions', async () => {
    const src = fleetDir();
    const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
    const a = await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state, seed: 77 });
    const b = await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state, seed: 77 });
    expect(b.plan!.actions).toEqual(a.plan!.actions);
    expect(b.plan!.sourceDigests).toEqual(a.plan!.sourceDigests);
  });

  it('a pass re-run on its own directory recomputes only the missing files', async () => {
    const src = fleetDir();
    const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
    const r = await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state, seed: 1 });
    const planBefore = readFileSync(join(r.dir, 'plan.json'), 'utf8');
    const candBefore = readFileSync(join(r.dir, 'sets', 'drain-candidates'), 'utf8');
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(join(r.dir, 'all-data.tsv'), old, old);
    rmSync(join(r.dir, 'plan.json'));
    rmSync(join(r.dir, 'sets', 'drain-candidates'));
    rmSync(join(src, 'inventory.tsv')); // the re-run reads its own snapshots, not the sources
    const again = await resumePass(r.dir);
    expect(again.summary.result).toBe('ok');
    expect(readFileSync(join(r.dir, 'plan.json'), 'utf8')).toBe(planBefore);
    expect(readFileSync(join(r.dir, 'sets', 'drain-candidates'), 'utf8')).toBe(candBefore);
    expect(statSync(join(r.dir, 'all-data.tsv')).mtime.getTime()).toBe(old.getTime());
  });

  it('a re-run refuses a pass directory whose snapshot was edited', async () => {
    const src = fleetDir();
    const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
    const r = await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state, seed: 1 });
    rmSync(join(r.dir, 'summary.json'));
    writeFileSync(join(r.dir, 'sources', 'health.health.tsv'), readFileSync(join(r.dir, 'sources', 'health.health.tsv'), 'utf8').replace('\tok\t', '\tfail\t'));
    const again = await resumePass(r.dir);
    expect(again.summary.result).toBe('error');
    expect(again.summary.reasons[0]).toMatch(/health\.health\.tsv: the snapshot changed since the pass/);
  });

  it('a re-run refuses a manifest pointing outside sources/, naming the field', async () => {
    const src = fleetDir();
    const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
    const r = await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state, seed: 1 });
    const path = join(r.dir, 'sources', 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    manifest.sources[0].file = '../../../etc/passwd';
    writeFileSync(path, JSON.stringify(manifest));
    await expect(resumePass(r.dir)).rejects.toThrow(/manifest\.json: sources\[0\]\.file: expected a file name under sources\//);
  });

  it('reads the control plane over HTTP through the same adapter', async () => {
    const src = fleetDir();
    const body = readFileSync(join(src, 'nn-jmx.json'));
    const server = createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(body); });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`;
    try {
      const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
      const viaHttp = await runPass({ dc: 'dc1', sources: [...sources(src).slice(0, 2), { kind: 'hdfs-jmx', location: url }], policyDir, stateDir: state, seed: 3 });
      const viaFile = await runPass({ dc: 'dc2', sources: sources(src), policyDir, stateDir: state, seed: 3 });
      expect(viaHttp.summary.result).toBe('ok');
      expect(viaHttp.plan!.actions).toEqual(viaFile.plan!.actions);
    } finally {
      server.close();
    }
  });
});

describe('a pass fails closed on a bad observer, and writes no plan', () => {
  async function refused(mutate: (dir: string) => void, extra?: (s: SourceSpec[]) => SourceSpec[]) {
    const src = fleetDir();
    mutate(src);
    const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
    const r = await runPass({ dc: 'dc1', sources: (extra ?? ((x) => x))(sources(src)), policyDir, stateDir: state, seed: 1 });
    expect(r.summary.result).not.toBe('ok');
    expect(existsSync(join(r.dir, 'plan.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(r.dir, 'summary.json'), 'utf8')).result).toBe(r.summary.result);
    return r.summary.reasons.join('\n');
  }

  it('an empty health file', async () => {
    expect(await refused((d) => writeFileSync(join(d, 'health.tsv'), 'host\tcheck\tstatus\tdetail\n'))).toMatch(/health source .*health\.tsv lists no hosts/);
  });

  it('a NameNode snapshot two hours old', async () => {
    const old = new Date(Date.now() - 2 * 3600_000);
    expect(await refused((d) => utimesSync(join(d, 'nn-jmx.json'), old, old))).toMatch(/hdfs snapshot .*nn-jmx\.json is 2\.0 h old \(limit 15 min\)/);
  });

  it('a NameNode that does not answer', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as { port: number }).port;
    await new Promise((ok) => probe.close(ok));
    const reason = await refused(() => {}, (s) => [...s.slice(0, 2), { kind: 'hdfs-jmx', location: `http://127.0.0.1:${port}/jmx` }]);
    expect(reason).toMatch(new RegExp(`hdfs source failed: cannot read http://127\\.0\\.0\\.1:${port}/jmx: ECONNREFUSED`));
  });

  it('an inventory that lost a fifth of its hosts since the previous pass', async () => {
    const src = fleetDir();
    const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
    expect((await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state })).summary.result).toBe('ok');
    const lines = readFileSync(join(src, 'inventory.tsv'), 'utf8').split('\n');
    writeFileSync(join(src, 'inventory.tsv'), lines.slice(0, Math.floor(lines.length * 0.8)).join('\n') + '\n');
    const r = await runPass({ dc: 'dc1', sources: sources(src), policyDir, stateDir: state });
    expect(r.summary.result).toBe('refused');
    expect(r.summary.reasons[0]).toMatch(/inventory source .* shrank from \d+ to \d+ hosts/);
  });
});
