/**
 * Answering the person who ran a slash command where the bot itself cannot post: through the
 * command's `response_url`, which Slack gives every slash command and which works in any
 * channel or DM, the bot a member or not. Slack accepts up to 5 responses to one `response_url`
 * within 30 minutes of the command
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses); the bot
 * sends at most one per command besides its acknowledgement.
 *
 * No Bolt here: the worker threads that answer read-only commands use it too.
 */
import type { SlackMessage } from './messages.js';

/** How long Slack may take to accept a response, ms. */
export const RESPONSE_URL_TIMEOUT_MS = 10_000;

/**
 * The error code of a Slack Web API refusal (`{ ok: false, error }`, thrown by the Web API client
 * as a `WebAPIPlatformError`: `code` `slack_webapi_platform_error`, `data.error` the code), or
 * undefined when `e` is another error (the network, a timeout).
 */
export function slackErrorCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; data?: { error?: unknown } } | undefined;
  return err?.code === 'slack_webapi_platform_error' && typeof err.data?.error === 'string' ? err.data.error : undefined;
}

/**
 * Why the bot cannot post in a channel, in words, for the refusals that mean it is not there
 * (`not_in_channel`, `channel_not_found`: https://docs.slack.dev/reference/methods/chat.postMessage#errors);
 * undefined for other codes.
 */
export function notInChannelReason(code: string | undefined): string | undefined {
  if (code === 'not_in_channel') return 'the bot is not in that channel';
  if (code === 'channel_not_found') return 'the bot cannot see that channel (a private channel or a DM it is not in)';
  return undefined;
}

/**
 * Post `msg` to `responseUrl` as an ephemeral message to the person who ran the command, next
 * to the conversation (`replace_original: false`).
 * @throws Error `response_url answered HTTP <status>: <body>` when Slack does not accept it
 *   (an expired URL, its 5 uses spent), or the network error.
 */
export async function respondEphemeral(responseUrl: string, msg: SlackMessage): Promise<void> {
  const r = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: msg.text, blocks: msg.blocks }),
    signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
  });
  const body = await r.text();
  if (!r.ok) throw new Error(`response_url answered HTTP ${r.status}: ${body.slice(0, 200)}`);
}
