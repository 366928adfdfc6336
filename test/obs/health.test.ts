/**
 * Per-datacenter loop health on a controllable clock: overdue when a tick is missed or when
 * ticks run but no pass finishes; paused as the pause file says; unknown without a schedule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPause } from '../../commands/pause.js';
import { healthReport, LoopTracker, OVERDUE_GRACE_MS, OVERDUE_INTERVALS } from '../../src/obs/health.js';

const state = mkdtempSync(join(tmpdir(), 'bf-health-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));
const T0 = Date.parse('2026-12-01T08:00:00Z');
const MIN = 60_000;

describe('/healthz per datacenter', () => {
  it('a datacenter no loop schedules is neither overdue nor on time', () => {
    const { status, body } = healthReport(state, ['dc1'], new LoopTracker(), new Date(T0));
    expect(status).toBe(200);
    expect(body.datacenters.dc1).toMatchObject({ lastPass: null, overdue: null, running: false, paused: null });
  });

  it('a tick not run within the grace is overdue; a skipped tick is counted', () => {
    const t = new LoopTracker();
    t.handle({ type: 'scheduled', dc: 'dc1', at: new Date(T0), nextRunAt: new Date(T0 + 15 * MIN), intervalMs: 15 * MIN });
    t.handle({ type: 'tick-skipped', dc: 'dc1', at: new Date(T0), reason: 'still running' });
    expect(healthReport(state, ['dc1'], t, new Date(T0 + 15 * MIN + OVERDUE_GRACE_MS)).body.datacenters.dc1).toMatchObject({ overdue: false, ticksSkipped: 1 });
    const late = healthReport(state, ['dc1'], t, new Date(T0 + 15 * MIN + OVERDUE_GRACE_MS + 1)).body.datacenters.dc1;
    expect(late.overdue).toBe(true);
    expect(late.overdueReason).toBe('the tick due at 2026-12-01T08:15:00.000Z has not run (5 min late, grace 5 min)');
  });

  it('ticks that keep coming while no pass finishes (a hung pass) are overdue after the intervals', () => {
    const t = new LoopTracker();
    t.handle({ type: 'pass-finished', dc: 'dc2', at: new Date(T0), result: 'ok' });
    t.handle({ type: 'pass-started', dc: 'dc2', at: new Date(T0 + 15 * MIN) });
    const limit = OVERDUE_INTERVALS * 15 * MIN + OVERDUE_GRACE_MS;
    const at = (ms: number) => {
      t.handle({ type: 'scheduled', dc: 'dc2', at: new Date(T0 + ms), nextRunAt: new Date(T0 + ms + MIN), intervalMs: 15 * MIN });
      return healthReport(state, [], t, new Date(T0 + ms)).body.datacenters.dc2;
    };
    expect(at(limit)).toMatchObject({ overdue: false, running: true, runningSince: new Date(T0 + 15 * MIN).toISOString() });
    expect(at(limit + 1)).toMatchObject({ overdue: true, overdueReason: `no pass finished since 2026-12-01T08:00:00.000Z (${OVERDUE_INTERVALS} intervals of 15 min + grace)` });
  });

  it('a paused datacenter says who paused it and why, and is still 200', () => {
    runPause({ state, dc: 'dc3', reason: 'NameNode upgrade', by: 'U0OPS' });
    const { status, body } = healthReport(state, ['dc3'], new LoopTracker(), new Date(T0));
    expect(status).toBe(200);
    expect(body.datacenters.dc3.paused).toMatchObject({ by: 'U0OPS', reason: 'NameNode upgrade' });
  });
});
