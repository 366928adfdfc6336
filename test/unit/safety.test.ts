import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SafetyError } from '../../src/errors.js';
import { loadPolicy } from '../../src/policy/load.js';
import { reconcile } from '../../src/pass/reconcile.js';
import { buildFleet } from '../../src/pass/sets.js';
import { DataGroupGuard, checkSources, dataGroupKey, effectiveMaxDataGroups, hardCeiling, massFailureReason, verifyPlan } from '../../src/safety/index.js';
import { has } from '../../src/sets/hostset.js';
import { randomFleet, type FleetShape } from '../helpers/fleet.js';

const policy = loadPolicy(join(import.meta.dirname, '../../policies'));

function run(shape: FleetShape, seed = 7) {
  const f = randomFleet(shape);
  const fleet = buildFleet([f.inventory, f.health, f.hdfs], policy.sets);
  const out = reconcile({ fleet, policy, dc: 'dc1', passId: 'p1', seed, createdAt: '2026-01-01T00:00:00Z', sourceDigests: {} });
  return { fleet, ...out };
}

const shapes = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  clusters: fc.integer({ min: 1, max: 4 }),
  maxHosts: fc.integer({ min: 1, max: 300 }),
  racks: fc.integer({ min: 1, max: 12 }),
  groups: fc.integer({ min: 1, max: 5 }),
  // Percent integers: fc.double favours extreme values (1e-300), which would hide most fleets' failures.
  failRate: fc.integer({ min: 0, max: 60 }).map((p) => p / 100),
  outRate: fc.integer({ min: 0, max: 10 }).map((p) => p / 100),
  noGroupRate: fc.integer({ min: 0, max: 30 }).map((p) => p / 100),
});

describe('safety invariants hold on random fleets', () => {
  it('never more than the allowed data groups out, never above the hard ceiling or headroom, never an unknown host', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const { fleet, budgets, plan } = run(shape);
        const unknown = fleet.sets.get('unknown')!;
        const inFlight = fleet.sets.get('in-flight')!;
        for (const b of budgets) {
          const acts = plan.actions.filter((a) => a.cluster === b.cluster);
          const drains = acts.filter((a) => a.action === 'drain');
          expect(acts.length).toBeLessThanOrEqual(hardCeiling(b.managed));
          expect(drains.length).toBeLessThanOrEqual(b.actions.drain.headroom);
          if (drains.length > 0) {
            const groups = new Set<string>();
            for (const h of fleet.sets.get('all')!) {
              const inv = fleet.hosts.get(h)!.inventory!;
              if (inv.cluster === b.cluster && has(inFlight, h)) groups.add(dataGroupKey(h, inv.dataGroup));
            }
            for (const d of drains) groups.add(dataGroupKey(d.host, d.dataGroup));
            expect(groups.size).toBeLessThanOrEqual(1);
          }
          if (b.massFailure) expect(acts).toHaveLength(0);
        }
        for (const a of plan.actions) expect(has(unknown, a.host)).toBe(false);
        expect(new Set(plan.actions.map((a) => a.host)).size).toBe(plan.actions.length);
      }),
      { numRuns: 200 },
    );
  });

  it('spreads drains across racks: no rack gives a second host while another rack still had a candidate', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        // One data group and no one out, so the data-group rule never stops a pick: only rack spread decides.
        const { fleet, plan, budgets } = run({ ...shape, groups: 1, noGroupRate: 0, outRate: 0 });
        const cands = fleet.sets.get('drain-candidates')!;
        for (const b of budgets) {
          const picked = plan.actions.filter((a) => a.cluster === b.cluster && a.action === 'drain');
          const pickedPerRack = new Map<string, number>();
          for (const p of picked) pickedPerRack.set(p.rack!, (pickedPerRack.get(p.rack!) ?? 0) + 1);
          const leftPerRack = new Map<string, number>();
          for (const h of cands) {
            const inv = fleet.hosts.get(h)!.inventory!;
            if (inv.cluster !== b.cluster || picked.some((p) => p.host === h)) continue;
            leftPerRack.set(inv.rack!, (leftPerRack.get(inv.rack!) ?? 0) + 1);
          }
          for (const [rackA, nA] of pickedPerRack) {
            for (const [rackB, left] of leftPerRack) {
              if (rackB !== rackA && left > 0) expect(nA - (pickedPerRack.get(rackB) ?? 0)).toBeLessThanOrEqual(1);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('same fleet and seed give the same plan; the seed changes which hosts', () => {
    const shape = { seed: 11, clusters: 2, maxHosts: 400, racks: 10, groups: 1, failRate: 0.2, outRate: 0, noGroupRate: 0 };
    expect(run(shape, 5).plan).toEqual(run(shape, 5).plan);
    const a = run(shape, 5).plan.actions.map((x) => x.host);
    const b = run(shape, 6).plan.actions.map((x) => x.host);
    expect(a.length).toBeGreaterThan(0);
    expect(a).not.toEqual(b);
  });
});

describe('each rule on its own', () => {
  it('the hard ceiling is 10 % rounded down, never below one host', () => {
    expect([0, 1, 9, 19, 20, 99, 100, 2345].map(hardCeiling)).toEqual([1, 1, 1, 1, 2, 9, 10, 234]);
  });

  it('a policy may raise the data groups out, never above replication − 1', () => {
    expect(effectiveMaxDataGroups(1, 3)).toBe(1);
    expect(effectiveMaxDataGroups(2, 3)).toBe(2);
    expect(effectiveMaxDataGroups(5, 3)).toBe(2);
    expect(effectiveMaxDataGroups(1, 1)).toBe(0);
  });

  it('a host without a data group is a group of its own', () => {
    const g = new DataGroupGuard([dataGroupKey('a', 'g1')], 1);
    expect(g.admits(dataGroupKey('b', 'g1'))).toBe(true);
    expect(g.admits(dataGroupKey('c', null))).toBe(false);
  });

  it('more than 30 % of a cluster looking bad proposes nothing there', () => {
    expect(massFailureReason('c1', 100, 30, 30)).toBeNull();
    expect(massFailureReason('c1', 100, 31, 30)).toMatch(/31 of 100 managed hosts in c1 \(31\.0 %\)/);
  });

  it('a source that errored, is empty, stale, or shrank stops the pass', () => {
    const base = { role: 'inventory' as const, origin: 'inv.tsv', hosts: 100, ageMs: 0 };
    expect(checkSources([base], policy.safety)).toEqual([]);
    expect(checkSources([{ ...base, error: 'cannot read inv.tsv: ENOENT' }], policy.safety)[0].reason).toMatch(/failed: cannot read/);
    expect(checkSources([{ ...base, hosts: 0 }], policy.safety)[0].reason).toMatch(/lists no hosts/);
    expect(checkSources([{ ...base, role: 'hdfs', ageMs: 3 * 3600_000 }], policy.safety)[0].reason).toMatch(/is 3\.0 h old \(limit 15 min\)/);
    expect(checkSources([{ ...base, previousHosts: 112 }], policy.safety)[0].reason).toMatch(/shrank from 112 to 100 hosts/);
    expect(checkSources([{ ...base, previousHosts: 110 }], policy.safety)).toEqual([]);
  });

  it('the final check refuses a plan that breaks any rule, listing every violation', () => {
    const facts = {
      unknown: ['ghost.test'],
      hostInfo: (h: string) => ({ cluster: 'c1', dataGroup: h.startsWith('a') ? 'g1' : 'g2' }),
      cluster: () => ({ managed: 20, inFlight: [], maxDataGroups: 1 }),
    };
    const plan = [
      { action: 'drain', host: 'a1.test', cluster: 'c1' },
      { action: 'drain', host: 'b1.test', cluster: 'c1' },
      { action: 'drain', host: 'ghost.test', cluster: 'c1' },
      { action: 'drain', host: 'bad;host', cluster: 'c1' },
    ];
    try {
      verifyPlan(plan, facts);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SafetyError);
      const m = (e as Error).message;
      expect(m).toContain('ghost.test is in unknown');
      expect(m).toContain('"bad;host" is not a valid host name');
      expect(m).toContain('above the hard ceiling of 2');
      expect(m).toMatch(/2 data groups out of service \(g1, g2\)/);
    }
    expect(() => verifyPlan(plan.slice(0, 1), facts)).not.toThrow();
  });
});
