/**
 * The approval decision (DESIGN.md §5), knowing nothing of Slack: a click (or `breakfix plan
 * approve`) becomes a {@link DecisionInput}, and {@link decide} returns a {@link Decision} that a
 * thin front end renders. Every decision about a stored plan is appended to its
 * `decisions.jsonl`, refusals included.
 *
 * Checks, in order (the first that fails decides):
 * 1. the plan exists (the id comes from a button anyone in the channel can see, so saying it
 *    does not exist tells nothing; the datacenter, needed for authorization, is in the plan);
 * 2. the user is an approver of the plan's datacenter (user or group allowlist), and, to
 *    approve, passes the two-person rule (approver ≠ requester for plans of at least `minHosts`);
 * 3. the click's digest is the stored plan's, and the stored plan still hashes to it;
 * 4. the plan is not expired (older than the TTL: it is then moved to `expired`);
 * 5. approve only: the datacenter is not paused;
 * 6. the plan is still `proposed` (else `already_decided` with who and when);
 * 7. approve only: no other plan of the datacenter is approved or executing (two plans built
 *    on the same facts must not both run: each counted the other's hosts as in service). An
 *    approval older than the TTL that never started executing is expired first;
 * 8. approve only: re-validation with fresh sources;
 * 9. the compare-and-set `proposed → approved|rejected`; the loser of a race gets
 *    `already_decided` naming the winner. Pause and in-flight are checked again under the
 *    datacenter's lock right before it (re-validation takes seconds).
 */
import type { Plan } from '../pass/reconcile.js';
import type { RevalidationResult } from './revalidate.js';
import { isPlanId, SYSTEM_ACTOR, type DecisionRecord, type PlanState, type PlanStore, type StoredPlan } from './store.js';

/** Default time a proposal stays approvable. */
export const DEFAULT_PLAN_TTL_MS = 30 * 60_000;

/** Who may approve in a datacenter: users, or members of groups (resolved by the front end). */
export interface ApproverList {
  users: readonly string[];
  groups?: readonly string[];
}

/** The two-person rule: when enabled, a plan of at least `minHosts` hosts needs an approver other than its requester. */
export interface TwoPersonRule {
  enabled: boolean;
  minHosts: number;
}

/** One click. */
export interface DecisionInput {
  planId: string;
  /** The digest the button (or `--digest`) carried: what the user saw. */
  digest: string;
  user: string;
  /** Groups the user is in, as the front end resolved them (Slack user groups). */
  userGroups?: readonly string[];
  action: 'approve' | 'reject';
  now: Date;
  /** The approvers of a datacenter. */
  approvers: (dc: string) => ApproverList;
  twoPersonRule: TwoPersonRule;
  /** How long a proposal stays approvable (default {@link DEFAULT_PLAN_TTL_MS}). */
  ttlMs?: number;
  /** The kill switch: true stops approvals (rejecting stays possible). */
  paused: (dc: string) => boolean;
  /** Fresh re-validation (see `revalidatePlan`); a throw counts as stale (fail closed). */
  revalidate: (plan: Plan) => Promise<RevalidationResult>;
}

/** What a click decided. Every variant but `not_found` was recorded in the plan's `decisions.jsonl`. */
export type Decision =
  | { outcome: 'not_found'; planId: string }
  | { outcome: 'not_authorized'; user: string; dc: string }
  | { outcome: 'digest_mismatch'; expected: string; got: string; problem: string | null }
  | { outcome: 'expired'; createdAt: string; ttlMs: number }
  | { outcome: 'paused'; dc: string }
  | { outcome: 'two_person_rule'; requester: string; hosts: number; minHosts: number }
  | { outcome: 'already_decided'; state: PlanState; by: string; at: string }
  | { outcome: 'in_flight'; planId: string; state: PlanState }
  | { outcome: 'stale'; changes: string[]; passDir: string | null }
  | { outcome: 'approved'; plan: Plan; by: string; at: string; revalidationDir: string }
  | { outcome: 'rejected'; by: string; at: string };

/** Decide one click. Never throws for a refusal; throws only for broken store files. */
export async function decide(store: PlanStore, input: DecisionInput): Promise<Decision> {
  const stored = isPlanId(input.planId) ? store.get(input.planId) : undefined;
  if (!stored) return { outcome: 'not_found', planId: input.planId };
  const decision = await decideStored(store, stored, input);
  await store.recordDecision(stored.plan.id, {
    at: input.now.toISOString(), user: input.user, action: input.action, digest: input.digest,
    outcome: decision.outcome, detail: describeDecision(decision),
    ...(decision.outcome === 'stale' ? { revalidation: { ok: false, changes: decision.changes, passDir: decision.passDir } } : {}),
    ...(decision.outcome === 'approved' ? { revalidation: { ok: true, changes: [], passDir: decision.revalidationDir } } : {}),
  } satisfies DecisionRecord);
  return decision;
}

async function decideStored(store: PlanStore, stored: StoredPlan, input: DecisionInput): Promise<Decision> {
  const { plan } = stored;
  const id = plan.id;
  const approve = input.action === 'approve';

  const allowed = input.approvers(plan.dc);
  const inGroup = (allowed.groups ?? []).some((g) => (input.userGroups ?? []).includes(g));
  if (!allowed.users.includes(input.user) && !inGroup) return { outcome: 'not_authorized', user: input.user, dc: plan.dc };
  const hosts = plan.actions.length;
  if (approve && input.twoPersonRule.enabled && hosts >= input.twoPersonRule.minHosts && input.user === stored.state.requestedBy) {
    return { outcome: 'two_person_rule', requester: stored.state.requestedBy, hosts, minHosts: input.twoPersonRule.minHosts };
  }

  if (input.digest !== plan.digest || stored.integrityProblem) {
    return { outcome: 'digest_mismatch', expected: plan.digest, got: input.digest, problem: stored.integrityProblem };
  }

  const ttlMs = input.ttlMs ?? DEFAULT_PLAN_TTL_MS;
  if (input.now.getTime() - Date.parse(plan.createdAt) > ttlMs) {
    if (stored.state.state === 'expired') return { outcome: 'expired', createdAt: plan.createdAt, ttlMs };
    const r = await store.transition(id, ['proposed'], 'expired', SYSTEM_ACTOR, `older than ${ttlMs / 60_000} min at ${input.action} by ${input.user}`);
    return r.ok ? { outcome: 'expired', createdAt: plan.createdAt, ttlMs } : { outcome: 'already_decided', state: r.current, by: r.by, at: r.at };
  }

  if (approve && input.paused(plan.dc)) return { outcome: 'paused', dc: plan.dc };

  if (stored.state.state !== 'proposed') return { outcome: 'already_decided', state: stored.state.state, by: stored.state.by, at: stored.state.updatedAt };

  if (!approve) {
    const r = await store.transition(id, ['proposed'], 'rejected', input.user, 'rejected');
    return r.ok ? { outcome: 'rejected', by: input.user, at: r.state.updatedAt } : { outcome: 'already_decided', state: r.current, by: r.by, at: r.at };
  }

  await expireStaleApprovals(store, plan.dc, input.now, ttlMs);
  const busy = otherPlanInFlight(store, plan);
  if (busy) return busy;

  let fresh: RevalidationResult;
  try {
    fresh = await input.revalidate(plan);
  } catch (e) {
    fresh = { ok: false, changes: [`re-validation failed: ${(e as Error).message}`], passDir: null };
  }
  if (!fresh.ok) return { outcome: 'stale', changes: fresh.changes, passDir: fresh.passDir };

  // Pause and in-flight again, now atomically with the approval: re-validation takes seconds,
  // in which someone may have paused the datacenter or had another of its plans approved.
  return store.withDcLock(plan.dc, async () => {
    if (input.paused(plan.dc)) return { outcome: 'paused', dc: plan.dc } as const;
    const again = otherPlanInFlight(store, plan);
    if (again) return again;
    const r = await store.transition(id, ['proposed'], 'approved', input.user, `approved with digest ${plan.digest.slice(0, 12)}; re-validated in ${fresh.passDir}`);
    return r.ok
      ? { outcome: 'approved', plan, by: input.user, at: r.state.updatedAt, revalidationDir: fresh.passDir }
      : { outcome: 'already_decided', state: r.current, by: r.by, at: r.at };
  });
}

/**
 * Move approvals of `dc` older than `ttlMs` that never started executing to `expired`: an
 * approval is for the facts of its moment, and a forgotten one must not block the datacenter.
 */
export async function expireStaleApprovals(store: PlanStore, dc: string, now: Date, ttlMs: number): Promise<string[]> {
  const out: string[] = [];
  for (const p of store.list({ dc, state: 'approved' })) {
    if (now.getTime() - Date.parse(p.state.updatedAt) <= ttlMs) continue;
    const r = await store.transition(p.plan.id, ['approved'], 'expired', SYSTEM_ACTOR, `approved at ${p.state.updatedAt} but not executed within ${ttlMs / 60_000} min`);
    if (r.ok) out.push(p.plan.id);
  }
  return out;
}

function otherPlanInFlight(store: PlanStore, plan: Plan): Decision | undefined {
  const other = store.list({ dc: plan.dc, state: ['approved', 'executing'] }).find((p) => p.plan.id !== plan.id);
  return other && { outcome: 'in_flight', planId: other.plan.id, state: other.state.state };
}

/** One readable line for a decision (CLI output, the Slack reply, `decisions.jsonl`). */
export function describeDecision(d: Decision): string {
  switch (d.outcome) {
    case 'not_found': return `no plan ${d.planId}`;
    case 'not_authorized': return `${d.user} is not an approver for ${d.dc}`;
    case 'digest_mismatch':
      return d.problem ?? `the plan you saw (digest ${d.got.slice(0, 12)}) is not the stored plan (digest ${d.expected.slice(0, 12)}): look at it again before approving`;
    case 'expired': return `the plan expired: proposed at ${d.createdAt}, approvable for ${Math.round(d.ttlMs / 60_000)} min; run a new pass`;
    case 'paused': return `${d.dc} is paused: no approvals or executions until someone resumes it`;
    case 'two_person_rule': return `two-person rule: ${d.requester} requested this plan of ${d.hosts} hosts (≥ ${d.minHosts}), so someone else must approve it`;
    case 'already_decided': return `already ${d.state} by ${d.by} at ${d.at}`;
    case 'in_flight': return `plan ${d.planId} of this datacenter is ${d.state}: one plan at a time, wait for it to finish`;
    case 'stale': return `the facts changed since the plan was proposed; nothing approved:\n${d.changes.map((c) => `  - ${c}`).join('\n')}`;
    case 'approved': return `approved by ${d.by} at ${d.at} (${d.plan.actions.length} actions, digest ${d.plan.digest.slice(0, 12)})`;
    case 'rejected': return `rejected by ${d.by} at ${d.at}`;
  }
}
