/**
 * Fail closed on sources (DESIGN.md §4): a source that errored, is empty, is older than its
 * freshness limit, or shrank by more than a policy share since the previous pass stops the
 * pass. Better no plan than a plan built on a broken observer.
 */
import type { SafetyPolicy } from '../policy/schema.js';

/** What a pass observed of one source snapshot. */
export interface SourceObservation {
  role: 'inventory' | 'health' | 'hdfs' | 'yarn';
  /** File path or URL. */
  origin: string;
  /** Set when fetching or parsing failed: the error message. */
  error?: string;
  /** Hosts the source listed. */
  hosts: number;
  /** Age of the snapshot at pass time in ms (file mtime, or 0 for a URL fetched now). */
  ageMs: number;
  /** Hosts the same source listed in the previous pass of this datacenter, when there was one. */
  previousHosts?: number;
}

/** Why one source stops the pass. */
export interface SourceRefusal {
  role: SourceObservation['role'];
  origin: string;
  reason: string;
}

/** Every reason the sources stop the pass; empty when they may be used. Pure. */
export function checkSources(observations: readonly SourceObservation[], policy: SafetyPolicy): SourceRefusal[] {
  const out: SourceRefusal[] = [];
  for (const o of observations) {
    const refuse = (reason: string) => out.push({ role: o.role, origin: o.origin, reason });
    if (o.error !== undefined) {
      refuse(`${o.role} source failed: ${o.error}`);
      continue;
    }
    if (o.hosts === 0) {
      refuse(`${o.role} source ${o.origin} lists no hosts: an empty observer cannot tell what is safe`);
      continue;
    }
    const limit = policy.sources.freshness[o.role].maxAgeMinutes;
    if (o.ageMs > limit * 60_000) {
      refuse(`${o.role} snapshot ${o.origin} is ${formatAge(o.ageMs)} old (limit ${formatAge(limit * 60_000)}): check the job that writes it`);
    }
    const maxShrink = policy.sources.maxShrinkPct.value;
    if (o.previousHosts !== undefined && o.previousHosts > 0 && o.hosts < o.previousHosts) {
      const lost = ((o.previousHosts - o.hosts) * 100) / o.previousHosts;
      if (lost > maxShrink) {
        refuse(
          `${o.role} source ${o.origin} shrank from ${o.previousHosts} to ${o.hosts} hosts (−${lost.toFixed(1)} %, limit ${maxShrink} %) ` +
            'since the previous pass: a broken export or a failover is more likely than a real change',
        );
      }
    }
  }
  return out;
}

/** `90 s`, `14 min`, `3.2 h`, `2.0 d`. */
export function formatAge(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}
