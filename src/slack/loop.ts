/**
 * The scheduled loop (src/loop/loop.ts) on a running bot: summaries and proposals are posted in
 * the ops channel through the bot's Web API client, proposals with the same Approve / Reject
 * buttons the bot already handles.
 */
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { resolveContext, type CommonOptions } from '../../commands/common.js';
import { LoopScheduler } from '../loop/loop.js';
import { systemClock, type Clock } from '../clock.js';
import { nextTick, type Schedule } from '../loop/schedule.js';
import { recordLoopEvent } from '../obs/loop-events.js';
import { partLogger } from '../log.js';
import type { SlackBot } from './app.js';
import type { PassRunner } from './service.js';

/** Options of {@link startScheduledLoop}. */
export interface BotLoopOptions {
  /** The ops channel id (C…). */
  channel: string;
  /** Datacenter → schedule; datacenters without one are not scheduled. */
  schedules: Record<string, Schedule>;
  common: CommonOptions;
  runPass: PassRunner;
  log: Logger;
  clock?: Clock;
}

/** Start every datacenter's loop on `bot`; stop it with `scheduler.stop()` before `bot.stop()`. */
export function startScheduledLoop(bot: Pick<SlackBot, 'app'>, o: BotLoopOptions): LoopScheduler {
  const ctx = resolveContext(o.common);
  const scheduler = new LoopScheduler({
    schedules: o.schedules,
    stateDir: resolve(ctx.stateDir),
    policyDir: ctx.policyDir,
    runPass: o.runPass,
    clock: o.clock ?? systemClock,
    log: partLogger(o.log, 'loop'),
    post: (msg) => bot.app.client.chat.postMessage({ channel: o.channel, text: msg.text, blocks: msg.blocks as never }),
  });
  forwardToObservability(scheduler, o.schedules, o.clock ?? systemClock);
  scheduler.start();
  announceNextRuns(scheduler, o.schedules, o.clock ?? systemClock);
  o.log.info({ schedules: Object.fromEntries(Object.entries(o.schedules).map(([dc, s]) => [dc, s.cron])), next: scheduler.nextRuns() }, 'scheduled passes armed');
  return scheduler;
}

/**
 * Tell `/metrics` and `/healthz` (src/obs/loop-events.ts) what the loop does: passes started and
 * finished, skipped ticks, and after each tick when the next one is due (with the schedule's
 * spacing, so a loop that stopped finishing passes shows as overdue).
 */
function forwardToObservability(scheduler: LoopScheduler, schedules: Record<string, Schedule>, clock: Clock): void {
  scheduler.events.on('loop', (e) => {
    const at = new Date(clock.now());
    if (e.type === 'pass-started') recordLoopEvent({ type: 'pass-started', dc: e.dc, at });
    else if (e.type === 'pass-finished') recordLoopEvent({ type: 'pass-finished', dc: e.dc, at, result: e.result === 'failed' ? 'error' : e.result, durationMs: e.durationMs });
    else if (e.type === 'tick-skipped') recordLoopEvent({ type: 'tick-skipped', dc: e.dc, at, reason: e.reason });
    else if (e.type === 'post-failed') recordLoopEvent({ type: 'post-failed', dc: e.dc, at, what: e.what });
    // A tick (run or skipped) has armed the next one.
    if (e.type === 'pass-started' || e.type === 'tick-skipped') announceNextRuns(scheduler, { [e.dc]: schedules[e.dc] }, clock);
  });
}

/** A `scheduled` event per datacenter of `schedules` whose loop has a next run. */
function announceNextRuns(scheduler: LoopScheduler, schedules: Record<string, Schedule>, clock: Clock): void {
  for (const [dc, schedule] of Object.entries(schedules)) {
    const next = scheduler.loops.get(dc)?.nextRunAt();
    if (next === null || next === undefined) continue;
    const after = nextTick(schedule.cron, next);
    recordLoopEvent({ type: 'scheduled', dc, at: new Date(clock.now()), nextRunAt: new Date(next), ...(after !== null ? { intervalMs: after - next } : {}) });
  }
}
