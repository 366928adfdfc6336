/**
 * Two demo datacenters on the scheduled loop, driven by a manual clock: the faults progress
 * between passes, so the summaries show deltas and, from the third pass, drift.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoDatacenters, demoDatacenters } from '../../src/loop/demo.js';
import { LoopScheduler, type LoopEvent } from '../../src/loop/loop.js';
import { ScheduleSchema } from '../../src/loop/schedule.js';
import type { SlackMessage } from '../../src/slack/messages.js';
import { ManualClock } from '../helpers/clock.js';

const policyDir = join(import.meta.dirname, '../../policies');
let demo: DemoDatacenters;
let state: string;
const posted: SlackMessage[] = [];
const events: LoopEvent[] = [];

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'bf-loop-demo-'));
  demo = await DemoDatacenters.start(demoDatacenters(2), state, policyDir);
  const clock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
  const schedule = ScheduleSchema.parse({ cron: '*/15 * * * *' });
  const sched = new LoopScheduler({
    schedules: Object.fromEntries(demo.names().map((dc) => [dc, schedule])),
    stateDir: state, policyDir, runPass: demo.runPass, clock,
    post: async (m) => { posted.push(m); },
    log: pino({ level: 'silent' }),
  });
  sched.events.on('loop', (e) => events.push(e));
  sched.start();
  // Four ticks of each datacenter (their jitters differ, so each tick fires twice).
  for (let i = 0; i < 8; i++) {
    clock.fireNext();
    await sched.idle();
  }
  sched.stop();
}, 120_000);

afterAll(async () => {
  await demo?.close();
});

const texts = (dc: string) => posted.filter((m) => m.text.startsWith(`breakfix ${dc}: scheduled`)).map((m) => JSON.stringify(m.blocks));

describe('two demo datacenters on a schedule', () => {
  it('posts a summary per pass of each datacenter, with deltas from the second', () => {
    for (const dc of demoDatacenters(2)) {
      const t = texts(dc);
      expect(t.length).toBe(4);
      expect(t[0]).toContain('first pass: no deltas yet');
      expect(t[1]).toMatch(/hdfs-dead \*\d+\* ▲/);
    }
  });

  it('flags hdfs-dead growing with the numbers from the third pass on', () => {
    const t = texts('demo-dc2');
    expect(t[1]).not.toContain('growing');
    expect(t[2]).toMatch(/hdfs-dead growing 3 passes: (\d+) → (\d+) → (\d+)/);
    const [, a, b, c] = /hdfs-dead growing 3 passes: (\d+) → (\d+) → (\d+)/.exec(t[2])!.map(Number);
    // demo-dc2 loses two DataNodes per pass.
    expect([b - a, c - b]).toEqual([2, 2]);
    expect(t[2]).toMatch(/hdfs-decommissioning unchanged 3 passes/);
  });

  it('reports every pass to the event hook with its set sizes', () => {
    const finished = events.filter((e): e is Extract<LoopEvent, { type: 'pass-finished' }> => e.type === 'pass-finished');
    expect(finished.map((e) => e.dc).sort()).toEqual(['demo-dc1', 'demo-dc1', 'demo-dc1', 'demo-dc1', 'demo-dc2', 'demo-dc2', 'demo-dc2', 'demo-dc2']);
    expect(finished.every((e) => e.result === 'ok' && e.setSizes['all'] > 4000)).toBe(true);
  });
});
