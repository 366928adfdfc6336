/**
 * The click-time contract (DESIGN.md §5), headless: who may approve, what they saw, whether the
 * plan is still alive, and whether the facts still hold, decided once however many clicks arrive.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDigest, type Plan } from '../../src/pass/reconcile.js';
import { runPass } from '../../src/pass/run.js';
import type { SourceSpec } from '../../src/pass/snapshot.js';
import { decide, type DecisionInput } from '../../src/plan/approval.js';
import { revalidatePlan } from '../../src/plan/revalidate.js';
import { PlanStore } from '../../src/plan/store.js';
import type { HdfsNodeRow, HealthRow, InventoryRow } from '../../src/sources/types.js';
import { fleetFiles } from '../helpers/fleet.js';

function makePlan(o: { dc?: string; passId: string; createdAt?: string; hosts?: number }): Plan {
  const dc = o.dc ?? 'dc1';
  const actions = Array.from({ length: o.hosts ?? 2 }, (_, i) => ({
    action: 'drain' as const, host: `dn${i + 1}.c1.test`, cluster: 'c1', rack: 'r1', dataGroup: 'g1', reason: 'failing disk',
  }));
  const core = { id: `${dc}-${o.passId}`, dc, seed: 7, policyDigest: 'p'.repeat(64), sourceDigests: { 'inventory.inventory.tsv': 'a'.repeat(64) }, actions };
  return { ...core, passId: o.passId, createdAt: o.createdAt ?? new Date().toISOString(), digest: planDigest(core), clusters: [], passedOver: [], emptyReason: null };
}

async function proposed(o: Parameters<typeof makePlan>[0] & { requestedBy?: string } = { passId: 'aaaa0001' }, store = new PlanStore(mkdtempSync(join(tmpdir(), 'bf-approve-')))) {
  const plan = makePlan(o);
  await store.register(plan, '/nonexistent/pass', { requestedBy: o.requestedBy ?? 'scheduler' });
  return { store, plan };
}

/** A click by alice on the plan's own button, everything else permissive. */
function click(plan: Plan, over: Partial<DecisionInput> = {}): DecisionInput & { revalidations: () => number } {
  let calls = 0;
  const revalidate = over.revalidate ?? (async () => ({ ok: true as const, passDir: '/fresh' }));
  return {
    planId: plan.id, digest: plan.digest, user: 'alice', action: 'approve', now: new Date(),
    approvers: () => ({ users: ['alice', 'bob'] }), twoPersonRule: { enabled: false, minHosts: 0 }, paused: () => false,
    ...over,
    revalidate: async (p) => {
      calls++;
      return revalidate(p);
    },
    revalidations: () => calls,
  };
}

describe('a click decides once, whoever and however often it arrives', () => {
  it('two approvers clicking at once: one approval, and the other is told who approved', async () => {
    const { store, plan } = await proposed();
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { ok: true as const, passDir: '/fresh' };
    };
    const [a, b] = await Promise.all([decide(store, click(plan, { user: 'alice', revalidate: slow })), decide(store, click(plan, { user: 'bob', revalidate: slow }))]);
    const outcomes = [a.outcome, b.outcome].sort();
    expect(outcomes).toEqual(['already_decided', 'approved']);
    const winner = a.outcome === 'approved' ? 'alice' : 'bob';
    const loser = a.outcome === 'approved' ? b : a;
    expect(loser).toMatchObject({ outcome: 'already_decided', state: 'approved', by: winner });
    expect(store.get(plan.id)!.state).toMatchObject({ state: 'approved', by: winner, version: 2 });
    expect(store.decisions(plan.id).map((d) => d.outcome).sort()).toEqual(['already_decided', 'approved']);
  });

  it('a Slack retry of the same click approves once; the retry is answered with the first approval', async () => {
    const { store, plan } = await proposed();
    const first = await decide(store, click(plan));
    const retry = await decide(store, click(plan));
    expect(first.outcome).toBe('approved');
    expect(retry).toMatchObject({ outcome: 'already_decided', state: 'approved', by: 'alice' });
    expect(store.get(plan.id)!.state.history.filter((h) => h.to === 'approved')).toHaveLength(1);
  });

  it('an approved plan keeps its exact host list: approval returns the stored plan, not a recomputed one', async () => {
    const { store, plan } = await proposed({ passId: 'aaaa0009', hosts: 3 });
    const d = await decide(store, click(plan));
    expect(d.outcome === 'approved' && d.plan.actions.map((a) => a.host)).toEqual(['dn1.c1.test', 'dn2.c1.test', 'dn3.c1.test']);
  });

  it('a rejected plan cannot be approved afterwards, and the refusal names who rejected it', async () => {
    const { store, plan } = await proposed();
    expect(await decide(store, click(plan, { user: 'bob', action: 'reject' }))).toMatchObject({ outcome: 'rejected', by: 'bob' });
    const late = click(plan);
    expect(await decide(store, late)).toMatchObject({ outcome: 'already_decided', state: 'rejected', by: 'bob' });
    expect(late.revalidations()).toBe(0);
  });
});

describe('a click is refused before anything changes when it should not count', () => {
  it('a click 31 minutes after the pass finds the plan expired, and it stays expired', async () => {
    const createdAt = new Date(Date.now() - 31 * 60_000).toISOString();
    const { store, plan } = await proposed({ passId: 'bbbb0001', createdAt });
    const c = click(plan);
    expect(await decide(store, c)).toMatchObject({ outcome: 'expired', createdAt, ttlMs: 30 * 60_000 });
    expect(store.get(plan.id)!.state).toMatchObject({ state: 'expired', by: 'breakfix' });
    expect(await decide(store, click(plan, { user: 'bob' }))).toMatchObject({ outcome: 'expired' });
    expect(c.revalidations()).toBe(0);
  });

  it('a click 29 minutes after the pass still counts', async () => {
    const { store, plan } = await proposed({ passId: 'bbbb0002', createdAt: new Date(Date.now() - 29 * 60_000).toISOString() });
    expect((await decide(store, click(plan))).outcome).toBe('approved');
  });

  it('a button from an older message (another digest) is refused and the plan stays proposed', async () => {
    const { store, plan } = await proposed();
    const c = click(plan, { digest: 'f'.repeat(64) });
    const d = await decide(store, c);
    expect(d).toMatchObject({ outcome: 'digest_mismatch', expected: plan.digest, got: 'f'.repeat(64) });
    expect(store.get(plan.id)!.state.state).toBe('proposed');
    expect(c.revalidations()).toBe(0);
  });

  it('a plan edited on disk after it was posted cannot be approved, even with its own digest', async () => {
    const { store, plan } = await proposed();
    const path = join(store.dir(plan.id), 'plan.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('dn2.c1.test', 'dn77.c1.test'));
    const d = await decide(store, click(plan));
    expect(d.outcome).toBe('digest_mismatch');
    expect(d.outcome === 'digest_mismatch' && d.problem).toMatch(/changed after it was proposed/);
  });

  it('someone not among the datacenter\'s approvers is refused; a member of an approver group is not', async () => {
    const { store, plan } = await proposed();
    const approvers = (dc: string) => (dc === 'dc1' ? { users: ['alice'], groups: ['hadoop-oncall'] } : { users: [] });
    const mallory = click(plan, { user: 'mallory', approvers, userGroups: ['interns'] });
    expect(await decide(store, mallory)).toEqual({ outcome: 'not_authorized', user: 'mallory', dc: 'dc1' });
    expect(mallory.revalidations()).toBe(0);
    expect(store.decisions(plan.id).at(-1)).toMatchObject({ user: 'mallory', outcome: 'not_authorized' });
    expect((await decide(store, click(plan, { user: 'carol', approvers, userGroups: ['hadoop-oncall'] }))).outcome).toBe('approved');
  });

  it('two-person rule: the requester cannot approve a plan of 3 hosts alone, someone else can, and 2-host plans are exempt', async () => {
    const rule = { enabled: true, minHosts: 3 };
    const big = await proposed({ passId: 'cccc0001', hosts: 3, requestedBy: 'alice' });
    expect(await decide(big.store, click(big.plan, { twoPersonRule: rule }))).toEqual({ outcome: 'two_person_rule', requester: 'alice', hosts: 3, minHosts: 3 });
    expect((await decide(big.store, click(big.plan, { twoPersonRule: rule, user: 'bob' }))).outcome).toBe('approved');
    const small = await proposed({ passId: 'cccc0002', hosts: 2, requestedBy: 'alice' });
    expect((await decide(small.store, click(small.plan, { twoPersonRule: rule }))).outcome).toBe('approved');
  });

  it('a paused datacenter refuses approvals but still takes a rejection', async () => {
    const { store, plan } = await proposed();
    const c = click(plan, { paused: (dc) => dc === 'dc1' });
    expect(await decide(store, c)).toEqual({ outcome: 'paused', dc: 'dc1' });
    expect(c.revalidations()).toBe(0);
    expect((await decide(store, click(plan, { paused: () => true, action: 'reject' }))).outcome).toBe('rejected');
  });

  it('a pause that lands while the click is being re-validated still stops the approval', async () => {
    const { store, plan } = await proposed();
    let paused = false;
    const d = await decide(store, click(plan, { paused: () => paused, revalidate: async () => { paused = true; return { ok: true, passDir: '/fresh' }; } }));
    expect(d).toEqual({ outcome: 'paused', dc: 'dc1' });
    expect(store.get(plan.id)!.state.state).toBe('proposed');
  });

  it('an unknown plan id, or one that is a path, is not found', async () => {
    const { store } = await proposed();
    expect(await decide(store, click(makePlan({ passId: 'nope' })))).toEqual({ outcome: 'not_found', planId: 'dc1-nope' });
    expect(await decide(store, { ...click(makePlan({ passId: 'x' })), planId: '../../etc' })).toEqual({ outcome: 'not_found', planId: '../../etc' });
  });

  it('while one plan of a datacenter is approved, a newer plan of it cannot be approved', async () => {
    const { store, plan: first } = await proposed({ passId: 'dddd0001', createdAt: new Date(Date.now() - 60_000).toISOString() });
    expect((await decide(store, click(first))).outcome).toBe('approved');
    const { plan: second } = await proposed({ passId: 'dddd0002' }, store);
    expect(store.get(first.id)!.state.state).toBe('approved'); // not superseded: it was no longer proposed
    const c = click(second, { user: 'bob' });
    expect(await decide(store, c)).toEqual({ outcome: 'in_flight', planId: first.id, state: 'approved' });
    expect(c.revalidations()).toBe(0);
  });

  it('an approval left unexecuted for more than 30 minutes expires and no longer blocks the datacenter', async () => {
    const { store, plan: first } = await proposed({ passId: 'eeee0001' });
    expect((await decide(store, click(first))).outcome).toBe('approved');
    const later = new Date(Date.now() + 31 * 60_000);
    const { plan: second } = await proposed({ passId: 'eeee0002', createdAt: new Date(later.getTime() - 60_000).toISOString() }, store);
    expect((await decide(store, click(second, { now: later }))).outcome).toBe('approved');
    expect(store.get(first.id)!.state).toMatchObject({ state: 'expired', by: 'breakfix' });
    expect(store.get(first.id)!.state.history.at(-1)!.note).toMatch(/approved at .* but not executed within 30 min/);
  });

  it('a re-validation that throws refuses the click (fail closed)', async () => {
    const { store, plan } = await proposed();
    const d = await decide(store, click(plan, { revalidate: async () => { throw new Error('NameNode timed out'); } }));
    expect(d).toMatchObject({ outcome: 'stale', changes: ['re-validation failed: NameNode timed out'] });
    expect(store.get(plan.id)!.state.state).toBe('proposed');
  });
});

// ---- re-validation with real source files and real passes --------------------------------------

const policyDir = join(import.meta.dirname, '../../policies');
const HOSTS = Array.from({ length: 40 }, (_, i) => `dn${String(i + 1).padStart(2, '0')}.c1.test`);

/** One cluster of 40 managed hosts (default archetype: drain cap 2), racks r0–r3, data group g1 unless said. */
function writeFleet(dir: string, o: { failing: string[]; dead?: string[]; groups?: Record<string, string> }): void {
  const dead = new Set(o.dead ?? []);
  const inv: InventoryRow[] = HOSTS.map((host, i) => ({
    host, dc: 'dc1', cluster: 'c1', role: 'worker', rack: `r${i % 4}`, dataGroup: o.groups?.[host] ?? 'g1', lifecycle: 'managed', ticket: null, exclude: null,
  }));
  const health: HealthRow[] = HOSTS.flatMap((host) => [
    { host, check: 'reachable', status: dead.has(host) ? 'fail' : 'ok', detail: '' },
    { host, check: 'disk', status: o.failing.includes(host) ? 'fail' : 'ok', detail: '' },
  ] as HealthRow[]);
  const hdfs: HdfsNodeRow[] = HOSTS.map((host) => ({ host, live: !dead.has(host), adminState: 'In Service', rack: null, upgradeDomain: null }));
  const src = (kind: 'inventory' | 'health' | 'hdfs-jmx', rows: unknown[]) => ({ kind, origin: kind, rows, sets: {}, notes: [] });
  const files = fleetFiles({ inventory: src('inventory', inv), health: src('health', health), hdfs: src('hdfs-jmx', hdfs) } as Parameters<typeof fleetFiles>[0]);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const sourcesOf = (dir: string): SourceSpec[] => [
  { kind: 'inventory', location: join(dir, 'inventory.tsv') },
  { kind: 'health', location: join(dir, 'health.tsv') },
  { kind: 'hdfs-jmx', location: join(dir, 'nn-jmx.json') },
];

/** A real pass proposing to drain dn05 and dn17 (the two failing disks), registered in a store. */
async function realPlan(policies = policyDir) {
  const src = mkdtempSync(join(tmpdir(), 'bf-src-'));
  const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
  writeFleet(src, { failing: ['dn05.c1.test', 'dn17.c1.test'] });
  const pass = await runPass({ dc: 'dc1', sources: sourcesOf(src), policyDir: policies, stateDir: state, seed: 11 });
  expect(pass.summary.result).toBe('ok');
  const plan = pass.plan!;
  expect(plan.actions.map((a) => `${a.action} ${a.host}`).sort()).toEqual(['drain dn05.c1.test', 'drain dn17.c1.test']);
  const store = new PlanStore(state);
  await store.register(plan, pass.dir);
  const revalidate = (p: Plan) => revalidatePlan(p, { planPassDir: pass.dir, outDir: join(store.dir(p.id), 'revalidations'), stateDir: state, policyDir: policies });
  return { src, state, store, plan, passDir: pass.dir, revalidate };
}

function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

describe('at click time the facts are read again, and a plan whose facts changed is refused with the difference', () => {
  it('nothing changed: approved, re-validated in a directory of its own, the original pass untouched', async () => {
    const r = await realPlan();
    const before = snapshotDir(r.passDir);
    const d = await decide(r.store, click(r.plan, { revalidate: r.revalidate }));
    expect(d.outcome).toBe('approved');
    const dir = d.outcome === 'approved' ? d.revalidationDir : '';
    expect(dir).toBe(join(r.store.dir(r.plan.id), 'revalidations', '1'));
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
    expect(snapshotDir(r.passDir)).toEqual(before);
    expect(r.store.decisions(r.plan.id).at(-1)).toMatchObject({ outcome: 'approved', revalidation: { ok: true, changes: [], passDir: dir } });
  });

  it('dn05 passes its checks again since the proposal: the click is refused, naming dn05 and why', async () => {
    const r = await realPlan();
    writeFleet(r.src, { failing: ['dn17.c1.test'] });
    const d = await decide(r.store, click(r.plan, { revalidate: r.revalidate }));
    expect(d.outcome).toBe('stale');
    const changes = d.outcome === 'stale' ? d.changes : [];
    expect(changes).toEqual(['dn05.c1.test: no longer in drain-candidates (now in passing; no longer in failing, failing-disk)']);
    expect(r.store.get(r.plan.id)!.state.state).toBe('proposed');
    expect(r.store.decisions(r.plan.id).at(-1)).toMatchObject({ outcome: 'stale', revalidation: { ok: false, changes } });
  });

  it('a third host died since the proposal: the budget no longer covers two drains', async () => {
    const r = await realPlan();
    writeFleet(r.src, { failing: ['dn05.c1.test', 'dn17.c1.test'], dead: ['dn30.c1.test'] });
    const d = await decide(r.store, click(r.plan, { revalidate: r.revalidate }));
    expect(d.outcome === 'stale' && d.changes).toEqual(['c1: the plan would drain 2 hosts but the headroom is now 1 (cap 2; in flight now: 1 dead)']);
  });

  it('a host of another data group died since the proposal: draining now would put two groups out', async () => {
    const r = await realPlan();
    writeFleet(r.src, { failing: ['dn05.c1.test', 'dn17.c1.test'], dead: ['dn30.c1.test'], groups: { 'dn30.c1.test': 'g2' } });
    const d = await decide(r.store, click(r.plan, { revalidate: r.revalidate }));
    expect(d.outcome === 'stale' && d.changes).toEqual([
      'c1: the plan would drain 2 hosts but the headroom is now 1 (cap 2; in flight now: 1 dead)',
      'plan refused by safety: draining in c1 would put 2 data groups out of service (g1, g2), above 1',
    ]);
  });

  it('the health export came back empty: the fresh pass fails closed and so does the click', async () => {
    const r = await realPlan();
    writeFileSync(join(r.src, 'health.tsv'), 'host\tcheck\tstatus\tdetail\n');
    const d = await decide(r.store, click(r.plan, { revalidate: r.revalidate }));
    expect(d.outcome === 'stale' && d.changes.join('\n')).toMatch(/^fresh pass refused: health source .*health\.tsv lists no hosts/);
  });

  it('the policy changed since the proposal: refused without running a pass', async () => {
    const policies = mkdtempSync(join(tmpdir(), 'bf-policies-'));
    cpSync(policyDir, policies, { recursive: true });
    const r = await realPlan(policies);
    writeFileSync(join(policies, 'budgets.yml'), readFileSync(join(policies, 'budgets.yml'), 'utf8').replace('pct: 6', 'pct: 12'));
    const d = await decide(r.store, click(r.plan, { revalidate: r.revalidate }));
    expect(d).toMatchObject({ outcome: 'stale', passDir: null });
    expect(d.outcome === 'stale' && d.changes[0]).toMatch(/^policy changed since the plan was proposed \(sha256 [0-9a-f]{12} → [0-9a-f]{12}/);
  });
});
