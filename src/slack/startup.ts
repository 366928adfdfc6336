/**
 * What `breakfix serve` checks of Slack before it says it is running, and how a failure reads:
 * one line naming the setting (STYLE.md: errors say what to do), never a Web API stack trace.
 *
 * - The bot token is checked with `auth.test` on a client of its own with a short retry policy
 *   ({@link START_RETRY}): Bolt's own client retries a failed request for about 30 minutes
 *   (`tenRetriesInAboutThirtyMinutes`), which is right for a message but leaves a bot that
 *   cannot reach Slack neither started nor stopped.
 * - A refused app-level token comes from Socket Mode's `apps.connections.open` when the bot
 *   connects ({@link appTokenError}).
 */
import { webApi, type Logger as BoltLogger } from '@slack/bolt';
import { slackErrorCode } from './respond.js';
import { SettingsError, type SlackSettings } from './settings.js';

/** Slack's Web API base URL when `SLACK_API_URL` does not name another. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * Retries of the start-up check (p-retry options, ms): 3 attempts, 1 s then 2 s apart, each
 * given at most {@link START_ATTEMPT_TIMEOUT_MS}; at most ~15 s in all before start-up fails.
 */
export const START_RETRY = { retries: 2, factor: 2, minTimeout: 1_000, maxTimeout: 2_000, randomize: false } as const;

/** How long one attempt of the start-up check may take, ms (an address that never answers). */
export const START_ATTEMPT_TIMEOUT_MS = 4_000;

/**
 * Check that Slack at `settings.slackApiUrl` (default {@link DEFAULT_SLACK_API_URL}) accepts the
 * bot token (`auth.test`, https://docs.slack.dev/reference/methods/auth.test), retrying as
 * {@link START_RETRY} says. Resolves with the bot's user and bot ids.
 * @throws SettingsError `SLACK_BOT_TOKEN: Slack refused the token (<code>): …` when Slack answers
 *   with an error, or `cannot reach Slack at <url>: <cause>` when no attempt got an answer.
 */
export async function checkBotToken(settings: Pick<SlackSettings, 'botToken' | 'slackApiUrl'>, log?: BoltLogger, retryConfig: webApi.RetryOptions = START_RETRY): Promise<{ userId?: string; botId?: string }> {
  const url = settings.slackApiUrl ?? DEFAULT_SLACK_API_URL;
  const client = new webApi.WebClient(settings.botToken, {
    slackApiUrl: url, retryConfig, timeout: START_ATTEMPT_TIMEOUT_MS,
    // Each failed attempt is logged by the client ("http request failed"); the outcome is the one line.
    ...(log ? { logger: log } : { logLevel: webApi.LogLevel.ERROR }),
  });
  try {
    const r = await client.auth.test();
    return { ...(r.user_id ? { userId: r.user_id } : {}), ...(r.bot_id ? { botId: r.bot_id } : {}) };
  } catch (e) {
    const code = slackErrorCode(e);
    if (code) throw new SettingsError(`SLACK_BOT_TOKEN: Slack refused the token (${code}): check the bot token (xoxb-…) of the app (OAuth & Permissions → Bot User OAuth Token)`);
    throw unreachable(url, e);
  }
}

/**
 * The one line for an error of Socket Mode's connection start (`apps.connections.open`,
 * https://docs.slack.dev/reference/methods/apps.connections.open): a refusal names
 * `SLACK_APP_TOKEN`, a request that got no answer names the URL. Undefined for other errors.
 */
export function appTokenError(e: unknown, slackApiUrl: string = DEFAULT_SLACK_API_URL): SettingsError | undefined {
  const code = slackErrorCode(e);
  if (code) return new SettingsError(`SLACK_APP_TOKEN: Slack refused the token (${code}): check the app-level token (xapp-…, scope connections:write) of the app (Basic Information → App-Level Tokens)`);
  if ((e as { code?: unknown } | undefined)?.code === webApi.ErrorCode.RequestError) return unreachable(slackApiUrl, e);
  return undefined;
}

/** `cannot reach Slack at <url>: <cause>`, the cause being the innermost error's message (`connect ECONNREFUSED 127.0.0.1:9`). */
function unreachable(url: string, e: unknown): SettingsError {
  let cause: unknown = (e as { original?: unknown }).original ?? e;
  while ((cause as { cause?: unknown }).cause instanceof Error) cause = (cause as { cause: Error }).cause;
  const message = cause instanceof Error ? (cause.name === 'TimeoutError' ? `no answer in ${START_ATTEMPT_TIMEOUT_MS / 1000} s` : cause.message) : String(cause);
  return new SettingsError(`cannot reach Slack at ${url}: ${message} (check SLACK_API_URL, the network and any proxy)`);
}
