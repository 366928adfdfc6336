/**
 * The bot in HTTP mode, end to end on loopback: signed Slack requests in (slash command form
 * bodies, block_actions payloads shaped like Slack's), a fake Slack Web API recording what the
 * bot calls, the embedded demo fleet for passes, and the simulated executor for approvals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { PlanStore } from '../../src/plan/store.js';
import { createSlackApp, type SlackBot } from '../../src/slack/app.js';
import { APPROVE_ACTION, REJECT_ACTION } from '../../src/slack/messages.js';
import { FakeSlackApi, type RecordedCall } from './fake-slack-api.js';
import { APPROVER, clickBody as click, OPS, postSigned, proposals as posted, slashBody as slash, STRANGER } from './slack-requests.js';

const SECRET = 'test-signing-secret-8f2a';

let fake: FakeSlackApi;
let bot: SlackBot;
let base: string;
let state: string;
let passes = 0;
const logLines: string[] = [];

const post = (body: string, opts: { ts?: number; secret?: string; headers?: Record<string, string> } = {}) => postSigned(base, SECRET, body, opts);
const slashBody = (text: string, user = APPROVER) => slash(fake, text, user);
const clickBody = (actionId: string, message: RecordedCall, ts: string, user = APPROVER) => click(fake, actionId, message, ts, user);
const proposals = () => posted(fake);

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'breakfix-slack-'));
  fake = new FakeSlackApi();
  await fake.start();
  bot = createSlackApp({
    settings: { mode: 'http', botToken: 'xoxb-test-token', signingSecret: SECRET, slackApiUrl: fake.url, channel: OPS, approvers: { [DEMO_DC]: [APPROVER] } },
    common: { state },
    demo: true,
    defaultDc: DEMO_DC,
    datacenters: [DEMO_DC],
    port: 0,
    // In tests the pass runs in this process (the served binary runs it in a child process).
    runPass: async () => {
      passes++;
      const out = await runDemo({ scenario: 'proposals', stateDir: state, seed: 42 + passes });
      return { exitCode: out.exitCode, output: '' };
    },
    log: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
  });
  const { port } = await bot.start();
  base = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  rmSync(state, { recursive: true, force: true });
});

describe('breakfix serve --http', () => {
  it('answers /healthz', async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, mode: 'http', demo: true });
  });

  it('/breakfix help and an unknown subcommand get the usage, ephemerally, in the ack', async () => {
    const help = await post(slashBody('help'));
    expect(help.status).toBe(200);
    const body = (await help.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/breakfix pass');
    const unknown = (await (await post(slashBody('frobnicate now'))).json()) as { response_type: string; text: string };
    expect(unknown.response_type).toBe('ephemeral');
    expect(unknown.text).toContain('unknown subcommand "frobnicate"');
  });

  it('/breakfix pass is acknowledged at once; the proposal is posted to the ops channel when the pass is done', async () => {
    const t0 = Date.now();
    const r = await post(slashBody('pass'));
    const ackMs = Date.now() - t0;
    expect(r.status).toBe(200);
    expect(((await r.json()) as { text: string }).text).toContain(`running a pass for ${DEMO_DC}`);
    expect(ackMs).toBeLessThan(2500);
    await bot.idle();
    const [proposal] = proposals();
    expect(proposal).toBeDefined();
    expect(proposal.call.args.channel).toBe(OPS);
    expect(String(proposal.call.args.text)).toContain(DEMO_DC);
    expect(fake.of('auth.test').length).toBeGreaterThanOrEqual(1);
    expect(fake.unknown()).toEqual([]);
  });

  it('a request with a bad signature is refused with 401 and does nothing', async () => {
    const before = fake.calls.length;
    const r = await post(slashBody('pass'), { secret: 'not-the-secret' });
    expect(r.status).toBe(401);
    await bot.idle();
    expect(fake.calls.length).toBe(before);
  });

  it('a correctly signed request older than 5 minutes is refused with 401 (replay)', async () => {
    const before = fake.calls.length;
    const r = await post(slashBody('pass'), { ts: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(r.status).toBe(401);
    await bot.idle();
    expect(fake.calls.length).toBe(before);
  });

  it('a click by someone who is not an approver gets an ephemeral refusal and executes nothing', async () => {
    const { call, ts, planId } = proposals()[0];
    const r = await post(clickBody(APPROVE_ACTION, call, ts, STRANGER));
    expect(r.status).toBe(200);
    await bot.idle();
    const refusal = fake.of('chat.postEphemeral').at(-1)!;
    expect(refusal.args.user).toBe(STRANGER);
    expect(String(refusal.args.text)).toContain(`${STRANGER} is not an approver for ${DEMO_DC}`);
    expect(fake.of('chat.update')).toEqual([]);
    expect(new PlanStore(state).get(planId)!.state.state).toBe('proposed');
  });

  it('a double click by an approver executes the plan once; the message shows who approved, without buttons, and progress goes to the thread', async () => {
    const { call, ts, planId } = proposals()[0];
    const body = clickBody(APPROVE_ACTION, call, ts);
    const [a, b] = await Promise.all([post(body), post(body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await bot.idle();
    const updates = fake.of('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0].args.ts).toBe(ts);
    expect(JSON.stringify(updates[0].args.blocks)).toContain(`Approved by <@${APPROVER}>`);
    expect((updates[0].args.blocks as { type: string }[]).some((x) => x.type === 'actions')).toBe(false);
    const store = new PlanStore(state);
    expect(store.get(planId)!.state.state).toBe('completed');
    expect(store.journal(planId).filter((j) => j.kind === 'start')).toHaveLength(1);
    const thread = fake.of('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    expect(thread).toHaveLength(1);
    expect(String(thread[0].args.text)).toContain('execution: completed');
    const loser = fake.of('chat.postEphemeral').at(-1)!;
    expect(loser.args.user).toBe(APPROVER);
    expect(String(loser.args.text)).toMatch(/already|executing|approved/);
  });

  it('a Slack retry (X-Slack-Retry-Num) is acknowledged and not handled again', async () => {
    const { call, ts } = proposals()[0];
    const before = fake.calls.length;
    const click = await post(clickBody(APPROVE_ACTION, call, ts), { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(click.status).toBe(200);
    const cmd = await post(slashBody('pass'), { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    expect(cmd.status).toBe(200);
    await bot.idle();
    expect(fake.calls.length).toBe(before);
  });

  it('Reject on a new proposal moves it to rejected and removes the buttons', async () => {
    await post(slashBody(`pass ${DEMO_DC}`));
    await bot.idle();
    const { call, ts, planId } = proposals().at(-1)!;
    await post(clickBody(REJECT_ACTION, call, ts));
    await bot.idle();
    const update = fake.of('chat.update').at(-1)!;
    expect(update.args.ts).toBe(ts);
    expect(JSON.stringify(update.args.blocks)).toContain(`Rejected by <@${APPROVER}>`);
    expect(new PlanStore(state).get(planId)!.state.state).toBe('rejected');
  });

  it('status and show answer the person who asked, ephemerally, from the same command modules as the CLI', async () => {
    await post(slashBody('status'));
    await post(slashBody('show drain-candidates'));
    await bot.idle();
    const answers = fake.of('chat.postEphemeral').slice(-2);
    const status = answers.find((c) => String(c.args.text).startsWith('status'))!;
    expect(status.args.user).toBe(APPROVER);
    expect(String(status.args.text)).toContain(DEMO_DC);
    expect(String(status.args.text)).toContain('not paused');
    const show = answers.find((c) => String(c.args.text).startsWith('show drain-candidates'))!;
    expect(String(show.args.text)).toMatch(/drain-candidates/);
    expect(fake.unknown()).toEqual([]);
  });

  it('logs are structured and never contain the bot token or the signing secret', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('');
    expect(all).not.toContain('xoxb-test-token');
    expect(all).not.toContain(SECRET);
    expect(all).toContain('"component":"bolt"');
  });

  it('a datacenter argument that is not one the bot serves (or looks like a flag) is refused before any pass runs', async () => {
    const before = { passes, posts: fake.of('chat.postMessage').length };
    for (const text of ['pass --state=/tmp/elsewhere', 'pass dc9']) {
      const r = (await (await post(slashBody(text))).json()) as { text: string };
      expect(r.text).toContain('is not a datacenter this bot serves (demo-dc1)');
    }
    await bot.idle();
    expect({ passes, posts: fake.of('chat.postMessage').length }).toEqual(before);
  });

  it('pause is recorded with the Slack user who pulled it, shown by status, and lifted by resume', async () => {
    await post(slashBody('pause'));
    await bot.idle();
    const answer = fake.of('chat.postEphemeral').at(-1)!;
    expect(String(answer.args.text)).toContain(`demo-dc1 paused by ${APPROVER}`);
    expect(answer.args.user).toBe(APPROVER);
    await post(slashBody('status'));
    await bot.idle();
    expect(String(fake.of('chat.postEphemeral').at(-1)!.args.text)).toContain(`PAUSED by ${APPROVER}`);
    await post(slashBody('resume'));
    await bot.idle();
    expect(String(fake.of('chat.postEphemeral').at(-1)!.args.text)).toContain(`demo-dc1 resumed by ${APPROVER}`);
  });
});
