/**
 * The `slack:` block of `breakfix.yml`: what the bot needs to know about the operators.
 *
 *     slack:
 *       channel: C012AB3CD            # the ops channel id (proposals, summaries)
 *       approvers:                    # per datacenter; "*" for every datacenter without its own
 *         dc1: { users: [U012AB3CD, U045EF6GH], groups: [S0123ABCD] }
 *         "*": { groups: [S0ONCALL1] }
 *       two_person_min_hosts: 10      # plans of at least this many hosts need an approver other than the requester
 *       plan_ttl_minutes: 30          # how long a proposal stays approvable
 *
 * Users are Slack user ids (`U…`/`W…`), groups Slack user group ids (`S…`, members read with
 * `usergroups.users.list` at click time). `$BREAKFIX_CHANNEL` and `$BREAKFIX_APPROVERS` override
 * `channel` and `approvers` (src/slack/settings.ts).
 */
import { z } from 'zod';
import { DC_NAME } from './names.js';

/** A Slack user id, such as `U012AB3CD` (`W…` in Enterprise Grid). */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** A Slack user group id, such as `S0123ABCD`. */
export const SLACK_GROUP_ID = /^S[A-Z0-9]{2,}$/;
/** A Slack channel id, such as `C012AB3CD` (`G…` for older private channels). */
export const SLACK_CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

const ApproverEntry = z.object({
  users: z.array(z.string().regex(SLACK_USER_ID, 'expected a Slack user id such as U012AB3CD')).default([]),
  groups: z.array(z.string().regex(SLACK_GROUP_ID, 'expected a Slack user group id such as S0123ABCD')).default([]),
}).strict().refine((e) => e.users.length + e.groups.length > 0, { message: 'give at least one user or group' });

/** Schema of the `slack:` block. */
export const SlackConfigSchema = z.object({
  channel: z.string().regex(SLACK_CHANNEL_ID, 'expected a channel id such as C012AB3CD (not a #name)').optional(),
  approvers: z.record(z.union([z.literal('*'), z.string().regex(DC_NAME, 'expected a datacenter name or "*"')]), ApproverEntry).optional(),
  two_person_min_hosts: z.number().int().min(1, 'expected a whole number ≥ 1').optional(),
  plan_ttl_minutes: z.number().positive('expected minutes > 0').max(24 * 60, 'at most 1440 (a day): a plan is for the facts of its moment').optional(),
}).strict();

/** The `slack:` block as read. */
export type SlackConfig = z.output<typeof SlackConfigSchema>;
