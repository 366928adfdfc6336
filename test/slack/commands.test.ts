/**
 * Read-only commands in the worker-thread pool `breakfix serve` uses give the same answers as
 * in this thread, and a command's error comes back as an error. The pool runs the compiled
 * worker (`npm test` builds first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { runReadCommand, startCommandPool, type CommandPool } from '../../src/slack/commands.js';
import { textMessage } from '../../src/slack/messages.js';
import { FakeSlackApi } from './fake-slack-api.js';

let state: string;
let pool: CommandPool;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'breakfix-pool-'));
  await runDemo({ scenario: 'proposals', stateDir: state, seed: 11 });
  pool = await startCommandPool(1);
}, 60_000);

afterAll(async () => {
  await pool?.close();
  rmSync(state, { recursive: true, force: true });
});

describe('the command pool', () => {
  it('answers status, show and why in a worker thread exactly as this thread does', async () => {
    for (const cmd of [
      { name: 'status', args: { state, dc: DEMO_DC } },
      { name: 'show', args: { state, dc: DEMO_DC, set: 'drain-candidates' } },
      { name: 'why', args: { state, dc: DEMO_DC, host: 'no-such-host.example.com' } },
    ] as const) {
      const there = await pool.run(cmd);
      expect(there).toEqual(await runReadCommand(cmd));
      expect(there.text.length).toBeGreaterThan(0);
    }
  });

  it('with Slack credentials, a worker runs the command and posts the answer itself, errors included', async () => {
    const fake = new FakeSlackApi();
    await fake.start();
    const answering = await startCommandPool(1, { botToken: 'xoxb-pool-test', slackApiUrl: fake.url });
    try {
      const ok = await answering.answer!({ name: 'status', args: { state, dc: DEMO_DC } }, { channel: 'C0OPS0001', user: 'U0ASKER', title: 'status' });
      expect(ok).toEqual({ exitCode: 0 });
      const bad = await answering.answer!({ name: 'show', args: { state: join(state, 'empty'), dc: DEMO_DC, set: 'all' } }, { channel: 'C0OPS0001', user: 'U0ASKER', title: 'show all' });
      expect(bad.error).toContain(`no pass for ${DEMO_DC} yet`);
      const [first, second] = fake.of('chat.postEphemeral');
      expect(first.args).toMatchObject({ channel: 'C0OPS0001', user: 'U0ASKER' });
      expect(String(first.args.text)).toBe(textMessage('status', (await runReadCommand({ name: 'status', args: { state, dc: DEMO_DC } })).text).text);
      expect(String(second.args.text)).toContain(`show all\n${bad.error}`);
      expect(fake.unknown()).toEqual([]);
    } finally {
      await answering.close();
      await fake.stop();
    }
  });

  it('where Slack refuses the ephemeral answer (a DM without the bot: channel_not_found), the worker answers through the command\'s response_url', async () => {
    const fake = new FakeSlackApi();
    await fake.start();
    fake.channelsWithoutBot.add('D0DIRECT01');
    const answering = await startCommandPool(1, { botToken: 'xoxb-pool-test', slackApiUrl: fake.url });
    try {
      const responseUrl = `${fake.url.replace(/\/api\/$/, '')}/commands/77/88`;
      const r = await answering.answer!({ name: 'status', args: { state, dc: DEMO_DC } }, { channel: 'D0DIRECT01', user: 'U0ASKER', title: 'status', responseUrl });
      expect(r).toEqual({ exitCode: 0 });
      expect(fake.of('chat.postEphemeral').map((c) => c.response)).toEqual([{ ok: false, error: 'channel_not_found' }]);
      const [answer] = fake.of('response_url');
      expect(answer.path).toBe('/commands/77/88');
      expect(answer.args).toMatchObject({ response_type: 'ephemeral', text: textMessage('status', (await runReadCommand({ name: 'status', args: { state, dc: DEMO_DC } })).text).text });
      // Without a response_url there is nowhere else to answer: the refusal comes back.
      await expect(answering.answer!({ name: 'status', args: { state, dc: DEMO_DC } }, { channel: 'D0DIRECT01', user: 'U0ASKER', title: 'status' })).rejects.toThrow('channel_not_found');
    } finally {
      await answering.close();
      await fake.stop();
    }
  });

  it('a command that throws rejects with its message', async () => {
    await expect(pool.run({ name: 'show', args: { state: join(state, 'empty'), dc: DEMO_DC, set: 'all' } })).rejects.toThrow(`no pass for ${DEMO_DC} yet`);
  });
});
