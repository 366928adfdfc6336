/**
 * The plan store: the state machine by compare-and-set, immutable plans, registration that
 * supersedes, and the lock that survives a dead holder without ever breaking a live one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDigest, type Plan } from '../../src/pass/reconcile.js';
import { LockTimeoutError } from '../../src/plan/lock.js';
import { PLAN_STATES, PlanStore, TRANSITIONS, type PlanState } from '../../src/plan/store.js';

function makePlan(o: { dc?: string; passId: string; createdAt?: string; hosts?: string[] }): Plan {
  const dc = o.dc ?? 'dc1';
  const actions = (o.hosts ?? ['dn01.c1.test', 'dn02.c1.test']).map((host) => ({
    action: 'drain' as const, host, cluster: 'c1', rack: 'r1', dataGroup: 'g1', reason: 'failing disk; in service in HDFS; within headroom 2 of cap 2',
  }));
  const id = `${dc}-${o.passId}`;
  const core = { id, dc, seed: 7, policyDigest: 'p'.repeat(64), sourceDigests: { 'inventory.inventory.tsv': 'a'.repeat(64) }, actions };
  return {
    ...core, passId: o.passId, createdAt: o.createdAt ?? new Date().toISOString(), digest: planDigest(core),
    clusters: [{ cluster: 'c1', drain: actions.length, recommission: 0, reason: actions.length ? null : 'no drain-candidates' }],
    passedOver: [], emptyReason: actions.length ? null : 'nothing safe to do: c1: no drain-candidates',
  };
}

function newStore(opts?: ConstructorParameters<typeof PlanStore>[1]): PlanStore {
  return new PlanStore(mkdtempSync(join(tmpdir(), 'bf-plans-')), opts);
}

/** How to walk a fresh plan into each state. */
const PATH: Record<PlanState, PlanState[]> = {
  proposed: [], approved: ['approved'], executing: ['approved', 'executing'], completed: ['approved', 'executing', 'completed'],
  failed: ['approved', 'executing', 'failed'], rejected: ['rejected'], expired: ['expired'], superseded: ['superseded'],
};

let counter = 0;
async function planIn(store: PlanStore, state: PlanState): Promise<string> {
  const n = ++counter;
  // A datacenter of its own: registration must not supersede the other test plans.
  const plan = makePlan({ dc: `dc${n}`, passId: `p${n}` });
  await store.register(plan, '/nonexistent/pass');
  let from: PlanState = 'proposed';
  for (const to of PATH[state]) {
    const r = await store.transition(plan.id, [from], to, 'setup');
    expect(r.ok).toBe(true);
    from = to;
  }
  return plan.id;
}

describe('the plan state machine moves only along its edges, by compare-and-set', () => {
  it('every legal move changes the state, bumps the version and records who, when and why', async () => {
    const store = newStore();
    let moves = 0;
    for (const from of PLAN_STATES) {
      for (const to of TRANSITIONS[from]) {
        const id = await planIn(store, from);
        const before = store.get(id)!.state;
        const r = await store.transition(id, [from], to, 'alice', `moving ${from} to ${to}`);
        expect(r.ok, `${from} → ${to}`).toBe(true);
        // Read back through a second store, as another process would.
        const after = new PlanStore(store.stateDir).get(id)!.state;
        expect(after.state).toBe(to);
        expect(after.version).toBe(before.version + 1);
        expect(after.by).toBe('alice');
        expect(after.history.at(-1)).toMatchObject({ from, to, by: 'alice', note: `moving ${from} to ${to}` });
        moves++;
      }
    }
    expect(moves).toBe(8);
  });

  it('every other move is refused as a bug and leaves the plan as it was', async () => {
    const store = newStore();
    let refused = 0;
    for (const from of PLAN_STATES) {
      for (const to of PLAN_STATES.filter((s) => !TRANSITIONS[from].includes(s))) {
        const id = await planIn(store, from);
        await expect(store.transition(id, [from], to, 'mallory'), `${from} → ${to}`).rejects.toThrow(/illegal plan transition/);
        expect(store.get(id)!.state.state).toBe(from);
        refused++;
      }
    }
    expect(refused).toBe(64 - 8);
  });

  it('completed, failed, rejected, expired and superseded are final', () => {
    for (const s of ['completed', 'failed', 'rejected', 'expired', 'superseded'] as const) expect(TRANSITIONS[s]).toEqual([]);
  });

  it('a move from a state the plan already left changes nothing and names who moved it first', async () => {
    const store = newStore();
    const id = await planIn(store, 'proposed');
    const won = await store.transition(id, ['proposed'], 'approved', 'alice');
    const lost = await store.transition(id, ['proposed'], 'rejected', 'bob');
    expect(lost).toEqual({ ok: false, reason: 'wrong_state', current: 'approved', by: 'alice', at: won.ok ? won.state.updatedAt : '' });
    expect(store.get(id)!.state.history.map((h) => h.to)).toEqual(['proposed', 'approved']);
  });

  it('twenty racing moves in one process: exactly one wins, all others see the winner', async () => {
    const store = newStore();
    const id = await planIn(store, 'proposed');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.transition(id, ['proposed'], i % 2 ? 'approved' : 'rejected', `user${i}`)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0].ok ? winners[0].state : undefined;
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ ok: false, current: winner!.state, by: winner!.by });
    expect(store.get(id)!.state.version).toBe(2);
  });
});

describe('registration stores a plan once and supersedes older proposals', () => {
  it('a newer pass supersedes the older proposal of its datacenter and leaves other datacenters alone', async () => {
    const store = newStore();
    const old = makePlan({ passId: 'aaaa0001', createdAt: '2024-05-01T10:00:00.000Z' });
    const other = makePlan({ dc: 'dc2', passId: 'bbbb0001', createdAt: '2024-05-01T10:00:00.000Z' });
    const newer = makePlan({ passId: 'aaaa0002', createdAt: '2024-05-01T10:15:00.000Z' });
    await store.register(old, '/p/old');
    await store.register(other, '/p/other');
    const r = await store.register(newer, '/p/new', { requestedBy: 'carol' });
    expect(r).toEqual({ planId: newer.id, stored: true, state: 'proposed', superseded: [old.id] });
    expect(store.get(old.id)!.state).toMatchObject({ state: 'superseded', by: 'breakfix' });
    expect(store.get(old.id)!.state.history.at(-1)!.note).toBe(`superseded by ${newer.id}`);
    expect(store.get(other.id)!.state.state).toBe('proposed');
    expect(store.get(newer.id)!.state).toMatchObject({ state: 'proposed', requestedBy: 'carol', passDir: '/p/new' });
  });

  it('a plan registered after a newer one is superseded at once', async () => {
    const store = newStore();
    const newer = makePlan({ passId: 'cccc0002', createdAt: '2024-05-01T10:15:00.000Z' });
    const late = makePlan({ passId: 'cccc0001', createdAt: '2024-05-01T10:00:00.000Z' });
    await store.register(newer, '/p/new');
    const r = await store.register(late, '/p/late');
    expect(r.state).toBe('superseded');
    expect(store.get(newer.id)!.state.state).toBe('proposed');
    expect(store.get(late.id)!.state.history.map((h) => h.to)).toEqual(['proposed', 'superseded']);
  });

  it('registering the same plan again changes nothing; other content under the same id is refused', async () => {
    const store = newStore();
    const plan = makePlan({ passId: 'dddd0001' });
    await store.register(plan, '/p');
    const bytes = readFileSync(join(store.dir(plan.id), 'plan.json'), 'utf8');
    expect(await store.register(plan, '/p')).toEqual({ planId: plan.id, stored: false, state: 'proposed', superseded: [] });
    const changed = makePlan({ passId: 'dddd0001', hosts: ['dn09.c1.test'] });
    await expect(store.register(changed, '/p')).rejects.toThrow(/already stored with different content; a plan is immutable/);
    expect(readFileSync(join(store.dir(plan.id), 'plan.json'), 'utf8')).toBe(bytes);
  });

  it('an empty plan is not stored (nothing to approve) but supersedes the proposal before it', async () => {
    const store = newStore();
    const old = makePlan({ passId: 'eeee0001', createdAt: '2024-05-01T10:00:00.000Z' });
    const empty = makePlan({ passId: 'eeee0002', createdAt: '2024-05-01T10:15:00.000Z', hosts: [] });
    await store.register(old, '/p');
    expect(await store.register(empty, '/p2')).toEqual({ planId: empty.id, stored: false, state: null, superseded: [old.id] });
    expect(store.get(empty.id)).toBeUndefined();
    expect(store.get(old.id)!.state.history.at(-1)!.note).toBe(`superseded by ${empty.id}: a newer pass proposes nothing`);
  });

  it('a plan that does not hash to its digest is refused; one edited on disk afterwards is flagged', async () => {
    const store = newStore();
    const forged = { ...makePlan({ passId: 'ffff0001' }) };
    forged.actions = [...forged.actions, { ...forged.actions[0], host: 'dn99.c1.test' }];
    await expect(store.register(forged, '/p')).rejects.toThrow(/does not match its digest/);

    const plan = makePlan({ passId: 'ffff0002' });
    await store.register(plan, '/p');
    expect(store.get(plan.id)!.integrityProblem).toBeNull();
    const path = join(store.dir(plan.id), 'plan.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('dn02.c1.test', 'dn66.c1.test'));
    expect(store.get(plan.id)!.integrityProblem).toMatch(/changed after it was proposed/);
  });

  it('a plan.json tampered with a host that is not a DNS name is refused when read, naming the file and field', async () => {
    const store = newStore();
    const plan = makePlan({ passId: 'ffff0003' });
    await store.register(plan, '/p');
    const path = join(store.dir(plan.id), 'plan.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"dn02.c1.test"', JSON.stringify('dn02.c1.test\nevil.c1.test')));
    expect(() => store.get(plan.id)).toThrow(/plan\.json: actions\[1\]\.host: expected a DNS host name/);
  });

  it('lists plans oldest first, by datacenter and by state; ids that could escape the store are refused', async () => {
    const store = newStore();
    const a = makePlan({ dc: 'dc1', passId: 'a1', createdAt: '2024-05-01T09:00:00.000Z' });
    const b = makePlan({ dc: 'dc2', passId: 'b1', createdAt: '2024-05-01T08:00:00.000Z' });
    const c = makePlan({ dc: 'dc1', passId: 'a2', createdAt: '2024-05-01T10:00:00.000Z' });
    for (const p of [a, b, c]) await store.register(p, '/p');
    expect(store.list().map((p) => p.plan.id)).toEqual([b.id, a.id, c.id]);
    expect(store.list({ dc: 'dc1' }).map((p) => p.plan.id)).toEqual([a.id, c.id]);
    expect(store.list({ state: 'proposed' }).map((p) => p.plan.id)).toEqual([b.id, c.id]);
    expect(() => store.dir('../../etc')).toThrow(/is not a plan id/);
  });

  it('decisions are appended, never rewritten', async () => {
    const store = newStore();
    const id = await planIn(store, 'proposed');
    for (const user of ['alice', 'bob']) {
      await store.recordDecision(id, { at: new Date().toISOString(), user, action: 'approve', digest: 'x', outcome: 'not_authorized', detail: `${user} is not an approver` });
    }
    expect(store.decisions(id).map((d) => d.user)).toEqual(['alice', 'bob']);
    expect(readFileSync(join(store.dir(id), 'decisions.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('the store lock survives a dead holder and never breaks a live one', () => {
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
  const writeLock = (store: PlanStore, id: string, holder: object) => writeFileSync(join(store.dir(id), 'lock'), JSON.stringify(holder));

  it('a lock left 60 s ago by a process that is gone is reported, then broken', async () => {
    const warnings: string[] = [];
    const store = newStore({ lock: { onWarning: (m) => warnings.push(m) } });
    const id = await planIn(store, 'proposed');
    const pid = deadPid();
    writeLock(store, id, { pid, host: hostname(), at: new Date(Date.now() - 60_000).toISOString(), token: 'dead' });
    const r = await store.transition(id, ['proposed'], 'approved', 'alice');
    expect(r.ok).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`broke a stale lock .*held by pid ${pid} on .* \\(60 s\\), and that process is gone`));
    expect(existsSync(join(store.dir(id), 'lock'))).toBe(false);
  });

  it('a lock of a dead process younger than 30 s is waited on, not broken', async () => {
    const warnings: string[] = [];
    const store = newStore({ lock: { timeoutMs: 150, onWarning: (m) => warnings.push(m) } });
    const id = await planIn(store, 'proposed');
    writeLock(store, id, { pid: deadPid(), host: hostname(), at: new Date().toISOString(), token: 'young' });
    await expect(store.transition(id, ['proposed'], 'approved', 'alice')).rejects.toThrow(LockTimeoutError);
    expect(warnings).toEqual([]);
    expect(store.get(id)!.state.state).toBe('proposed');
  });

  it('a lock of a live process is never broken, however old, and the error names the holder', async () => {
    const store = newStore({ lock: { timeoutMs: 150 } });
    const id = await planIn(store, 'proposed');
    writeLock(store, id, { pid: process.pid, host: hostname(), at: new Date(Date.now() - 3_600_000).toISOString(), token: 'alive' });
    await expect(store.transition(id, ['proposed'], 'approved', 'alice')).rejects.toThrow(new RegExp(`held by pid ${process.pid} on ${hostname()}`));
    expect(store.get(id)!.state.state).toBe('proposed');
  });

  it('a lock taken on another machine is never broken; the error says how to clear it', async () => {
    const store = newStore({ lock: { timeoutMs: 150 } });
    const id = await planIn(store, 'proposed');
    writeLock(store, id, { pid: deadPid(), host: 'bot-host-2.example', at: new Date(Date.now() - 3_600_000).toISOString(), token: 'far' });
    await expect(store.transition(id, ['proposed'], 'approved', 'alice')).rejects.toThrow(/taken on another machine.*remove .*lock by hand/);
  });
});
