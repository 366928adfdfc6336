/**
 * The bot's settings, from the environment, checked once at start-up (zod). A missing or
 * malformed setting stops `breakfix serve` with one line naming it ({@link SettingsError}).
 *
 *     SLACK_BOT_TOKEN        xoxb-…   always
 *     SLACK_APP_TOKEN        xapp-…   Socket Mode (the default)
 *     SLACK_SIGNING_SECRET            HTTP mode (--http): Bolt verifies every request with it
 *     SLACK_API_URL                   optional Web API base URL (tests, proxies), ending in /
 *     BREAKFIX_CHANNEL       C…       the ops channel (scheduled summaries, proposals)
 *     BREAKFIX_APPROVERS              who may approve: `U1,U2` for every datacenter, or
 *                                     `dc1=U1,U2;dc2=U3` per datacenter (Slack user ids)
 *     BREAKFIX_TWO_PERSON_MIN_HOSTS   optional: plans this large need an approver other than the requester
 */
import { z } from 'zod';
import { DC_NAME } from '../config/config.js';

/** A setting that stops start-up; `message` is the one line to print. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** How the bot talks to Slack. */
export type SlackMode = 'socket' | 'http';

/** Checked settings. */
export interface SlackSettings {
  mode: SlackMode;
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  slackApiUrl?: string;
  channel: string;
  /** Datacenter → approvers (Slack user ids). `*` applies to every datacenter without its own entry. */
  approvers: Record<string, string[]>;
  twoPersonMinHosts?: number;
}

const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U012AB3CD');
const dcName = z.string().regex(DC_NAME, 'a datacenter name (lower case letters, digits, _ . -)');

/** Parse `U1,U2` or `dc1=U1,U2;dc2=U3`. */
export const ApproversSchema = z.string().min(1, 'at least one approver').transform((s, ctx) => {
  const out: Record<string, string[]> = {};
  for (const part of s.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [dc, users] = part.includes('=') ? part.split('=', 2) : ['*', part];
    const ids = users.split(',').map((u) => u.trim()).filter(Boolean);
    if (dc !== '*' && !dcName.safeParse(dc.trim()).success) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(dc)} is not a datacenter name` });
      return z.NEVER;
    }
    const bad = ids.find((u) => !userId.safeParse(u).success);
    if (bad !== undefined || ids.length === 0) {
      ctx.addIssue({ code: 'custom', message: bad !== undefined ? `${JSON.stringify(bad)} is not a Slack user id (U012AB3CD)` : `no approver for ${dc}` });
      return z.NEVER;
    }
    out[dc.trim()] = ids;
  }
  if (Object.keys(out).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one approver' });
    return z.NEVER;
  }
  return out;
});

const EnvSchema = z.object({
  SLACK_BOT_TOKEN: z.string({ error: 'not set (the bot token, xoxb-…)' }).startsWith('xoxb-', 'expected a bot token starting with xoxb-'),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1, 'empty').optional(),
  SLACK_API_URL: z.url('expected a URL such as https://slack.com/api/').optional(),
  BREAKFIX_CHANNEL: z.string({ error: 'not set (the ops channel id, C…)' }).regex(/^[CG][A-Z0-9]{2,}$/, 'expected a channel id such as C012AB3CD'),
  BREAKFIX_APPROVERS: z.string({ error: 'not set (approvers: U1,U2 or dc1=U1,U2;dc2=U3)' }).pipe(ApproversSchema),
  BREAKFIX_TWO_PERSON_MIN_HOSTS: z.coerce.number().int().min(1, 'expected a whole number ≥ 1').optional(),
});

/**
 * Check the environment for `mode`. @throws SettingsError with one line naming the first bad
 * setting and what was expected.
 */
export function loadSettings(mode: SlackMode, env: NodeJS.ProcessEnv = process.env): SlackSettings {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = EnvSchema.safeParse(clean);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SettingsError(`${String(issue.path[0] ?? 'settings')}: ${issue.message}`);
  }
  const e = r.data;
  if (mode === 'socket' && !e.SLACK_APP_TOKEN) throw new SettingsError('SLACK_APP_TOKEN: not set (Socket Mode needs the app-level token, xapp-…; or run with --http)');
  if (mode === 'http' && !e.SLACK_SIGNING_SECRET) throw new SettingsError('SLACK_SIGNING_SECRET: not set (HTTP mode verifies every request with it)');
  const apiUrl = e.SLACK_API_URL && !e.SLACK_API_URL.endsWith('/') ? `${e.SLACK_API_URL}/` : e.SLACK_API_URL;
  return {
    mode,
    botToken: e.SLACK_BOT_TOKEN,
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    channel: e.BREAKFIX_CHANNEL,
    approvers: e.BREAKFIX_APPROVERS,
    ...(e.BREAKFIX_TWO_PERSON_MIN_HOSTS ? { twoPersonMinHosts: e.BREAKFIX_TWO_PERSON_MIN_HOSTS } : {}),
  };
}

/** The approvers of `dc` (its own entry, else `*`), never undefined. */
export function approversOf(settings: Pick<SlackSettings, 'approvers'>, dc: string): string[] {
  return settings.approvers[dc] ?? settings.approvers['*'] ?? [];
}

/** Check that every datacenter the bot serves has approvers. @throws SettingsError naming the first without. */
export function requireApprovers(settings: Pick<SlackSettings, 'approvers'>, datacenters: readonly string[]): void {
  const missing = datacenters.find((dc) => approversOf(settings, dc).length === 0);
  if (missing) throw new SettingsError(`BREAKFIX_APPROVERS: no approver for datacenter ${missing} (add ${missing}=U… or a list for every datacenter)`);
}
