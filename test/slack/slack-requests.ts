/**
 * Requests as Slack sends them to a bot in HTTP mode: form bodies built from Slack's documented
 * samples (test/fixtures/slack/, see its PROVENANCE.md), signed with
 * `v0=HMAC-SHA256(signing secret, "v0:<ts>:<body>")`.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import type { FakeSlackApi, RecordedCall } from './fake-slack-api.js';

const samples = new Map<string, Record<string, unknown>>();

/**
 * One of Slack's documented samples in test/fixtures/slack/: read once, then a fresh copy per
 * call (callers may change it), so the bench's load generator does no file I/O per request.
 */
function sample(name: 'slash-command' | 'block-actions'): Record<string, unknown> {
  let s = samples.get(name);
  if (!s) samples.set(name, (s = JSON.parse(readFileSync(join(packageRoot(), 'test', 'fixtures', 'slack', `${name}.json`), 'utf8')) as Record<string, unknown>));
  return structuredClone(s);
}

export const OPS = 'C0OPS0001';
export const APPROVER = 'U0APPROVER';
export const STRANGER = 'U0STRANGER';

/** Slack's request signature (signing secret v0): `v0=` + hex HMAC-SHA256 of `v0:<ts>:<body>`, ts in seconds. */
export function sign(body: string, ts: number, secret: string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
}

/** The headers Slack sends with a form body: content type, `X-Slack-Request-Timestamp` (seconds) and `X-Slack-Signature`. */
export function signedHeaders(body: string, secret: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': sign(body, ts, secret),
  };
}

/** POST a signed form body to `<base>/slack/events`. */
export async function postSigned(base: string, secret: string, body: string, opts: { ts?: number; secret?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: { ...signedHeaders(body, opts.secret ?? secret, opts.ts), ...opts.headers },
    body,
  });
}

/** The path of the `response_url` {@link slashPayload} gives a command: the fake Slack API records posts to it as `response_url` calls. */
export const RESPONSE_PATH = '/commands/1234/5678';

/** A `/breakfix <text>` slash command body: Slack's sample with our channel (default the ops channel), user, command and text. */
export function slashBody(fake: Pick<FakeSlackApi, 'url'>, text: string, user = APPROVER, channel = OPS): string {
  return new URLSearchParams(slashPayload(fake, text, user, channel)).toString();
}

/** The fields of a `/breakfix <text>` slash command (as a Socket Mode envelope carries them); its `response_url` is on the fake ({@link RESPONSE_PATH}). */
export function slashPayload(fake: Pick<FakeSlackApi, 'url'>, text: string, user = APPROVER, channel = OPS): Record<string, string> {
  return { ...sample('slash-command'), channel_id: channel, channel_name: channel === OPS ? 'ops-breakfix' : 'directmessage', user_id: user, command: '/breakfix', text, response_url: `${fake.url.replace(/\/api\/$/, '')}${RESPONSE_PATH}` } as Record<string, string>;
}

/** A block_actions body for a click on the button `actionId` of a posted `message`: Slack's sample with our user, channel, message and button. */
export function clickBody(fake: FakeSlackApi, actionId: string, message: RecordedCall, messageTs: string, user = APPROVER): string {
  return new URLSearchParams({ payload: JSON.stringify(clickPayload(fake, actionId, message, messageTs, user)) }).toString();
}

/** The block_actions payload of {@link clickBody} (as a Socket Mode `interactive` envelope carries it). */
export function clickPayload(fake: FakeSlackApi, actionId: string, message: RecordedCall, messageTs: string, user = APPROVER): Record<string, unknown> {
  const blocks = message.args.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[];
  const block = blocks.find((b) => b.type === 'actions')!;
  const button = block.elements!.find((e) => e.action_id === actionId)!;
  const base = sample('block-actions') as { user: Record<string, unknown>; container: Record<string, unknown>; message: Record<string, unknown>; actions: Record<string, unknown>[] };
  return {
    ...base,
    user: { ...base.user, id: user },
    container: { ...base.container, message_ts: messageTs, channel_id: OPS },
    channel: { id: OPS, name: 'ops-breakfix' },
    message: { ...base.message, text: message.args.text, ts: messageTs, bot_id: 'BBOT0001', blocks },
    response_url: `${fake.url.replace(/\/api\/$/, '')}/actions/T0001/1234/abcd`,
    actions: [{ ...base.actions[0], ...button, block_id: block.block_id, action_ts: `${Date.now() / 1000}` }],
  };
}

/** The proposals (top-level messages with buttons) the bot posted, with their ts (posts Slack refused are not). */
export function proposals(fake: FakeSlackApi): { call: RecordedCall; ts: string; planId: string }[] {
  return fake.of('chat.postMessage')
    .filter((call) => call.response.ok === true && !call.args.thread_ts && (call.args.blocks as { type: string }[] | undefined)?.some((b) => b.type === 'actions'))
    .map((call) => {
      const actions = (call.args.blocks as { type: string; elements?: { value: string }[] }[]).find((b) => b.type === 'actions')!;
      return { call, ts: String(call.response.ts), planId: (JSON.parse(actions.elements![0].value) as { planId: string }).planId };
    });
}
