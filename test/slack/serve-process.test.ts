/**
 * `breakfix serve` as the operator runs it: the compiled CLI in its own process, HTTP mode on
 * the demo fleet, passes in a child process, against the fake Slack API. Needs a build that
 * includes the bot (`npm test` builds first); skipped when `dist/` is older than `src/slack/`
 * (outside CI).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort } from '../../src/ssh/lab-sshd.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { builtFresh, cli, serveUntilExit, serveWithFakeSlack, startServedBot, until, type ServedBot, type ServedWithFake } from './served-bot.js';
import { APPROVER, clickBody, OPS, postSigned, proposals, slashBody } from './slack-requests.js';

const SECRET = 'process-test-secret-77';
const TOKEN = 'xoxb-process-test-token';

// In CI (`npm test` builds first) a stale build is a failure, not a reason to skip.
describe.skipIf(!builtFresh('slack') && !process.env.CI)('breakfix serve --http --demo (the compiled CLI)', () => {
  let fake: FakeSlackApi;
  let served: ServedWithFake;
  let bot: ServedBot;
  let base = '';

  beforeAll(async () => {
    served = await serveWithFakeSlack(['--demo', '--demo-speed', '300'], { token: TOKEN, secret: SECRET });
    ({ fake, bot, base } = { ...served, base: served.bot.base });
  }, 30_000);

  afterAll(async () => {
    await served?.stop();
  });

  it('answers /healthz, runs a pass in a child process and posts the proposal; an approval drains its hosts on the simulated executor, progress in the thread', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ack = await postSigned(base, SECRET, slashBody(fake, 'pass'));
    expect(ack.status).toBe(200);
    await until(() => proposals(fake).length > 0, 30_000);
    const { call, ts } = proposals(fake)[0];
    expect(call.args.channel).toBe(OPS);
    const click = await postSigned(base, SECRET, clickBody(fake, 'breakfix_approve', call, ts));
    expect(click.status).toBe(200);
    const thread = () => fake.of('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    await until(() => thread().some((c) => /^execution: /.test(String(c.args.text))), 60_000);
    expect(JSON.stringify(fake.of('chat.update').find((c) => c.args.ts === ts)!.args.blocks)).toContain(`Approved by <@${APPROVER}>`);
    const [progress, ...rest] = thread();
    expect(String(progress.args.text)).toMatch(/^Executing plan /);
    expect(rest.some((c) => /hosts? decommissioned/.test(String(c.args.text)))).toBe(true);
    expect(String(rest.at(-1)!.args.text)).toContain('execution: completed');
    expect(String(fake.of('chat.update').filter((c) => c.args.ts === progress.response.ts).at(-1)!.args.text)).toMatch(/: completed/);
    // status runs in the served process's worker pool, which posts the answer itself.
    expect((await postSigned(base, SECRET, slashBody(fake, 'status'))).status).toBe(200);
    await until(() => fake.of('chat.postEphemeral').some((c) => /^status\n/.test(String(c.args.text))), 30_000);
    expect(String(fake.of('chat.postEphemeral').find((c) => /^status\n/.test(String(c.args.text)))!.args.text)).toContain('not paused');
    expect(bot.stderr()).not.toContain(TOKEN);
    expect(bot.stderr()).not.toContain(SECRET);
  }, 90_000);

  it('a missing setting stops start-up with one line naming it', () => {
    const r = spawnSync(process.execPath, [cli, 'serve', '--http', '--demo'], { env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: TOKEN, BREAKFIX_CHANNEL: OPS, BREAKFIX_APPROVERS: APPROVER }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('breakfix serve: SLACK_SIGNING_SECRET: not set (HTTP mode verifies every request with it)\n');
  });

  it('a malformed slack: block in breakfix.yml stops start-up with one line naming the file, line and field', () => {
    const config = join(served.state, 'breakfix.yml');
    writeFileSync(config, 'datacenters:\n  dc1:\n    sources:\n      inventory: { path: i.tsv }\n      health: { path: h.tsv }\n      hdfs: { path: r.txt, kind: hdfs-report }\nslack:\n  channel: C0OPS0001\n  approvers:\n    dc1: { users: [steve] }\n');
    const r = spawnSync(process.execPath, [cli, 'serve', '--http', '--config', config], { env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^breakfix serve: ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:\\d+: slack\\.approvers\\.dc1\\.users\\[0\\]: expected a Slack user id such as U012AB3CD\n$`));
  });
});

describe.skipIf(!builtFresh('slack') && !process.env.CI)('breakfix serve start-up against Slack (the compiled CLI)', () => {
  let fake: FakeSlackApi;
  let state: string;
  const env = (over: Record<string, string>) => ({ SLACK_API_URL: fake.url, BREAKFIX_CHANNEL: OPS, BREAKFIX_APPROVERS: APPROVER, ...over });

  beforeAll(async () => {
    fake = new FakeSlackApi();
    await fake.start();
    fake.refusedTokens.add('xoxb-wrong').add('xapp-wrong');
    state = mkdtempSync(join(tmpdir(), 'breakfix-serve-start-'));
  });

  afterAll(async () => {
    await fake?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('a bot token Slack refuses (auth.test: invalid_auth) stops start-up with one line naming SLACK_BOT_TOKEN, exit 1', async () => {
    const r = await serveUntilExit(['--http', '--demo', '--port', '0', '--state', state], env({ SLACK_BOT_TOKEN: 'xoxb-wrong', SLACK_SIGNING_SECRET: SECRET }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('breakfix serve: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth): check the bot token (xoxb-…) of the app (OAuth & Permissions → Bot User OAuth Token)\n');
  }, 40_000);

  it('an app-level token Slack refuses in Socket Mode (apps.connections.open: invalid_auth) stops start-up with one line naming SLACK_APP_TOKEN, exit 1', async () => {
    const r = await serveUntilExit(['--demo', '--port', '0', '--state', state], env({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: 'xapp-wrong' }));
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    // Logs before it are JSON lines (Bolt logs the refusal too); the one line for a person is the last, and no stack trace.
    expect(lines.filter((l) => !l.startsWith('{'))).toEqual(['breakfix serve: SLACK_APP_TOKEN: Slack refused the token (invalid_auth): check the app-level token (xapp-…, scope connections:write) of the app (Basic Information → App-Level Tokens)']);
    expect(lines.at(-1)).toMatch(/^breakfix serve: SLACK_APP_TOKEN: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Bolt's lines name one component, the bot's, and say they are Bolt's.
    const logs = lines.filter((l) => l.startsWith('{'));
    expect(logs.some((l) => l.includes('"part":"bolt"'))).toBe(true);
    for (const l of logs) expect(l.match(/"component":/g) ?? []).toEqual(['"component":']);
  }, 40_000);

  it('a Slack it cannot reach (SLACK_API_URL on a closed port) stops start-up within 15 s with one line naming the URL and the cause, exit 1', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/api/`;
    const r = await serveUntilExit(['--http', '--demo', '--port', '0', '--state', state], env({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: closed }));
    expect(r.code).toBe(1);
    const port = new URL(closed).port;
    expect(r.stderr).toBe(`breakfix serve: cannot reach Slack at ${closed}: connect ECONNREFUSED 127.0.0.1:${port} (check SLACK_API_URL, the network and any proxy)\n`);
    expect(r.ms).toBeLessThan(15_000);
  }, 40_000);

  it('Socket Mode with --port 0 logs the port it really serves /healthz and /metrics on; its log lines are info, one component each', async () => {
    const bot = await startServedBot(['--demo', '--port', '0', '--state', state], env({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: 'xapp-process-test' }));
    try {
      const lines = bot.stderr().trimEnd().split('\n');
      const running = JSON.parse(lines.find((l) => l.includes('breakfix bot running'))!) as { level: number; port: number; msg: string };
      expect(running.port).toBeGreaterThan(0);
      expect(running.msg).toBe(`breakfix bot running (Socket Mode; /healthz and /metrics on :${running.port})`);
      expect(running.level).toBe(30);
      expect((await fetch(`http://127.0.0.1:${running.port}/healthz`)).status).toBe(200);
      for (const l of lines) expect(l.match(/"component":/g) ?? []).toHaveLength(1);
    } finally {
      await bot.stop();
    }
  }, 40_000);
});
