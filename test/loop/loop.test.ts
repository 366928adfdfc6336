/**
 * The scheduled loop on a manual clock (no sleeping): ticks, overlap, jitter, independence,
 * quiet summaries and the heartbeat, pause, and the circuit breaker. Passes are real passes over
 * source files the test rewrites between ticks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runPause, runResume } from '../../commands/pause.js';
import { runStatus } from '../../commands/status.js';
import { LoopScheduler, onePassAtATime, type LoopEvent } from '../../src/loop/loop.js';
import { jitterMs, nextTick, ScheduleSchema } from '../../src/loop/schedule.js';
import { runPass } from '../../src/pass/run.js';
import { CIRCUIT_BREAKER, readPause } from '../../src/plan/pause.js';
import { PlanStore } from '../../src/plan/store.js';
import type { PassRunner } from '../../src/slack/service.js';
import type { SlackMessage } from '../../src/slack/messages.js';
import type { HealthRow, HdfsNodeRow, InventoryRow } from '../../src/sources/types.js';
import { ManualClock } from '../helpers/clock.js';
import { fleetFiles, parsedFromRows } from '../helpers/fleet.js';

const policyDir = join(import.meta.dirname, '../../policies');

/**
 * One cluster of 40 managed hosts in data groups g0..g2: the first `dead` hosts of g0 dead in
 * HDFS, the next `failing` hosts of g0 failing their disk check (one group out at a time, so they
 * can be proposed), then any further failing hosts in the other groups.
 */
function fleet(dc: string, o: { dead?: number; failing?: number }) {
  const inv: InventoryRow[] = [];
  const hdfs: HdfsNodeRow[] = [];
  const health: HealthRow[] = [];
  // Hosts in g0 first (0, 3, 6, …), then the others.
  const order = Array.from({ length: 40 }, (_, i) => i).sort((a, b) => (a % 3 === 0 ? 0 : 1) - (b % 3 === 0 ? 0 : 1) || a - b);
  for (let i = 0; i < 40; i++) {
    const host = `h${String(i).padStart(2, '0')}.${dc}.test`;
    const rank = order.indexOf(i);
    inv.push({ host, dc, cluster: 'c0', role: 'worker', rack: `r${i % 4}`, dataGroup: `g${i % 3}`, lifecycle: 'managed', ticket: null, exclude: null });
    hdfs.push({ host, live: rank >= (o.dead ?? 0), adminState: 'In Service', rack: null, upgradeDomain: null });
    const failing = rank >= (o.dead ?? 0) && rank < (o.dead ?? 0) + (o.failing ?? 0);
    health.push({ host, check: 'reachable', status: 'ok', detail: '' }, { host, check: 'disk', status: failing ? 'fail' : 'ok', detail: failing ? 'sdb read-only' : '' });
  }
  return fleetFiles(parsedFromRows(inv, health, hdfs));
}

interface Harness {
  clock: ManualClock;
  sched: LoopScheduler;
  state: string;
  posted: { dc: string; msg: SlackMessage }[];
  events: LoopEvent[];
  /** The runner the scheduler uses (with `serialize`: one pass per datacenter, shared with manual passes as the bot does). */
  runPass: PassRunner;
  /** Fire timers until every datacenter has run `n` more ticks, waiting for the passes. */
  ticks(n: number): Promise<void>;
}

/**
 * A scheduler over `dcs`, each reading its files from `shape(dc, passNumber)`; `runner` may wrap
 * the real pass runner (to slow it down or make it throw).
 */
function harness(dcs: string[], shape: (dc: string, n: number) => { dead?: number; failing?: number }, o: { cron?: string; heartbeatHours?: number; wrap?: (dc: string, real: PassRunner) => PassRunner; postFails?: (msg: SlackMessage) => boolean; serialize?: boolean } = {}): Harness {
  const state = mkdtempSync(join(tmpdir(), 'bf-loop-'));
  const passes = new Map<string, number>();
  const real: PassRunner = async (dc, requestedBy, opts) => {
    const n = (passes.get(dc) ?? 0) + 1;
    passes.set(dc, n);
    const src = mkdtempSync(join(tmpdir(), `bf-loop-src-${dc}-`));
    for (const [name, text] of Object.entries(fleet(dc, shape(dc, n)))) writeFileSync(join(src, name), text);
    const r = await runPass({
      dc, policyDir, stateDir: state, seed: n,
      sources: [{ kind: 'inventory', location: join(src, 'inventory.tsv') }, { kind: 'health', location: join(src, 'health.tsv') }, { kind: 'hdfs-jmx', location: join(src, 'nn-jmx.json') }],
      ...(opts?.propose === false ? {} : { register: { requestedBy } }),
    });
    return { exitCode: r.summary.result === 'ok' ? 0 : 3, output: '' };
  };
  const clock = new ManualClock(Date.now());
  const posted: Harness['posted'] = [];
  const events: LoopEvent[] = [];
  const schedule = ScheduleSchema.parse({ cron: o.cron ?? '0 * * * *', maxJitterSeconds: 30, ...(o.heartbeatHours ? { heartbeatHours: o.heartbeatHours } : {}) });
  const byDc = Object.fromEntries(dcs.map((dc) => [dc, o.wrap ? o.wrap(dc, real) : real]));
  const byDcRunner: PassRunner = (dc, by, opts) => byDc[dc](dc, by, opts);
  const runner = o.serialize ? onePassAtATime(byDcRunner, () => clock.now()) : byDcRunner;
  const sched = new LoopScheduler({
    schedules: Object.fromEntries(dcs.map((dc) => [dc, schedule])),
    stateDir: state, policyDir, clock, log: pino({ level: 'silent' }),
    runPass: runner,
    post: async (msg) => {
      if (o.postFails?.(msg)) throw new Error('An API error occurred: ratelimited');
      const dc = /^(?::\S+: )?breakfix (\S+?):? /.exec(msg.text)?.[1] ?? '?';
      posted.push({ dc, msg });
      return { ok: true, channel: 'C0OPS0001', ts: `1700000000.${String(posted.length).padStart(6, '0')}` }; // as chat.postMessage answers
    },
  });
  sched.events.on('loop', (e) => events.push(e));
  sched.start();
  return {
    clock, sched, state, posted, events, runPass: runner,
    async ticks(n) {
      for (let i = 0; i < n * dcs.length; i++) {
        clock.fireNext();
        await sched.idle();
      }
    },
  };
}

const summaries = (h: Harness, dc: string) => h.posted.filter((p) => p.dc === dc && p.msg.text.includes('scheduled pass')).map((p) => JSON.stringify(p.msg.blocks));
const proposalsOf = (h: Harness, dc: string) => h.posted.filter((p) => p.dc === dc && p.msg.text.includes('proposal of'));
const deferred = () => {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
};

describe('ticks and jitter', () => {
  it('the next tick is croner\'s next run of the cron expression, in UTC', () => {
    expect(new Date(nextTick('*/15 * * * *', Date.parse('2026-03-02T08:07:13Z'))!).toISOString()).toBe('2026-03-02T08:15:00.000Z');
    expect(new Date(nextTick('0 2 * * *', Date.parse('2026-03-02T02:00:00Z'))!).toISOString()).toBe('2026-03-03T02:00:00.000Z');
  });

  it('jitter stays within [0, max] and differs between datacenters', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), fc.integer({ min: 0, max: 3600 }), (dc, max) => {
      const j = jitterMs(dc, max);
      return Number.isInteger(j) && j >= 0 && j <= max * 1000;
    }));
    expect(jitterMs('dc1', 30)).not.toBe(jitterMs('dc2', 30));
    expect(jitterMs('dc1', 0)).toBe(0);
  });

  it('each datacenter runs at its tick plus its own jitter, so two on one schedule do not start together', async () => {
    const h = harness(['dc1', 'dc2'], () => ({}));
    const next = h.sched.nextRuns();
    const tick = nextTick('0 * * * *', h.clock.now())!;
    for (const dc of ['dc1', 'dc2']) {
      const l = h.sched.loops.get(dc)!;
      expect(Date.parse(next[dc]!)).toBe(tick + l.jitterMs());
      expect(l.jitterMs()).toBeLessThanOrEqual(30_000);
    }
    expect(next.dc1).not.toBe(next.dc2);
    await h.ticks(1);
    const started = h.events.filter((e) => e.type === 'pass-started').map((e) => (e as { at: string }).at);
    expect(started.sort()).toEqual([next.dc1, next.dc2].sort());
    h.sched.stop();
  });
});

describe('one pass at a time per datacenter', () => {
  it('a tick that comes while the pass still runs is skipped, logged as an event and said in the channel', async () => {
    const gate = deferred();
    let calls = 0;
    const h = harness(['slow'], () => ({}), {
      cron: '*/5 * * * *',
      wrap: (_dc, real) => async (dc, by, opts) => {
        calls++;
        if (calls === 1) await gate.promise;
        return real(dc, by, opts);
      },
    });
    h.clock.fireNext(); // the first pass starts and waits on the gate
    h.clock.fireNext(); // five minutes later: still running
    expect(calls).toBe(1);
    const skipped = h.events.filter((e) => e.type === 'tick-skipped');
    expect(skipped).toHaveLength(1);
    await new Promise((r) => setImmediate(r));
    expect(h.posted.map((p) => p.msg.text).join('\n')).toMatch(/breakfix slow: skipped the \S+ tick — the pass started at \S+ is still running/);
    gate.release();
    await h.sched.idle();
    expect(summaries(h, 'slow')).toHaveLength(1);
    await h.ticks(1); // the schedule goes on
    expect(calls).toBe(2);
    h.sched.stop();
  });
});

describe('a manual pass and a scheduled one', () => {
  it('a tick while a manual /breakfix pass of the datacenter runs is skipped and said, not queued behind it', async () => {
    const gate = deferred();
    let calls = 0;
    const h = harness(['dc1'], () => ({ failing: 2 }), {
      serialize: true,
      wrap: (_dc, real) => async (dc, by, opts) => {
        calls++;
        if (by === 'U0OPS') await gate.promise;
        return real(dc, by, opts);
      },
    });
    const manual = h.runPass('dc1', 'U0OPS');
    await new Promise((r) => setImmediate(r));
    h.clock.fireNext(); // the scheduled tick comes while the manual pass runs
    await h.sched.idle();
    expect(calls).toBe(1);
    const skipped = h.events.filter((e) => e.type === 'tick-skipped');
    expect(skipped).toHaveLength(1);
    expect((skipped[0] as { reason: string }).reason).toMatch(/^the pass U0OPS started at \S+ is still running$/);
    await new Promise((r) => setImmediate(r));
    expect(h.posted.map((p) => p.msg.text).join('\n')).toMatch(/breakfix dc1: skipped the \S+ tick — the pass U0OPS started at/);
    gate.release();
    await manual;
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1); // nothing was queued behind the manual pass
    expect(h.events.filter((e) => e.type === 'pass-started')).toHaveLength(0);
    await h.ticks(1); // the next tick runs as usual
    expect(calls).toBe(2);
    expect(summaries(h, 'dc1')).toHaveLength(1);
    h.sched.stop();
  });

  it('a scheduled pass that waited behind a manual one and wrote no directory is a failed pass, not the manual pass taken for its own', async () => {
    const h = harness(['dc1'], () => ({ failing: 2 }), {
      serialize: true,
      wrap: (_dc, real) => async (dc, by, opts) => (by === 'U0OPS' ? real(dc, by, opts) : { exitCode: 1, output: 'inventory export unreachable' }),
    });
    const manual = h.runPass('dc1', 'U0OPS'); // asked for, not started yet (it starts on the next microtask)
    h.clock.fireNext(); // the tick sees no pass running, and its pass queues behind the manual one
    await manual;
    await h.sched.idle();
    expect(h.events.filter((e) => e.type === 'pass-finished').map((e) => (e as { result: string }).result)).toEqual(['failed']);
    expect(h.posted.map((p) => p.msg.text).join('\n')).toMatch(/the scheduled pass failed[\s\S]*wrote no pass directory \(exit 1\): inventory export unreachable/);
    h.sched.stop();
  });

  it('a pass that waited behind another is told when it starts (onStart), so it reads the latest pass directory only then', async () => {
    const order: string[] = [];
    const gate = deferred();
    const runner = onePassAtATime(async (dc, by) => {
      order.push(`run ${by}`);
      if (by === 'U0OPS') await gate.promise;
      return { exitCode: 0, output: '' };
    });
    const manual = runner('dc1', 'U0OPS', { onStart: () => order.push('start U0OPS') });
    const scheduled = runner('dc1', 'breakfix (scheduled)', { onStart: () => order.push('start scheduled') });
    await new Promise((r) => setImmediate(r));
    expect(runner.inFlight('dc1')?.requestedBy).toBe('U0OPS');
    expect(order).toEqual(['start U0OPS', 'run U0OPS']);
    gate.release();
    await Promise.all([manual, scheduled]);
    expect(order).toEqual(['start U0OPS', 'run U0OPS', 'start scheduled', 'run breakfix (scheduled)']);
    expect(runner.inFlight('dc1')).toBeUndefined();
  });


  it('of one datacenter run one after the other; of two datacenters side by side', async () => {
    const log: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const runner = onePassAtATime(async (dc, by) => {
      log.push(`start ${dc} ${by}`);
      const g = deferred();
      gates.set(`${dc} ${by}`, g);
      await g.promise;
      log.push(`end ${dc} ${by}`);
      return { exitCode: 0, output: '' };
    });
    const manual = runner('dc1', 'U0OPS');
    const scheduled = runner('dc1', 'breakfix (scheduled)');
    const other = runner('dc2', 'breakfix (scheduled)');
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start dc1 U0OPS', 'start dc2 breakfix (scheduled)']);
    gates.get('dc1 U0OPS')!.release();
    await manual;
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start dc1 U0OPS', 'start dc2 breakfix (scheduled)', 'end dc1 U0OPS', 'start dc1 breakfix (scheduled)']);
    gates.get('dc1 breakfix (scheduled)')!.release();
    gates.get('dc2 breakfix (scheduled)')!.release();
    await Promise.all([scheduled, other]);
  });
});

describe('independent datacenters', () => {
  it('a datacenter whose pass throws posts the failure and keeps its schedule; the other still posts its summary', async () => {
    const h = harness(['good', 'bad'], () => ({ failing: 2 }), {
      wrap: (dc, real) => (dc === 'bad' ? async () => { throw new Error('inventory export unreachable: ECONNREFUSED 10.0.0.9:443'); } : real),
    });
    await h.ticks(2);
    expect(summaries(h, 'good')).toHaveLength(2);
    const failures = h.posted.filter((p) => p.dc === 'bad');
    expect(failures).toHaveLength(2);
    expect(failures[0].msg.text).toMatch(/the scheduled pass failed[\s\S]*inventory export unreachable: ECONNREFUSED/);
    expect(h.events.filter((e) => e.type === 'pass-finished' && e.dc === 'bad').map((e) => (e as { result: string }).result)).toEqual(['failed', 'failed']);
    expect(h.sched.nextRuns().bad).not.toBeNull();
    expect(h.sched.health().bad).toMatchObject({ lastResult: 'failed', consecutiveFailures: 2, running: false });
    expect(h.sched.health().good).toMatchObject({ lastResult: 'ok', consecutiveFailures: 0 });
    h.sched.stop();
  });

  it('Slack refusing the summary and the proposal is a failed post, counted apart; the pass stays ok', async () => {
    const h = harness(['dc1'], () => ({ failing: 2 }), { postFails: () => true });
    await h.ticks(2);
    expect(h.events.filter((e) => e.type === 'pass-finished').map((e) => (e as { result: string }).result)).toEqual(['ok', 'ok']);
    expect(h.sched.health().dc1).toMatchObject({ lastResult: 'ok', consecutiveFailures: 0, postFailures: 4 });
    const failed = h.events.filter((e) => e.type === 'post-failed');
    expect(failed.map((e) => (e as { what: string }).what)).toEqual(['summary', 'proposal', 'summary', 'proposal']);
    expect(failed[0]).toMatchObject({ dc: 'dc1', error: 'An API error occurred: ratelimited' });
    // Not "the scheduled pass failed": the pass did not fail.
    expect(h.events.filter((e) => e.type === 'summary').map((e) => (e as { posted: boolean }).posted)).toEqual([false, false]);
    h.sched.stop();
  });
});

describe('summaries', () => {
  it('with nothing changed the summary is quiet; the heartbeat posts anyway once due', async () => {
    const h = harness(['calm'], () => ({}), { heartbeatHours: 2 });
    await h.ticks(1);
    expect(summaries(h, 'calm')).toHaveLength(1);
    expect(summaries(h, 'calm')[0]).toMatch(/Nothing to do/);
    await h.ticks(1); // one hour later, same fleet
    expect(summaries(h, 'calm')).toHaveLength(1);
    expect(h.events.filter((e) => e.type === 'summary').map((e) => (e as { posted: boolean }).posted)).toEqual([true, false]);
    await h.ticks(1); // two hours after the last post
    expect(summaries(h, 'calm')).toHaveLength(2);
    expect(summaries(h, 'calm')[1]).toContain('(heartbeat)');
    h.sched.stop();
  });

  it('a change shows the set sizes with ▲/▼ against the previous pass, then the proposal with its buttons', async () => {
    const h = harness(['dc1'], (_dc, n) => ({ dead: n === 1 ? 0 : 1, failing: 2 }));
    await h.ticks(2);
    const [first, second] = summaries(h, 'dc1');
    expect(first).toMatch(/hdfs-dead \*0\* ·/);
    expect(second).toMatch(/hdfs-dead \*1\* ▲1/);
    expect(second).toMatch(/in-flight \*1\* ▲1/);
    expect(second).toMatch(/c0\*: in-flight 1, headroom 1 of cap 2/);
    expect(proposalsOf(h, 'dc1').length).toBe(2);
    expect(JSON.stringify(proposalsOf(h, 'dc1')[1].msg.blocks)).toContain('breakfix_approve');
    // Where the proposal is, for a restarted bot to report a resumed execution in its thread.
    const [latest] = new PlanStore(h.state).list({ dc: 'dc1', state: 'proposed' });
    const n = h.posted.indexOf(proposalsOf(h, 'dc1')[1]) + 1;
    expect(new PlanStore(h.state).message(latest.plan.id)).toEqual({ channel: 'C0OPS0001', ts: `1700000000.${String(n).padStart(6, '0')}` });
    h.sched.stop();
  });
});

describe('pause and the circuit breaker', () => {
  it('while paused the pass still runs, the summary says who paused and why, and nothing is proposed', async () => {
    const h = harness(['dc1'], () => ({ failing: 2 }));
    runPause({ state: h.state, dc: 'dc1', by: 'U0OPS', reason: 'NameNode failover' });
    await h.ticks(1);
    const [s] = summaries(h, 'dc1');
    expect(s).toContain('*PAUSED* by U0OPS');
    expect(s).toContain('NameNode failover');
    expect(s).toMatch(/Nothing proposed while paused\* \(the pass found [1-9] drain/);
    expect(proposalsOf(h, 'dc1')).toHaveLength(0);
    expect(new PlanStore(h.state).list({ dc: 'dc1', state: 'proposed' })).toHaveLength(0);
    runResume({ state: h.state, dc: 'dc1', by: 'U0OPS' });
    await h.ticks(1);
    expect(summaries(h, 'dc1')[1]).not.toContain('PAUSED');
    expect(proposalsOf(h, 'dc1')).toHaveLength(1);
    h.sched.stop();
  });

  it('a pause set while the pass runs leaves no approvable proposal: the plan it registered is superseded by the pause', async () => {
    let h!: Harness;
    h = harness(['dc1'], () => ({ failing: 2 }), {
      wrap: (_dc, real) => async (dc, by, opts) => {
        const r = await real(dc, by, opts);
        runPause({ state: h.state, dc, by: 'U0OPS', reason: 'NameNode failover' });
        return r;
      },
    });
    await h.ticks(1);
    const store = new PlanStore(h.state);
    expect(store.list({ dc: 'dc1', state: 'proposed' })).toHaveLength(0);
    const [plan] = store.list({ dc: 'dc1' });
    expect(plan.state).toMatchObject({ state: 'superseded', by: 'U0OPS' });
    expect(plan.state.history.at(-1)!.note).toMatch(/dc1 was paused during the pass by U0OPS .*NameNode failover/);
    expect(proposalsOf(h, 'dc1')).toHaveLength(0);
    expect(summaries(h, 'dc1')[0]).toContain('*PAUSED* by U0OPS');
    h.sched.stop();
  });

  it('mass failure refused 3 passes in a row trips the pause; it stays until a person resumes, who gets a fresh count', async () => {
    // 20 of 40 hosts failing: 50 % > the 30 % mass-failure limit.
    const h = harness(['dc1'], () => ({ failing: 20 }));
    await h.ticks(2);
    expect(readPause(h.state, 'dc1')).toBeUndefined();
    await h.ticks(1);
    const pause = readPause(h.state, 'dc1');
    expect(pause?.by).toBe(CIRCUIT_BREAKER);
    expect(pause?.reason).toMatch(/safety refused c0 for mass failure 3 passes in a row/);
    // The second summary was quiet (nothing changed); the trip is news.
    expect(summaries(h, 'dc1')).toHaveLength(2);
    expect(summaries(h, 'dc1')[1]).toContain(`*PAUSED* by ${CIRCUIT_BREAKER}`);
    expect(h.events.filter((e) => e.type === 'circuit-breaker')).toEqual([{ type: 'circuit-breaker', dc: 'dc1', clusters: ['c0'] }]);
    await h.ticks(2);
    expect(readPause(h.state, 'dc1')?.by).toBe(CIRCUIT_BREAKER);
    runResume({ state: h.state, dc: 'dc1', by: 'U0OPS' });
    await h.ticks(2);
    expect(readPause(h.state, 'dc1')).toBeUndefined();
    await h.ticks(1);
    expect(readPause(h.state, 'dc1')?.by).toBe(CIRCUIT_BREAKER);
    h.sched.stop();
  });
});

describe('status', () => {
  it('shows every datacenter: last pass, plans by state, pause, and the next scheduled pass while the loop runs', async () => {
    const h = harness(['dc1', 'dc2'], () => ({ failing: 2 }));
    await h.ticks(2);
    runPause({ state: h.state, dc: 'dc2', by: 'U0OPS', reason: 'disk firmware rollout' });
    const text = runStatus({ state: h.state }).text;
    const [dc1, dc2] = text.split('\n\n');
    expect(dc1).toMatch(/^dc1\nlast pass \w+ at \S+: ok, plan dc1-\w+ \(\d+ drain/);
    expect(dc1).toMatch(/plans by state: proposed 1, superseded 1/);
    expect(dc1).toContain('no execution running');
    expect(dc1).toContain('not paused');
    expect(dc1).toContain(`next scheduled pass: ${h.sched.nextRuns().dc1} (cron 0 * * * *)`);
    expect(dc2).toMatch(/PAUSED by U0OPS at \S+: disk firmware rollout/);
    h.sched.stop();
    expect(runStatus({ state: h.state, dc: 'dc1' }).text).toContain('no scheduled loop running for it');
  });
});
