import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load.js';
import { reconcile } from '../../src/pass/reconcile.js';
import { buildFleet } from '../../src/pass/sets.js';
import type { HdfsNodeRow, HealthRow, InventoryRow } from '../../src/sources/types.js';
import { parsedFromRows } from '../helpers/fleet.js';

const policy = loadPolicy(join(import.meta.dirname, '../../policies'));

interface Host { n: number; rack?: string; group?: string | null; hdfs?: 'dead' | 'decom' | 'decommissioned' | 'absent'; fail?: boolean; ticket?: boolean; lifecycle?: InventoryRow['lifecycle'] }

/** A cluster of `size` managed, healthy, in-service hosts, with the given hosts changed. */
function cluster(name: string, size: number, changes: Host[] = []) {
  const inv: InventoryRow[] = [];
  const hdfs: HdfsNodeRow[] = [];
  const health: HealthRow[] = [];
  for (let i = 0; i < size; i++) {
    const c = changes.find((x) => x.n === i) ?? { n: i };
    const host = `${name}-${String(i).padStart(3, '0')}.test`;
    inv.push({ host, dc: 'dc1', cluster: name, role: 'worker', rack: c.rack ?? `r${i % 5}`, dataGroup: c.group === undefined ? 'g1' : c.group,
      lifecycle: c.lifecycle ?? 'managed', ticket: c.ticket ? 'OPS-9' : null, exclude: null });
    if (c.hdfs !== 'absent') {
      hdfs.push({ host, live: c.hdfs !== 'dead', adminState: c.hdfs === 'decom' ? 'Decommission In Progress' : c.hdfs === 'decommissioned' ? 'Decommissioned' : 'In Service', rack: null, upgradeDomain: null });
    }
    health.push({ host, check: 'reachable', status: 'ok', detail: '' }, { host, check: 'disk', status: c.fail ? 'fail' : 'ok', detail: c.fail ? 'sdb: I/O error' : '' });
  }
  return { inv, hdfs, health };
}

function pass(...clusters: ReturnType<typeof cluster>[]) {
  const inv = clusters.flatMap((c) => c.inv);
  const hdfs = clusters.flatMap((c) => c.hdfs);
  const health = clusters.flatMap((c) => c.health);
  const parsed = parsedFromRows(inv, health, hdfs);
  const fleet = buildFleet([parsed.inventory, parsed.health, parsed.hdfs], policy.sets);
  return { fleet, ...reconcile({ fleet, policy, dc: 'dc1', passId: 'p1', seed: 3, createdAt: '2026-11-22T00:00:00Z', sourceDigests: { 'inventory.tsv': 'x' } }) };
}

describe('reconciliation, as an operator reads it', () => {
  it('a 40-host cluster with 3 failing hosts drains 2: cap floor(6 % × 40) = 2', () => {
    const { plan, budgets } = pass(cluster('hdp-a', 40, [{ n: 1, fail: true }, { n: 2, fail: true }, { n: 3, fail: true }]));
    expect(budgets[0].actions.drain.cap.cap).toBe(2);
    expect(plan.actions).toHaveLength(2);
    expect(plan.actions.every((a) => a.action === 'drain' && a.reason.includes('failing disk'))).toBe(true);
    expect(plan.passedOver).toHaveLength(1);
    expect(plan.emptyReason).toBeNull();
  });

  it('a cluster with 2 dead hosts and a cap of 2 proposes nothing, and says the budget is consumed', () => {
    const { plan } = pass(cluster('hdp-a', 40, [{ n: 0, hdfs: 'dead' }, { n: 1, hdfs: 'dead' }, { n: 5, fail: true }]));
    expect(plan.actions).toHaveLength(0);
    expect(plan.clusters[0].reason).toBe('budget consumed: 2 dead (cap 2)');
    expect(plan.emptyReason).toBe('nothing safe to do: hdp-a: budget consumed: 2 dead (cap 2)');
  });

  it('with one data group already out, only hosts of that group are drained', () => {
    const { plan } = pass(cluster('hdp-a', 200, [
      { n: 0, hdfs: 'decom', group: 'g2' },
      { n: 10, fail: true, group: 'g1' }, { n: 11, fail: true, group: 'g3' }, { n: 12, fail: true, group: 'g2' }, { n: 13, fail: true, group: null },
    ]));
    expect(plan.actions.map((a) => a.host)).toEqual(['hdp-a-012.test']);
    expect(plan.passedOver.find((p) => p.host === 'hdp-a-010.test')?.reason).toMatch(/data groups: 1 already out of service \(g2\)/);
  });

  it('a ticketed failing host is left to whoever holds the ticket, and a host the NameNode never heard of is unknown', () => {
    const { plan, fleet } = pass(cluster('hdp-a', 100, [{ n: 1, fail: true, ticket: true }, { n: 2, fail: true, hdfs: 'absent' }]));
    expect(plan.actions).toHaveLength(0);
    expect(fleet.sets.get('unknown')).toEqual(['hdp-a-002.test']);
    expect(plan.emptyReason).toMatch(/no drain-candidates/);
  });

  it('more than 30 % failing at once proposes nothing for that cluster, but other clusters go on', () => {
    const bad = Array.from({ length: 7 }, (_, i) => ({ n: i, fail: true }));
    const { plan } = pass(cluster('hdp-a', 20, bad), cluster('hdp-b', 100, [{ n: 4, fail: true }]));
    expect(plan.clusters.find((c) => c.cluster === 'hdp-a')?.reason).toMatch(/mass failure: 7 of 20 managed hosts/);
    expect(plan.actions.map((a) => a.cluster)).toEqual(['hdp-b']);
  });

  it('a small cluster of 12 hosts drains one host at a time', () => {
    const { plan, budgets } = pass(cluster('hdp-exp', 12, [{ n: 1, fail: true }, { n: 2, fail: true }, { n: 3, fail: true }]));
    expect(budgets[0].archetype).toBe('small');
    expect(plan.actions).toHaveLength(1);
  });

  it('a decommissioned host that is managed and passing again is proposed for recommission', () => {
    const { plan } = pass(cluster('hdp-a', 100, [{ n: 7, hdfs: 'decommissioned' }]));
    expect(plan.actions).toEqual([expect.objectContaining({ action: 'recommission', host: 'hdp-a-007.test', cluster: 'hdp-a' })]);
  });

  it('the plan digest changes when a host changes, and is stable otherwise', () => {
    const a = pass(cluster('hdp-a', 40, [{ n: 1, fail: true }])).plan;
    const b = pass(cluster('hdp-a', 40, [{ n: 1, fail: true }])).plan;
    const c = pass(cluster('hdp-a', 40, [{ n: 2, fail: true }])).plan;
    expect(a.digest).toBe(b.digest);
    expect(a.digest).not.toBe(c.digest);
  });

  it('a classifier role rule reads the most common role among managed hosts, a tie going to the role that sorts first', () => {
    const rule = { archetype: 'dense', when: { role: 'storage' }, reason: 'storage builds' };
    const withRole = { ...policy, budgets: { ...policy.budgets, classifier: [rule, ...policy.budgets.classifier] } } as typeof policy;
    const roles = (c: ReturnType<typeof cluster>, storage: (i: number) => boolean) => {
      c.inv.forEach((r, i) => (r.role = storage(i) ? 'storage' : 'worker'));
      return c;
    };
    const tie = roles(cluster('hdp-tie', 40), (i) => i % 2 === 0); // 20 storage, 20 worker
    const fewer = roles(cluster('hdp-fewer', 40), (i) => i < 19); // 19 storage, 21 worker
    // 23 storage hosts, but 4 of them in repair: among the managed, 19 storage against 21 worker.
    const unmanaged = roles(cluster('hdp-repair', 44, [0, 1, 2, 3].map((n) => ({ n, lifecycle: 'repair' as const }))), (i) => i < 23);
    const parsed = parsedFromRows([tie, fewer, unmanaged].flatMap((c) => c.inv), [tie, fewer, unmanaged].flatMap((c) => c.health), [tie, fewer, unmanaged].flatMap((c) => c.hdfs));
    const fleet = buildFleet([parsed.inventory, parsed.health, parsed.hdfs], policy.sets);
    const { budgets } = reconcile({ fleet, policy: withRole, dc: 'dc1', passId: 'p1', seed: 3, createdAt: '2026-11-22T00:00:00Z', sourceDigests: {} });
    expect(Object.fromEntries(budgets.map((b) => [b.cluster, b.archetype]))).toEqual({ 'hdp-fewer': 'default', 'hdp-repair': 'default', 'hdp-tie': 'dense' });
  });
});
