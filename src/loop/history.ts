/**
 * The recorded sequence of a datacenter's passes as the loop reads it back: per finished pass
 * directory, what `summary.json` (result, set counts), `sources/manifest.json` (per-source host
 * counts and the previous pass's) and `plan.json` (clusters refused for mass failure) say.
 * Drift and the circuit breaker are pure functions of this sequence.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError, formatPath } from '../errors.js';
import { listPasses, readJsonFile } from '../pass/passdir.js';
import { readPassManifest } from '../pass/run.js';
import { readPassSummary, type PassSummary } from '../pass/summary.js';
import { PlanSchema } from '../plan/store.js';

/** One recorded pass, reduced to what the loop compares across passes. */
export interface PassRecord {
  dir: string;
  passId: string;
  /** ISO time the pass started. */
  startedAt: string;
  result: PassSummary['result'];
  /** Set name → host count (empty unless `result` is `ok`). */
  counts: Record<string, number>;
  /** Per source (role): hosts read, and hosts the previous pass read from it, when known. */
  sources: { role: string; hosts?: number; previousHosts?: number }[];
  /** Clusters whose proposals safety refused for mass failure (ok passes only; plan.json cluster reasons). */
  massFailure: string[];
}

/**
 * Only the `clusters` of `plan.json`, checked as {@link PlanSchema} checks them: the loop reads
 * every recent pass each time, and the actions (~600 KB at 100,000 hosts) are not needed here.
 */
const PLAN_CLUSTERS = PlanSchema.pick({ clusters: true });

/** The prefix of a mass-failure refusal reason (src/safety/mass-failure.ts). */
export const MASS_FAILURE_PREFIX = 'mass failure:';

/** Read one finished pass directory. @throws InputError naming the file and field when summary.json, the manifest or plan.json does not read. */
export function readPassRecord(dir: string): PassRecord {
  const summary = readPassSummary(dir);
  let sources: PassRecord['sources'] = summary.sources.map((s) => ({ role: s.role, hosts: s.hosts }));
  if (existsSync(join(dir, 'sources', 'manifest.json'))) {
    sources = readPassManifest(dir).sources.map((s) => ({ role: s.role, ...(s.hosts !== undefined ? { hosts: s.hosts } : {}), ...(s.previousHosts !== undefined ? { previousHosts: s.previousHosts } : {}) }));
  }
  let massFailure: string[] = [];
  const planPath = join(dir, 'plan.json');
  if (summary.result === 'ok' && existsSync(planPath)) {
    const plan = readJsonFile(planPath, PLAN_CLUSTERS);
    massFailure = plan.clusters.filter((c) => c.reason?.startsWith(MASS_FAILURE_PREFIX)).map((c) => c.cluster);
  }
  return { dir, passId: summary.passId, startedAt: summary.startedAt, result: summary.result, counts: summary.counts ?? {}, sources, massFailure };
}

/** The last `limit` finished passes of `dc`, oldest first. */
export function recentPasses(stateDir: string, dc: string, limit: number): PassRecord[] {
  return listPasses(stateDir, dc).slice(-limit).map(readPassRecord);
}

/** Drain budget of one cluster as `budget.tsv` of a pass records it. */
export interface ClusterHeadroom {
  cluster: string;
  /** Hosts already out (consuming the drain budget). */
  inFlight: number;
  /** Drains the budget still allows. */
  headroom: number;
  cap: number;
}

/** A whole-number column of `budget.tsv`. */
const Count = z.string().regex(/^\d+$/, 'expected a whole number').transform(Number);

/** The columns of a `budget.tsv` drain row this module reads. */
const DrainBudgetRowSchema = z.object({ cluster: z.string().min(1), 'in-flight': Count, headroom: Count, cap: Count });

/**
 * The drain rows of `<dir>/budget.tsv` (BUDGET_COLUMNS of src/pass/report.ts); empty when the pass wrote none.
 * @throws InputError naming the file, line and column when a row does not read.
 */
export function readDrainBudgets(dir: string): ClusterHeadroom[] {
  const path = join(dir, 'budget.tsv');
  if (!existsSync(path)) return [];
  const [head, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = head.split('\t');
  const out: ClusterHeadroom[] = [];
  rows.forEach((r, i) => {
    const fields = Object.fromEntries(r.split('\t').map((f, c) => [names[c], f]));
    if (fields.action !== 'drain') return;
    const parsed = DrainBudgetRowSchema.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError({ origin: path, line: i + 2, field: formatPath(issue.path) }, issue.message);
    }
    const row = parsed.data;
    out.push({ cluster: row.cluster, inFlight: row['in-flight'], headroom: row.headroom, cap: row.cap });
  });
  return out;
}
