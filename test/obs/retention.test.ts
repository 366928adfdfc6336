/**
 * Retention on a controllable clock: real passes written at chosen times (runPass's `now`), a
 * plan proposed from an old one; what is compressed, removed and kept, and why.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { list as listTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../commands/retention.js';
import { parseYaml } from '../../src/config/yaml.js';
import { ConfigSchema } from '../../src/config/config.js';
import { applyRetention, DEFAULT_RETENTION_POLICY, du } from '../../src/obs/retention.js';
import { listPasses } from '../../src/pass/passdir.js';
import { runPass, type PassResult } from '../../src/pass/run.js';
import { shippedPolicyDir } from '../../src/paths.js';
import { PlanStore } from '../../src/plan/store.js';
import { fleetFiles, randomFleet } from '../helpers/fleet.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-30T12:00:00Z');
let src: string;
let state: string;
/** Passes by age in days, as written. */
const passes = new Map<number, PassResult>();

const tree = (root: string) => readdirSync(join(root, 'passes', 'dc1'), { recursive: true, withFileTypes: false }).map(String).filter((p) => p.split('/').length === 2).sort();

beforeAll(async () => {
  src = mkdtempSync(join(tmpdir(), 'bf-ret-src-'));
  state = mkdtempSync(join(tmpdir(), 'bf-ret-state-'));
  for (const [name, text] of Object.entries(fleetFiles(randomFleet({ seed: 4, clusters: 2, maxHosts: 120, racks: 6, groups: 1, failRate: 0.08, outRate: 0, noGroupRate: 0 })))) writeFileSync(join(src, name), text);
  for (const age of [20, 15, 6, 5, 4, 3]) {
    passes.set(age, await runPass({
      dc: 'dc1', seed: age, policyDir: shippedPolicyDir(), stateDir: state, now: new Date(NOW.getTime() - age * DAY),
      sources: [{ kind: 'inventory', location: join(src, 'inventory.tsv') }, { kind: 'health', location: join(src, 'health.tsv') }, { kind: 'hdfs-jmx', location: join(src, 'nn-jmx.json') }],
    }));
  }
  // The plan of the 15-day-old pass is still proposed (nobody decided): its directory must stay.
  const old = passes.get(15)!;
  expect(old.plan!.actions.length).toBeGreaterThan(0);
  await new PlanStore(state).register(old.plan!, old.dir, { requestedBy: 'U0' });
}, 60_000);

afterAll(() => {
  rmSync(src, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

describe('retention of pass directories (keep 14d, compress after 2d)', () => {
  it('a dry run says what it would do with the bytes, and changes nothing', async () => {
    const before = tree(state);
    const out = await runRetention({ state, dryRun: true, now: NOW });
    expect(tree(state)).toEqual(before);
    const report = out.json as Awaited<ReturnType<typeof applyRetention>>;
    const byAge = (age: number) => report.actions.find((a) => a.path === passes.get(age)!.dir);
    expect(byAge(20)).toMatchObject({ action: 'remove', bytes: du(passes.get(20)!.dir) });
    expect(byAge(6)?.action).toBe('compress');
    expect(byAge(5)?.action).toBe('compress');
    expect(byAge(15)).toBeUndefined();
    expect(report.freedBytes).toBe(du(passes.get(20)!.dir));
    expect(out.text).toContain('would remove');
    expect(((await runRetention({ state, dryRun: true, now: NOW, dc: 'dc2' })).json as typeof report).actions).toEqual([]);
    expect(out.text).toContain(`kept ${join('passes', 'dc1', basename(dirname(passes.get(15)!.dir)), basename(passes.get(15)!.dir))} (15d old): plan ${passes.get(15)!.plan!.id} is proposed`);
  });

  it('compresses, removes, and never touches the two newest passes nor the pass of a proposed plan', async () => {
    const report = await applyRetention(state, DEFAULT_RETENTION_POLICY, NOW);
    expect(existsSync(passes.get(20)!.dir)).toBe(false);
    expect(existsSync(passes.get(15)!.dir)).toBe(true);
    for (const age of [4, 3]) expect(existsSync(join(passes.get(age)!.dir, 'summary.json')), `${age}d`).toBe(true);
    for (const age of [6, 5]) {
      const dir = passes.get(age)!.dir;
      expect(existsSync(dir)).toBe(false);
      const entries: string[] = [];
      await listTar({ file: `${dir}.tar.gz`, onReadEntry: (e) => entries.push(e.path) });
      expect(entries).toContain(`${basename(dir)}/summary.json`);
      expect(entries).toContain(`${basename(dir)}/sources/manifest.json`);
    }
    expect(report.kept.map((k) => k.why).sort()).toEqual([`one of the two newest passes (diff and drift compare them)`, `one of the two newest passes (diff and drift compare them)`, `plan ${passes.get(15)!.plan!.id} is proposed`].sort());
    const compressed = report.actions.filter((a) => a.action === 'compress');
    expect(compressed.every((a) => a.bytesAfter! > 0 && a.bytesAfter! < a.bytes)).toBe(true);
    // The newest two are still what diff reads.
    expect(listPasses(state, 'dc1').slice(-2)).toEqual([passes.get(4)!.dir, passes.get(3)!.dir]);
  });

  it('once the plan is decided its pass goes; archives go when older than keep; the newest two stay however old', async () => {
    const id = passes.get(15)!.plan!.id;
    await new PlanStore(state).transition(id, ['proposed'], 'rejected', 'U1', 'not today');
    await applyRetention(state, DEFAULT_RETENTION_POLICY, NOW);
    expect(existsSync(passes.get(15)!.dir)).toBe(false);
    const later = new Date(NOW.getTime() + 30 * DAY);
    const r = await applyRetention(state, DEFAULT_RETENTION_POLICY, later);
    expect(r.actions.map((a) => basename(a.path)).sort()).toEqual([`${basename(passes.get(6)!.dir)}.tar.gz`, `${basename(passes.get(5)!.dir)}.tar.gz`].sort());
    expect(listPasses(state, 'dc1')).toEqual([passes.get(4)!.dir, passes.get(3)!.dir]);
  });

  it('breakfix.yml retention: durations are checked with a clear message', () => {
    const base = 'datacenters: {}\n';
    expect(parseYaml(`${base}retention: { keep: 30d, compressAfter: 36h }\n`, 'breakfix.yml', ConfigSchema).data.retention).toEqual({ keepMs: 30 * DAY, compressAfterMs: 36 * 3_600_000 });
    expect(parseYaml(`${base}retention: {}\n`, 'breakfix.yml', ConfigSchema).data.retention).toEqual(DEFAULT_RETENTION_POLICY);
    expect(() => parseYaml(`${base}retention: { keep: 2 weeks }\n`, 'breakfix.yml', ConfigSchema)).toThrow(/breakfix.yml:2:\d+: retention.keep: expected a duration like 90m, 36h or 14d/);
    expect(() => parseYaml(`${base}retention: { keep: 1d, compressAfter: 2d }\n`, 'breakfix.yml', ConfigSchema)).toThrow(/retention.compressAfter: compressAfter must not be longer than keep/);
  });
});
