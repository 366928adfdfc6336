/** The bot in Socket Mode, in process, against a fresh fake Slack API: for the Socket Mode tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { createSlackApp, type SlackBot } from '../../src/slack/app.js';
import type { PassRunner } from '../../src/slack/service.js';
import { freePort } from '../../src/ssh/lab-sshd.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { OPS } from './slack-requests.js';

/** A started Socket Mode bot: its fake Slack API, the port of /healthz and /metrics, its state directory. */
export interface SocketBot {
  bot: SlackBot;
  fake: FakeSlackApi;
  port: number;
  state: string;
  /** Stop the bot and the fake, remove the state directory. */
  stop(): Promise<void>;
}

/**
 * Start the demo bot in Socket Mode with `approver` allowed everywhere. `prepare` fills the new
 * state directory before the bot starts; `runPass` is built with it.
 */
export async function startSocketBot(o: {
  prefix: string;
  approver: string;
  runPass: (state: string) => PassRunner;
  datacenters?: string[];
  prepare?: (state: string) => Promise<unknown>;
}): Promise<SocketBot> {
  const state = mkdtempSync(join(tmpdir(), o.prefix));
  await o.prepare?.(state);
  const fake = new FakeSlackApi();
  await fake.start();
  const port = await freePort();
  const bot = createSlackApp({
    settings: { mode: 'socket', botToken: 'xoxb-test-token', appToken: 'xapp-test-token', slackApiUrl: fake.url, channel: OPS, approvers: { '*': [o.approver] } },
    common: { state }, demo: true, defaultDc: DEMO_DC, ...(o.datacenters ? { datacenters: o.datacenters } : {}), port,
    runPass: o.runPass(state),
    log: pino({ level: 'silent' }),
  });
  await bot.start();
  return {
    bot, fake, port, state,
    async stop() {
      await bot.stop();
      await fake.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
