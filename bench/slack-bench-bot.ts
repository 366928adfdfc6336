/**
 * The bot under test of `npm run bench:slack`, in its own process as `breakfix serve` runs
 * (the load generator and the fake Slack API are in the parent, as Slack is elsewhere). Started
 * with `fork()`; reads its configuration from `process.argv[2]` (JSON: config and state paths,
 * the fake API's URL, the signing secret, whether read-only commands use the worker pool and
 * whether its workers post the answers) and
 * sends `{ port }` to the parent once listening. Stops on the parent's `stop` message.
 */
import { pino } from 'pino';
import { createSlackApp } from '../src/slack/app.js';
import { startCommandPool } from '../src/slack/commands.js';
import { childProcessPassRunner } from '../src/slack/service.js';
import { APPROVER, OPS } from '../test/slack/slack-requests.js';
import { BENCH_DC } from './gen-fleet.js';

const o = JSON.parse(process.argv[2]) as { config: string; state: string; apiUrl: string; secret: string; pool: boolean; answer: boolean };
const common = { config: o.config, state: o.state };
const pool = o.pool ? await startCommandPool(undefined, o.answer ? { botToken: 'xoxb-bench', slackApiUrl: o.apiUrl } : undefined) : undefined;
const bot = createSlackApp({
  settings: { mode: 'http', botToken: 'xoxb-bench', signingSecret: o.secret, slackApiUrl: o.apiUrl, channel: OPS, approvers: { [BENCH_DC]: [APPROVER] } },
  common, demo: false, datacenters: [BENCH_DC], port: 0,
  runPass: childProcessPassRunner(common, false),
  ...(pool ? { runCommand: pool.run } : {}),
  ...(pool?.answer ? { answerCommand: pool.answer } : {}),
  log: pino({ level: 'warn' }, pino.destination(2)),
});
const { port } = await bot.start();
process.send!({ port });
process.on('message', (m) => {
  if (m !== 'stop') return;
  void bot.stop().then(() => pool?.close()).then(() => process.send!({ stopped: true }, () => process.exit(0)));
});
