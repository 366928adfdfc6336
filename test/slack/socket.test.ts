/**
 * Socket Mode (the default), end to end: the bot opens its connection through
 * `apps.connections.open` on the fake Slack API, answers /healthz on its own port, acknowledges
 * every envelope by its id (a slash command's ack carries the reply), and an Approve click
 * delivered as an `interactive` envelope executes the plan on the simulated executor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { PlanStore } from '../../src/plan/store.js';
import type { SlackBot } from '../../src/slack/app.js';
import { APPROVE_ACTION } from '../../src/slack/messages.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { APPROVER, clickPayload, proposals, slashPayload } from './slack-requests.js';
import { startSocketBot, type SocketBot } from './socket-bot.js';

let fake: FakeSlackApi;
let bot: SlackBot;
let port: number;
let state: string;
let envelopes = 0;

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Push an envelope and wait for the bot's ack of it (by envelope id). */
async function deliver(type: 'slash_commands' | 'interactive', payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = `0c7e11a4-${String(++envelopes).padStart(4, '0')}-4d2a-9f0b-0d3b1d3c7e11`;
  fake.pushEnvelope({ envelope_id: id, type, accepts_response_payload: type === 'slash_commands', payload });
  await until(() => fake.socketReplies.some((r) => r.envelope_id === id));
  return fake.socketReplies.find((r) => r.envelope_id === id)!;
}

let served: SocketBot;

beforeAll(async () => {
  served = await startSocketBot({
    prefix: 'breakfix-socket-',
    approver: APPROVER,
    runPass: (dir) => async (_dc, requestedBy) => ({ exitCode: (await runDemo({ scenario: 'proposals', stateDir: dir, seed: 5, requestedBy })).exitCode, output: '' }),
  });
  ({ fake, bot, port, state } = served);
}, 30_000);

afterAll(async () => {
  await served?.stop();
});

describe('breakfix serve (Socket Mode)', () => {
  it('connects through apps.connections.open with the app token and answers /healthz', async () => {
    expect(fake.of('apps.connections.open')).toHaveLength(1);
    expect(fake.connections).toBe(1);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, mode: 'socket' });
  });

  it('acknowledges a slash command envelope with the usage', async () => {
    const ack = (await deliver('slash_commands', slashPayload(fake, 'help'))) as { payload: { response_type: string; text: string } };
    expect(ack.payload.response_type).toBe('ephemeral');
    expect(ack.payload.text).toContain('/breakfix pass');
  });

  it('/breakfix pass is acknowledged at once; an Approve click envelope is acknowledged and executes the plan once', async () => {
    const ack = (await deliver('slash_commands', slashPayload(fake, 'pass'))) as { payload: { text: string } };
    expect(ack.payload.text).toContain(`running a pass for ${DEMO_DC}`);
    await until(() => proposals(fake).length === 1, 30_000);
    const { call, ts, planId } = proposals(fake)[0];
    const clickAck = await deliver('interactive', clickPayload(fake, APPROVE_ACTION, call, ts));
    expect(clickAck.payload ?? {}).toEqual({});
    await bot.idle();
    expect(JSON.stringify(fake.of('chat.update').find((c) => c.args.ts === ts)!.args.blocks)).toContain(`Approved by <@${APPROVER}>`);
    const store = new PlanStore(state);
    expect(store.get(planId)!.state.state).toBe('completed');
    expect(store.journal(planId).filter((j) => j.kind === 'start')).toHaveLength(1);
    expect(String(fake.of('chat.postMessage').filter((c) => c.args.thread_ts === ts).at(-1)!.args.text)).toContain('execution: completed');
    expect(fake.unknown()).toEqual([]);
  }, 60_000);
});
