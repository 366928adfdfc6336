/**
 * The durable plan store (DESIGN.md §5): every proposed plan, its state and every decision
 * about it, on disk, shared by every process (the CLI and the bot at once).
 *
 *     <state>/plans/<plan-id>/
 *       plan.json        the plan exactly as proposed; written once, never changed
 *       state.json       {state, version, updatedAt, by, history[]}, replaced atomically
 *       decisions.jsonl  append-only: who clicked what, when, and what re-validation found
 *       journal.jsonl    append-only: every execution step, before and after it runs
 *       revalidations/   the fresh passes run at click time, one directory each
 *       lock             held while state.json is read and replaced
 *
 * State moves only by compare-and-set ({@link PlanStore.transition}) along {@link TRANSITIONS}:
 *
 *     proposed → approved → executing → completed | failed
 *     proposed → rejected | expired | superseded
 *     approved → expired   (approved but not executed in time: never run a stale approval)
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError, formatPath } from '../errors.js';
import { isValidHostname } from '../hosts.js';
import { listDatacenters, listPasses, readJsonFile, writeAtomic } from '../pass/passdir.js';
import { planDigest, type Plan } from '../pass/reconcile.js';
import { readPassSummary } from '../pass/summary.js';
import { ACTIONS } from '../policy/schema.js';
import { withLock, type LockOptions } from './lock.js';

/** Every state a plan can be in. */
export const PLAN_STATES = ['proposed', 'approved', 'executing', 'completed', 'failed', 'rejected', 'expired', 'superseded'] as const;
export type PlanState = (typeof PLAN_STATES)[number];

/** The legal moves of the state machine; anything else is a bug and throws. */
export const TRANSITIONS: Readonly<Record<PlanState, readonly PlanState[]>> = {
  proposed: ['approved', 'rejected', 'expired', 'superseded'],
  approved: ['executing', 'expired'],
  executing: ['completed', 'failed'],
  completed: [],
  failed: [],
  rejected: [],
  expired: [],
  superseded: [],
};

/** States a plan never leaves. */
export const FINAL_STATES: readonly PlanState[] = PLAN_STATES.filter((s) => TRANSITIONS[s].length === 0);

/** True when `from → to` is an edge of the state machine. */
export function isLegalTransition(from: PlanState, to: PlanState): boolean {
  return TRANSITIONS[from].includes(to);
}

const StateName = z.enum(PLAN_STATES);

/** One move in a plan's history. `from` is null for the first entry (registration). */
export const HistoryEntrySchema = z.object({
  from: StateName.nullable(),
  to: StateName,
  at: z.string(),
  by: z.string(),
  note: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** `state.json`. `version` grows by one with every transition. */
export const PlanStateFileSchema = z.object({
  planId: z.string(),
  dc: z.string(),
  /** The pass directory the plan came from (its sources manifest drives re-validation). */
  passDir: z.string(),
  /** Who asked for the pass (a user, or `scheduler`): the two-person rule compares approvers with it. */
  requestedBy: z.string(),
  state: StateName,
  version: z.number().int().positive(),
  updatedAt: z.string(),
  by: z.string(),
  history: z.array(HistoryEntrySchema).min(1),
});
export type PlanStateFile = z.infer<typeof PlanStateFileSchema>;

/** One line of `decisions.jsonl`. */
export const DecisionRecordSchema = z.object({
  at: z.string(),
  user: z.string(),
  action: z.enum(['approve', 'reject']),
  /** The digest the click carried. */
  digest: z.string(),
  /** The decision's outcome (`approved`, `stale`, `not_authorized`, …). */
  outcome: z.string(),
  /** One readable line: why. */
  detail: z.string(),
  revalidation: z.object({ ok: z.boolean(), changes: z.array(z.string()), passDir: z.string().nullable() }).optional(),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

/** `message.json`: the Slack message of a plan's proposal (channel id C…, message ts). */
export const ProposalMessageSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });
export type ProposalMessage = z.infer<typeof ProposalMessageSchema>;

/** Kinds of journal lines: `substep-*` are an executor's own steps inside a step; `resume` a restart from the journal. */
export const JOURNAL_KINDS = ['start', 'step-begin', 'substep-begin', 'event', 'substep-end', 'step-end', 'error', 'resume', 'end'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

/** One line of `journal.jsonl`: an execution step (before and after) or a progress event. */
export const JournalEntrySchema = z.looseObject({
  at: z.string(),
  kind: z.enum(JOURNAL_KINDS),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** A plan action's host: a DNS name (src/hosts.ts), as the executor writes it into exclude files. */
const PlanHost = z.string().refine(isValidHostname, 'expected a DNS host name (lower case letters, digits, - and .)');

/** `plan.json` as read back: the shape of {@link Plan}, checked at the boundary. */
export const PlanSchema = z.object({
  id: z.string(),
  dc: z.string(),
  passId: z.string(),
  createdAt: z.string(),
  digest: z.string(),
  seed: z.number(),
  policyDigest: z.string(),
  sourceDigests: z.record(z.string(), z.string()),
  actions: z.array(z.object({
    action: z.enum(ACTIONS), host: PlanHost, cluster: z.string(), rack: z.string().nullable(), dataGroup: z.string().nullable(), reason: z.string(),
  })),
  clusters: z.array(z.object({ cluster: z.string(), drain: z.number(), recommission: z.number(), reason: z.string().nullable() })),
  passedOver: z.array(z.object({ host: z.string(), cluster: z.string(), action: z.enum(ACTIONS), reason: z.string() })),
  emptyReason: z.string().nullable(),
});

/**
 * A `plan.json` (of a pass directory or of the store), validated against {@link PlanSchema}.
 * @throws InputError naming the file and the field when it is missing, not JSON or not a plan.
 */
export function readPlanFile(path: string): Plan {
  return readJsonFile(path, PlanSchema);
}

/** A plan as the store holds it. */
export interface StoredPlan {
  plan: Plan;
  state: PlanStateFile;
  /** `<state>/plans/<id>`. */
  dir: string;
  /**
   * Null when `plan.json` still hashes to its own digest; otherwise what is wrong. A plan with a
   * problem is never approved nor executed.
   */
  integrityProblem: string | null;
}

/** Result of {@link PlanStore.transition}: the new state, or who moved it elsewhere first. */
export type TransitionResult =
  | { ok: true; state: PlanStateFile }
  | { ok: false; reason: 'wrong_state'; current: PlanState; by: string; at: string };

/** Result of {@link PlanStore.register}. */
export interface RegisterResult {
  planId: string;
  /** False for an empty plan (nothing to approve) and for a plan registered before with the same bytes. */
  stored: boolean;
  /** The plan's state after registration; null when it was not stored. */
  state: PlanState | null;
  /** Earlier proposed plans of the datacenter this one superseded. */
  superseded: string[];
}

/** Options of {@link PlanStore}. */
export interface PlanStoreOptions {
  /** Clock for timestamps (default: now). */
  now?: () => Date;
  /** Lock tuning and the sink for stale-lock reports. */
  lock?: LockOptions;
}

/** Plan ids and datacenter names become path components: letters, digits, `_ . -`, no leading dot. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** True when `id` can name a plan (and so a directory under the store). */
export function isPlanId(id: string): boolean {
  return SAFE_NAME.test(id) && !id.includes('..');
}

/** The system's own name in `by` fields. */
export const SYSTEM_ACTOR = 'breakfix';

/**
 * The plan store under `<stateDir>/plans/`. Every method that changes a plan's state holds that
 * plan's lock; registration also holds the datacenter's lock (taken first, never the other way
 * round, so two processes cannot deadlock).
 */
export class PlanStore {
  /** `<stateDir>/plans`. */
  readonly root: string;
  private readonly now: () => Date;
  private readonly lockOptions: LockOptions;

  constructor(readonly stateDir: string, opts: PlanStoreOptions = {}) {
    this.root = join(stateDir, 'plans');
    this.now = opts.now ?? (() => new Date());
    this.lockOptions = opts.lock ?? {};
  }

  /** The directory of a plan. @throws InputError when the id cannot be a plan id (path safety). */
  dir(id: string): string {
    if (!isPlanId(id)) throw new InputError({ origin: this.root, field: 'plan id' }, `${JSON.stringify(id)} is not a plan id (letters, digits, _ . -)`);
    return join(this.root, id);
  }

  /**
   * Store a new plan as `proposed` and mark every earlier `proposed` plan of its datacenter
   * `superseded` (a newer pass has seen newer facts). A plan older than one already proposed is
   * stored `superseded` at once. An empty plan is not stored (there is nothing to approve) but
   * still supersedes earlier proposals. Registering the same plan again changes nothing.
   * @throws InputError when a plan with this id exists with different bytes (plans are immutable)
   *   or the plan's digest does not match its content.
   */
  async register(plan: Plan, passDir: string, opts: { requestedBy?: string } = {}): Promise<RegisterResult> {
    const dir = this.dir(plan.id);
    const problem = digestProblem(plan);
    if (problem) throw new InputError({ origin: join(passDir, 'plan.json'), field: 'digest' }, problem);
    const bytes = JSON.stringify(plan, null, 2) + '\n';
    return this.withDcLock(plan.dc, async () => {
      const planPath = join(dir, 'plan.json');
      if (existsSync(planPath)) {
        if (readFileSync(planPath, 'utf8') !== bytes) {
          throw new InputError({ origin: planPath }, `plan ${plan.id} is already stored with different content; a plan is immutable once proposed`);
        }
        return { planId: plan.id, stored: false, state: this.readState(plan.id).state, superseded: [] };
      }
      const newer = this.list({ dc: plan.dc, state: 'proposed' }).filter((p) => !isOlder(p.plan, plan));
      const older = this.list({ dc: plan.dc, state: 'proposed' }).filter((p) => isOlder(p.plan, plan));
      const superseded: string[] = [];
      for (const p of older) {
        const note = plan.actions.length === 0 ? `superseded by ${plan.id}: a newer pass proposes nothing` : `superseded by ${plan.id}`;
        const r = await this.transition(p.plan.id, ['proposed'], 'superseded', SYSTEM_ACTOR, note);
        if (r.ok) superseded.push(p.plan.id);
      }
      if (plan.actions.length === 0) return { planId: plan.id, stored: false, state: null, superseded };

      const at = this.now().toISOString();
      const by = opts.requestedBy ?? SYSTEM_ACTOR;
      const history: HistoryEntry[] = [{ from: null, to: 'proposed', at, by, note: `proposed by pass ${plan.passId} (${plan.actions.length} actions)` }];
      if (newer.length > 0) history.push({ from: 'proposed', to: 'superseded', at, by: SYSTEM_ACTOR, note: `registered after the newer plan ${newer[newer.length - 1].plan.id}` });
      const state: PlanStateFile = {
        planId: plan.id, dc: plan.dc, passDir, requestedBy: by, state: history[history.length - 1].to,
        version: history.length, updatedAt: at, by: history[history.length - 1].by, history,
      };
      mkdirSync(dir, { recursive: true });
      // state.json first: a plan.json without state.json is never listed, a state.json without
      // plan.json is repaired by registering again.
      writeAtomic(join(dir, 'state.json'), json(state));
      writeAtomic(planPath, bytes);
      return { planId: plan.id, stored: true, state: state.state, superseded };
    });
  }

  /** A stored plan, or undefined when there is none with this id. @throws InputError when its files are damaged. */
  get(id: string): StoredPlan | undefined {
    const dir = this.dir(id);
    if (!existsSync(join(dir, 'plan.json')) || !existsSync(join(dir, 'state.json'))) return undefined;
    const plan = readPlanFile(join(dir, 'plan.json'));
    return { plan, state: this.readState(id), dir, integrityProblem: plan.id === id ? digestProblem(plan) : `plan.json holds plan ${plan.id}, not ${id}` };
  }

  /** Stored plans, oldest first (by creation time, then id), optionally of one datacenter and/or state. */
  list(filter: { dc?: string; state?: PlanState | readonly PlanState[] } = {}): StoredPlan[] {
    if (!existsSync(this.root)) return [];
    const states = filter.state === undefined ? undefined : typeof filter.state === 'string' ? [filter.state] : filter.state;
    const out: StoredPlan[] = [];
    for (const name of readdirSync(this.root)) {
      if (!SAFE_NAME.test(name) || !statSync(join(this.root, name)).isDirectory()) continue;
      // state.json is small and plan.json may be megabytes: filter on the state first.
      if (states && existsSync(join(this.dir(name), 'state.json')) && !states.includes(this.readState(name).state)) continue;
      const p = this.get(name);
      if (!p) continue;
      if (filter.dc !== undefined && p.plan.dc !== filter.dc) continue;
      if (states && !states.includes(p.state.state)) continue;
      out.push(p);
    }
    return out.sort((a, b) => (isOlder(a.plan, b.plan) ? -1 : isOlder(b.plan, a.plan) ? 1 : 0));
  }

  /**
   * Every plan's `state.json`, oldest update first, without reading `plan.json` (which may be
   * megabytes): what `/metrics` and retention need on every run. Directories without a
   * `state.json` are skipped. @throws InputError when a `state.json` is damaged.
   */
  states(): PlanStateFile[] {
    if (!existsSync(this.root)) return [];
    const out: PlanStateFile[] = [];
    for (const name of readdirSync(this.root)) {
      if (!SAFE_NAME.test(name) || !existsSync(join(this.root, name, 'state.json'))) continue;
      out.push(this.readState(name));
    }
    return out.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.planId < b.planId ? -1 : 1));
  }

  /**
   * Compare-and-set: under the plan's lock, re-read `state.json`; when the state is one of
   * `expectFrom`, move it to `to` and write `state.json` atomically (temporary file, rename).
   * Otherwise nothing changes and the result names the current state and who set it.
   * @throws Error when an `expectFrom → to` edge is not in the state machine (a bug, not a race);
   *   InputError when the plan does not exist.
   */
  async transition(id: string, expectFrom: readonly PlanState[], to: PlanState, by: string, note = ''): Promise<TransitionResult> {
    for (const from of expectFrom) {
      if (!isLegalTransition(from, to)) throw new Error(`illegal plan transition ${from} → ${to} (legal from ${from}: ${TRANSITIONS[from].join(', ') || 'none, it is final'})`);
    }
    const dir = this.dir(id);
    if (!existsSync(join(dir, 'state.json'))) throw new InputError({ origin: dir }, `no plan ${id} in the store`);
    return withLock(join(dir, 'lock'), () => {
      const current = this.readState(id);
      if (!expectFrom.includes(current.state)) return { ok: false, reason: 'wrong_state', current: current.state, by: current.by, at: current.updatedAt } as const;
      const at = this.now().toISOString();
      const next: PlanStateFile = {
        ...current, state: to, version: current.version + 1, updatedAt: at, by,
        history: [...current.history, { from: current.state, to, at, by, note }],
      };
      writeAtomic(join(dir, 'state.json'), json(next));
      return { ok: true, state: next } as const;
    }, this.lockOptions);
  }

  /** Run `fn` holding the datacenter's lock (registration; approval checks across plans of one datacenter). */
  async withDcLock<T>(dc: string, fn: () => T | Promise<T>): Promise<T> {
    if (!SAFE_NAME.test(dc)) throw new InputError({ origin: this.root, field: 'dc' }, `${JSON.stringify(dc)} is not a datacenter name`);
    return withLock(join(this.root, '.locks', `dc-${dc}.lock`), fn, this.lockOptions);
  }

  /** Append a decision to the plan's `decisions.jsonl` (under the plan's lock). */
  async recordDecision(id: string, record: DecisionRecord): Promise<void> {
    const dir = this.dir(id);
    const line = JSON.stringify(DecisionRecordSchema.parse(record)) + '\n';
    await withLock(join(dir, 'lock'), () => appendFileSync(join(dir, 'decisions.jsonl'), line), this.lockOptions);
  }

  /**
   * Remember where the plan's proposal was posted in Slack (`message.json`: channel id, message
   * ts), so an execution resumed by a restarted bot reports in the proposal's thread. Written
   * when the proposal is posted, which may be before the plan is registered.
   */
  recordMessage(id: string, message: ProposalMessage): void {
    mkdirSync(this.dir(id), { recursive: true });
    writeAtomic(join(this.dir(id), 'message.json'), json(ProposalMessageSchema.parse(message)));
  }

  /** Where the plan's proposal was posted, or undefined when no post was recorded. @throws InputError when message.json is damaged. */
  message(id: string): ProposalMessage | undefined {
    const file = join(this.dir(id), 'message.json');
    return existsSync(file) ? readJsonFile(file, ProposalMessageSchema) : undefined;
  }

  /** The plan's decisions, oldest first. */
  decisions(id: string): DecisionRecord[] {
    return readJsonl(join(this.dir(id), 'decisions.jsonl'), DecisionRecordSchema);
  }

  /**
   * Append to the plan's `journal.jsonl`. Only the executor of a plan in `executing` writes it
   * (one writer by construction of the state machine), so no lock is taken.
   */
  appendJournal(id: string, entry: JournalEntry): void {
    appendFileSync(join(this.dir(id), 'journal.jsonl'), JSON.stringify(JournalEntrySchema.parse(entry)) + '\n');
  }

  /** The plan's journal, oldest first. */
  journal(id: string): JournalEntry[] {
    return readJsonl(join(this.dir(id), 'journal.jsonl'), JournalEntrySchema);
  }

  private readState(id: string): PlanStateFile {
    return readJsonFile(join(this.dir(id), 'state.json'), PlanStateFileSchema);
  }
}

/**
 * Register the plan of the newest finished `ok` pass of each datacenter (or of `dc`) that the
 * store does not hold yet. A bridge while `runPass` does not register its own plans: commands
 * that read the store call it first, so a plan written by `breakfix pass` or `breakfix demo`
 * can be approved. The requester is unknown for these (recorded as `unknown`).
 */
export async function adoptLatestPlans(store: PlanStore, dc?: string): Promise<RegisterResult[]> {
  const out: RegisterResult[] = [];
  for (const d of dc ? [dc] : listDatacenters(store.stateDir)) {
    const passes = listPasses(store.stateDir, d);
    for (let i = passes.length - 1; i >= 0; i--) {
      const summary = readPassSummary(passes[i]);
      if (summary.result !== 'ok' || !summary.plan) continue;
      if (!existsSync(join(store.dir(summary.plan.id), 'state.json'))) {
        const plan = readPlanFile(join(passes[i], 'plan.json'));
        out.push(await store.register(plan, passes[i], { requestedBy: 'unknown' }));
      }
      break;
    }
  }
  return out;
}

/** Null when the plan hashes to its own digest, else the problem. */
export function digestProblem(plan: Plan): string | null {
  const d = planDigest(plan);
  return d === plan.digest ? null : `plan ${plan.id} does not match its digest (stored ${plan.digest.slice(0, 12)}, content ${d.slice(0, 12)}): it was changed after it was proposed`;
}

function isOlder(a: Plan, b: Plan): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
}

function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (e) {
      throw new InputError({ origin: path, line: i + 1 }, `not a JSON line: ${(e as Error).message}`);
    }
    const r = schema.safeParse(data);
    if (!r.success) throw new InputError({ origin: path, line: i + 1, field: formatPath(r.error.issues[0].path) || undefined }, r.error.issues[0].message);
    out.push(r.data);
  });
  return out;
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}
