/**
 * Execution: an approved plan runs once, on exactly its hosts, every step journaled; the
 * simulated executor moves the demo NameNode's DataNodes through decommission in virtual time.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoControlPlane, type DemoControlPlaneState } from '../../src/demo/control-plane.js';
import { executePlan, type ExecEvent, type Executor } from '../../src/exec/executor.js';
import { SimulatedExecutor, virtualClock } from '../../src/exec/simulated.js';
import type { Clock } from '../../src/clock.js';
import { planDigest, type Plan } from '../../src/pass/reconcile.js';
import { PlanStore } from '../../src/plan/store.js';
import { parseHdfsJmx } from '../../src/sources/hdfs-jmx.js';

const host = (n: number) => `dn${n}.c1.test`;

function demoState(): DemoControlPlaneState {
  const hosts = [1, 2, 3, 4, 5].map(host);
  return {
    dataNodes: hosts.map((h) => ({ host: h, live: true, adminState: 'In Service' as const, rack: '/r1', upgradeDomain: 'g1' })),
    nodeManagers: hosts.map((h) => ({ host: h, state: 'RUNNING' as const, rack: '/r1', healthReport: '' })),
    blocks: { underReplicatedBlocks: 7, missingBlocks: 0 },
  };
}

function makePlan(actions: { action: 'drain' | 'recommission'; host: string }[], passId = 'aaaa0001'): Plan {
  const full = actions.map((a) => ({ ...a, cluster: 'c1', rack: 'r1', dataGroup: 'g1', reason: 'test' }));
  const core = { id: `dc1-${passId}`, dc: 'dc1', seed: 1, policyDigest: 'p'.repeat(64), sourceDigests: {}, actions: full };
  return { ...core, passId, createdAt: new Date().toISOString(), digest: planDigest(core), clusters: [], passedOver: [], emptyReason: null };
}

async function approvedPlan(actions: Parameters<typeof makePlan>[0]) {
  const store = new PlanStore(mkdtempSync(join(tmpdir(), 'bf-exec-')));
  const plan = makePlan(actions);
  await store.register(plan, '/nonexistent/pass');
  expect((await store.transition(plan.id, ['proposed'], 'approved', 'alice')).ok).toBe(true);
  return { store, plan };
}

/** 1,000 blocks per DataNode, 400 replicated per 30 s poll: three polls per drain. */
function simulated(cp: DemoControlPlane, clock: Clock = virtualClock(Date.parse('2024-05-01T10:00:00Z'))) {
  return new SimulatedExecutor({ controlPlane: cp, clock, pollMs: 30_000, blocksPerPoll: 400, blocksOf: () => 1_000 });
}

describe('the simulated executor drains on the demo NameNode, in virtual time', () => {
  it('a drain of three hosts walks each DataNode In Service → Decommission In Progress → Decommissioned, blocks falling, in 90 s of virtual time', async () => {
    const cp = new DemoControlPlane(demoState());
    const { store, plan } = await approvedPlan([1, 2, 3].map((n) => ({ action: 'drain', host: host(n) })));
    const clock = virtualClock(Date.parse('2024-05-01T10:00:00Z'));
    const seen: ExecEvent[] = [];
    const out = await executePlan(store, plan.id, simulated(cp, clock), 'alice', { onEvent: (e) => seen.push(e), now: () => new Date(clock.now()) });

    expect(out.outcome).toBe('completed');
    expect(clock.now() - Date.parse('2024-05-01T10:00:00Z')).toBe(90_000);
    for (const n of [1, 2, 3]) {
      expect(cp.dataNode(host(n))).toMatchObject({ adminState: 'Decommissioned', underReplicatedBlocks: 0 });
      expect(cp.nodeManager(host(n))!.state).toBe('DECOMMISSIONED');
      expect(seen.filter((e) => e.host === host(n)).map((e) => `${e.phase}${e.blocksLeft !== undefined ? ` ${e.blocksLeft}` : ''}`))
        .toEqual(['excluded', 'decommissioning 1000', 'decommissioning 600', 'decommissioning 200', 'decommissioned 0']);
    }
    for (const n of [4, 5]) expect(cp.dataNode(host(n))!.adminState).toBe('In Service');
    expect(cp.blockCounts()).toEqual({ underReplicatedBlocks: 7, missingBlocks: 0 });
    expect(store.get(plan.id)!.state).toMatchObject({ state: 'completed', by: 'alice' });
    const journal = store.journal(plan.id);
    expect(journal.map((j) => j.kind).filter((k) => k !== 'event')).toEqual(['start', 'step-begin', 'step-end', 'end']);
    expect(journal.filter((j) => j.kind === 'event')).toHaveLength(15);
    expect(journal.at(-1)).toMatchObject({ kind: 'end', state: 'completed' });
  });

  it('a pass reading the demo NameNode mid-drain sees the hosts decommissioning, and after it decommissioned', async () => {
    const cp = new DemoControlPlane(demoState());
    const { jmx } = { jmx: (await cp.start()).hdfsJmxUrl };
    try {
      const { store, plan } = await approvedPlan([{ action: 'drain', host: host(2) }]);
      const observed: string[][] = [];
      const base = virtualClock();
      const clock: Clock = {
        ...base,
        sleep: async (ms) => {
          const parsed = parseHdfsJmx(await (await fetch(jmx)).text(), jmx);
          observed.push([...parsed.sets['hdfs-decommissioning']]);
          await base.sleep(ms);
        },
      };
      expect((await executePlan(store, plan.id, simulated(cp, clock), 'alice')).outcome).toBe('completed');
      expect(observed[0]).toEqual([host(2)]);
      const after = parseHdfsJmx(await (await fetch(jmx)).text(), jmx);
      expect(after.sets['hdfs-decommissioned']).toEqual([host(2)]);
      expect(after.sets['hdfs-decommissioning']).toEqual([]);
    } finally {
      await cp.close();
    }
  });

  it('a recommission returns decommissioned hosts to service', async () => {
    const state = demoState();
    state.dataNodes[3].adminState = 'Decommissioned';
    state.nodeManagers[3].state = 'DECOMMISSIONED';
    const cp = new DemoControlPlane(state);
    const { store, plan } = await approvedPlan([{ action: 'recommission', host: host(4) }]);
    const out = await executePlan(store, plan.id, simulated(cp), 'alice');
    expect(out.outcome).toBe('completed');
    expect(cp.dataNode(host(4))!.adminState).toBe('In Service');
    expect(cp.nodeManager(host(4))!.state).toBe('RUNNING');
    expect(store.journal(plan.id).filter((j) => j.kind === 'event')).toMatchObject([{ host: host(4), phase: 'recommissioned' }]);
  });

  it('a host the NameNode does not know fails the drain untouched; the others still drain, and the plan is failed', async () => {
    const cp = new DemoControlPlane(demoState());
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }, { action: 'drain', host: 'dn9.c1.test' }]);
    const out = await executePlan(store, plan.id, simulated(cp), 'alice');
    expect(out.outcome).toBe('failed');
    expect(out.outcome === 'failed' && out.reason).toMatch(/^drain: decommissioned 1 of 2 hosts$/);
    expect(cp.dataNode(host(1))!.adminState).toBe('Decommissioned');
    expect(store.get(plan.id)!.state.state).toBe('failed');
    expect(store.journal(plan.id).find((j) => j.kind === 'event' && j.host === 'dn9.c1.test')).toMatchObject({ phase: 'failed', detail: 'not excluded: the NameNode has no DataNode of this name' });
  });

  it('blocks going missing during a drain fail it: a drain is not done until replication is verified', async () => {
    const cp = new DemoControlPlane(demoState());
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }]);
    const base = virtualClock();
    const clock: Clock = { ...base, sleep: async (ms) => { cp.setBlockCounts({ missingBlocks: 3 }); await base.sleep(ms); } };
    const out = await executePlan(store, plan.id, simulated(cp, clock), 'alice');
    expect(out.outcome === 'failed' && out.reason).toMatch(/replication not verified: missing blocks went from 0 to 3/);
  });

  it('a decommission that never finishes is reported failed and the host is left excluded, with a record saying so', async () => {
    const cp = new DemoControlPlane(demoState());
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }]);
    const ex = new SimulatedExecutor({ controlPlane: cp, clock: virtualClock(), blocksPerPoll: 1, blocksOf: () => 1_000, maxPolls: 5 });
    expect((await executePlan(store, plan.id, ex, 'alice')).outcome).toBe('failed');
    expect(cp.dataNode(host(1))!.adminState).toBe('Decommission In Progress');
    expect(store.journal(plan.id).filter((j) => j.kind === 'event' && j.phase === 'failed')).toMatchObject([{ host: host(1), blocksLeft: 995 }]);
  });
});

describe('an approved plan executes once, on exactly its hosts', () => {
  it('two executions started at once: one runs, the other is told the plan is executing', async () => {
    const cp = new DemoControlPlane(demoState());
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }]);
    const [a, b] = await Promise.all([executePlan(store, plan.id, simulated(cp), 'alice'), executePlan(store, plan.id, simulated(cp), 'bob')]);
    expect([a.outcome, b.outcome].sort()).toEqual(['completed', 'wrong_state']);
    expect(store.journal(plan.id).filter((j) => j.kind === 'start')).toHaveLength(1);
  });

  it('a plan that was never approved is not executed', async () => {
    const store = new PlanStore(mkdtempSync(join(tmpdir(), 'bf-exec-')));
    const plan = makePlan([{ action: 'drain', host: host(1) }]);
    await store.register(plan, '/p');
    const cp = new DemoControlPlane(demoState());
    expect(await executePlan(store, plan.id, simulated(cp), 'alice')).toMatchObject({ outcome: 'wrong_state', current: 'proposed' });
    expect(cp.dataNode(host(1))!.adminState).toBe('In Service');
  });

  it('an approval older than 30 minutes is expired, not executed', async () => {
    const cp = new DemoControlPlane(demoState());
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }]);
    const out = await executePlan(store, plan.id, simulated(cp), 'alice', { now: () => new Date(Date.now() + 31 * 60_000) });
    expect(out).toMatchObject({ outcome: 'refused' });
    expect(store.get(plan.id)!.state.state).toBe('expired');
    expect(cp.dataNode(host(1))!.adminState).toBe('In Service');
  });

  it('a paused datacenter executes nothing', async () => {
    const cp = new DemoControlPlane(demoState());
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }]);
    expect(await executePlan(store, plan.id, simulated(cp), 'alice', { paused: () => true })).toEqual({ outcome: 'refused', reason: 'dc1 is paused' });
    expect(store.get(plan.id)!.state.state).toBe('approved');
  });

  it('an executor reporting a host outside the approved plan fails the plan', async () => {
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }]);
    const rogue: Executor = {
      name: 'rogue',
      drain: async (_p, hosts, onEvent) => {
        onEvent({ host: 'dn5.c1.test', phase: 'excluded', at: new Date().toISOString() });
        return { ok: true, hosts: hosts.map((h) => ({ host: h, phase: 'decommissioned' as const })), summary: 'done' };
      },
      recommission: async () => ({ ok: true, hosts: [], summary: '' }),
    };
    const out = await executePlan(store, plan.id, rogue, 'alice');
    expect(out.outcome === 'failed' && out.reason).toBe('the executor reported hosts not in the approved plan: dn5.c1.test');
    expect(store.get(plan.id)!.state.state).toBe('failed');
  });

  it('an executor that throws leaves the plan failed, with the error in the journal', async () => {
    const { store, plan } = await approvedPlan([{ action: 'drain', host: host(1) }]);
    const broken: Executor = { name: 'broken', drain: async () => { throw new Error('ssh: connection refused'); }, recommission: async () => ({ ok: true, hosts: [], summary: '' }) };
    const out = await executePlan(store, plan.id, broken, 'alice');
    expect(out).toMatchObject({ outcome: 'failed', reason: 'executor broken failed: ssh: connection refused' });
    expect(store.journal(plan.id).map((j) => j.kind)).toEqual(['start', 'step-begin', 'error', 'end']);
    expect(store.get(plan.id)!.state.history.at(-1)).toMatchObject({ from: 'executing', to: 'failed', note: 'executor broken failed: ssh: connection refused' });
  });
});
