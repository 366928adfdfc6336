/**
 * Drift (DESIGN.md §6): counts moving the wrong way or stuck across a datacenter's recorded
 * passes, from rules in `policies/drift.yml`; and the circuit breaker's count of consecutive
 * passes in which safety refused a cluster for mass failure. Pure functions of a
 * {@link PassRecord} sequence (oldest first); only the loader reads a file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from '../config/yaml.js';
import { shippedPolicyDir } from '../paths.js';
import { SET_NAME } from '../sets/names.js';
import type { PassRecord } from './history.js';

const reason = z.string({ error: 'expected a reason: why this rule or number is what it is' }).min(1, 'expected a reason: why this rule or number is what it is');
const setNames = z.array(z.string().regex(SET_NAME, 'a set name')).min(1, 'at least one set');
const passes = z.number().int().min(2, 'at least 2 passes (one change)').max(50);

const RuleSchema = z.discriminatedUnion('when', [
  z.object({ name: z.string().min(1), when: z.literal('growing'), sets: setNames, passes, reason }).strict(),
  z.object({ name: z.string().min(1), when: z.literal('unchanged'), sets: setNames, passes, reason }).strict(),
  z.object({ name: z.string().min(1), when: z.literal('non-empty'), sets: setNames, reason }).strict(),
  z.object({ name: z.string().min(1), when: z.literal('source-dropping'), reason }).strict(),
]);

/** Schema of `policies/drift.yml`. */
export const DriftPolicySchema = z
  .object({
    rules: z.array(RuleSchema),
    circuitBreaker: z.object({
      massFailurePasses: z.object({ value: z.number().int().min(1).max(100), reason }).strict(),
    }).strict(),
  })
  .strict();

/** A checked drift policy. */
export type DriftPolicy = z.output<typeof DriftPolicySchema>;
/** One drift rule. */
export type DriftRule = DriftPolicy['rules'][number];

/**
 * Load `<policyDir>/drift.yml`, or the shipped one when the policy directory has none (drift
 * only adds warnings; it never lets more through). @throws InputError naming the file, line and field.
 */
export function loadDriftPolicy(policyDir: string): DriftPolicy & { path: string } {
  const own = join(policyDir, 'drift.yml');
  const path = existsSync(own) ? own : join(shippedPolicyDir(), 'drift.yml');
  return { ...loadYamlFile(path, DriftPolicySchema).data, path };
}

/** A drift warning: the rule, the one line shown ("hdfs-dead growing 3 passes: 2 → 4 → 7"), and the rule's reason. */
export interface DriftFinding {
  rule: string;
  line: string;
  reason: string;
}

/**
 * The drift warnings of the newest pass of `records` (oldest first). Set rules read the passes
 * that finished `ok` (the only ones with set counts); `source-dropping` reads the newest pass's
 * manifest (its hosts against the previous pass's), whatever its result.
 */
export function evaluateDrift(records: readonly PassRecord[], rules: readonly DriftRule[]): DriftFinding[] {
  const ok = records.filter((r) => r.result === 'ok');
  const out: DriftFinding[] = [];
  for (const rule of rules) {
    if (rule.when === 'source-dropping') {
      const newest = records[records.length - 1];
      for (const s of newest?.sources ?? []) {
        if (s.hosts !== undefined && s.previousHosts !== undefined && s.hosts < s.previousHosts) {
          out.push({ rule: rule.name, line: `${s.role} source host count dropped: ${s.previousHosts} → ${s.hosts} (−${s.previousHosts - s.hosts})`, reason: rule.reason });
        }
      }
      continue;
    }
    if (rule.when === 'non-empty') {
      const newest = ok[ok.length - 1];
      for (const set of rule.sets) {
        const n = newest?.counts[set] ?? 0;
        if (n > 0) out.push({ rule: rule.name, line: `${set} non-empty: ${n} host${n === 1 ? '' : 's'}`, reason: rule.reason });
      }
      continue;
    }
    if (ok.length < rule.passes) continue;
    const window = ok.slice(-rule.passes);
    for (const set of rule.sets) {
      const values = window.map((r) => r.counts[set] ?? 0);
      const fires = rule.when === 'growing'
        ? values.every((v, i) => i === 0 || v > values[i - 1])
        : values[0] > 0 && values.every((v) => v === values[0]);
      if (fires) out.push({ rule: rule.name, line: `${set} ${rule.when} ${rule.passes} passes: ${values.join(' → ')}`, reason: rule.reason });
    }
  }
  return out;
}

/**
 * The circuit breaker's reading of `records` (oldest first): the clusters refused for mass
 * failure in each of the last `n` passes that finished `ok` and started after `sinceIso` (the
 * last resume: a person who resumed gets a fresh count). Empty when fewer than `n` such passes
 * exist or no cluster was refused in all of them.
 */
export function massFailureStreak(records: readonly PassRecord[], n: number, sinceIso?: string): string[] {
  const since = sinceIso ? Date.parse(sinceIso) : -Infinity;
  const ok = records.filter((r) => r.result === 'ok' && Date.parse(r.startedAt) > since);
  if (ok.length < n) return [];
  const window = ok.slice(-n);
  return window[0].massFailure.filter((c) => window.every((r) => r.massFailure.includes(c))).sort();
}
