/**
 * Budgets (DESIGN.md §2 step 3, §3): which archetype a cluster has, and how many hosts an
 * action may take there.
 *
 *     cap      = clamp(floor(pct / 100 × size), floor, ceiling)     size = managed hosts of the cluster
 *     headroom = max(0, cap − in-flight)
 */
import type { Action, ActionBudget, BudgetsPolicy } from './schema.js';

/** What the classifier needs to know about a cluster. */
export interface ClusterFacts {
  cluster: string;
  /** Managed hosts in the cluster (inventory lifecycle `managed`). */
  managed: number;
  /** Most common role among its managed hosts, or null. */
  role: string | null;
}

/** The archetype a cluster gets, and why. */
export interface Classification {
  archetype: string;
  /** The classifier rule's or the override's reason. */
  reason: string;
  /** `classifier[1]` or `clusters.<name>`, where the decision came from. */
  source: string;
}

/**
 * First classifier rule whose `when` all match wins; a per-cluster override's `archetype` wins
 * over every rule. Pure.
 */
export function classifyCluster(facts: ClusterFacts, budgets: BudgetsPolicy): Classification {
  const override = budgets.clusters[facts.cluster];
  if (override?.archetype) {
    return { archetype: override.archetype, reason: override.reason ?? 'per-cluster override', source: `clusters.${facts.cluster}` };
  }
  for (let i = 0; i < budgets.classifier.length; i++) {
    const rule = budgets.classifier[i];
    const w = rule.when ?? {};
    if (w.managedBelow !== undefined && !(facts.managed < w.managedBelow)) continue;
    if (w.managedAtLeast !== undefined && !(facts.managed >= w.managedAtLeast)) continue;
    if (w.name !== undefined && !new RegExp(w.name).test(facts.cluster)) continue;
    if (w.role !== undefined && facts.role !== w.role) continue;
    return { archetype: rule.archetype, reason: rule.reason, source: `classifier[${i}]` };
  }
  // The loader guarantees the last rule has no `when`; reaching here is a loader bug.
  throw new Error(`no classifier rule matched cluster ${facts.cluster}`);
}

/** A cap with its inputs and the arithmetic spelled out, for `policy` and `budget.tsv`. */
export interface Cap {
  action: Action;
  archetype: string;
  pct: number;
  floor: number;
  ceiling: number;
  /** Managed hosts the percentage applies to. */
  size: number;
  cap: number;
  /** e.g. `clamp(floor(6% × 240) = 14, 1, 200) = 14`. */
  arithmetic: string;
  /** Reasons of each number in force: the archetype's, then an override's. */
  reasons: string[];
}

/** The cap of one action in one cluster: archetype numbers, then per-cluster override fields. Pure. */
export function computeCap(facts: ClusterFacts, action: Action, budgets: BudgetsPolicy): Cap {
  const cls = classifyCluster(facts, budgets);
  const base: ActionBudget = budgets.archetypes[cls.archetype][action];
  const o = budgets.clusters[facts.cluster]?.[action];
  const pct = o?.pct ?? base.pct;
  const floor = o?.floor ?? base.floor;
  const ceiling = o?.ceiling ?? base.ceiling;
  const raw = Math.floor((pct * facts.managed) / 100);
  const cap = Math.min(Math.max(raw, floor), ceiling);
  const reasons = [`${cls.archetype}: ${base.reason}`];
  if (o) reasons.push(`override for ${facts.cluster}: ${o.reason}${o.ticket ? ` (${o.ticket})` : ''}`);
  return {
    action, archetype: cls.archetype, pct, floor, ceiling, size: facts.managed, cap,
    arithmetic: `clamp(floor(${pct}% × ${facts.managed}) = ${raw}, ${floor}, ${ceiling}) = ${cap}`,
    reasons,
  };
}
