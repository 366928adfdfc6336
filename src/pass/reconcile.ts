/**
 * Steps 3–5 of a pass (DESIGN.md §2): budget each cluster, pick within the budget under the
 * safety invariants, and write the plan. Pure: typed values in, typed values out, no I/O.
 */
import { createHash } from 'node:crypto';
import { computeCap, classifyCluster, type Cap, type ClusterFacts } from '../policy/budget.js';
import type { Policy } from '../policy/load.js';
import type { Action } from '../policy/schema.js';
import { DataGroupGuard, dataGroupKey, effectiveMaxDataGroups, hardCeiling, massFailureReason, verifyPlan, type PlanSafetyFacts } from '../safety/index.js';
import { byteCompare, has, type HostSet } from '../sets/hostset.js';
import { intersectIndexes, NO_INDEXES, unionIndexes, type IndexSet } from '../sets/indexset.js';
import { pickHosts } from './pick.js';
import { getSet, type Fleet, type HostRecord } from './sets.js';

/** In-flight hosts of a cluster by why they are out, in this order of precedence. */
export const IN_FLIGHT_KINDS = ['dead', 'decommissioning', 'decommissioned', 'maintenance', 'repair', 'yarn-decommissioning', 'other'] as const;

/** The budget and outcome of one action in one cluster (a row of `budget.tsv`). */
export interface ActionBudgetLine {
  cap: Cap;
  /** Hosts of the cluster already out that consume this action's budget (drain: in-flight; recommission: 0). */
  inFlight: number;
  headroom: number;
  /** Candidates of the cluster (after safety filtering of names and unknown). */
  candidates: number;
  picked: number;
  /** Why no (or no more) host was picked, when fewer than the candidates were. */
  reason: string | null;
}

/** A cluster's budget table entry. */
export interface ClusterBudget {
  cluster: string;
  archetype: string;
  classification: string;
  managed: number;
  inFlight: number;
  inFlightByKind: Partial<Record<(typeof IN_FLIGHT_KINDS)[number], number>>;
  hardCeiling: number;
  maxDataGroups: number;
  /** Data groups out of service before this plan. */
  groupsOut: string[];
  massFailure: string | null;
  actions: Record<Action, ActionBudgetLine>;
}

/** One host of a plan. */
export interface PlanAction {
  action: Action;
  host: string;
  cluster: string;
  rack: string | null;
  dataGroup: string | null;
  reason: string;
}

/** A proposal (DESIGN.md §2 step 5). Immutable once written; `digest` covers everything that decides what runs. */
export interface Plan {
  id: string;
  dc: string;
  passId: string;
  createdAt: string;
  digest: string;
  seed: number;
  policyDigest: string;
  /** Source snapshot file → sha256. */
  sourceDigests: Record<string, string>;
  actions: PlanAction[];
  /** Per cluster: hosts per action and, where a cluster has none, why. */
  clusters: { cluster: string; drain: number; recommission: number; reason: string | null }[];
  /** Candidates not picked, with the reason (for `why`). */
  passedOver: { host: string; cluster: string; action: Action; reason: string }[];
  /** When the plan is empty: the explanation ("nothing safe to do: …"). */
  emptyReason: string | null;
}

/** What reconciliation needs besides the fleet. */
export interface ReconcileInput {
  fleet: Fleet;
  policy: Policy;
  dc: string;
  passId: string;
  seed: number;
  createdAt: string;
  sourceDigests: Record<string, string>;
}

/** The candidate set each action picks from. */
export const CANDIDATE_SET: Record<Action, string> = { drain: 'drain-candidates', recommission: 'return-candidates' };

/** Budget, pick and plan. @throws SafetyError if the final plan breaks an invariant (a bug: the picker obeys them). */
export function reconcile(input: ReconcileInput): { budgets: ClusterBudget[]; plan: Plan } {
  const { fleet, policy } = input;
  const unknown = getSet(fleet, 'unknown');
  const indexesOf = (name: string) => fleet.indexes.get(name) ?? NO_INDEXES;
  // Managed hosts that look failing or unresponsive: a few thousand, found by set algebra.
  const managed = indexesOf('managed');
  const lookingBad = intersectIndexes(managed, unionIndexes(indexesOf('failing'), indexesOf('unresponsive')));
  // Every set this needs split by cluster: counted for the large ones, listed for the others.
  const split = splitByCluster(fleet, managed, [lookingBad], [indexesOf('in-flight'), indexesOf(CANDIDATE_SET.drain), indexesOf(CANDIDATE_SET.recommission)]);
  const clusters = split.clusters;
  const [managedCount, lookingBadCount] = split.counts;
  const [inFlightOf, drainOf, recommissionOf] = split.lists;
  const candidatesOf = { drain: drainOf, recommission: recommissionOf };
  const safety = policy.safety;

  const budgets: ClusterBudget[] = [];
  const actions: PlanAction[] = [];
  const passedOver: Plan['passedOver'] = [];
  const summaries: Plan['clusters'] = [];
  // The records of the few thousand hosts this looks at again (in flight, candidates), by name.
  const recordOf = new Map<string, HostRecord>();
  for (const lists of split.lists) for (const list of lists.values()) for (const r of list) recordOf.set(r.host, r);
  const record = (h: string) => recordOf.get(h) ?? fleet.hosts.get(h);
  const infoOf = (h: string) => record(h)?.inventory;
  const hostsOf = (list: readonly HostRecord[] | undefined) => (list ?? []).map((r) => r.host);

  clusters.forEach((cluster, n) => {
    const facts: ClusterFacts = { cluster, managed: managedCount[n], role: split.roleOfCounted.get(cluster) ?? null };
    const cls = classifyCluster(facts, policy.budgets);
    const inFlightRecords = inFlightOf.get(cluster) ?? [];
    const inFlight = hostsOf(inFlightRecords);
    const inFlightByKind: ClusterBudget['inFlightByKind'] = {};
    for (const r of inFlightRecords) {
      const k = inFlightKind(r);
      inFlightByKind[k] = (inFlightByKind[k] ?? 0) + 1;
    }
    const override = policy.budgets.clusters[cluster]?.maxDataGroups?.value;
    const maxGroups = effectiveMaxDataGroups(override ?? safety.dataGroups.maxOutOfService.value, safety.dataGroups.replicationFactor.value);
    const groupOf = (h: string) => dataGroupKey(h, infoOf(h)?.dataGroup ?? record(h)?.hdfs?.upgradeDomain ?? null);
    const rackOf = (h: string) => infoOf(h)?.rack ?? record(h)?.hdfs?.rack ?? null;
    const guard = new DataGroupGuard(inFlight.map(groupOf), maxGroups);
    const ceiling = hardCeiling(facts.managed);
    const bad = lookingBadCount[n];
    const mass = massFailureReason(cluster, facts.managed, bad, safety.massFailure.maxSharePct.value);

    let taken = 0;
    const lines = {} as Record<Action, ActionBudgetLine>;
    for (const action of ['drain', 'recommission'] as const) {
      const cap = computeCap(facts, action, policy.budgets);
      const used = action === 'drain' ? inFlight.length : 0;
      const headroom = Math.max(0, cap.cap - used);
      const candidates = hostsOf(candidatesOf[action].get(cluster)).filter((h) => !has(unknown, h));
      const limit = Math.min(headroom, ceiling - taken);
      let reason: string | null = null;
      let picked: string[] = [];
      if (candidates.length === 0) reason = `no ${CANDIDATE_SET[action]}`;
      else if (mass) reason = mass;
      else if (headroom === 0) reason = `budget consumed: ${describeInFlight(inFlightByKind) || 'cap is 0'} (cap ${cap.cap})`;
      else if (limit <= 0) reason = `hard ceiling reached: ${ceiling} hosts per plan (10 % of ${facts.managed})`;
      else {
        const result = pickHosts({
          candidates, limit, seed: input.seed, cluster, action, rackOf, groupOf,
          guard: action === 'drain' ? guard : undefined,
        });
        picked = result.picked;
        for (const p of result.passedOver) passedOver.push({ host: p.host, cluster, action, reason: p.reason });
        if (picked.length < candidates.length) {
          const byGroups = result.passedOver.filter((p) => p.reason.startsWith('data group'));
          reason = picked.length < limit && byGroups.length > 0
            ? `data groups: ${byGroups.length} candidate${byGroups.length === 1 ? '' : 's'} in other groups while ${guard.keys.join(', ')} ${guard.count === 1 ? 'is' : 'are'} out (allowed ${maxGroups})`
            : limit < headroom ? `hard ceiling: at most ${ceiling} hosts of ${cluster} per plan`
            : `headroom ${headroom} of cap ${cap.cap} used`;
        }
      }
      if (reason && picked.length === 0 && candidates.length > 0 && passedOver.every((p) => p.cluster !== cluster || p.action !== action)) {
        for (const h of candidates) passedOver.push({ host: h, cluster, action, reason });
      }
      for (const h of picked) {
        const inv = infoOf(h);
        actions.push({ action, host: h, cluster, rack: rackOf(h), dataGroup: inv?.dataGroup ?? null, reason: actionReason(action, record(h)!, cap, headroom) });
      }
      taken += picked.length;
      lines[action] = { cap, inFlight: used, headroom, candidates: candidates.length, picked: picked.length, reason };
    }
    budgets.push({
      cluster, archetype: cls.archetype, classification: `${cls.source}: ${cls.reason}`, managed: facts.managed,
      inFlight: inFlight.length, inFlightByKind, hardCeiling: ceiling, maxDataGroups: maxGroups,
      groupsOut: [...new Set(inFlight.map(groupOf))].sort(), massFailure: mass, actions: lines,
    });
    const d = lines.drain.picked;
    const r = lines.recommission.picked;
    summaries.push({
      cluster, drain: d, recommission: r,
      reason: d + r > 0 ? null : lines.drain.candidates > 0 ? lines.drain.reason : lines.recommission.candidates > 0 ? lines.recommission.reason : 'no drain-candidates or return-candidates',
    });
  });

  verifyPlan(actions, safetyFacts(fleet, budgets));

  const emptyReason = actions.length > 0 ? null : explainEmpty(summaries);
  const id = `${input.dc}-${input.passId}`;
  const digest = planDigest({ id, dc: input.dc, seed: input.seed, policyDigest: policy.digest, sourceDigests: input.sourceDigests, actions });
  return {
    budgets,
    plan: {
      id, dc: input.dc, passId: input.passId, createdAt: input.createdAt, digest, seed: input.seed,
      policyDigest: policy.digest, sourceDigests: input.sourceDigests, actions, clusters: summaries, passedOver, emptyReason,
    },
  };
}

/**
 * What `verifyPlan` needs to know, from a fleet and its budgets: the `unknown` set, each host's
 * cluster and data group (inventory, else the NameNode's upgrade domain), and per cluster its
 * managed size, its in-flight hosts with their groups, and the data groups allowed out.
 */
export function safetyFacts(fleet: Fleet, budgets: readonly ClusterBudget[]): PlanSafetyFacts {
  const groupOf = (h: string) => fleet.hosts.get(h)?.inventory?.dataGroup ?? fleet.hosts.get(h)?.hdfs?.upgradeDomain ?? null;
  const inFlightOf = groupByCluster(fleet, getSet(fleet, 'in-flight'));
  return {
    unknown: getSet(fleet, 'unknown'),
    hostInfo: (h) => {
      const inv = fleet.hosts.get(h)?.inventory;
      return inv ? { cluster: inv.cluster, dataGroup: groupOf(h) } : undefined;
    },
    cluster: (name) => {
      const b = budgets.find((x) => x.cluster === name);
      if (!b) return undefined;
      return { managed: b.managed, inFlight: (inFlightOf.get(name) ?? []).map((h) => ({ host: h, dataGroup: groupOf(h) })), maxDataGroups: b.maxDataGroups };
    },
  };
}

/**
 * sha256 over the canonical JSON of what decides execution: id, dc, seed, policy and source
 * digests, and the actions. Approval compares it with the stored plan.
 */
export function planDigest(p: Pick<Plan, 'id' | 'dc' | 'seed' | 'policyDigest' | 'sourceDigests' | 'actions'>): string {
  const sortedSources = Object.fromEntries(Object.entries(p.sourceDigests).sort(([a], [b]) => (a < b ? -1 : 1)));
  const canonical = JSON.stringify({
    id: p.id, dc: p.dc, seed: p.seed, policyDigest: p.policyDigest, sourceDigests: sortedSources,
    actions: p.actions.map((a) => [a.action, a.host, a.cluster, a.rack, a.dataGroup, a.reason]),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** The hosts of `set` by inventory cluster, each list sorted (hosts without a cluster belong to none and are never picked). */
function groupByCluster(fleet: Fleet, set: HostSet): Map<string, HostSet> {
  const out = new Map<string, string[]>();
  for (const h of set) {
    const c = fleet.hosts.get(h)?.inventory?.cluster;
    if (!c) continue;
    let list = out.get(c);
    if (!list) out.set(c, (list = []));
    list.push(h);
  }
  return byName(out);
}

/**
 * The fleet's inventory clusters (in byte order) and, per cluster (by its position there), how
 * many hosts of `counted` and of each of `alsoCounted` it has, and the records of each of `listed`
 * (index sets into the fleet's records, {@link Fleet.indexes}). One walk over the records numbers
 * the clusters and notes each record's; a member of a set is then its record's cluster by one
 * array lookup. Hosts without an inventory cluster (the control plane's, never in the inventory's
 * `all`) belong to none and are left out. Lists are in host order. `roleOfCounted`: per cluster,
 * the most common inventory role among `counted`'s hosts (ties: the role that sorts first), what
 * the classifier's role rules read.
 */
function splitByCluster(fleet: Fleet, counted: IndexSet, alsoCounted: readonly IndexSet[], listed: readonly IndexSet[]): {
  clusters: string[]; counts: Int32Array[]; lists: Map<string, HostRecord[]>[]; roleOfCounted: Map<string, string | null>;
} {
  const records = fleet.records;
  const found: string[] = [];
  const numberOf = new Map<string, number>();
  // Cluster number of each record (in order found), -1 without one.
  const foundAt = new Int32Array(records.length);
  let last: string | null = null;
  let lastNumber = -1;
  for (let i = 0; i < records.length; i++) {
    const c = records[i].inventory?.cluster;
    let n = -1;
    if (c) {
      if (c === last) n = lastNumber;
      else {
        n = numberOf.get(c) ?? -1;
        if (n < 0) {
          n = found.length;
          numberOf.set(c, n);
          found.push(c);
        }
        last = c;
        lastNumber = n;
      }
    }
    foundAt[i] = n;
  }
  // Clusters renumbered in byte order of their names.
  const clusters = [...found].sort(byteCompare);
  const position = Int32Array.from(found, (c) => clusters.indexOf(c));
  const clusterAt = foundAt.map((n) => (n < 0 ? -1 : position[n]));
  const count = (set: IndexSet) => {
    const out = new Int32Array(clusters.length);
    for (let k = 0; k < set.length; k++) {
      const n = clusterAt[set[k]];
      if (n >= 0) out[n]++;
    }
    return out;
  };
  // Per role met among `counted`'s hosts: its count in each cluster.
  const roleTally = new Map<string, Int32Array>();
  let lastRole: string | null = null;
  let tally: Int32Array | undefined;
  for (let k = 0; k < counted.length; k++) {
    const i = counted[k];
    const n = clusterAt[i];
    const role = n < 0 ? null : records[i].inventory!.role;
    if (!role) continue;
    if (role !== lastRole) {
      tally = roleTally.get(role);
      if (!tally) roleTally.set(role, (tally = new Int32Array(clusters.length)));
      lastRole = role;
    }
    tally![n]++;
  }
  const roles = [...roleTally].sort(([a], [b]) => byteCompare(a, b));
  const roleOfCounted = new Map<string, string | null>();
  clusters.forEach((c, n) => {
    let best: string | null = null;
    let most = 0;
    for (const [r, counts] of roles) if (counts[n] > most) { best = r; most = counts[n]; }
    if (best !== null) roleOfCounted.set(c, best);
  });
  const lists = listed.map((set) => {
    const byCluster = new Map<string, HostRecord[]>();
    for (let k = 0; k < set.length; k++) {
      const i = set[k];
      const n = clusterAt[i];
      if (n < 0) continue;
      const c = clusters[n];
      let list = byCluster.get(c);
      if (!list) byCluster.set(c, (list = []));
      list.push(records[i]);
    }
    return byCluster;
  });
  return { clusters, counts: [count(counted), ...alsoCounted.map(count)], lists, roleOfCounted };
}

/** A map with its keys in byte order. */
function byName<V>(m: Map<string, V>): Map<string, V> {
  return new Map([...m.entries()].sort(([a], [b]) => byteCompare(a, b)));
}

function inFlightKind(r: HostRecord): (typeof IN_FLIGHT_KINDS)[number] {
  if (r.hdfs && !r.hdfs.live) return 'dead';
  const s = r.hdfs?.adminState;
  if (s === 'Decommission In Progress') return 'decommissioning';
  if (s === 'Decommissioned') return 'decommissioned';
  if (s === 'Entering Maintenance' || s === 'In Maintenance') return 'maintenance';
  if (r.inventory?.lifecycle === 'repair') return 'repair';
  if (r.yarn?.state === 'DECOMMISSIONING') return 'yarn-decommissioning';
  return 'other';
}

/** `2 dead, 1 decommissioning`. */
export function describeInFlight(byKind: ClusterBudget['inFlightByKind']): string {
  return IN_FLIGHT_KINDS.filter((k) => byKind[k]).map((k) => `${byKind[k]} ${k}`).join(', ');
}

function actionReason(action: Action, r: HostRecord, cap: Cap, headroom: number): string {
  if (action === 'recommission') {
    return `decommissioned in HDFS, managed in inventory, reachable and passing every check; within headroom ${headroom} of cap ${cap.cap}`;
  }
  const why: string[] = [];
  if (r.failedChecks?.length) why.push(`failing ${r.failedChecks.join(', ')}`);
  if (r.reachable === false) why.push('unresponsive');
  if (r.yarn?.state === 'UNHEALTHY') why.push(`YARN UNHEALTHY${r.yarn.healthReport ? ` (${r.yarn.healthReport})` : ''}`);
  return `${why.join('; ') || 'drain candidate'}; in service in HDFS; within headroom ${headroom} of cap ${cap.cap}`;
}

function explainEmpty(summaries: Plan['clusters']): string {
  if (summaries.length === 0) return 'nothing safe to do: the inventory has no clusters';
  const groups = new Map<string, string[]>();
  for (const s of summaries) {
    const r = s.reason ?? 'no candidates';
    let l = groups.get(r);
    if (!l) groups.set(r, (l = []));
    l.push(s.cluster);
  }
  return `nothing safe to do: ${[...groups].map(([r, cs]) => `${cs.join(', ')}: ${r}`).join('; ')}`;
}
