/**
 * Click-time re-validation (DESIGN.md §5): before a plan is approved, the facts it was built on
 * are read again. A fresh pass runs on the same sources (kinds, locations, mappings as recorded
 * in the plan's `sources/manifest.json`) under the current policy, into a directory of its own,
 * so the original pass directory is never touched. The plan is still good only when
 *
 * - the policy is the one it was proposed under (same digest);
 * - the fresh pass was not refused (fail closed on sources holds at click time too);
 * - every host is still in its candidate set (`drain-candidates` for a drain, `return-candidates`
 *   for a recommission) and not in `unknown`;
 * - every cluster's fresh headroom still covers the plan's hosts (in-flight recounted; the plan's
 *   own hosts are not in flight yet, nothing was executed), with no mass failure;
 * - the safety verifier accepts the plan's exact host list against the fresh facts.
 *
 * The approved host list is always the plan's, never the fresh pass's picks.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, SafetyError } from '../errors.js';
import { CANDIDATE_SET, describeInFlight, safetyFacts, type ClusterBudget, type Plan } from '../pass/reconcile.js';
import { readPassManifest, runPass, type PassManifest } from '../pass/run.js';
import { getSet, type Fleet } from '../pass/sets.js';
import type { SourceSpec } from '../pass/snapshot.js';
import { loadPolicy } from '../policy/load.js';
import { verifyPlan } from '../safety/index.js';
import { has, parseSetLines } from '../sets/hostset.js';

/** What re-validation found. `passDir` is the fresh pass (null when none ran). */
export type RevalidationResult =
  | { ok: true; passDir: string }
  | { ok: false; changes: string[]; passDir: string | null };

/** Options of {@link revalidatePlan}. */
export interface RevalidateOptions {
  /** The pass directory the plan came from: its `sources/manifest.json` and `sets/`. */
  planPassDir: string;
  /** Fresh passes go into a new numbered directory under this one (e.g. `<plan dir>/revalidations`). */
  outDir: string;
  /** The state directory (the fresh pass compares source sizes with the previous passes there). */
  stateDir: string;
  /** Current policy directory; default the one the plan's pass recorded. */
  policyDir?: string;
  /** Sources to read; default the plan's own, as recorded. */
  sources?: SourceSpec[];
  now?: Date;
}


/**
 * Re-validate a plan with fresh sources. Never throws for what it finds: a broken policy, a
 * missing manifest or a refused pass are reasons in `changes` (fail closed).
 */
export async function revalidatePlan(plan: Plan, opts: RevalidateOptions): Promise<RevalidationResult> {
  const manifestPath = join(opts.planPassDir, 'sources', 'manifest.json');
  if (!existsSync(manifestPath)) {
    return { ok: false, changes: [`the plan's pass directory has no sources/manifest.json (${manifestPath}): its sources cannot be read again`], passDir: null };
  }
  let manifest: PassManifest;
  try {
    manifest = readPassManifest(opts.planPassDir);
  } catch (e) {
    return { ok: false, changes: [(e as Error).message], passDir: null };
  }
  const policyDir = opts.policyDir ?? manifest.policyDir;
  let policyDigest: string;
  try {
    policyDigest = loadPolicy(policyDir).digest;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ok: false, changes: [`the current policy does not load: ${e.message}`], passDir: null };
  }
  if (policyDigest !== plan.policyDigest) return { ok: false, changes: [policyChanged(plan.policyDigest, policyDigest, policyDir)], passDir: null };

  const sources: SourceSpec[] = opts.sources ?? manifest.sources.map((s) => ({ kind: s.kind, location: s.origin, ...(s.mapping ? { mapping: s.mapping } : {}), ...(s.ssh ? { ssh: s.ssh } : {}) }));
  const passDir = nextDir(opts.outDir);
  let fresh: Awaited<ReturnType<typeof runPass>>;
  try {
    fresh = await runPass({ dc: plan.dc, sources, policyDir, stateDir: opts.stateDir, seed: plan.seed, passDir, now: opts.now });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ok: false, changes: [`the fresh pass could not start: ${e.message}`], passDir };
  }
  if (fresh.summary.result !== 'ok' || !fresh.fleet || !fresh.budgets || !fresh.plan) {
    return { ok: false, changes: fresh.summary.reasons.map((r) => `fresh pass ${fresh.summary.result}: ${r}`), passDir };
  }
  if (fresh.plan.policyDigest !== plan.policyDigest) return { ok: false, changes: [policyChanged(plan.policyDigest, fresh.plan.policyDigest, policyDir)], passDir };

  const changes = [
    ...hostChanges(plan, fresh.fleet, opts.planPassDir),
    ...budgetChanges(plan, fresh.budgets),
  ];
  try {
    verifyPlan(plan.actions, safetyFacts(fresh.fleet, fresh.budgets));
  } catch (e) {
    if (!(e instanceof SafetyError)) throw e;
    changes.push(e.message);
  }
  return changes.length === 0 ? { ok: true, passDir } : { ok: false, changes, passDir };
}

/** Per plan host that no longer qualifies: `dn12: no longer in drain-candidates (now in ticketed)`. */
function hostChanges(plan: Plan, fleet: Fleet, planPassDir: string): string[] {
  const out: string[] = [];
  const unknown = getSet(fleet, 'unknown');
  const then = membershipsThen(planPassDir, plan.actions.map((a) => a.host));
  for (const a of plan.actions) {
    const setName = CANDIDATE_SET[a.action];
    const inUnknown = has(unknown, a.host);
    if (has(getSet(fleet, setName), a.host) && !inUnknown) continue;
    const now = new Set([...fleet.sets].filter(([, set]) => has(set, a.host)).map(([name]) => name));
    const before = then.get(a.host) ?? new Set<string>();
    const gained = [...now].filter((n) => !before.has(n) && n !== setName).sort();
    const lost = [...before].filter((n) => !now.has(n) && n !== setName).sort();
    const detail = now.size === 0
      ? 'no source lists it any more'
      : [gained.length ? `now in ${gained.join(', ')}` : '', lost.length ? `no longer in ${lost.join(', ')}` : ''].filter(Boolean).join('; ');
    const what = has(getSet(fleet, setName), a.host) ? `in unknown: the observers disagree about it` : `no longer in ${setName}`;
    out.push(`${a.host}: ${what}${detail ? ` (${detail})` : ''}`);
  }
  return out;
}

/** The sets each host was in at the plan's pass, from the pass directory's `sets/` files. */
function membershipsThen(passDir: string, hosts: readonly string[]): Map<string, Set<string>> {
  const out = new Map(hosts.map((h) => [h, new Set<string>()]));
  const setsDir = join(passDir, 'sets');
  if (!existsSync(setsDir)) return out;
  for (const name of readdirSync(setsDir)) {
    const set = parseSetLines(readFileSync(join(setsDir, name), 'utf8'));
    for (const h of hosts) if (has(set, h)) out.get(h)!.add(name);
  }
  return out;
}

/** Per cluster: the plan's hosts per action against the fresh headroom, and a fresh mass failure. */
function budgetChanges(plan: Plan, budgets: readonly ClusterBudget[]): string[] {
  const out: string[] = [];
  const clusters = [...new Set(plan.actions.map((a) => a.cluster))].sort();
  for (const cluster of clusters) {
    const b = budgets.find((x) => x.cluster === cluster);
    if (!b) {
      out.push(`${cluster}: no longer in the inventory`);
      continue;
    }
    for (const action of ['drain', 'recommission'] as const) {
      const n = plan.actions.filter((a) => a.cluster === cluster && a.action === action).length;
      if (n === 0) continue;
      const line = b.actions[action];
      if (n > line.headroom) {
        const inFlight = action === 'drain' ? `; in flight now: ${describeInFlight(b.inFlightByKind) || 'none'}` : '';
        out.push(`${cluster}: the plan would ${action} ${n} hosts but the headroom is now ${line.headroom} (cap ${line.cap.cap}${inFlight})`);
      }
    }
    if (b.massFailure && plan.actions.some((a) => a.cluster === cluster && a.action === 'drain')) out.push(`${cluster}: ${b.massFailure}`);
  }
  return out;
}


function policyChanged(before: string, now: string, dir: string): string {
  return `policy changed since the plan was proposed (sha256 ${before.slice(0, 12)} → ${now.slice(0, 12)} in ${dir}): a new pass must propose under the current policy`;
}

/** Create and return `<outDir>/<n>` for the next free n (exclusive mkdir: two clicks at once get two directories). */
function nextDir(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  let n = readdirSync(outDir).filter((d) => /^\d+$/.test(d)).length + 1;
  for (;;) {
    const dir = join(outDir, String(n));
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      n++;
    }
  }
}
