/**
 * Requests as Slack sends them to a bot in HTTP mode: form bodies shaped like Slack's own
 * samples, signed with `v0=HMAC-SHA256(signing secret, "v0:<ts>:<body>")`.
 * Slash command: https://docs.slack.dev/interactivity/implementing-slash-commands
 * block_actions: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
import { createHmac } from 'node:crypto';
import type { FakeSlackApi, RecordedCall } from './fake-slack-api.js';

export const OPS = 'C0OPS0001';
export const APPROVER = 'U0APPROVER';
export const STRANGER = 'U0STRANGER';

export function sign(body: string, ts: number, secret: string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
}

/** POST a signed form body to `<base>/slack/events`. */
export async function postSigned(base: string, secret: string, body: string, opts: { ts?: number; secret?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': sign(body, ts, opts.secret ?? secret),
      ...opts.headers,
    },
    body,
  });
}

/** A `/breakfix <text>` slash command body. */
export function slashBody(fake: FakeSlackApi, text: string, user = APPROVER): string {
  return new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO', team_id: 'T0001', team_domain: 'example', enterprise_id: 'E0001', enterprise_name: 'Globular Construct Inc',
    channel_id: OPS, channel_name: 'ops-breakfix', user_id: user, user_name: 'Steve', command: '/breakfix', text,
    response_url: `${fake.url.replace(/\/api\/$/, '')}/commands/1234/5678`, trigger_id: '13345224609.738474920.8088930838d88f008e0', api_app_id: 'A123456',
  }).toString();
}

/** A block_actions body for a click on the button `actionId` of a posted `message`. */
export function clickBody(fake: FakeSlackApi, actionId: string, message: RecordedCall, messageTs: string, user = APPROVER): string {
  const blocks = message.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
  const button = blocks.find((b) => b.type === 'actions')!.elements!.find((e) => e.action_id === actionId)!;
  const payload = {
    type: 'block_actions',
    user: { id: user, username: 'steve', name: 'steve', team_id: 'T0001' },
    api_app_id: 'A123456', token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    container: { type: 'message', message_ts: messageTs, channel_id: OPS, is_ephemeral: false },
    trigger_id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
    team: { id: 'T0001', domain: 'example' }, enterprise: null, is_enterprise_install: false,
    channel: { id: OPS, name: 'ops-breakfix' },
    message: { type: 'message', subtype: 'bot_message', text: message.args.text, ts: messageTs, bot_id: 'BBOT0001', blocks },
    state: { values: {} },
    response_url: `${fake.url.replace(/\/api\/$/, '')}/actions/T0001/1234/abcd`,
    actions: [{ ...button, block_id: 'breakfix_decision', action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The proposals (top-level messages with buttons) the bot posted, with their ts. */
export function proposals(fake: FakeSlackApi): { call: RecordedCall; ts: string; planId: string }[] {
  return fake.of('chat.postMessage')
    .filter((call) => !call.args.thread_ts && (call.args.blocks as { type: string }[] | undefined)?.some((b) => b.type === 'actions'))
    .map((call) => {
      const actions = (call.args.blocks as { type: string; elements?: { value: string }[] }[]).find((b) => b.type === 'actions')!;
      return { call, ts: String(call.response.ts), planId: (JSON.parse(actions.elements![0].value) as { planId: string }).planId };
    });
}
