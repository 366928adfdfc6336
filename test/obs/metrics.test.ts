/**
 * `/metrics` as a function of the state directory: the demo's real passes (HTTP sources served
 * on loopback), a pass whose inventory cannot be read, a plan executed on a controllable clock,
 * and loop events; the exposition is parsed and checked against the files themselves.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { BotMetrics, isKeySet, METRIC_NAMES } from '../../src/obs/metrics.js';
import { LoopTracker, OVERDUE_GRACE_MS } from '../../src/obs/health.js';
import { listPasses } from '../../src/pass/passdir.js';
import { runPass, type PassSummary } from '../../src/pass/run.js';
import { shippedPolicyDir } from '../../src/paths.js';
import { PlanStore } from '../../src/plan/store.js';
import { passWithPlan } from '../helpers/pass.js';
import { parseExposition, select, valueOf } from './prom-text.js';

let state: string;
const read = <T>(p: string) => JSON.parse(readFileSync(p, 'utf8')) as T;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'breakfix-metrics-'));
  await runDemo({ scenario: 'both', stateDir: state, seed: 42 });
  // A pass whose inventory export is missing: safety refuses it, the failure is in the manifest.
  await runPass({
    dc: 'dc-broken', policyDir: shippedPolicyDir(), stateDir: state, seed: 1,
    sources: [{ kind: 'inventory', location: join(state, 'nope.tsv') }, { kind: 'health', location: join(state, 'sources', 'proposals', 'health.tsv') }, { kind: 'hdfs-report', location: join(state, 'nope.txt') }],
  });
}, 60_000);

afterAll(() => rmSync(state, { recursive: true, force: true }));

const scrape = async (m: BotMetrics) => parseExposition(await m.render());

describe('breakfix /metrics from the state directory', () => {
  it('counts every finished pass by result, as its summary.json and plan.json say', async () => {
    const m = new BotMetrics({ stateDir: state, tracker: new LoopTracker(), processMetrics: false });
    const e = await scrape(m);
    const expected: Record<string, number> = {};
    for (const dc of [DEMO_DC, 'dc-broken']) {
      for (const dir of listPasses(state, dc)) {
        const s = read<PassSummary>(join(dir, 'summary.json'));
        const actions = existsSync(join(dir, 'plan.json')) ? read<{ actions: unknown[] }>(join(dir, 'plan.json')).actions.length : 0;
        const result = s.result !== 'ok' ? s.result : actions > 0 ? 'ok' : 'empty';
        expected[`${dc}/${result}`] = (expected[`${dc}/${result}`] ?? 0) + 1;
      }
    }
    // The demo: one pass with proposals, one whose budgets are consumed (empty); the broken dc: refused (a source it cannot read fails closed).
    expect(expected).toEqual({ [`${DEMO_DC}/ok`]: 1, [`${DEMO_DC}/empty`]: 1, 'dc-broken/refused': 1 });
    for (const [k, n] of Object.entries(expected)) {
      const [dc, result] = k.split('/');
      expect(valueOf(e, 'breakfix_passes_total', { dc, result })).toBe(n);
      expect(valueOf(e, 'breakfix_pass_duration_seconds_count', { dc, result })).toBe(n);
    }
    expect(e.types.get('breakfix_passes_total')).toBe('counter');
    expect(e.types.get('breakfix_pass_duration_seconds')).toBe('histogram');
    for (const name of METRIC_NAMES) expect(e.types.has(name), name).toBe(true);
  });

  it('a second scrape counts nothing twice; a new pass counts once; a pass removed by retention is not uncounted', async () => {
    const m = new BotMetrics({ stateDir: state, tracker: new LoopTracker(), processMetrics: false });
    await m.render();
    const before = valueOf(await scrape(m), 'breakfix_passes_total', { dc: 'dc-broken', result: 'refused' });
    expect(before).toBe(1);
    const again = await runPass({ dc: 'dc-broken', policyDir: shippedPolicyDir(), stateDir: state, seed: 2, sources: [{ kind: 'inventory', location: join(state, 'nope.tsv') }, { kind: 'health', location: join(state, 'nope.tsv') }, { kind: 'hdfs-report', location: join(state, 'nope.txt') }] });
    expect(valueOf(await scrape(m), 'breakfix_passes_total', { dc: 'dc-broken', result: 'refused' })).toBe(2);
    rmSync(again.dir, { recursive: true });
    expect(valueOf(await scrape(m), 'breakfix_passes_total', { dc: 'dc-broken', result: 'refused' })).toBe(2);
  });

  it('set sizes are the named sets of the newest pass, not the per-rack ones', async () => {
    const e = await scrape(new BotMetrics({ stateDir: state, tracker: new LoopTracker(), processMetrics: false }));
    const passes = listPasses(state, DEMO_DC);
    const newest = read<PassSummary>(join(passes[passes.length - 1], 'summary.json'));
    for (const set of ['all', 'managed', 'in-flight', 'unknown', 'drain-candidates', 'return-candidates', 'hdfs-dead']) {
      expect(valueOf(e, 'breakfix_set_hosts', { dc: DEMO_DC, set }), set).toBe(newest.counts[set]);
    }
    const shown = select(e, 'breakfix_set_hosts', { dc: DEMO_DC }).map((s) => s.labels.set);
    expect(shown.some((s) => s.startsWith('rack-'))).toBe(false);
    expect(shown.sort()).toEqual(Object.keys(newest.counts).filter(isKeySet).sort());
    expect(valueOf(e, 'breakfix_last_pass_timestamp_seconds', { dc: DEMO_DC })).toBe(Date.parse(newest.startedAt) / 1000);
    expect(valueOf(e, 'breakfix_source_hosts', { dc: DEMO_DC, source: 'hdfs' })).toBe(newest.sources.find((s) => s.role === 'hdfs')!.hosts);
  });

  it('source fetch latency comes from each manifest, failures from the sources a pass could not read', async () => {
    const e = await scrape(new BotMetrics({ stateDir: state, tracker: new LoopTracker(), processMetrics: false }));
    const manifests = listPasses(state, DEMO_DC).map((d) => read<{ sources: { role: string; fetchMs: number }[] }>(join(d, 'sources', 'manifest.json')));
    const hdfsMs = manifests.map((mf) => mf.sources.find((s) => s.role === 'hdfs')!.fetchMs);
    expect(hdfsMs.every((ms) => typeof ms === 'number' && ms > 0)).toBe(true);
    expect(valueOf(e, 'breakfix_source_fetch_seconds_count', { dc: DEMO_DC, source: 'hdfs' })).toBe(manifests.length);
    expect(valueOf(e, 'breakfix_source_fetch_seconds_sum', { dc: DEMO_DC, source: 'hdfs' })).toBeCloseTo(hdfsMs.reduce((a, b) => a + b, 0) / 1000, 6);
    expect(valueOf(e, 'breakfix_source_fetch_failures_total', { dc: 'dc-broken', source: 'inventory' })).toBeGreaterThanOrEqual(1);
    expect(select(e, 'breakfix_source_fetch_failures_total', { dc: DEMO_DC })).toHaveLength(0);
  });

  it('plans by state come from the plan store; an execution is timed from its state history', async () => {
    const { state: own, dir, plan } = await passWithPlan();
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const store = new PlanStore(own, { now: () => new Date(clock) });
    await store.register(plan, dir, { requestedBy: 'U0' });
    const m = new BotMetrics({ stateDir: own, tracker: new LoopTracker(), processMetrics: false });
    let e = await scrape(m);
    expect(valueOf(e, 'breakfix_plans', { dc: 'dc1', state: 'proposed' })).toBe(1);
    expect(valueOf(e, 'breakfix_plans', { dc: 'dc1', state: 'completed' })).toBe(0);
    await store.transition(plan.id, ['proposed'], 'approved', 'U1');
    clock += 5_000;
    await store.transition(plan.id, ['approved'], 'executing', 'U1');
    clock += 90_000;
    await store.transition(plan.id, ['executing'], 'completed', 'U1');
    e = await scrape(m);
    expect(valueOf(e, 'breakfix_plans', { dc: 'dc1', state: 'completed' })).toBe(1);
    expect(valueOf(e, 'breakfix_plans', { dc: 'dc1', state: 'proposed' })).toBe(0);
    expect(valueOf(e, 'breakfix_execution_duration_seconds_count', { dc: 'dc1', outcome: 'completed' })).toBe(1);
    expect(valueOf(e, 'breakfix_execution_duration_seconds_sum', { dc: 'dc1', outcome: 'completed' })).toBe(90);
    e = await scrape(m);
    expect(valueOf(e, 'breakfix_execution_duration_seconds_count', { dc: 'dc1', outcome: 'completed' })).toBe(1);
    rmSync(own, { recursive: true, force: true });
  });

  it('loop events: skipped ticks are counted, a missed tick is overdue on the controllable clock', async () => {
    const tracker = new LoopTracker();
    let now = Date.parse('2026-12-01T12:00:00Z');
    const m = new BotMetrics({ stateDir: state, datacenters: ['dc-a'], tracker, now: () => new Date(now), processMetrics: false });
    const events = [
      { type: 'scheduled', dc: 'dc-a', at: new Date(now), nextRunAt: new Date(now + 60_000), intervalMs: 900_000 },
      { type: 'pass-started', dc: 'dc-a', at: new Date(now) },
      { type: 'tick-skipped', dc: 'dc-a', at: new Date(now), reason: 'still running' },
      { type: 'tick-skipped', dc: 'dc-a', at: new Date(now), reason: 'still running' },
    ] as const;
    for (const ev of events) {
      tracker.handle(ev);
      m.recordLoopEvent(ev);
    }
    let e = await scrape(m);
    expect(valueOf(e, 'breakfix_loop_ticks_skipped_total', { dc: 'dc-a' })).toBe(2);
    expect(valueOf(e, 'breakfix_loop_pass_running', { dc: 'dc-a' })).toBe(1);
    expect(valueOf(e, 'breakfix_loop_overdue', { dc: 'dc-a' })).toBe(0);
    expect(valueOf(e, 'breakfix_paused', { dc: 'dc-a' })).toBe(0);
    now += 60_000 + OVERDUE_GRACE_MS + 1;
    e = await scrape(m);
    expect(valueOf(e, 'breakfix_loop_overdue', { dc: 'dc-a' })).toBe(1);
    expect(valueOf(e, 'breakfix_loop_next_run_timestamp_seconds', { dc: 'dc-a' })).toBe((Date.parse('2026-12-01T12:00:00Z') + 60_000) / 1000);
  });

  it('process metrics carry the breakfix_ prefix and live in the dedicated registry only', async () => {
    const { register } = await import('prom-client');
    const e = await scrape(new BotMetrics({ stateDir: state, tracker: new LoopTracker() }));
    expect(valueOf(e, 'breakfix_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(e.samples.every((s) => s.name.startsWith('breakfix_'))).toBe(true);
    expect(await register.metrics()).not.toContain('breakfix_');
  });
});
