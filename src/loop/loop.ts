/**
 * Scheduled passes, one independent loop per datacenter (DESIGN.md §6). Each loop waits for
 * its cron tick plus the datacenter's jitter on a {@link Clock}, runs a pass through the same
 * {@link PassRunner} as `/breakfix pass`, and posts a summary (src/loop/summary.ts) with deltas
 * and drift, then the proposal (the existing proposal message and its Approve flow).
 *
 * - Passes of one datacenter never overlap: a tick that comes while the previous pass (or a
 *   `/breakfix pass` of the datacenter, through {@link onePassAtATime}) is still running is
 *   skipped, logged, and said in the channel in one line.
 * - A loop whose pass or source throws posts the failure and keeps its schedule; other loops
 *   never see it.
 * - Quiet when nothing changed against the previous summary; the heartbeat still posts.
 * - Paused: the pass is still run (observe only, nothing registered), the summary says PAUSED.
 * - Circuit breaker: safety refusing the same cluster for mass failure in N passes in a row
 *   (`policies/drift.yml` circuitBreaker) pauses the datacenter as {@link CIRCUIT_BREAKER}
 *   until a person resumes it.
 *
 * Events for metrics: {@link LoopScheduler.events} emits `loop` with a {@link SchedulerEvent}
 * (see its variants); {@link LoopScheduler.health} gives each loop's state for `/healthz`.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { listPasses, writeAtomic } from '../pass/passdir.js';
import { PlanStore, readPlanFile } from '../plan/store.js';
import { readPassSummary, type PassSummary } from '../pass/summary.js';
import { CIRCUIT_BREAKER, readLastResume, readPause, writePause, type PauseInfo } from '../plan/pause.js';
import { proposalMessage, textMessage, type SlackMessage } from '../slack/messages.js';
import type { PassRunner } from '../slack/service.js';
import { evaluateDrift, loadDriftPolicy, massFailureStreak, type DriftPolicy } from './drift.js';
import { readDrainBudgets, recentPasses, type PassRecord } from './history.js';
import type { Clock } from '../clock.js';
import { jitterMs, nextTick, type Schedule } from './schedule.js';
import { summaryFingerprint, summaryMessage, type SummaryInput } from './summary.js';

/** Who the scheduled passes are recorded as requested by. */
export const SCHEDULED_BY = 'breakfix (scheduled)';

/**
 * What a loop reports, for metrics and tests:
 * - `pass-started` {dc, at}: a scheduled pass began.
 * - `pass-finished` {dc, result, durationMs, setSizes, passId?}: `result` is the pass's
 *   (`ok`, `refused`, `error`) or `failed` when no pass directory came out (runner or loop threw).
 * - `tick-skipped` {dc, tickAt, reason}: the previous pass was still running.
 * - `summary` {dc, posted, heartbeat}: `posted` false when quiet (nothing changed).
 * - `circuit-breaker` {dc, clusters}: the breaker paused the datacenter.
 * - `post-failed` {dc, what, error}: Slack refused a post; the pass's result is unchanged (a
 *   pass that ran is not a failed pass because its summary could not be posted).
 * Times are ISO strings; durations ms (of the loop's clock).
 */
export type SchedulerEvent =
  | { type: 'pass-started'; dc: string; at: string }
  | { type: 'pass-finished'; dc: string; result: PassSummary['result'] | 'failed'; durationMs: number; setSizes: Record<string, number>; passId?: string }
  | { type: 'tick-skipped'; dc: string; tickAt: string; reason: string }
  | { type: 'summary'; dc: string; posted: boolean; heartbeat: boolean }
  | { type: 'circuit-breaker'; dc: string; clusters: string[] }
  | { type: 'post-failed'; dc: string; what: PostKind; error: string };

/** What a loop posts: the pass summary, the proposal, or a one-line notice (skipped tick, failure). */
export type PostKind = 'summary' | 'proposal' | 'notice';

/** One datacenter loop's health: next pass, whether one runs, how the last one ended (ISO times). */
export interface LoopHealth {
  nextRunAt: string | null;
  running: boolean;
  lastResult: PassSummary['result'] | 'failed' | null;
  lastFinishedAt: string | null;
  /** Scheduled passes in a row that produced no pass directory. */
  consecutiveFailures: number;
  /** Posts to Slack that failed since the loop started (summaries, proposals, notices), counted apart from passes. */
  postFailures: number;
}

/**
 * Where summaries go: the ops channel through the bot (chat.postMessage bound to the channel).
 * When it resolves with chat.postMessage's `{ channel, ts }`, a proposal's is recorded in the plan store.
 */
export type PostMessage = (msg: SlackMessage) => Promise<unknown>;

/** Options of one datacenter's loop. */
export interface DatacenterLoopOptions {
  dc: string;
  schedule: Schedule;
  stateDir: string;
  policyDir: string;
  runPass: PassRunner;
  post: PostMessage;
  clock: Clock;
  log: Logger;
  emit: (e: SchedulerEvent) => void;
}

/** Schema of `<state>/loop/<dc>.json`: what `breakfix status` shows about a running loop. */
export const LoopStateFileSchema = z.object({
  dc: z.string(),
  cron: z.string(),
  /** ISO time of the next scheduled pass. */
  nextRunAt: z.string().nullable(),
  running: z.boolean(),
  /** The bot's process id (status checks it is alive). */
  pid: z.number().int().positive(),
  updatedAt: z.string(),
});
/** `<state>/loop/<dc>.json`: see {@link LoopStateFileSchema}. */
export type LoopStateFile = z.infer<typeof LoopStateFileSchema>;

/** The loop state file of `dc`. */
export function loopStateFile(stateDir: string, dc: string): string {
  return join(stateDir, 'loop', `${dc}.json`);
}

/**
 * How many recorded passes drift and the breaker read back: twice the longest window they need
 * (passes that stopped early have no counts and are skipped), plus the previous ok pass for deltas.
 */
function historyDepth(p: DriftPolicy): number {
  const longest = Math.max(p.circuitBreaker.massFailurePasses.value, ...p.rules.map((r) => ('passes' in r ? r.passes : 2)));
  return 2 * longest + 2;
}

/** One datacenter's schedule: tick, run, summarize. Start with `start()`, stop with `stop()`. */
export class DatacenterLoop {
  private cancel: (() => void) | undefined;
  private lastTick: number | undefined;
  private next: number | null = null;
  private running: Promise<void> | undefined;
  private runningSince = 0;
  private lastFingerprint: string | undefined;
  private lastPostedAt = -Infinity;
  private readonly jitter: number;
  private drift: DriftPolicy | undefined;
  private last: { result: LoopHealth['lastResult']; at: string } | undefined;
  private failures = 0;
  private postFailures = 0;

  constructor(private readonly o: DatacenterLoopOptions) {
    this.jitter = jitterMs(o.dc, o.schedule.maxJitterSeconds);
  }

  /** ms since the epoch of the next scheduled pass (tick + jitter), or null when stopped or none. */
  nextRunAt(): number | null {
    return this.next;
  }

  /** How this loop is doing (for `/healthz`). */
  health(): LoopHealth {
    return {
      nextRunAt: this.next === null ? null : new Date(this.next).toISOString(),
      running: !!this.running,
      lastResult: this.last?.result ?? null,
      lastFinishedAt: this.last?.at ?? null,
      consecutiveFailures: this.failures,
      postFailures: this.postFailures,
    };
  }

  /** This datacenter's jitter in ms. */
  jitterMs(): number {
    return this.jitter;
  }

  /** Arm the first tick. */
  start(): void {
    this.arm();
  }

  /** Stop ticking; a pass already running finishes (await {@link idle}). */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.next = null;
    this.writeState();
  }

  /** Resolves when no pass of this loop is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private arm(): void {
    const now = this.o.clock.now();
    // Never fire ticks that passed while the process was stopped or the clock jumped.
    const base = nextTick(this.o.schedule.cron, Math.max(this.lastTick ?? -Infinity, now - this.jitter));
    if (base === null) {
      this.next = null;
      this.writeState();
      return;
    }
    this.next = base + this.jitter;
    this.cancel = this.o.clock.setTimer(() => this.tick(base), this.next - now);
    this.writeState();
  }

  private tick(base: number): void {
    this.lastTick = base;
    this.arm();
    const tickAt = new Date(base).toISOString();
    // A pass of this datacenter started elsewhere (`/breakfix pass`) counts as running too.
    const other = this.running ? undefined : (this.o.runPass as Partial<SerializedPassRunner>).inFlight?.(this.o.dc);
    if (this.running || other) {
      const reason = other
        ? `the pass ${other.requestedBy} started at ${new Date(other.since).toISOString()} is still running`
        : `the pass started at ${new Date(this.runningSince).toISOString()} is still running`;
      this.o.log.warn({ dc: this.o.dc, tickAt }, `tick skipped: ${reason}`);
      this.o.emit({ type: 'tick-skipped', dc: this.o.dc, tickAt, reason });
      void this.safePost(textLine(`:hourglass: breakfix ${this.o.dc}: skipped the ${tickAt} tick — ${reason}`));
      return;
    }
    this.runningSince = this.o.clock.now();
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      this.writeState();
    });
    this.writeState();
  }

  /** One scheduled pass, start to summary. Never throws: a failure is posted and logged. */
  private async runOnce(): Promise<void> {
    const { dc, stateDir } = this.o;
    const started = this.o.clock.now();
    this.o.emit({ type: 'pass-started', dc, at: new Date(started).toISOString() });
    const log = this.o.log.child({ dc });
    let before = listPasses(stateDir, dc).at(-1);
    try {
      this.drift ??= loadDriftPolicy(this.o.policyDir);
      const pausedBefore = readPause(stateDir, dc);
      // Read again when the pass really starts: one that waited behind another must not take that one's directory for its own.
      const onStart = () => { before = listPasses(stateDir, dc).at(-1); };
      const run = await this.o.runPass(dc, SCHEDULED_BY, { propose: !pausedBefore, onStart }).catch((e: Error) => ({ exitCode: 1, output: e.message }));
      const dir = listPasses(stateDir, dc).at(-1);
      if (!dir || dir === before) throw new Error(`the pass wrote no pass directory (exit ${run.exitCode}): ${run.output.trim().slice(-1500) || 'no output'}`);
      const records = recentPasses(stateDir, dc, historyDepth(this.drift));
      const current = records[records.length - 1];
      const summary = readPassSummary(dir);
      const previous = records.slice(0, -1).filter((r) => r.result === 'ok').at(-1);

      // Read again: someone may have paused during the pass.
      const pause = readPause(stateDir, dc) ?? this.circuitBreaker(records);
      if (pause) await this.withdrawProposal(dir, pause, log);
      const input: SummaryInput = {
        dc, current, ...(previous ? { previous } : {}), reasons: summary.reasons, budgets: readDrainBudgets(dir), plan: summary.plan,
        drift: evaluateDrift(records, this.drift.rules), ...(pause ? { pause } : {}),
        ...(this.next !== null ? { nextRunAt: new Date(this.next).toISOString() } : {}),
      };
      const proposes = !pause && summary.result === 'ok' && !!summary.plan && summary.plan.drain + summary.plan.recommission > 0 && existsSync(join(dir, 'plan.json'));
      const fingerprint = summaryFingerprint(input);
      const now = this.o.clock.now();
      const unchanged = fingerprint === this.lastFingerprint;
      const heartbeatDue = now - this.lastPostedAt >= this.o.schedule.heartbeatHours * 3_600_000;
      if (proposes || !unchanged || heartbeatDue) {
        const posted = await this.postCounted(summaryMessage({ ...input, heartbeat: unchanged && !proposes }), 'summary');
        if (posted !== FAILED) this.lastPostedAt = now;
        this.o.emit({ type: 'summary', dc, posted: posted !== FAILED, heartbeat: unchanged && !proposes });
      } else {
        log.info({ passId: current.passId }, 'summary quiet: nothing changed since the last one');
        this.o.emit({ type: 'summary', dc, posted: false, heartbeat: false });
      }
      this.lastFingerprint = fingerprint;
      if (proposes) {
        const plan = readPlanFile(join(dir, 'plan.json'));
        const posted = await this.postCounted(proposalMessage({ plan, summary, passDir: dir }), 'proposal');
        if (posted !== FAILED) recordProposalMessage(stateDir, plan.id, posted, log);
      }
      log.info({ passId: current.passId, result: current.result, ms: this.o.clock.now() - started }, 'scheduled pass done');
      this.last = { result: current.result, at: new Date(this.o.clock.now()).toISOString() };
      this.failures = 0;
      this.o.emit({ type: 'pass-finished', dc, result: current.result, durationMs: this.o.clock.now() - started, setSizes: current.counts, passId: current.passId });
    } catch (e) {
      const err = e as Error;
      log.error({ err: { name: err.name, message: err.message } }, 'scheduled pass failed');
      this.last = { result: 'failed', at: new Date(this.o.clock.now()).toISOString() };
      this.failures++;
      this.o.emit({ type: 'pass-finished', dc, result: 'failed', durationMs: this.o.clock.now() - started, setSizes: {} });
      this.lastFingerprint = undefined;
      await this.safePost(textMessage(`:x: breakfix ${dc}: the scheduled pass failed`, err.message));
    }
  }

  /** Trip the pause when safety refused a cluster for mass failure N passes in a row (since the last resume). */
  private circuitBreaker(records: PassRecord[]): PauseInfo | undefined {
    const n = this.drift!.circuitBreaker.massFailurePasses.value;
    const clusters = massFailureStreak(records, n, readLastResume(this.o.stateDir, this.o.dc)?.at);
    if (clusters.length === 0) return undefined;
    const info: PauseInfo = {
      by: CIRCUIT_BREAKER,
      at: new Date(this.o.clock.now()).toISOString(),
      reason: `safety refused ${clusters.join(', ')} for mass failure ${n} passes in a row; look at the observers, then resume`,
    };
    writePause(this.o.stateDir, this.o.dc, info);
    this.o.log.warn({ dc: this.o.dc, clusters }, 'circuit breaker tripped: datacenter paused');
    this.o.emit({ type: 'circuit-breaker', dc: this.o.dc, clusters });
    return info;
  }

  /**
   * The pass ran with proposals on but the datacenter is paused now (by a person during the pass,
   * or by the circuit breaker on its result): the plan it registered must not stay approvable
   * after a resume. It is marked `superseded`, by whoever paused, saying why.
   */
  private async withdrawProposal(dir: string, pause: PauseInfo, log: Logger): Promise<void> {
    if (!existsSync(join(dir, 'plan.json'))) return;
    const plan = readPlanFile(join(dir, 'plan.json'));
    const store = new PlanStore(this.o.stateDir);
    if (store.get(plan.id)?.state.state !== 'proposed') return;
    const who = pause.by === CIRCUIT_BREAKER ? `the circuit breaker paused ${this.o.dc}` : `${this.o.dc} was paused during the pass by ${pause.by}`;
    const note = `${who} at ${pause.at}${pause.reason ? ` (${pause.reason})` : ''}: not proposed`;
    const r = await store.transition(plan.id, ['proposed'], 'superseded', pause.by, note);
    if (r.ok) log.warn({ planId: plan.id, by: pause.by }, 'proposal withdrawn: the datacenter is paused');
  }

  private async safePost(msg: SlackMessage): Promise<void> {
    await this.postCounted(msg, 'notice');
  }

  /** Post; a failure is logged, counted ({@link LoopHealth.postFailures}) and emitted, never thrown. Resolves with what post answered, or {@link FAILED}. */
  private async postCounted(msg: SlackMessage, what: PostKind): Promise<unknown> {
    try {
      return await this.o.post(msg);
    } catch (e) {
      const error = (e as Error).message;
      this.postFailures++;
      this.o.log.error({ dc: this.o.dc, what, err: { message: error } }, `posting the ${what} to Slack failed`);
      this.o.emit({ type: 'post-failed', dc: this.o.dc, what, error });
      return FAILED;
    }
  }

  private writeState(): void {
    const s: LoopStateFile = {
      dc: this.o.dc, cron: this.o.schedule.cron, nextRunAt: this.next === null ? null : new Date(this.next).toISOString(),
      running: !!this.running, pid: process.pid, updatedAt: new Date(this.o.clock.now()).toISOString(),
    };
    try {
      writeAtomic(loopStateFile(this.o.stateDir, this.o.dc), JSON.stringify(s, null, 2) + '\n');
    } catch (e) {
      this.o.log.warn({ dc: this.o.dc, err: { message: (e as Error).message } }, 'cannot write the loop state file');
    }
  }
}

/** A {@link PassRunner} that runs one pass per datacenter at a time and says which one runs now. */
export interface SerializedPassRunner extends PassRunner {
  /** The pass of `dc` running now (who asked, since when in ms since the epoch of `now`), or undefined. */
  inFlight(dc: string): { requestedBy: string; since: number } | undefined;
}

/**
 * `runPass` with at most one pass per datacenter at a time: a pass asked for while another of
 * the same datacenter runs (a `/breakfix pass` during a scheduled one) waits for it, so the bot's
 * two ways of starting a pass never overlap in one datacenter. `opts.onStart` is called when a
 * pass stops waiting and starts. The scheduled loop asks {@link SerializedPassRunner.inFlight}
 * first and skips its tick instead of queueing behind a manual pass. `now` (ms) defaults to Date.now.
 */
export function onePassAtATime(runPass: PassRunner, now: () => number = Date.now): SerializedPassRunner {
  const tail = new Map<string, Promise<unknown>>();
  const current = new Map<string, { requestedBy: string; since: number }>();
  const run: PassRunner = (dc, requestedBy, opts) => {
    const { onStart, ...rest } = opts ?? {};
    const started = (tail.get(dc) ?? Promise.resolve()).then(() => {
      const me = { requestedBy, since: now() };
      current.set(dc, me);
      onStart?.();
      return runPass(dc, requestedBy, rest).finally(() => { if (current.get(dc) === me) current.delete(dc); });
    });
    const settled = started.catch(() => undefined);
    tail.set(dc, settled);
    void settled.then(() => { if (tail.get(dc) === settled) tail.delete(dc); });
    return started;
  };
  return Object.assign(run, { inFlight: (dc: string) => current.get(dc) });
}

/** What {@link DatacenterLoop.postCounted} resolves with when the post failed. */
const FAILED = Symbol('post failed');

/** Remember where a plan's proposal was posted (chat.postMessage's `channel` and `ts`), so a resumed execution reports in its thread. */
function recordProposalMessage(stateDir: string, planId: string, posted: unknown, log: Logger): void {
  const at = posted as { channel?: unknown; ts?: unknown } | undefined;
  if (typeof at?.channel !== 'string' || typeof at.ts !== 'string') return;
  try {
    new PlanStore(stateDir).recordMessage(planId, { channel: at.channel, ts: at.ts });
  } catch (e) {
    log.warn({ planId, err: { message: (e as Error).message } }, 'proposal message not recorded');
  }
}

function textLine(text: string): SlackMessage {
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }] };
}

/** Options of {@link LoopScheduler}: one schedule per datacenter, and what every loop shares. */
export interface LoopSchedulerOptions extends Omit<DatacenterLoopOptions, 'dc' | 'schedule' | 'emit'> {
  schedules: Record<string, Schedule>;
}

/** Every datacenter's loop, started and stopped together; `events` emits `loop` with a {@link SchedulerEvent}. */
export class LoopScheduler {
  readonly events = new EventEmitter<{ loop: [SchedulerEvent] }>();
  readonly loops: Map<string, DatacenterLoop>;

  constructor(o: LoopSchedulerOptions) {
    this.loops = new Map(Object.entries(o.schedules).map(([dc, schedule]) => [dc, new DatacenterLoop({ ...o, dc, schedule, emit: (e) => this.events.emit('loop', e) })]));
  }

  start(): void {
    for (const l of this.loops.values()) l.start();
  }

  /** Stop every loop and wait for running passes. */
  async stop(): Promise<void> {
    for (const l of this.loops.values()) l.stop();
    await this.idle();
  }

  /** Resolves when no scheduled pass is running. */
  async idle(): Promise<void> {
    await Promise.all([...this.loops.values()].map((l) => l.idle()));
  }

  /** Datacenter → its loop's health. */
  health(): Record<string, LoopHealth> {
    return Object.fromEntries([...this.loops].map(([dc, l]) => [dc, l.health()]));
  }

  /** Datacenter → ISO time of its next scheduled pass (null when none). */
  nextRuns(): Record<string, string | null> {
    return Object.fromEntries([...this.loops].map(([dc, l]) => [dc, l.nextRunAt() === null ? null : new Date(l.nextRunAt()!).toISOString()]));
  }
}
