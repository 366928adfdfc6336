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
import { createSlackApp } from './app.js';
import { startCommandPool } from './commands.js';
import { childProcessPassRunner } from './service.js';
import { loadSettings, requireApprovers, SettingsError } from './settings.js';

/** Options of {@link serve}. */
export interface ServeOptions extends CommonOptions {
  http?: boolean;
  port?: number;
  demo?: boolean;
  /** `--demo`: how many times faster than real time the simulated drain runs (default {@link DEMO_SPEED}). */
  demoSpeed?: number;
}

/** Default speed of the demo's simulated drain: the NameNode's 30 s decommission poll every 1.5 s. */
export const DEMO_SPEED = 20;

/** Where `serve --demo` keeps its passes and plans unless `--state` says otherwise. */
export const DEMO_STATE_DIR = '.breakfix/demo';

/** Run the bot until a signal stops it. Returns the exit code. */
export async function serve(o: ServeOptions): Promise<number> {
  const log = logger('slack');
  try {
    const configPath = findConfig(o.config);
    const file = configPath ? loadConfig(configPath) : undefined;
    const settings = loadSettings(o.http ? 'http' : 'socket', process.env, { ...(file?.slack ? { slack: file.slack } : {}), ...(configPath ? { path: configPath } : {}) });
    const speed = o.demoSpeed ?? DEMO_SPEED;
    if (!(speed > 0 && Number.isFinite(speed))) throw new SettingsError(`--demo-speed: expected a positive number, got ${o.demoSpeed}`);
    const common: CommonOptions = o.demo
      ? { state: resolve(o.state ?? DEMO_STATE_DIR), ...(o.policies ? { policies: o.policies } : {}) }
      : { ...(o.config ? { config: o.config } : {}), ...(o.state ? { state: o.state } : {}), ...(o.policies ? { policies: o.policies } : {}) };
    const datacenters = o.demo ? [DEMO_DC] : Object.keys(resolveContext(common).config?.datacenters ?? {});
    if (!o.demo && datacenters.length === 0) throw new SettingsError('config: no datacenters (breakfix.yml, --config or $BREAKFIX_CONFIG names them; or run with --demo)');
    requireApprovers(settings, datacenters);
    const port = o.port ?? Number(process.env.PORT ?? 3000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SettingsError(`--port: expected a port number, got ${o.port}`);
    // Read-only commands run, and are answered, in worker threads: acknowledgements never wait for them.
    const pool = await startCommandPool(undefined, { botToken: settings.botToken, ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}) });
    const bot = createSlackApp({ settings, common, demo: !!o.demo, datacenters, ...(o.demo ? { defaultDc: DEMO_DC } : {}), port, runPass: childProcessPassRunner(common, !!o.demo), runCommand: pool.run, ...(pool.answer ? { answerCommand: pool.answer } : {}), ...(o.demo ? { demoClock: () => scaledClock(speed) } : {}), log });
    const started = await bot.start();
    log.warn({ mode: settings.mode, port: started.port, demo: !!o.demo, datacenters }, `breakfix bot running (${settings.mode === 'http' ? `HTTP on :${started.port}/slack/events` : 'Socket Mode'}; /healthz on :${started.port})`);
    await new Promise<void>((done) => {
      const stop = () => void bot.stop().finally(() => pool.close()).finally(done);
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
