/**
 * `breakfix serve` as the operator runs it: the compiled CLI in its own process, HTTP mode on
 * the demo fleet, passes in a child process, against the fake Slack API. Needs a build that
 * includes the bot (`npm test` builds first); skipped when `dist/` is older than `src/slack/`.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSlackApi } from './fake-slack-api.js';
import { builtFresh, cli, serveWithFakeSlack, until, type ServedBot, type ServedWithFake } from './served-bot.js';
import { APPROVER, clickBody, OPS, postSigned, proposals, slashBody } from './slack-requests.js';

const SECRET = 'process-test-secret-77';
const TOKEN = 'xoxb-process-test-token';

describe.skipIf(!builtFresh('slack'))('breakfix serve --http --demo (the compiled CLI)', () => {
  let fake: FakeSlackApi;
  let served: ServedWithFake;
  let bot: ServedBot;
  let base = '';

  beforeAll(async () => {
    served = await serveWithFakeSlack(['--demo'], { token: TOKEN, secret: SECRET });
    ({ fake, bot, base } = { ...served, base: served.bot.base });
  }, 30_000);

  afterAll(async () => {
    await served?.stop();
  });

  it('answers /healthz, runs a pass in a child process and posts the proposal; an approval executes it on the simulated executor', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ack = await postSigned(base, SECRET, slashBody(fake, 'pass'));
    expect(ack.status).toBe(200);
    await until(() => proposals(fake).length > 0, 30_000);
    const { call, ts } = proposals(fake)[0];
    expect(call.args.channel).toBe(OPS);
    await postSigned(base, SECRET, clickBody(fake, 'breakfix_approve', call, ts));
    await until(() => fake.of('chat.postMessage').some((c) => c.args.thread_ts === ts), 30_000);
    expect(JSON.stringify(fake.of('chat.update')[0].args.blocks)).toContain(`Approved by <@${APPROVER}>`);
    expect(String(fake.of('chat.postMessage').find((c) => c.args.thread_ts === ts)!.args.text)).toContain('execution: completed');
    expect(bot.stderr()).not.toContain(TOKEN);
    expect(bot.stderr()).not.toContain(SECRET);
  }, 60_000);

  it('a missing setting stops start-up with one line naming it', () => {
    const r = spawnSync(process.execPath, [cli, 'serve', '--http', '--demo'], { env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: TOKEN, BREAKFIX_CHANNEL: OPS, BREAKFIX_APPROVERS: APPROVER }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('breakfix serve: SLACK_SIGNING_SECRET: not set (HTTP mode verifies every request with it)\n');
  });
});
