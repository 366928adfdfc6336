/**
 * The last check before a plan is written or executed: every invariant of DESIGN.md §4,
 * verified on the final host list, independently of how the picker chose it. The picker
 * already obeys these; this is the second lock, and what approval re-validation calls.
 */
import { SafetyError } from '../errors.js';
import { isValidHostname } from '../hosts.js';
import { has, type HostSet } from '../sets/hostset.js';
import { hardCeiling } from './ceiling.js';
import { dataGroupKey } from './data-groups.js';

/** What the verifier needs to know about the fleet. */
export interface PlanSafetyFacts {
  unknown: HostSet;
  /** Per host in the plan: its cluster and data group (from the inventory). */
  hostInfo: (host: string) => { cluster: string | null; dataGroup: string | null } | undefined;
  /** Per cluster: managed host count, in-flight hosts with their data groups, allowed groups out. */
  cluster: (name: string) => { managed: number; inFlight: { host: string; dataGroup: string | null }[]; maxDataGroups: number } | undefined;
}

/**
 * @throws SafetyError listing every violation: invalid host name, host in `unknown`, host twice,
 *   host not in the named cluster, more hosts of a cluster than the hard ceiling, or drains
 *   that would put more distinct data groups out of service than allowed.
 */
export function verifyPlan(actions: readonly { action: string; host: string; cluster: string }[], facts: PlanSafetyFacts): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const perCluster = new Map<string, { total: number; drainGroups: Set<string>; drains: number }>();
  for (const a of actions) {
    if (!isValidHostname(a.host)) problems.push(`${JSON.stringify(a.host)} is not a valid host name`);
    if (has(facts.unknown, a.host)) problems.push(`${a.host} is in unknown: the observers disagree about it`);
    if (seen.has(a.host)) problems.push(`${a.host} appears twice in the plan`);
    seen.add(a.host);
    const info = facts.hostInfo(a.host);
    if (!info || info.cluster !== a.cluster) problems.push(`${a.host} is not a host of cluster ${a.cluster} in the inventory`);
    let c = perCluster.get(a.cluster);
    if (!c) perCluster.set(a.cluster, (c = { total: 0, drainGroups: new Set(), drains: 0 }));
    c.total++;
    if (a.action === 'drain') {
      c.drains++;
      c.drainGroups.add(dataGroupKey(a.host, info?.dataGroup ?? null));
    }
  }
  for (const [name, c] of perCluster) {
    const f = facts.cluster(name);
    if (!f) {
      problems.push(`cluster ${name} is unknown`);
      continue;
    }
    const ceiling = hardCeiling(f.managed);
    if (c.total > ceiling) problems.push(`${c.total} hosts of ${name} in one plan, above the hard ceiling of ${ceiling} (10 % of ${f.managed} managed, at least 1)`);
    if (c.drains > 0) {
      const groups = new Set(c.drainGroups);
      for (const h of f.inFlight) groups.add(dataGroupKey(h.host, h.dataGroup));
      if (groups.size > f.maxDataGroups) {
        problems.push(`draining in ${name} would put ${groups.size} data groups out of service (${[...groups].sort().join(', ')}), above ${f.maxDataGroups}`);
      }
    }
  }
  if (problems.length > 0) throw new SafetyError(`plan refused by safety: ${problems.join('; ')}`);
}
