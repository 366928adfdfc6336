/**
 * `/healthz`: is the process up, and how is each datacenter's loop doing. Loop facts (next tick,
 * a pass running, skipped ticks) come from {@link LoopEvent}s of this process; pass facts (the
 * last pass, its result) and pauses come from the state directory, whichever process wrote them.
 *
 * Status code: 200 whenever the process answers and can read its state directory, even with a
 * datacenter overdue or paused: a liveness probe that restarts the bot would not bring a dead
 * NameNode back, and would silence the bot that reports it. 503 only when the state directory
 * exists but cannot be read (the bot can neither pass nor approve anything): a restart or an
 * operator is needed. Alert on overdue loops with `breakfix_loop_overdue` instead.
 */
import { readdirSync, statSync } from 'node:fs';
import { listPasses } from '../pass/passdir.js';
import { readPassSummary, type PassSummary } from '../pass/summary.js';
import { readPause, type PauseInfo } from '../plan/pause.js';
import type { LoopEvent, LoopPassResult } from './loop-events.js';

/** How late a tick may be (ms) before its datacenter counts as overdue: a loaded host starts a tick late, jitter delays it. */
export const OVERDUE_GRACE_MS = 5 * 60_000;
/** Without a finished pass for this many schedule intervals, the loop is overdue even while it ticks (every tick skipped behind a hung pass). */
export const OVERDUE_INTERVALS = 3;

/** What the loop of one datacenter last reported. */
export interface DcLoopState {
  nextRunAt?: Date;
  intervalMs?: number;
  /** Set while a pass started by the loop has not finished. */
  runningSince?: Date;
  ticksSkipped: number;
  lastSkip?: { at: Date; reason: string };
  lastFinished?: { at: Date; result: LoopPassResult; durationMs?: number };
}

/** Loop state per datacenter, fed with {@link LoopEvent}s. */
export class LoopTracker {
  private readonly dcs = new Map<string, DcLoopState>();

  /** Apply one event. */
  handle(e: LoopEvent): void {
    const s = this.dcs.get(e.dc) ?? { ticksSkipped: 0 };
    this.dcs.set(e.dc, s);
    switch (e.type) {
      case 'scheduled':
        s.nextRunAt = e.nextRunAt;
        if (e.intervalMs !== undefined) s.intervalMs = e.intervalMs;
        break;
      case 'pass-started':
        s.runningSince = e.at;
        break;
      case 'pass-finished':
        s.runningSince = undefined;
        s.lastFinished = { at: e.at, result: e.result, ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}) };
        break;
      case 'tick-skipped':
        s.ticksSkipped++;
        s.lastSkip = { at: e.at, reason: e.reason };
        break;
    }
  }

  /** The loop state of `dc`, undefined when its loop reported nothing. */
  get(dc: string): DcLoopState | undefined {
    return this.dcs.get(dc);
  }

  /** Datacenters whose loop reported something. */
  datacenters(): string[] {
    return [...this.dcs.keys()];
  }
}

/** The last finished pass of a datacenter, as `/healthz` and `/metrics` show it. */
export interface LastPass {
  passId: string;
  startedAt: string;
  result: LoopPassResult;
  dir: string;
}

/** One datacenter in `/healthz`. Times are ISO strings. */
export interface DcHealth {
  lastPass: LastPass | null;
  running: boolean;
  runningSince: string | null;
  nextRunAt: string | null;
  /** Null when no loop in this process schedules the datacenter (passes on demand only). */
  overdue: boolean | null;
  /** Why it is overdue (or why that cannot be said). */
  overdueReason: string | null;
  paused: PauseInfo | null;
  ticksSkipped: number;
  /** A damaged file of the datacenter (its newest summary.json), when there is one. */
  error?: string;
}

/** The `/healthz` body. */
export interface HealthReport {
  ok: boolean;
  datacenters: Record<string, DcHealth>;
  error?: string;
}

/** `ok` with nothing to do is `empty`: the metric and the health report tell them apart. */
export function passResultOf(summary: Pick<PassSummary, 'result' | 'plan'>): LoopPassResult {
  if (summary.result !== 'ok') return summary.result;
  return summary.plan && summary.plan.drain + summary.plan.recommission > 0 ? 'ok' : 'empty';
}

/** The newest finished pass of `dc` in the state directory, or null. @throws Error when its summary.json cannot be read. */
export function lastPassOf(stateDir: string, dc: string): LastPass | null {
  const passes = listPasses(stateDir, dc);
  if (passes.length === 0) return null;
  const dir = passes[passes.length - 1];
  const s = readPassSummary(dir);
  return { passId: s.passId, startedAt: s.startedAt, result: passResultOf(s), dir };
}

/** Whether `dc` is overdue at `now`, and why. */
export function overdue(loop: DcLoopState | undefined, last: LastPass | null, now: Date): { overdue: boolean | null; reason: string | null } {
  if (!loop?.nextRunAt) return { overdue: null, reason: 'no schedule reported by a loop in this process' };
  const late = now.getTime() - loop.nextRunAt.getTime();
  if (late > OVERDUE_GRACE_MS) return { overdue: true, reason: `the tick due at ${loop.nextRunAt.toISOString()} has not run (${Math.round(late / 60_000)} min late, grace ${OVERDUE_GRACE_MS / 60_000} min)` };
  if (loop.intervalMs !== undefined) {
    const limit = OVERDUE_INTERVALS * loop.intervalMs + OVERDUE_GRACE_MS;
    const lastAt = loop.lastFinished?.at.getTime() ?? (last ? Date.parse(last.startedAt) : undefined);
    if (lastAt !== undefined && now.getTime() - lastAt > limit) {
      return { overdue: true, reason: `no pass finished since ${new Date(lastAt).toISOString()} (${OVERDUE_INTERVALS} intervals of ${Math.round(loop.intervalMs / 60_000)} min + grace)` };
    }
  }
  return { overdue: false, reason: null };
}

/**
 * The health of each datacenter in `datacenters` (plus any the loop reported). Never throws for
 * one datacenter's damaged files: they become its `error`. `ok` is false (and the status 503)
 * only when the state directory exists but cannot be read.
 */
export function healthReport(stateDir: string, datacenters: readonly string[], tracker: LoopTracker, now: Date): { status: 200 | 503; body: HealthReport } {
  const unreadable = stateDirProblem(stateDir);
  if (unreadable) return { status: 503, body: { ok: false, datacenters: {}, error: unreadable } };
  const out: Record<string, DcHealth> = {};
  for (const dc of [...new Set([...datacenters, ...tracker.datacenters()])].sort()) {
    const loop = tracker.get(dc);
    let last: LastPass | null = null;
    let error: string | undefined;
    try {
      last = lastPassOf(stateDir, dc);
    } catch (e) {
      error = (e as Error).message;
    }
    const o = overdue(loop, last, now);
    out[dc] = {
      lastPass: last,
      running: !!loop?.runningSince,
      runningSince: loop?.runningSince?.toISOString() ?? null,
      nextRunAt: loop?.nextRunAt?.toISOString() ?? null,
      overdue: o.overdue,
      overdueReason: o.reason,
      paused: readPause(stateDir, dc) ?? null,
      ticksSkipped: loop?.ticksSkipped ?? 0,
      ...(error ? { error } : {}),
    };
  }
  return { status: 200, body: { ok: true, datacenters: out } };
}

/** Null when the state directory is readable or does not exist yet (a fresh bot); else the problem. */
function stateDirProblem(stateDir: string): string | null {
  try {
    if (!statSync(stateDir).isDirectory()) return `state directory ${stateDir} is not a directory`;
    readdirSync(stateDir);
    return null;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return err.code === 'ENOENT' ? null : `state directory ${stateDir} cannot be read (${err.code ?? err.message}): check its permissions and the disk`;
  }
}
