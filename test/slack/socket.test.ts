/**
 * Socket Mode (the default): the bot opens its connection through `apps.connections.open` on the
 * fake Slack API, answers /healthz on its own port, and acknowledges a slash command envelope
 * with the usage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { createSlackApp, type SlackBot } from '../../src/slack/app.js';
import { FakeSlackApi } from './fake-slack-api.js';

let fake: FakeSlackApi;
let bot: SlackBot;
let port: number;
let state: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((done) => s.close(() => done()));
  return p;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'breakfix-socket-'));
  fake = new FakeSlackApi();
  await fake.start();
  port = await freePort();
  bot = createSlackApp({
    settings: { mode: 'socket', botToken: 'xoxb-test-token', appToken: 'xapp-test-token', slackApiUrl: fake.url, channel: 'C0OPS0001', approvers: { '*': ['U0APPROVER'] } },
    common: { state }, demo: true, defaultDc: DEMO_DC, port,
    runPass: async () => ({ exitCode: 0, output: '' }),
    log: pino({ level: 'silent' }),
  });
  await bot.start();
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  rmSync(state, { recursive: true, force: true });
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
    fake.pushEnvelope({
      envelope_id: 'c5b3b2d6-0c5d-4d2a-9f0b-0d3b1d3c7e11', type: 'slash_commands', accepts_response_payload: true,
      payload: {
        token: 'x', team_id: 'T0001', team_domain: 'example', channel_id: 'C0OPS0001', channel_name: 'ops', user_id: 'U0APPROVER', user_name: 'steve',
        command: '/breakfix', text: 'help', api_app_id: 'A123456', is_enterprise_install: 'false', response_url: `${fake.url}x`, trigger_id: '1.2.3',
      },
    });
    await until(() => fake.socketReplies.length > 0);
    const reply = fake.socketReplies[0] as { envelope_id: string; payload: { response_type: string; text: string } };
    expect(reply.envelope_id).toBe('c5b3b2d6-0c5d-4d2a-9f0b-0d3b1d3c7e11');
    expect(reply.payload.response_type).toBe('ephemeral');
    expect(reply.payload.text).toContain('/breakfix pass');
  });
});
