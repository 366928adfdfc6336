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
import { readFileSync, writeFileSync } from 'node:fs';
import { scaledClock } from '../../src/exec/simulated.js';
import { APPROVER, clickBody as click, OPS, postSigned, proposals as posted, RESPONSE_PATH, slashBody as slash, STRANGER } from './slack-requests.js';

/** Two more approvers of the demo datacenter (the two-person rule needs someone other than the requester). */
const SECOND = 'U0SECOND';
const THIRD = 'U0THIRD';
/** A Slack user group allowed to approve, and a member of it who is not in the user list. */
const ONCALL_GROUP = 'S0ONCALL';
const ONCALL = 'U0ONCALL';

const SECRET = 'test-signing-secret-8f2a';

let fake: FakeSlackApi;
let bot: SlackBot;
let base: string;
let state: string;
let passes = 0;
const logLines: string[] = [];
/** How far the bot's clock is ahead of the real one (expiry tests move it). */
let clockAheadMs = 0;

const post = (body: string, opts: { ts?: number; secret?: string; headers?: Record<string, string> } = {}) => postSigned(base, SECRET, body, opts);
const slashBody = (text: string, user = APPROVER, channel = OPS) => slash(fake, text, user, channel);
const clickBody = (actionId: string, message: RecordedCall, ts: string, user = APPROVER) => click(fake, actionId, message, ts, user);
const proposals = () => posted(fake);
/** Run `/breakfix pass` and wait for its proposal. */
async function newProposal() {
  const before = proposals().length;
  await post(slashBody('pass'));
  await bot.idle();
  expect(proposals().length).toBe(before + 1);
  return proposals().at(-1)!;
}
const state_ = (planId: string) => new PlanStore(state).get(planId)!.state.state;
const executions = (planId: string) => new PlanStore(state).journal(planId).filter((j) => j.kind === 'start').length;
const lastEphemeral = () => fake.of('chat.postEphemeral').at(-1)!;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'breakfix-slack-'));
  fake = new FakeSlackApi();
  await fake.start();
  fake.userGroups[ONCALL_GROUP] = [ONCALL, 'U0SOMEONE'];
  bot = createSlackApp({
    settings: { mode: 'http', botToken: 'xoxb-test-token', signingSecret: SECRET, slackApiUrl: fake.url, channel: OPS, approvers: { [DEMO_DC]: [APPROVER, SECOND, THIRD] }, approverGroups: { [DEMO_DC]: [ONCALL_GROUP] }, twoPersonMinHosts: 5, planTtlMs: 30 * 60_000 },
    common: { state },
    demo: true,
    defaultDc: DEMO_DC,
    datacenters: [DEMO_DC],
    port: 0,
    // In tests the pass runs in this process (the served binary runs it in a child process).
    runPass: async (_dc, requestedBy) => {
      passes++;
      const out = await runDemo({ scenario: 'proposals', stateDir: state, seed: 42 + passes, requestedBy });
      return { exitCode: out.exitCode, output: '' };
    },
    log: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    now: () => new Date(Date.now() + clockAheadMs),
    // The simulated drain at 600× real time (a 30 s NameNode poll every 50 ms), progress flushed every 100 ms.
    demoClock: () => scaledClock(600),
    progressThrottleMs: 100,
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

  it('a correctly signed command whose response_url is not an http(s) URL is refused in the ack, and nothing runs', async () => {
    const before = fake.calls.length;
    const body = slashBody('status').replace(/response_url=[^&]*/, `response_url=${encodeURIComponent('file:///etc/passwd')}`);
    const r = await post(body);
    expect(r.status).toBe(200);
    const ack = (await r.json()) as { response_type: string; text: string };
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/^breakfix could not read this command \(response_url: .*\); nothing was done$/);
    await new Promise((done) => setTimeout(done, 300));
    expect(fake.calls.length).toBe(before);
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

  it('a Slack retry (X-Slack-Retry-Num) of a click or a command is acknowledged and not handled again', async () => {
    const { call, ts, planId } = proposals()[0];
    const before = fake.calls.length;
    const click = await post(clickBody(APPROVE_ACTION, call, ts, SECOND), { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(click.status).toBe(200);
    const cmd = await post(slashBody('pass'), { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    expect(cmd.status).toBe(200);
    await bot.idle();
    expect(fake.calls.length).toBe(before);
    expect(state_(planId)).toBe('proposed');
    expect(executions(planId)).toBe(0);
  });

  it('two-person rule: the approver who ran the pass cannot approve its plan of 5 or more hosts alone', async () => {
    const { call, ts, planId } = proposals()[0];
    await post(clickBody(APPROVE_ACTION, call, ts, APPROVER));
    await bot.idle();
    expect(lastEphemeral().args.user).toBe(APPROVER);
    expect(String(lastEphemeral().args.text)).toMatch(new RegExp(`two-person rule: ${APPROVER} requested this plan of \\d+ hosts \\(≥ 5\\), so someone else must approve it`));
    expect(fake.of('chat.update')).toEqual([]);
    expect(state_(planId)).toBe('proposed');
    expect(executions(planId)).toBe(0);
  });

  it('an expired plan (older than the 30 min TTL at click time) is refused and moved to expired', async () => {
    const { call, ts, planId } = proposals()[0];
    clockAheadMs = 31 * 60_000;
    try {
      await post(clickBody(APPROVE_ACTION, call, ts, SECOND));
      await bot.idle();
    } finally {
      clockAheadMs = 0;
    }
    expect(lastEphemeral().args.user).toBe(SECOND);
    expect(String(lastEphemeral().args.text)).toContain('the plan expired: proposed at');
    expect(fake.of('chat.update')).toEqual([]);
    expect(state_(planId)).toBe('expired');
    expect(executions(planId)).toBe(0);
  });

  it('a stale plan (a proposed host got a ticket between proposal and click) is refused with what changed', async () => {
    const { call, ts, planId } = await newProposal();
    const plan = new PlanStore(state).get(planId)!;
    const host = plan.plan.actions.find((a) => a.action === 'drain')!.host;
    const inventory = join(state, 'sources', 'proposals', 'inventory.tsv');
    const original = readFileSync(inventory, 'utf8');
    writeFileSync(inventory, original.split('\n').map((l) => (l.startsWith(`${host}\t`) ? l.split('\t').map((f, i) => (i === 7 ? 'OPS-4242' : f)).join('\t') : l)).join('\n'));
    try {
      await post(clickBody(APPROVE_ACTION, call, ts, SECOND));
      await bot.idle();
    } finally {
      writeFileSync(inventory, original);
    }
    const refusal = String(lastEphemeral().args.text);
    expect(lastEphemeral().args.user).toBe(SECOND);
    expect(refusal).toContain('the facts changed since the plan was proposed; nothing approved');
    expect(refusal).toContain(host);
    expect(state_(planId)).toBe('proposed');
    expect(executions(planId)).toBe(0);
    expect(new PlanStore(state).decisions(planId).at(-1)).toMatchObject({ user: SECOND, outcome: 'stale' });
  });

  it('a double click by an approver executes the plan once; the message shows who approved, without buttons; progress goes to the thread as it happens', async () => {
    const { call, ts, planId } = await newProposal();
    const hosts = new PlanStore(state).get(planId)!.plan.actions.length;
    const body = clickBody(APPROVE_ACTION, call, ts, SECOND);
    const [a, b] = await Promise.all([post(body), post(body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await bot.idle();
    const updates = fake.of('chat.update').filter((c) => c.args.ts === ts);
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0].args.blocks)).toContain(`Approved by <@${SECOND}>`);
    expect((updates[0].args.blocks as { type: string }[]).some((x) => x.type === 'actions')).toBe(false);
    expect(state_(planId)).toBe('completed');
    expect(executions(planId)).toBe(1);

    // The thread: one progress message, updated in place while the drain runs, a message per
    // batch of hosts reaching a phase, and the outcome last: a handful of posts, not one per event.
    const start = fake.calls.indexOf(updates[0]);
    const thread = fake.calls.slice(start + 1).filter((c) => c.args.thread_ts === ts || c.method === 'chat.update');
    expect(thread[0].method).toBe('chat.postMessage');
    expect(String(thread[0].args.text)).toContain(`Executing plan ${planId}`);
    const progressTs = String(thread[0].response.ts);
    const progressUpdates = thread.filter((c) => c.method === 'chat.update' && c.args.ts === progressTs);
    expect(progressUpdates.some((c) => /decommissioning/.test(JSON.stringify(c.args.blocks)))).toBe(true);
    expect(String(progressUpdates.at(-1)!.args.text)).toContain(`Execution of plan ${planId}: completed`);
    const posts = thread.filter((c) => c.method === 'chat.postMessage');
    expect(posts.some((c) => /hosts? excluded/.test(String(c.args.text)))).toBe(true);
    expect(posts.some((c) => /hosts? decommissioned/.test(String(c.args.text)))).toBe(true);
    expect(String(posts.at(-1)!.args.text)).toContain('execution: completed');
    expect(posts.length).toBeLessThan(hosts + 2);
    const journaled = new PlanStore(state).journal(planId).filter((j) => j.kind === 'event').length;
    expect(posts.length + progressUpdates.length).toBeLessThan(journaled);

    const loser = lastEphemeral();
    expect(loser.args.user).toBe(SECOND);
    expect(String(loser.args.text)).toMatch(new RegExp(`already (approved|executing|completed) by ${SECOND}`));
  });

  it('two approvers clicking at once: the plan executes once and the loser is told who won', async () => {
    const { call, ts, planId } = await newProposal();
    const ephemeralBefore = fake.of('chat.postEphemeral').length;
    await Promise.all([post(clickBody(APPROVE_ACTION, call, ts, SECOND)), post(clickBody(APPROVE_ACTION, call, ts, THIRD))]);
    await bot.idle();
    expect(executions(planId)).toBe(1);
    expect(state_(planId)).toBe('completed');
    const updates = fake.of('chat.update').filter((c) => c.args.ts === ts);
    expect(updates).toHaveLength(1);
    const winner = /Approved by <@(U0SECOND|U0THIRD)>/.exec(JSON.stringify(updates[0].args.blocks))![1];
    const loser = winner === SECOND ? THIRD : SECOND;
    const told = fake.of('chat.postEphemeral').slice(ephemeralBefore);
    expect(told).toHaveLength(1);
    expect(told[0].args.user).toBe(loser);
    expect(String(told[0].args.text)).toMatch(new RegExp(`already (approved|executing|completed) by ${winner}`));
  });

  it('a member of an approver user group may approve: membership is read with usergroups.users.list at click time', async () => {
    const { call, ts, planId } = await newProposal();
    const asked = fake.of('usergroups.users.list').length;
    await post(clickBody(APPROVE_ACTION, call, ts, ONCALL));
    await bot.idle();
    expect(fake.of('usergroups.users.list').slice(asked).map((c) => c.args.usergroup)).toEqual([ONCALL_GROUP]);
    expect(JSON.stringify(fake.of('chat.update').find((c) => c.args.ts === ts)!.args.blocks)).toContain(`Approved by <@${ONCALL}>`);
    expect(state_(planId)).toBe('completed');
    expect(executions(planId)).toBe(1);
    expect(fake.unknown()).toEqual([]);
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
    expect(all).toContain('"part":"bolt"');
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

  it('a bot not invited to the ops channel cannot post the proposal: the user who ran /breakfix pass is told through the command\'s response_url, with what to do', async () => {
    fake.channelsWithoutBot.add(OPS);
    try {
      const before = { responses: fake.of('response_url').length, proposals: proposals().length };
      const ack = (await (await post(slashBody('pass'))).json()) as { text: string };
      expect(ack.text).toContain(`the proposal will be posted in <#${OPS}>`);
      await bot.idle();
      expect(fake.of('chat.postMessage').at(-1)!.response).toEqual({ ok: false, error: 'not_in_channel' });
      expect(proposals().length).toBe(before.proposals);
      const told = fake.of('response_url').slice(before.responses);
      expect(told).toHaveLength(1);
      expect(told[0].path).toBe(RESPONSE_PATH);
      expect(told[0].args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(String(told[0].args.text)).toBe(`I could not post the proposal in <#${OPS}>: the bot is not in that channel (not_in_channel). Invite it with \`/invite @breakfix\` in <#${OPS}> and run \`/breakfix pass\` again.`);
    } finally {
      fake.channelsWithoutBot.delete(OPS);
    }
  });

  it('/breakfix status run in a DM without the bot (chat.postEphemeral: channel_not_found) is answered through the response_url', async () => {
    const dm = 'D0DIRECT01';
    fake.channelsWithoutBot.add(dm);
    try {
      const before = fake.of('response_url').length;
      await post(slashBody('status', APPROVER, dm));
      await bot.idle();
      expect(fake.of('chat.postEphemeral').at(-1)!.args.channel).toBe(dm);
      expect(fake.of('chat.postEphemeral').at(-1)!.response).toEqual({ ok: false, error: 'channel_not_found' });
      const answers = fake.of('response_url').slice(before);
      expect(answers).toHaveLength(1);
      expect(String(answers[0].args.text)).toMatch(new RegExp(`^status\n${DEMO_DC}\n`));
      expect(answers[0].args.response_type).toBe('ephemeral');
    } finally {
      fake.channelsWithoutBot.delete(dm);
    }
  });
});
