/**
 * `breakfix policy [cluster]`: the computed caps of each cluster with their arithmetic and
 * reasons (DESIGN.md §3), on the cluster sizes of the latest pass, plus the safety limits
 * that bound them whatever the policy says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeCap, classifyCluster, type ClusterFacts } from '../src/policy/budget.js';
import { loadPolicy } from '../src/policy/load.js';
import { effectiveMaxDataGroups, hardCeiling, SAFETY_SHARE_PCT } from '../src/safety/index.js';
import { listPasses } from '../src/pass/passdir.js';
import { table } from '../src/pass/report.js';
import { resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

/** Arguments of `policy`. */
export interface PolicyArgs extends CommonOptions {
  cluster?: string;
}

/** Print the policy as computed for each cluster (or one). Exit 1 for a cluster the latest pass does not know. */
export function runPolicy(args: PolicyArgs): CommandOutput {
  const ctx = resolveContext(args);
  const policy = loadPolicy(ctx.policyDir);
  const facts = clusterFacts(ctx.stateDir, args.dc ?? safeDc(ctx, args.dc));
  const lines: string[] = [`policy ${policy.dir} (sha256 ${policy.digest.slice(0, 12)})`];
  if (facts.length === 0) {
    lines.push('no pass yet, so no cluster sizes: archetypes as written');
    lines.push(table(['archetype', 'action', 'pct', 'floor', 'ceiling', 'reason'],
      Object.entries(policy.budgets.archetypes).flatMap(([name, a]) => (['drain', 'recommission'] as const).map((act) => [name, act, a[act].pct, a[act].floor, a[act].ceiling, a[act].reason]))));
    return { text: lines.join('\n'), json: { archetypes: policy.budgets.archetypes }, exitCode: 0 };
  }
  const chosen = args.cluster ? facts.filter((f) => f.cluster === args.cluster) : facts;
  if (chosen.length === 0) {
    return { text: `no cluster named "${args.cluster}" in the latest pass (have: ${facts.map((f) => f.cluster).join(', ')})`, json: { error: 'no such cluster' }, exitCode: 1 };
  }
  const out = [];
  const s = policy.safety;
  for (const f of chosen) {
    const cls = classifyCluster(f, policy.budgets);
    const drain = computeCap(f, 'drain', policy.budgets);
    const rec = computeCap(f, 'recommission', policy.budgets);
    const override = policy.budgets.clusters[f.cluster]?.maxDataGroups;
    const maxGroups = effectiveMaxDataGroups(override?.value ?? s.dataGroups.maxOutOfService.value, s.dataGroups.replicationFactor.value);
    lines.push('');
    lines.push(`${f.cluster}: ${f.managed} managed hosts${f.role ? `, mostly ${f.role}` : ''} → archetype ${cls.archetype} (${cls.source}: ${cls.reason})`);
    lines.push(`  drain cap        ${drain.arithmetic}`);
    for (const r of drain.reasons) lines.push(`                   ${r}`);
    lines.push(`  recommission cap ${rec.arithmetic}`);
    lines.push(`  safety           at most ${hardCeiling(f.managed)} hosts per plan (max(1, ⌊${SAFETY_SHARE_PCT} % × ${f.managed}⌋), fixed in code)`);
    lines.push(`                   at most ${maxGroups} data group(s) out of service (${override ? `override: ${override.reason}` : s.dataGroups.maxOutOfService.reason}; never above replication ${s.dataGroups.replicationFactor.value} − 1)`);
    lines.push(`                   nothing proposed when more than ${s.massFailure.maxSharePct.value} % look failing or unresponsive`);
    out.push({ ...f, archetype: cls.archetype, drain, recommission: rec, hardCeiling: hardCeiling(f.managed), maxDataGroups: maxGroups });
  }
  return { text: lines.join('\n'), json: { policyDigest: policy.digest, clusters: out }, exitCode: 0 };
}

function safeDc(ctx: ReturnType<typeof resolveContext>, dc?: string): string {
  try {
    return resolveDc(ctx, dc);
  } catch {
    return '';
  }
}

/** Managed hosts and main role per cluster, from the latest pass's all-data.tsv. */
function clusterFacts(stateDir: string, dc: string): ClusterFacts[] {
  const passes = dc ? listPasses(stateDir, dc) : [];
  const last = passes[passes.length - 1];
  if (!last || !existsSync(join(last, 'all-data.tsv'))) return [];
  const counts = new Map<string, { managed: number; roles: Map<string, number> }>();
  const lines = readFileSync(join(last, 'all-data.tsv'), 'utf8').split('\n');
  const header = lines[0].split('\t');
  const ci = header.indexOf('cluster');
  const li = header.indexOf('lifecycle');
  const ri = header.indexOf('role');
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const c = line.split('\t');
    if (c[ci] === '-') continue;
    let e = counts.get(c[ci]);
    if (!e) counts.set(c[ci], (e = { managed: 0, roles: new Map() }));
    if (c[li] === 'managed') {
      e.managed++;
      if (c[ri] !== '-') e.roles.set(c[ri], (e.roles.get(c[ri]) ?? 0) + 1);
    }
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cluster, e]) => {
    const role = [...e.roles].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
    return { cluster, managed: e.managed, role };
  });
}
