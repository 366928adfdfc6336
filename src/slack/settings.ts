/**
 * The bot's settings, from the environment and the `slack:` block of `breakfix.yml`
 * (src/config/slack.ts), checked once at start-up (zod). A missing or malformed setting stops
 * `breakfix serve` with one line naming it ({@link SettingsError}). `BREAKFIX_CHANNEL` and
 * `BREAKFIX_APPROVERS` override the file's `slack.channel` and `slack.approvers`.
 *
 *     SLACK_BOT_TOKEN        xoxb-…   always
 *     SLACK_APP_TOKEN        xapp-…   Socket Mode (the default)
 *     SLACK_SIGNING_SECRET            HTTP mode (--http): Bolt verifies every request with it
 *     SLACK_API_URL                   optional Web API base URL (tests, proxies), ending in /
 *     BREAKFIX_CHANNEL       C…       the ops channel (scheduled summaries, proposals)
 *     BREAKFIX_APPROVERS              who may approve: `U012AB3CD,U045EF6GH` for every datacenter,
 *                                     or `dc1=U012AB3CD;dc2=U045EF6GH` per datacenter (Slack user ids)
 *     BREAKFIX_TWO_PERSON_MIN_HOSTS   optional: plans this large need an approver other than the requester
 *                                     (default {@link DEFAULT_TWO_PERSON_MIN_HOSTS})
 */
import { z } from 'zod';
import { DC_NAME } from '../config/config.js';
import { SLACK_CHANNEL_ID, SLACK_USER_ID, type SlackConfig } from '../config/slack.js';
import { DEFAULT_PLAN_TTL_MS } from '../plan/approval.js';

/**
 * The two-person rule is on by default for plans of at least this many hosts: a plan that
 * large is worth a second pair of eyes, while the everyday one- or two-host drain can be
 * approved by the on-call who asked for the pass.
 */
export const DEFAULT_TWO_PERSON_MIN_HOSTS = 10;

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
  /** Datacenter → Slack user groups (`S…`) whose members may approve; `*` as for `approvers`. */
  approverGroups?: Record<string, string[]>;
  /** Plans of at least this many hosts need an approver other than their requester. */
  twoPersonMinHosts?: number;
  /** How long a proposal stays approvable, ms. */
  planTtlMs?: number;
}

const userId = z.string().regex(SLACK_USER_ID, 'a Slack user id such as U012AB3CD');
const dcName = z.string().regex(DC_NAME, 'a datacenter name (lower case letters, digits, _ . -)');

/** Parse `U012AB3CD,U045EF6GH` (every datacenter) or `dc1=U012AB3CD,U045EF6GH;dc2=U0789IJ0K` (per datacenter). */
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
  BREAKFIX_CHANNEL: z.string().regex(SLACK_CHANNEL_ID, 'expected a channel id such as C012AB3CD').optional(),
  BREAKFIX_APPROVERS: z.string().pipe(ApproversSchema).optional(),
  BREAKFIX_TWO_PERSON_MIN_HOSTS: z.coerce.number().int().min(1, 'expected a whole number ≥ 1').optional(),
});

/**
 * Check the environment (and the config file's `slack:` block, already schema-checked by
 * `loadConfig`; `configPath` names it in errors) for `mode`. @throws SettingsError with one line
 * naming the first bad or missing setting and what was expected.
 */
export function loadSettings(mode: SlackMode, env: NodeJS.ProcessEnv = process.env, file?: { slack?: SlackConfig; path?: string }): SlackSettings {
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
  const slack = file?.slack;
  const where = file?.path ? ` in ${file.path}` : ' in breakfix.yml';
  const channel = e.BREAKFIX_CHANNEL ?? slack?.channel;
  if (!channel) throw new SettingsError(`BREAKFIX_CHANNEL: not set (the ops channel id, C…; or slack.channel${where})`);
  let approvers: Record<string, string[]>;
  let approverGroups: Record<string, string[]> = {};
  if (e.BREAKFIX_APPROVERS) approvers = e.BREAKFIX_APPROVERS;
  else if (slack?.approvers) {
    approvers = Object.fromEntries(Object.entries(slack.approvers).filter(([, a]) => a.users.length).map(([dc, a]) => [dc, a.users]));
    approverGroups = Object.fromEntries(Object.entries(slack.approvers).filter(([, a]) => a.groups.length).map(([dc, a]) => [dc, a.groups]));
  } else throw new SettingsError(`BREAKFIX_APPROVERS: not set (Slack user ids: U012AB3CD,U045EF6GH or dc1=U012AB3CD;dc2=U045EF6GH; or slack.approvers${where})`);
  const twoPerson = e.BREAKFIX_TWO_PERSON_MIN_HOSTS ?? slack?.two_person_min_hosts ?? DEFAULT_TWO_PERSON_MIN_HOSTS;
  return {
    mode,
    botToken: e.SLACK_BOT_TOKEN,
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    channel,
    approvers,
    approverGroups,
    twoPersonMinHosts: twoPerson,
    planTtlMs: slack?.plan_ttl_minutes ? slack.plan_ttl_minutes * 60_000 : DEFAULT_PLAN_TTL_MS,
  };
}

/** The approvers of `dc` (its own entry, else `*`), never undefined. */
export function approversOf(settings: Pick<SlackSettings, 'approvers'>, dc: string): string[] {
  return settings.approvers[dc] ?? settings.approvers['*'] ?? [];
}

/** The user groups whose members may approve in `dc` (its own entry, else `*`). */
export function approverGroupsOf(settings: Partial<Pick<SlackSettings, 'approverGroups'>>, dc: string): string[] {
  return settings.approverGroups?.[dc] ?? settings.approverGroups?.['*'] ?? [];
}

/** Check that every datacenter the bot serves has approvers (users or groups). @throws SettingsError naming the first without. */
export function requireApprovers(settings: Pick<SlackSettings, 'approvers'> & Partial<Pick<SlackSettings, 'approverGroups'>>, datacenters: readonly string[]): void {
  const missing = datacenters.find((dc) => approversOf(settings, dc).length === 0 && approverGroupsOf(settings, dc).length === 0);
  if (missing) throw new SettingsError(`BREAKFIX_APPROVERS: no approver for datacenter ${missing} (add ${missing}=U… or a list for every datacenter; or slack.approvers.${missing} in breakfix.yml)`);
}
