/**
 * `/metrics` (Prometheus text format, prom-client, a dedicated registry): the bot's own loop.
 *
 * Design: passes run in a child process of the bot (and from the CLI, and from other hosts that
 * share the state directory), so in-process counters would miss most of them. The facts are
 * read from the state directory at scrape time ({@link BotMetrics.collect}):
 *
 * - each finished pass directory (`summary.json` present) is read once, the first time a
 *   scrape sees it: its result, its duration (first and last line of `transcript.log`), and
 *   every source's fetch time and error (`sources/manifest.json`, `fetchMs` / `error`). Counters
 *   and histograms therefore count every pass present in the state directory when the bot
 *   started plus every one finished since; they never go down when retention removes a pass.
 * - gauges (set sizes of the latest pass, plans by state, pauses) are recomputed on every scrape.
 * - execution durations: each plan that reached `completed` or `failed` is observed once, from
 *   its `state.json` history (`executing` → final state).
 * - loop events ({@link recordLoopEvent}) come from the loop in this process.
 *
 * Metric names: see {@link METRIC_NAMES} and README, section /metrics.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { listDatacenters, listPasses } from '../pass/passdir.js';
import { readPassManifest } from '../pass/run.js';
import { readPassSummary } from '../pass/summary.js';
import { readPause } from '../plan/pause.js';
import { PLAN_STATES, PlanStore } from '../plan/store.js';
import { RAW_SET_PREFIXES } from '../sets/names.js';
import { overdue, passResultOf, type LastPass, type LoopTracker } from './health.js';
import type { LoopEvent } from './loop-events.js';

/** Every metric breakfix defines itself (process metrics come on top, also prefixed `breakfix_`). */
export const METRIC_NAMES = [
  'breakfix_passes_total', 'breakfix_pass_duration_seconds', 'breakfix_last_pass_timestamp_seconds', 'breakfix_set_hosts',
  'breakfix_source_hosts', 'breakfix_source_fetch_seconds', 'breakfix_source_fetch_failures_total', 'breakfix_plans',
  'breakfix_execution_duration_seconds', 'breakfix_paused', 'breakfix_loop_ticks_skipped_total', 'breakfix_loop_pass_running',
  'breakfix_loop_overdue', 'breakfix_loop_next_run_timestamp_seconds', 'breakfix_state_read_errors_total',
  'breakfix_loop_slack_post_failures_total',
] as const;

/** Options of {@link BotMetrics}. */
export interface MetricsOptions {
  stateDir: string;
  /** Datacenters the bot serves: their gauges exist (at 0) before their first pass. */
  datacenters?: readonly string[];
  /** Loop state (shared with `/healthz`). */
  tracker: LoopTracker;
  now?: () => Date;
  /** Node.js process metrics (`breakfix_process_*`, `breakfix_nodejs_*`); default true. */
  processMetrics?: boolean;
}

/** True for the sets worth a gauge: every named set, not the per-cluster/rack/group/check ones (thousands per pass). */
export function isKeySet(name: string): boolean {
  return !RAW_SET_PREFIXES.some((p) => name.startsWith(p));
}

/** The metrics of one bot process, over one state directory. */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly stateDir: string;
  private readonly datacenters: readonly string[];
  private readonly tracker: LoopTracker;
  private readonly now: () => Date;
  private readonly seenPasses = new Set<string>();
  private readonly seenExecutions = new Set<string>();

  private readonly passes: Counter<'dc' | 'result'>;
  private readonly passDuration: Histogram<'dc' | 'result'>;
  private readonly lastPassAt: Gauge<'dc'>;
  private readonly setHosts: Gauge<'dc' | 'set'>;
  private readonly sourceHosts: Gauge<'dc' | 'source'>;
  private readonly fetchSeconds: Histogram<'dc' | 'source'>;
  private readonly fetchFailures: Counter<'dc' | 'source'>;
  private readonly plans: Gauge<'dc' | 'state'>;
  private readonly executions: Histogram<'dc' | 'outcome'>;
  private readonly paused: Gauge<'dc'>;
  private readonly ticksSkipped: Counter<'dc'>;
  private readonly postFailures: Counter<'dc' | 'what'>;
  private readonly passRunning: Gauge<'dc'>;
  private readonly loopOverdue: Gauge<'dc'>;
  private readonly nextRun: Gauge<'dc'>;
  private readonly readErrors: Counter<'part'>;

  constructor(opts: MetricsOptions) {
    this.stateDir = opts.stateDir;
    this.datacenters = opts.datacenters ?? [];
    this.tracker = opts.tracker;
    this.now = opts.now ?? (() => new Date());
    const registers = [this.registry];
    this.passes = new Counter({ name: 'breakfix_passes_total', help: 'Finished passes by result (ok: a plan with actions; empty: nothing to do; refused: safety failed closed; error: bad input)', labelNames: ['dc', 'result'], registers });
    this.passDuration = new Histogram({ name: 'breakfix_pass_duration_seconds', help: 'Pass duration, first to last transcript line', labelNames: ['dc', 'result'], buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800], registers });
    this.lastPassAt = new Gauge({ name: 'breakfix_last_pass_timestamp_seconds', help: 'Start time of the newest finished pass (Unix seconds)', labelNames: ['dc'], registers });
    this.setHosts = new Gauge({ name: 'breakfix_set_hosts', help: 'Hosts in each named set of the newest finished pass', labelNames: ['dc', 'set'], registers });
    this.sourceHosts = new Gauge({ name: 'breakfix_source_hosts', help: 'Hosts each source reported in the newest finished pass', labelNames: ['dc', 'source'], registers });
    this.fetchSeconds = new Histogram({ name: 'breakfix_source_fetch_seconds', help: 'Time to read one source into a pass directory (success or failure)', labelNames: ['dc', 'source'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15], registers });
    this.fetchFailures = new Counter({ name: 'breakfix_source_fetch_failures_total', help: 'Sources a pass could not read (the pass then failed closed)', labelNames: ['dc', 'source'], registers });
    this.plans = new Gauge({ name: 'breakfix_plans', help: 'Plans in the plan store by state', labelNames: ['dc', 'state'], registers });
    this.executions = new Histogram({ name: 'breakfix_execution_duration_seconds', help: 'Plan executions, executing to completed/failed', labelNames: ['dc', 'outcome'], buckets: [1, 10, 60, 300, 900, 1800, 3600, 7200, 21600, 86400], registers });
    this.paused = new Gauge({ name: 'breakfix_paused', help: '1 while the datacenter is paused (kill switch)', labelNames: ['dc'], registers });
    this.ticksSkipped = new Counter({ name: 'breakfix_loop_ticks_skipped_total', help: 'Scheduled ticks skipped because the previous pass of the datacenter was still running', labelNames: ['dc'], registers });
    this.passRunning = new Gauge({ name: 'breakfix_loop_pass_running', help: '1 while a pass started by the loop runs', labelNames: ['dc'], registers });
    this.loopOverdue = new Gauge({ name: 'breakfix_loop_overdue', help: '1 when the loop of the datacenter is overdue (see /healthz for why)', labelNames: ['dc'], registers });
    this.nextRun = new Gauge({ name: 'breakfix_loop_next_run_timestamp_seconds', help: 'When the loop plans the next pass (Unix seconds)', labelNames: ['dc'], registers });
    this.postFailures = new Counter({ name: 'breakfix_loop_slack_post_failures_total', help: 'Posts of the scheduled loop to Slack that failed, by what (summary, proposal, notice); not counted as failed passes', labelNames: ['dc', 'what'], registers });
    this.readErrors = new Counter({ name: 'breakfix_state_read_errors_total', help: 'Scrapes that met a damaged file in the state directory, by part (passes, plans)', labelNames: ['part'], registers });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'breakfix_' });
    for (const dc of this.datacenters) this.ticksSkipped.inc({ dc }, 0);
  }

  /** Count a loop event (skipped ticks, failed posts); the loop's other facts are read from the tracker at scrape time. */
  recordLoopEvent(e: LoopEvent): void {
    if (e.type === 'tick-skipped') this.ticksSkipped.inc({ dc: e.dc });
    if (e.type === 'post-failed') this.postFailures.inc({ dc: e.dc, what: e.what });
  }

  /** Read the state directory into the metrics. Never throws: a damaged file counts in `breakfix_state_read_errors_total`. */
  collect(): void {
    const dcs = [...new Set([...this.datacenters, ...safe(() => listDatacenters(this.stateDir), [])])].sort();
    this.setHosts.reset();
    this.sourceHosts.reset();
    this.lastPassAt.reset();
    const present = new Set<string>();
    const last = new Map<string, LastPass>();
    for (const dc of dcs) {
      try {
        const passes = listPasses(this.stateDir, dc);
        for (const dir of passes) {
          present.add(dir);
          if (!this.seenPasses.has(dir)) this.observePass(dc, dir);
        }
        const newest = passes[passes.length - 1];
        if (newest) {
          const s = readPassSummary(newest);
          last.set(dc, { passId: s.passId, startedAt: s.startedAt, result: passResultOf(s), dir: newest });
          this.lastPassAt.set({ dc }, Date.parse(s.startedAt) / 1000);
          for (const [set, n] of Object.entries(s.counts)) if (isKeySet(set)) this.setHosts.set({ dc, set }, n);
          for (const src of s.sources) this.sourceHosts.set({ dc, source: src.role }, src.hosts);
        }
      } catch {
        this.readErrors.inc({ part: 'passes' });
      }
      this.paused.set({ dc }, readPause(this.stateDir, dc) ? 1 : 0);
    }
    // Retention removes old passes; they never come back, so forget them (memory stays bounded).
    for (const dir of this.seenPasses) if (!present.has(dir)) this.seenPasses.delete(dir);
    this.collectPlans(dcs);
    this.collectLoop(dcs, last);
  }

  /** {@link collect}, then the text exposition. */
  async render(): Promise<string> {
    this.collect();
    return this.registry.metrics();
  }

  /** `Content-Type` of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private observePass(dc: string, dir: string): void {
    const s = readPassSummary(dir);
    const result = passResultOf(s);
    this.passes.inc({ dc, result });
    const seconds = transcriptSeconds(join(dir, 'transcript.log'));
    if (seconds !== undefined) this.passDuration.observe({ dc, result }, seconds);
    const manifest = readPassManifest(dir);
    for (const src of manifest.sources) {
      if (src.fetchMs !== undefined) this.fetchSeconds.observe({ dc, source: src.role }, src.fetchMs / 1000);
      if (src.error) this.fetchFailures.inc({ dc, source: src.role });
    }
    this.seenPasses.add(dir);
  }

  private collectPlans(dcs: readonly string[]): void {
    let states;
    try {
      states = new PlanStore(this.stateDir).states();
    } catch {
      this.readErrors.inc({ part: 'plans' });
      return;
    }
    this.plans.reset();
    for (const dc of new Set([...dcs, ...states.map((s) => s.dc)])) for (const state of PLAN_STATES) this.plans.set({ dc, state }, 0);
    for (const s of states) {
      this.plans.inc({ dc: s.dc, state: s.state });
      if ((s.state === 'completed' || s.state === 'failed') && !this.seenExecutions.has(s.planId)) {
        const start = s.history.find((h) => h.to === 'executing');
        const end = s.history[s.history.length - 1];
        if (start) this.executions.observe({ dc: s.dc, outcome: s.state }, Math.max(0, Date.parse(end.at) - Date.parse(start.at)) / 1000);
        this.seenExecutions.add(s.planId);
      }
    }
  }

  private collectLoop(dcs: readonly string[], last: ReadonlyMap<string, LastPass>): void {
    this.passRunning.reset();
    this.loopOverdue.reset();
    this.nextRun.reset();
    const now = this.now();
    for (const dc of new Set([...dcs, ...this.tracker.datacenters()])) {
      const loop = this.tracker.get(dc);
      if (!loop) continue;
      this.passRunning.set({ dc }, loop.runningSince ? 1 : 0);
      if (loop.nextRunAt) this.nextRun.set({ dc }, loop.nextRunAt.getTime() / 1000);
      const o = overdue(loop, last.get(dc) ?? null, now);
      if (o.overdue !== null) this.loopOverdue.set({ dc }, o.overdue ? 1 : 0);
    }
  }
}

/** Seconds between the first and last timestamped line of a transcript, or undefined. */
function transcriptSeconds(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').filter(Boolean);
  const at = (l: string | undefined) => (l ? Date.parse(l.slice(0, l.indexOf(' '))) : NaN);
  const first = at(lines[0]);
  const last = at(lines[lines.length - 1]);
  return Number.isNaN(first) || Number.isNaN(last) ? undefined : Math.max(0, last - first) / 1000;
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
