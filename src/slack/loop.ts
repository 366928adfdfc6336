/**
 * The scheduled loop (src/loop/loop.ts) on a running bot: summaries and proposals are posted in
 * the ops channel through the bot's Web API client, proposals with the same Approve / Reject
 * buttons the bot already handles.
 */
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { resolveContext, type CommonOptions } from '../../commands/common.js';
import { LoopScheduler } from '../loop/loop.js';
import { systemClock, type Clock, type Schedule } from '../loop/schedule.js';
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
    log: o.log.child({ component: 'loop' }),
    post: (msg) => bot.app.client.chat.postMessage({ channel: o.channel, text: msg.text, blocks: msg.blocks as never }),
  });
  scheduler.start();
  o.log.info({ schedules: Object.fromEntries(Object.entries(o.schedules).map(([dc, s]) => [dc, s.cron])), next: scheduler.nextRuns() }, 'scheduled passes armed');
  return scheduler;
}
