/**
 * `breakfix plan list|show|approve|reject`: the plan store from a terminal. Approve and reject
 * go through the same {@link decide} as a Slack click: authorization, digest, expiry, pause,
 * state by compare-and-set, and re-validation with fresh sources.
 *
 * Approvers: `$BREAKFIX_APPROVERS` (comma-separated user names). Unset, the local user is
 * authorized, and the output says so. The two-person rule is on when
 * `$BREAKFIX_TWO_PERSON_MIN_HOSTS` is set (plans of at least that many hosts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_PLAN_TTL_MS, decide, describeDecision, type Decision } from '../src/plan/approval.js';
import { isPaused, readPause } from '../src/plan/pause.js';
import { revalidatePlan } from '../src/plan/revalidate.js';
import { adoptLatestPlans, PlanStore, SYSTEM_ACTOR, type StoredPlan } from '../src/plan/store.js';
import { executePlan, resumeExecution } from '../src/exec/executor.js';
import { hadoopExecutorFor } from '../src/exec/hadoop-setup.js';
import type { HadoopExecutorOptions } from '../src/exec/hadoop.js';
import { readPassManifest } from '../src/pass/run.js';
import type { SourceSpec } from '../src/pass/snapshot.js';
import { table } from '../src/pass/report.js';
import type { ExecEvent, ExecutionOutcome } from '../src/exec/executor.js';
import type { Clock } from '../src/clock.js';
import type { DemoControlPlane } from '../src/demo/control-plane.js';
import type { HdfsNodeRow, YarnNodeRow } from '../src/sources/types.js';
import { failure, resolveContext, type CommandContext, type CommandOutput, type CommonOptions } from './common.js';

/** Journal entries `plan show` prints (the newest, progress ticks left out); `--json` has them all. */
const JOURNAL_LINES = 200;

/** Arguments of `plan list`. */
export type PlanListArgs = CommonOptions;

/** Arguments of `plan show`. */
export interface PlanShowArgs extends CommonOptions {
  id: string;
}

/** Arguments of `plan approve` / `plan reject`. */
export interface PlanDecideArgs extends CommonOptions {
  id: string;
  action: 'approve' | 'reject';
  /** The digest the operator reviewed; default the stored plan's own (said in the output). */
  digest?: string;
  /** Approve only: execute at once (the datacenter's hadoop executor, or the simulated one for demo datacenters). */
  execute?: boolean;
  /** Each progress line as it happens (the CLI writes them to stderr on a terminal). */
  progress?: (line: string) => void;
  /** Given to the hadoop executor (`breakfix demo --drain --crash-at` sets its crashPoint). */
  executorOptions?: Partial<HadoopExecutorOptions>;
}

/** Arguments of `plan resume`. */
export interface PlanResumeArgs extends CommonOptions {
  id: string;
  progress?: (line: string) => void;
  /** Given to the hadoop executor, as for `plan approve`. */
  executorOptions?: Partial<HadoopExecutorOptions>;
}

/** Environment the CLI reads approvers and the two-person rule from (injectable for tests). */
export interface PlanEnv {
  user: string;
  approvers?: string;
  twoPersonMinHosts?: string;
  now: Date;
  /** Approve with `--execute`: told the decision before execution starts (the bot updates its message then). */
  onDecided?: (d: Decision) => Promise<void> | void;
  /** Approve with `--execute`, and resume: each execution event as it is journaled (live progress). */
  onEvent?: (e: ExecEvent) => void;
  /** Time for the simulated executor. Default a virtual clock (a drain of hours in milliseconds). */
  clock?: Clock;
  /** How long a proposal stays approvable, ms. Default {@link DEFAULT_PLAN_TTL_MS}. */
  ttlMs?: number;
  /** Slack user groups the user is in, and those allowed to approve (resolved by the bot). */
  userGroups?: readonly string[];
  approverGroups?: readonly string[];
}

/** The real environment: the local user, `$BREAKFIX_APPROVERS`, `$BREAKFIX_TWO_PERSON_MIN_HOSTS`, the clock. */
export function processEnv(): PlanEnv {
  return { user: userInfo().username, approvers: process.env.BREAKFIX_APPROVERS, twoPersonMinHosts: process.env.BREAKFIX_TWO_PERSON_MIN_HOSTS, now: new Date() };
}

/** Every plan in the store (newest pass plans adopted first), oldest first. */
export async function runPlanList(args: PlanListArgs): Promise<CommandOutput> {
  const { store } = await open(args, args.dc);
  const plans = store.list(args.dc ? { dc: args.dc } : {});
  if (plans.length === 0) return { text: `no plans${args.dc ? ` for ${args.dc}` : ''} in ${store.root}`, json: [], exitCode: 0 };
  const rows = plans.map((p) => [
    p.plan.id, p.plan.dc, p.state.state, p.state.by, p.state.updatedAt, p.plan.createdAt,
    p.plan.actions.filter((a) => a.action === 'drain').length, p.plan.actions.filter((a) => a.action === 'recommission').length,
    p.plan.digest.slice(0, 12) + (p.integrityProblem ? ' (DAMAGED)' : ''),
  ]);
  return {
    text: table(['plan', 'dc', 'state', 'by', 'since', 'proposed', 'drain', 'recommission', 'digest'], rows),
    json: plans.map((p) => ({ id: p.plan.id, dc: p.plan.dc, state: p.state.state, by: p.state.by, updatedAt: p.state.updatedAt, createdAt: p.plan.createdAt, digest: p.plan.digest, actions: p.plan.actions.length, integrityProblem: p.integrityProblem })),
    exitCode: 0,
  };
}

/** One plan: its actions, state, history, decisions and execution journal. */
export async function runPlanShow(args: PlanShowArgs): Promise<CommandOutput> {
  const { store } = await open(args);
  const p = store.get(args.id);
  if (!p) return failure(`no plan ${args.id} in ${store.root} (breakfix plan list)`);
  const decisions = store.decisions(args.id);
  const journal = store.journal(args.id);
  // Every step, and each host's phase changes; the blocks-left ticks of a long drain are many.
  const steps = journal.filter((j) => !(j.kind === 'event' && j.phase === 'decommissioning'));
  const progress = journal.length - steps.length;
  const lines = [
    `plan ${p.plan.id}  ${p.plan.dc}, pass ${p.plan.passId}, proposed ${p.plan.createdAt}`,
    `digest ${p.plan.digest}${p.integrityProblem ? `  DAMAGED: ${p.integrityProblem}` : ''}`,
    `state ${p.state.state} (by ${p.state.by} at ${p.state.updatedAt}); requested by ${p.state.requestedBy}`,
    `pass directory ${p.state.passDir}`,
    `actions (${p.plan.actions.length}):`,
    ...p.plan.actions.map((a) => `  ${a.action} ${a.host}  ${a.cluster}, rack ${a.rack ?? '-'}, group ${a.dataGroup ?? '-'}: ${a.reason}`),
    'history:',
    ...p.state.history.map((h) => `  ${h.at}  ${h.from ?? '-'} → ${h.to}  by ${h.by}${h.note ? `: ${h.note}` : ''}`),
    `decisions (${decisions.length}):`,
    ...decisions.map((d) => `  ${d.at}  ${d.user} ${d.action} → ${d.outcome}: ${d.detail.replace(/\n/g, '\n    ')}`),
    `journal (${journal.length} entries${progress > 0 ? `, ${progress} progress events (decommissioning, blocks left) not shown` : ''}):`,
    ...(steps.length > JOURNAL_LINES ? [`  … ${steps.length - JOURNAL_LINES} earlier entries (--json, or ${join(p.dir, 'journal.jsonl')})`] : []),
    ...steps.slice(-JOURNAL_LINES).map((j) => `  ${j.at}  ${j.kind}  ${journalText(j)}`),
  ];
  return { text: lines.join('\n'), json: { plan: p.plan, state: p.state, integrityProblem: p.integrityProblem, decisions, journal }, exitCode: 0 };
}

/**
 * Approve or reject through {@link decide}. Exit 0 when approved or rejected (and, with
 * `--execute`, executed to completion), 1 when refused, with the reason.
 */
export async function runPlanDecide(args: PlanDecideArgs, env: PlanEnv = processEnv()): Promise<CommandOutput> {
  const { store, ctx } = await open(args);
  const stored = store.get(args.id);
  if (!stored) return failure(`no plan ${args.id} in ${store.root} (breakfix plan list)`);
  const notes: string[] = [];
  const approvers = env.approvers?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!approvers?.length) notes.push(`note: BREAKFIX_APPROVERS is not set, so the local user ${env.user} is authorized (set BREAKFIX_APPROVERS=alice,bob to restrict)`);
  const minHosts = env.twoPersonMinHosts ? Number(env.twoPersonMinHosts) : NaN;
  if (env.twoPersonMinHosts && !(Number.isInteger(minHosts) && minHosts >= 1)) return failure(`BREAKFIX_TWO_PERSON_MIN_HOSTS: expected a whole number ≥ 1, got ${JSON.stringify(env.twoPersonMinHosts)}`);
  if (!args.digest) notes.push(`note: no --digest given, approving the stored plan as it is (digest ${stored.plan.digest.slice(0, 12)}); pass --digest to pin what you reviewed`);
  if (args.action === 'reject' && args.execute) return failure('--execute goes with approve, not reject');

  // Built before the click is decided, so a bad drain: block or SSH key refuses before approving.
  const drain = args.action === 'approve' && args.execute ? hadoopExecutorFor(ctx.config, stored.plan.dc, ctx.stateDir, ctx.policyDir, args.executorOptions) : undefined;
  const demo = !drain && isDemoDc(stored.plan.dc) && args.action === 'approve' ? await startDemoControlPlane(stored) : undefined;
  try {
    if (demo) notes.push(`note: ${stored.plan.dc} is a demo datacenter: its control plane was started again in this process (${demo.note})`);
    const decision = await decide(store, {
      planId: args.id,
      digest: args.digest ?? stored.plan.digest,
      user: env.user,
      action: args.action,
      now: env.now,
      ...(env.userGroups ? { userGroups: env.userGroups } : {}),
      approvers: () => ({ users: approvers?.length || env.approverGroups?.length ? (approvers ?? []) : [env.user], ...(env.approverGroups ? { groups: env.approverGroups } : {}) }),
      twoPersonRule: { enabled: Number.isInteger(minHosts), minHosts: Number.isInteger(minHosts) ? minHosts : 0 },
      ttlMs: env.ttlMs ?? DEFAULT_PLAN_TTL_MS,
      paused: (dc) => isPaused(ctx.stateDir, dc),
      revalidate: (plan) => revalidatePlan(plan, {
        planPassDir: stored.state.passDir, outDir: join(store.dir(plan.id), 'revalidations'), stateDir: ctx.stateDir, policyDir: ctx.policyDir,
        ...(demo ? { sources: demo.sources } : {}),
      }),
    });
    const head = decisionText(args.id, decision);
    const ok = decision.outcome === 'approved' || decision.outcome === 'rejected';
    if (decision.outcome !== 'approved' || !args.execute) {
      const tail = decision.outcome === 'approved' ? [`nothing executed: the plan stays approved (--execute runs it)`] : [];
      return { text: [...notes, head, ...tail].join('\n'), json: { decision: decisionJson(decision), notes }, exitCode: ok ? 0 : 1 };
    }
    if (drain) {
      // Told before the drain starts: the bot shows the approval and follows the drain in the thread.
      await env.onDecided?.(decision);
      const progress: string[] = [];
      const execution = await executePlan(store, args.id, drain.executor, env.user, { onEvent: progressSink(progress, args.progress, env.onEvent), paused: (dc) => isPaused(ctx.stateDir, dc) });
      await recordNotExecuted(store, args.id, env, execution, ctx.stateDir);
      return {
        text: [...notes, head, `executing with the hadoop executor over ${drain.transport}:`, ...progress, executionText(execution), `journal: breakfix plan show ${args.id}`].join('\n'),
        json: { decision: decisionJson(decision), execution, notes },
        exitCode: execution.outcome === 'completed' ? 0 : 1,
      };
    }
    if (!demo) {
      return {
        text: [...notes, head, `not executed: ${stored.plan.dc} has no drain: block with executor: hadoop in breakfix.yml, and only demo datacenters (demo-*) run the simulated executor. The plan stays approved.`].join('\n'),
        json: { decision: decisionJson(decision), execution: null, notes }, exitCode: 0,
      };
    }
    await env.onDecided?.(decision);
    const progress: string[] = [];
    const execution = await executeOnDemo(store, args.id, env.user, demo.controlPlane, (e) => {
      if (e.phase !== 'decommissioning') progress.push(`  ${e.at}  ${e.host} ${e.phase}${e.detail ? `: ${e.detail}` : ''}`);
      env.onEvent?.(e);
    }, env.clock, (dc) => isPaused(ctx.stateDir, dc));
    await recordNotExecuted(store, args.id, env, execution, ctx.stateDir);
    return {
      text: [...notes, head, 'executing with the simulated executor (virtual time):', ...progress, executionText(execution)].join('\n'),
      json: { decision: decisionJson(decision), execution, notes },
      exitCode: execution.outcome === 'completed' ? 0 : 1,
    };
  } finally {
    await demo?.controlPlane.close();
    await drain?.shell.close();
  }
}

/**
 * Resume a plan left `executing` by a process that died, from its journal, with the
 * datacenter's hadoop executor ({@link resumeExecution}). Exit 0 when it completes.
 */
export async function runPlanResume(args: PlanResumeArgs, env: PlanEnv = processEnv()): Promise<CommandOutput> {
  const { store, ctx } = await open(args);
  const stored = store.get(args.id);
  if (!stored) return failure(`no plan ${args.id} in ${store.root} (breakfix plan list)`);
  if (stored.state.state !== 'executing') return failure(`plan ${args.id} is ${stored.state.state} (by ${stored.state.by} at ${stored.state.updatedAt}): only a plan left executing is resumed`);
  const drain = hadoopExecutorFor(ctx.config, stored.plan.dc, ctx.stateDir, ctx.policyDir, args.executorOptions);
  if (!drain) return failure(`plan ${args.id}: ${stored.plan.dc} has no drain: block with executor: hadoop in breakfix.yml, so there is nothing to resume it with; its journal: breakfix plan show ${args.id}`);
  try {
    const progress: string[] = [];
    const execution = await resumeExecution(store, args.id, drain.executor, env.user, { onEvent: progressSink(progress, args.progress, env.onEvent), paused: (dc) => isPaused(ctx.stateDir, dc) });
    return {
      text: [`resuming plan ${args.id} from its journal with the hadoop executor over ${drain.transport}:`, ...progress, executionText(execution)].join('\n'),
      json: { execution },
      exitCode: execution.outcome === 'completed' ? 0 : 1,
    };
  } finally {
    await drain.shell.close();
  }
}

/**
 * Plans left `executing` in datacenters with a hadoop executor, resumed one after another
 * (the bot calls it on start). `onStart` is told each plan before it resumes and may return an
 * event sink (the bot's thread progress); each outcome is passed to `onOutcome`; errors do not
 * stop the others.
 */
export async function resumeInterrupted(
  common: CommonOptions,
  onOutcome: (planId: string, out: CommandOutput) => void | Promise<void>,
  onStart?: (p: StoredPlan) => Promise<((e: ExecEvent) => void) | undefined>,
): Promise<void> {
  const { store, ctx } = await open(common);
  for (const p of store.list({ state: 'executing' })) {
    if (ctx.config?.datacenters[p.plan.dc]?.drain?.executor !== 'hadoop') continue;
    let out: CommandOutput;
    try {
      const onEvent = await onStart?.(p);
      out = await runPlanResume({ ...common, id: p.plan.id }, { ...processEnv(), user: SYSTEM_ACTOR, ...(onEvent ? { onEvent } : {}) });
    } catch (e) {
      out = failure(`plan ${p.plan.id} not resumed: ${(e as Error).message}`);
    }
    await onOutcome(p.plan.id, out);
  }
}

function progressSink(lines: string[], live?: (line: string) => void, onEvent?: (e: ExecEvent) => void): (e: ExecEvent) => void {
  return (e) => {
    const line = `  ${e.at}  ${eventText(e)}`;
    onEvent?.(e);
    live?.(line);
    if (e.phase !== 'decommissioning') lines.push(line);
  };
}

async function open(args: CommonOptions, dc?: string): Promise<{ store: PlanStore; ctx: CommandContext }> {
  const ctx = resolveContext(args);
  const absolute = { ...ctx, stateDir: resolve(ctx.stateDir) };
  const store = new PlanStore(absolute.stateDir);
  await adoptLatestPlans(store, dc);
  return { store, ctx: absolute };
}

function isDemoDc(dc: string): boolean {
  return dc.startsWith('demo-');
}

/**
 * The demo's control plane lives in the `breakfix demo` process and is gone when it exits. To
 * re-validate (and execute) a demo plan, serve again exactly what the plan's pass read: the
 * DataNodes, NodeManagers and block counters parsed from the pass's own control-plane snapshots,
 * on loopback, with the plan's loopback sources pointed at the new servers. Undefined when the
 * plan's control plane was not a demo one (re-validation then reads the recorded sources).
 */
async function startDemoControlPlane(stored: StoredPlan): Promise<{ controlPlane: DemoControlPlane; sources: SourceSpec[]; note: string } | undefined> {
  const manifestPath = join(stored.state.passDir, 'sources', 'manifest.json');
  if (!existsSync(manifestPath)) return undefined; // re-validation then says the sources cannot be read again
  const manifest = readPassManifest(stored.state.passDir);
  const loopback = (s: string) => /^http:\/\/127\.0\.0\.1:\d+\//.test(s);
  const hdfs = manifest.sources.find((s) => s.kind === 'hdfs-jmx' && loopback(s.origin) && !s.error);
  const yarn = manifest.sources.find((s) => s.kind === 'yarn-nodes' && loopback(s.origin) && !s.error);
  if (!hdfs) return undefined;
  const { parseSource } = await import('../src/sources/index.js');
  const { DemoControlPlane } = await import('../src/demo/control-plane.js');
  const parse = (s: typeof hdfs) => parseSource(s.kind, readFileSync(join(stored.state.passDir, 'sources', s.file), 'utf8'), s.origin);
  const nn = parse(hdfs);
  const rm = yarn ? parse(yarn) : undefined;
  const controlPlane = new DemoControlPlane({
    dataNodes: (nn.rows as HdfsNodeRow[]).map((r) => ({ host: r.host, live: r.live, adminState: r.adminState, rack: r.rack ?? '/default-rack', upgradeDomain: r.upgradeDomain })),
    nodeManagers: ((rm?.rows ?? []) as YarnNodeRow[]).map((r) => ({ host: r.host, state: r.state, rack: r.rack ?? '/default-rack', healthReport: r.healthReport ?? '' })),
    blocks: { underReplicatedBlocks: nn.blocks?.underReplicatedBlocks ?? 0, missingBlocks: nn.blocks?.missingBlocks ?? 0 },
  });
  const urls = await controlPlane.start();
  const sources = manifest.sources.map((s): SourceSpec => {
    const location = s === hdfs ? urls.hdfsJmxUrl : s === yarn ? urls.yarnNodesUrl : s.origin;
    return { kind: s.kind, location, ...(s.mapping ? { mapping: s.mapping } : {}) };
  });
  return { controlPlane, sources, note: `serving the pass's own NameNode${yarn ? ' and ResourceManager' : ''} snapshot at ${urls.nameNodeUrl}${yarn ? ` and ${urls.resourceManagerUrl}` : ''}; it stops when this command ends` };
}

async function executeOnDemo(store: PlanStore, id: string, by: string, controlPlane: DemoControlPlane, onEvent: (e: ExecEvent) => void, given: Clock | undefined, paused: (dc: string) => boolean): Promise<ExecutionOutcome> {
  const { executePlan } = await import('../src/exec/executor.js');
  const { SimulatedExecutor, virtualClock } = await import('../src/exec/simulated.js');
  const clock = given ?? virtualClock();
  const executor = new SimulatedExecutor({ controlPlane, clock });
  return executePlan(store, id, executor, by, { now: () => new Date(clock.now()), onEvent, paused });
}

/**
 * An approved plan the executor refused to start (its datacenter paused since the approval, the
 * approval expired) gets a line in its decisions.jsonl saying so, by whom and why: the approval
 * stands in the record, and so does the fact that nothing ran.
 */
async function recordNotExecuted(store: PlanStore, id: string, env: PlanEnv, execution: ExecutionOutcome, stateDir: string): Promise<void> {
  if (execution.outcome !== 'refused') return;
  const stored = store.get(id);
  if (!stored) return;
  const pause = readPause(stateDir, stored.plan.dc);
  const why = pause ? `${stored.plan.dc} is paused by ${pause.by} at ${pause.at}${pause.reason ? ` (${pause.reason})` : ''}` : execution.reason;
  await store.recordDecision(id, {
    at: new Date().toISOString(), user: env.user, action: 'approve', digest: stored.plan.digest, outcome: 'not_executed',
    detail: `approved, then not executed: ${why}; the plan is ${stored.state.state}`,
  });
}

function decisionText(id: string, d: Decision): string {
  const verdict = d.outcome === 'approved' || d.outcome === 'rejected' ? `plan ${id} ${d.outcome}` : `plan ${id}: refused (${d.outcome})`;
  return `${verdict}: ${describeDecision(d)}`;
}

function decisionJson(d: Decision): unknown {
  return d.outcome === 'approved' ? { ...d, plan: { id: d.plan.id, digest: d.plan.digest, actions: d.plan.actions.length } } : d;
}

function executionText(e: ExecutionOutcome): string {
  switch (e.outcome) {
    case 'completed': return `completed: ${e.results.map((r) => r.summary).join('; ')}`;
    case 'failed': return `FAILED: ${e.reason}`;
    case 'not_found': return `no plan ${e.planId}`;
    case 'refused': return `not executed: ${e.reason}`;
    case 'wrong_state': return `not executed: the plan is ${e.current} (by ${e.by} at ${e.at})`;
  }
}

/** A host's progress event in a line: `dn1 decommissioning (420 blocks left): detail`. */
export function eventText(e: Pick<ExecEvent, 'host' | 'phase' | 'blocksLeft' | 'detail'>): string {
  return `${e.host} ${e.phase}${e.blocksLeft !== undefined && e.phase === 'decommissioning' ? ` (${e.blocksLeft} blocks left)` : ''}${e.detail ? `: ${e.detail}` : ''}`;
}

/** One journal entry in a line: an executor sub-step as `drain c1 write (hdfs) ok  path=… hosts=[…]`, the rest as `key=value`. */
export function journalText(j: Record<string, unknown>): string {
  const { at: _at, kind, ...rest } = j;
  const kv = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  if (kind !== 'substep-begin' && kind !== 'substep-end') return kv(rest);
  const { step, cluster, substep, file, ok, error, ...more } = rest;
  const status = kind === 'substep-begin' ? 'begin' : ok ? 'ok' : `FAILED: ${String(error)}`;
  const tail = kv(more);
  return `${String(step)} ${String(cluster)} ${String(substep)}${file ? ` (${String(file)})` : ''} ${status}${tail ? `  ${tail}` : ''}`;
}
