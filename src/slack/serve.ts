/**
 * `breakfix serve`: check the settings, build the bot, start it, stop it cleanly on SIGINT/SIGTERM.
 * A bad setting stops start-up with one line naming it (exit 1).
 */
import { resolve } from 'node:path';
import { resolveContext, type CommonOptions } from '../../commands/common.js';
import { findConfig, loadConfig } from '../config/config.js';
import { DEMO_DC } from '../demo/fleet.js';
import { scaledClock } from '../exec/simulated.js';
import { logger } from '../log.js';
import { applyRetention, DEFAULT_RETENTION_POLICY, RETENTION_INTERVAL_MS } from '../obs/retention.js';
import { DemoDatacenters, demoDatacenters } from '../loop/demo.js';
import { onePassAtATime } from '../loop/loop.js';
import { cronError, ScheduleSchema, type Schedule } from '../loop/schedule.js';
import { createSlackApp, type SlackBot } from './app.js';
import { startScheduledLoop } from './loop.js';
import { startCommandPool } from './commands.js';
import { childProcessPassRunner } from './service.js';
import { loadSettings, requireApprovers, SettingsError } from './settings.js';

/** Options of {@link serve}. The numbers are checked where they come in (`ServeFlags` in src/cli-main.ts). */
export interface ServeOptions extends CommonOptions {
  http?: boolean;
  port?: number;
  demo?: boolean;
  /** Demo only: serve this many demo datacenters (demo-dc1, demo-dc2, …) on scheduled passes. */
  demoDcs?: number;
  /** Demo only: the cron expression of the demo datacenters' scheduled passes (default {@link DEMO_SCHEDULE}). */
  schedule?: string;
  /** `--demo`: how many times faster than real time the simulated drain runs (default {@link DEMO_SPEED}). */
  demoSpeed?: number;
}

/** The demo's scheduled passes: every minute, up to 5 s of jitter. */
export const DEMO_SCHEDULE = '* * * * *';

/** Default speed of the demo's simulated drain: the NameNode's 30 s decommission poll every 1.5 s. */
export const DEMO_SPEED = 20;

/** Where `serve --demo` keeps its passes and plans unless `--state` says otherwise. */
export const DEMO_STATE_DIR = '.breakfix/demo';

/** Run the bot until a signal stops it. Returns the exit code. */
export async function serve(o: ServeOptions): Promise<number> {
  const log = logger('slack');
  // The bot's log is its output: info by default (the CLI's commands default to warn).
  if (!process.env.BREAKFIX_LOG_LEVEL) log.level = 'info';
  try {
    const configPath = findConfig(o.config);
    const file = configPath ? loadConfig(configPath) : undefined;
    const settings = loadSettings(o.http ? 'http' : 'socket', process.env, { ...(file?.slack ? { slack: file.slack } : {}), ...(configPath ? { path: configPath } : {}) });
    const speed = o.demoSpeed ?? DEMO_SPEED;
    const common: CommonOptions = o.demo
      ? { state: resolve(o.state ?? DEMO_STATE_DIR), ...(o.policies ? { policies: o.policies } : {}) }
      : { ...(o.config ? { config: o.config } : {}), ...(o.state ? { state: o.state } : {}), ...(o.policies ? { policies: o.policies } : {}) };
    const ctx = resolveContext(common);
    if (!o.demo && (o.demoDcs !== undefined || o.schedule !== undefined)) throw new SettingsError('--demo-dcs and --schedule are for --demo; a configured datacenter\'s schedule is in breakfix.yml (datacenters.<dc>.schedule)');
    if (o.schedule !== undefined && cronError(o.schedule)) throw new SettingsError(`--schedule: expected a cron expression such as "*/5 * * * *" (${cronError(o.schedule)})`);
    const demoLoop = !!o.demo && (o.demoDcs !== undefined || o.schedule !== undefined);
    const datacenters = o.demo ? (demoLoop ? demoDatacenters(o.demoDcs ?? 1) : [DEMO_DC]) : Object.keys(ctx.config?.datacenters ?? {});
    if (!o.demo && datacenters.length === 0) throw new SettingsError('config: no datacenters (breakfix.yml, --config or $BREAKFIX_CONFIG names them; or run with --demo)');
    requireApprovers(settings, datacenters);
    const port = o.port ?? Number(process.env.PORT ?? 3000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SettingsError(`$PORT: expected a port number from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
    // Scheduled demo datacenters keep their control planes in this process, so faults can progress between passes.
    const demoDcs = demoLoop ? await DemoDatacenters.start(datacenters, ctx.stateDir, ctx.policyDir) : undefined;
    const runPass = onePassAtATime(demoDcs?.runPass ?? childProcessPassRunner(common, !!o.demo));
    const schedules: Record<string, Schedule> = demoLoop
      ? Object.fromEntries(datacenters.map((dc) => [dc, ScheduleSchema.parse({ cron: o.schedule ?? DEMO_SCHEDULE, maxJitterSeconds: 5 })]))
      : o.demo ? {} : Object.fromEntries(Object.entries(ctx.config?.datacenters ?? {}).flatMap(([dc, d]) => (d.schedule ? [[dc, d.schedule]] : [])));
    // Read-only commands run, and are answered, in worker threads: acknowledgements never wait for them.
    const pool = await startCommandPool(undefined, { botToken: settings.botToken, ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}) });
    const bot = createSlackApp({ settings, common, demo: !!o.demo, datacenters, ...(o.demo ? { defaultDc: DEMO_DC } : {}), port, runPass, runCommand: pool.run, ...(pool.answer ? { answerCommand: pool.answer } : {}), ...(o.demo ? { demoClock: () => scaledClock(speed) } : {}), log });
    let started: { port: number };
    try {
      started = await bot.start();
    } catch (e) {
      // Worker threads and demo control planes would keep the process up after the one line.
      await pool.close().catch(() => undefined);
      await demoDcs?.close();
      throw e;
    }
    const loop = Object.keys(schedules).length ? startScheduledLoop(bot, { channel: settings.channel, schedules, common, runPass, log }) : undefined;
    // Retention every hour (and once at start): the loop may run passes every few minutes.
    const retention = () => void applyRetention(ctx.stateDir, ctx.config?.retention ?? DEFAULT_RETENTION_POLICY, new Date())
      .then((r) => r.actions.length && log.info({ actions: r.actions.length, freedBytes: r.freedBytes }, 'retention applied'))
      .catch((e: Error) => log.error({ err: { name: e.name, message: e.message } }, 'retention failed'));
    retention();
    const retentionTimer = setInterval(retention, RETENTION_INTERVAL_MS);
    retentionTimer.unref();
    log.info({ mode: settings.mode, port: started.port, demo: !!o.demo, datacenters, scheduled: Object.keys(schedules) }, `breakfix bot running (${settings.mode === 'http' ? `HTTP on :${started.port}/slack/events` : 'Socket Mode'}; /healthz and /metrics on :${started.port})`);
    if (!o.demo) void resumeOnStart(bot, log);
    await new Promise<void>((done) => {
      const stop = () => {
        clearInterval(retentionTimer);
        void (loop?.stop() ?? Promise.resolve()).then(() => bot.stop()).finally(() => pool.close()).then(() => demoDcs?.close()).finally(done);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  } catch (e) {
    const err = e as Error;
    if (err instanceof SettingsError || err.name === 'InputError') {
      process.stderr.write(`breakfix serve: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * Plans a previous bot left `executing` (killed mid-drain) are resumed from their journals, in
 * the background, reporting in each proposal's thread (DESIGN.md §5: a restarted bot resumes
 * from the journal); each outcome is logged too.
 */
async function resumeOnStart(bot: Pick<SlackBot, 'service'>, log: ReturnType<typeof logger>): Promise<void> {
  try {
    await bot.service.resumeInterrupted();
  } catch (e) {
    log.error({ event: 'resume-failed' }, `resuming interrupted plans failed: ${(e as Error).message}`);
  }
}
