/**
 * Execution of an approved plan (DESIGN.md §5). An {@link Executor} does the work on a control
 * plane (SSH to the NameNode and ResourceManager in production; the demo control plane in
 * simulation); {@link executePlan} is the part that is the same for every executor: the
 * compare-and-set `approved → executing`, the journal in the plan's directory (every step
 * before and after it runs, and every progress event), and the final `completed | failed`.
 *
 * The executor is handed exactly the host list of the stored, digest-checked plan, never a
 * recomputed one; an event about any other host fails the execution.
 */
import type { Plan } from '../pass/reconcile.js';
import { DEFAULT_PLAN_TTL_MS } from '../plan/approval.js';
import { SYSTEM_ACTOR, type JournalEntry, type JournalKind, type PlanState, type PlanStore, type StoredPlan } from '../plan/store.js';

/** Phases a host goes through: a drain `excluded → decommissioning… → decommissioned`, a recommission `recommissioned`. */
export const EXEC_PHASES = ['excluded', 'decommissioning', 'decommissioned', 'recommissioned', 'failed'] as const;
export type ExecPhase = (typeof EXEC_PHASES)[number];

/** One progress event. */
export interface ExecEvent {
  host: string;
  phase: ExecPhase;
  /** While decommissioning: blocks of this DataNode still waiting for another replica. */
  blocksLeft?: number;
  /** ISO time. */
  at: string;
  /** Why, for `failed`; what was checked, otherwise. */
  detail?: string;
}

/** How one action over its hosts ended. `ok` only when every host reached its final phase. */
export interface ExecResult {
  ok: boolean;
  hosts: { host: string; phase: ExecPhase; detail?: string }[];
  /** One readable line. */
  summary: string;
}

/**
 * What {@link executePlan} hands an executor besides the hosts: a way to journal its own
 * sub-steps (before and after each), and the journal of earlier runs of this plan when it is
 * resumed after a crash (empty on a first run), to pick up from.
 */
export interface ExecContext {
  journal(kind: 'substep-begin' | 'substep-end', fields: Record<string, unknown>): void;
  prior: readonly JournalEntry[];
}

/** Does the work of a plan on a control plane. Implementations never touch a host not given. */
export interface Executor {
  /** A short name for the journal (`simulated`, `hadoop`). */
  readonly name: string;
  /** Exclude the hosts, wait for decommission, verify replication. */
  drain(plan: Plan, hosts: readonly string[], onEvent: (e: ExecEvent) => void, ctx?: ExecContext): Promise<ExecResult>;
  /** Return decommissioned hosts to service. */
  recommission(plan: Plan, hosts: readonly string[], onEvent: (e: ExecEvent) => void, ctx?: ExecContext): Promise<ExecResult>;
  /** Null when this process may resume the plan; otherwise why not (e.g. a live process still runs it). */
  busy?(plan: Plan): string | null;
}

/** What {@link executePlan} did. */
export type ExecutionOutcome =
  | { outcome: 'completed'; results: ExecResult[] }
  | { outcome: 'failed'; results: ExecResult[]; reason: string }
  | { outcome: 'not_found'; planId: string }
  | { outcome: 'refused'; reason: string }
  | { outcome: 'wrong_state'; current: PlanState; by: string; at: string };

/** Options of {@link executePlan}. */
export interface ExecuteOptions {
  /** The kill switch, checked before starting. */
  paused?: (dc: string) => boolean;
  /** An approval older than this is not executed (it is expired instead). Default 30 min. */
  approvalTtlMs?: number;
  now?: () => Date;
  /** Each event as it is journaled (progress for a terminal or a Slack thread). */
  onEvent?: (e: ExecEvent) => void;
}

/**
 * Execute an approved plan: CAS `approved → executing`, run drains then recommissions, journal
 * everything to `<plan dir>/journal.jsonl`, then CAS `executing → completed | failed`.
 * Only one process ever gets past the first CAS, so a plan runs once.
 */
export async function executePlan(store: PlanStore, planId: string, executor: Executor, by: string, opts: ExecuteOptions = {}): Promise<ExecutionOutcome> {
  const now = opts.now ?? (() => new Date());
  const stored = runnable(store, planId, opts);
  if ('outcome' in stored) return stored;
  const { plan } = stored;
  const ttl = opts.approvalTtlMs ?? DEFAULT_PLAN_TTL_MS;
  if (stored.state.state === 'approved' && now().getTime() - Date.parse(stored.state.updatedAt) > ttl) {
    const r = await store.transition(planId, ['approved'], 'expired', SYSTEM_ACTOR, `approved at ${stored.state.updatedAt} but not executed within ${ttl / 60_000} min`);
    if (r.ok) return { outcome: 'refused', reason: `the approval of ${stored.state.updatedAt} is older than ${ttl / 60_000} min: the plan expired, run a new pass` };
  }
  const start = await store.transition(planId, ['approved'], 'executing', by, `executor ${executor.name}`);
  if (!start.ok) return { outcome: 'wrong_state', current: start.current, by: start.by, at: start.at };

  const journal = journalOf(store, planId, now);
  journal('start', { by, executor: executor.name, digest: plan.digest, actions: plan.actions.map((a) => `${a.action} ${a.host}`) });
  return runActions(store, planId, plan, executor, by, journal, [], opts);
}

/**
 * Resume a plan left `executing` by a process that died (the bot killed mid-drain): journal a
 * `resume` entry, skip the actions whose `step-end` is already journaled, and run the others
 * again with the earlier journal in {@link ExecContext.prior}, so the executor reconciles with
 * what was done (hosts already excluded are not added twice; the pre-drain replication
 * baseline is the one journaled before the first exclusion). A plan whose journal already has
 * its `end` only has its final state set; one whose journal has a step that ended `ok: false`
 * (the bot died between that `step-end` and the `end`) is set `failed` with nothing run again. Run on bot start and by `breakfix plan resume <id>`.
 */
export async function resumeExecution(store: PlanStore, planId: string, executor: Executor, by: string, opts: ExecuteOptions = {}): Promise<ExecutionOutcome> {
  const now = opts.now ?? (() => new Date());
  const stored = runnable(store, planId, opts);
  if ('outcome' in stored) return stored;
  const { plan } = stored;
  if (stored.state.state !== 'executing') return { outcome: 'wrong_state', current: stored.state.state, by: stored.state.by, at: stored.state.updatedAt };
  const busy = executor.busy?.(plan);
  if (busy) return { outcome: 'refused', reason: busy };
  const prior = store.journal(planId);
  const journal = journalOf(store, planId, now);
  const ended = prior.find((j) => j.kind === 'end');
  if (ended) {
    const to = ended.state === 'completed' ? 'completed' : 'failed';
    const reason = typeof ended.reason === 'string' ? ended.reason : 'finished before the restart';
    const end = await store.transition(planId, ['executing'], to, by, `resumed: the journal ended ${to} at ${ended.at}`);
    if (!end.ok) return { outcome: 'wrong_state', current: end.current, by: end.by, at: end.at };
    return to === 'completed' ? { outcome: 'completed', results: [] } : { outcome: 'failed', results: [], reason };
  }
  const last = prior[prior.length - 1];
  const failedStep = prior.find((j) => j.kind === 'step-end' && j.ok === false);
  if (failedStep) {
    // The bot died between a failed step's `step-end` and the `end`: that step stopped for a
    // reason an operator must look at. Nothing is run again, refreshes included (DESIGN.md §5:
    // a failure is never retried blindly); the plan is only recorded as failed.
    const reason = `${String(failedStep.step)}: ${typeof failedStep.summary === 'string' ? failedStep.summary : 'failed'} (failed at ${failedStep.at}, before a restart; not run again)`;
    journal('resume', { by, executor: executor.name, after: `step-end ${String(failedStep.step)} ok:false at ${failedStep.at}`, note: 'a step already failed: recording the plan as failed, running nothing' });
    journal('end', { state: 'failed', reason });
    const end = await store.transition(planId, ['executing'], 'failed', by, `resumed: ${reason}`);
    if (!end.ok) return { outcome: 'wrong_state', current: end.current, by: end.by, at: end.at };
    return { outcome: 'failed', results: [], reason };
  }
  journal('resume', { by, executor: executor.name, after: last ? `${last.kind}${typeof last.substep === 'string' ? ` ${last.substep}` : typeof last.step === 'string' ? ` ${last.step}` : ''} at ${last.at}` : 'an empty journal' });
  return runActions(store, planId, plan, executor, by, journal, prior, opts);
}

/** The stored plan, unless it is missing, damaged or its datacenter paused. */
function runnable(store: PlanStore, planId: string, opts: ExecuteOptions): StoredPlan | ExecutionOutcome {
  const stored = store.get(planId);
  if (!stored) return { outcome: 'not_found', planId };
  if (stored.integrityProblem) return { outcome: 'refused', reason: stored.integrityProblem };
  if (opts.paused?.(stored.plan.dc)) return { outcome: 'refused', reason: `${stored.plan.dc} is paused` };
  return stored;
}

type Journal = (kind: JournalKind, fields: Record<string, unknown>) => void;

function journalOf(store: PlanStore, planId: string, now: () => Date): Journal {
  return (kind, fields) => store.appendJournal(planId, { at: now().toISOString(), kind, ...fields });
}

/** Drains then recommissions (skipping those `prior` shows finished), then `executing → completed | failed`. */
async function runActions(store: PlanStore, planId: string, plan: Plan, executor: Executor, by: string, journal: Journal, prior: readonly JournalEntry[], opts: ExecuteOptions): Promise<ExecutionOutcome> {
  const planned = new Set(plan.actions.map((a) => a.host));
  const strangers: string[] = [];
  const onEvent = (e: ExecEvent) => {
    if (!planned.has(e.host)) strangers.push(e.host);
    journal('event', { ...e });
    opts.onEvent?.(e);
  };
  const ctx: ExecContext = { journal: (kind, fields) => journal(kind, fields), prior };

  const results: ExecResult[] = [];
  let failure: string | null = null;
  try {
    for (const action of ['drain', 'recommission'] as const) {
      const hosts = plan.actions.filter((a) => a.action === action).map((a) => a.host);
      if (hosts.length === 0) continue;
      const done = prior.find((j) => j.kind === 'step-end' && j.step === action && j.ok === true);
      if (done) continue;
      journal('step-begin', { step: action, hosts });
      const r = action === 'drain' ? await executor.drain(plan, hosts, onEvent, ctx) : await executor.recommission(plan, hosts, onEvent, ctx);
      results.push(r);
      journal('step-end', { step: action, ok: r.ok, summary: r.summary, hosts: r.hosts });
      if (!r.ok) {
        failure = `${action}: ${r.summary}`;
        break;
      }
    }
  } catch (e) {
    failure = `executor ${executor.name} failed: ${(e as Error).message}`;
    journal('error', { error: failure });
  }
  if (!failure && strangers.length > 0) failure = `the executor reported hosts not in the approved plan: ${[...new Set(strangers)].join(', ')}`;
  const to = failure ? 'failed' : 'completed';
  journal('end', { state: to, ...(failure ? { reason: failure } : {}) });
  const end = await store.transition(planId, ['executing'], to, by, failure ?? `${results.map((r) => r.summary).join('; ')}`);
  if (!end.ok) throw new Error(`plan ${planId} left executing by someone else (now ${end.current} by ${end.by}): the journal ${store.dir(planId)}/journal.jsonl has what ran`);
  return failure ? { outcome: 'failed', results, reason: failure } : { outcome: 'completed', results };
}
