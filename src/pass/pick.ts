/**
 * Picking (DESIGN.md §2 step 4): at most `limit` candidates of one cluster, chosen by a seeded
 * shuffle and spread across racks, each admitted by the data-group guard. Sorted lists
 * correlate with topology (`head -n` takes five hosts of one rack); the shuffle bounds
 * concentration, the round-robin over racks makes it strict: no rack gives a second host
 * while another rack still has an eligible candidate.
 */
import type { DataGroupGuard } from '../safety/data-groups.js';
import type { HostSet } from '../sets/hostset.js';

/** 32-bit FNV-1a of a string: a stable per-cluster seed from the pass seed. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, well-distributed 32-bit PRNG; returns floats in [0, 1). Deterministic for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy of `items` with `rand`. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** Input of {@link pickHosts}. */
export interface PickInput {
  /** Eligible candidates of one cluster for one action (sorted set). */
  candidates: HostSet;
  /** Most hosts to pick (headroom, bounded by the hard ceiling). */
  limit: number;
  /** The pass seed; the shuffle uses hash32(`${seed}:${cluster}:${action}`). */
  seed: number;
  cluster: string;
  action: string;
  rackOf: (host: string) => string | null;
  /** Group key of a host (see `dataGroupKey`). */
  groupOf: (host: string) => string;
  /** Data-group guard (drains only); picks are recorded in it. */
  guard?: DataGroupGuard;
}

/** Hosts picked, in pick order, and candidates passed over with the reason. */
export interface PickResult {
  picked: string[];
  passedOver: { host: string; reason: string }[];
}

/**
 * Pick hosts. Same candidates, limit, seed, cluster and action ⇒ same result.
 * A rack-less host is a rack of its own.
 */
export function pickHosts(input: PickInput): PickResult {
  const order = shuffled(input.candidates, prng(hash32(`${input.seed}:${input.cluster}:${input.action}`)));
  const racks = new Map<string, string[]>();
  for (const h of order) {
    const rack = input.rackOf(h) ?? `(no rack: ${h})`;
    let q = racks.get(rack);
    if (!q) racks.set(rack, (q = []));
    q.push(h);
  }
  const queues = [...racks.values()];
  const picked: string[] = [];
  const passedOver: PickResult['passedOver'] = [];
  const cursor = new Array<number>(queues.length).fill(0);
  let progress = true;
  while (picked.length < input.limit && progress) {
    progress = false;
    for (let r = 0; r < queues.length && picked.length < input.limit; r++) {
      const q = queues[r];
      while (cursor[r] < q.length) {
        const h = q[cursor[r]++];
        const g = input.groupOf(h);
        if (input.guard && !input.guard.admits(g)) {
          const out = input.guard.keys.join(', ') || 'none';
          passedOver.push({
            host: h,
            reason: input.guard.count >= input.guard.max
              ? `data groups: ${input.guard.count} already out of service (${out}), allowed ${input.guard.max}; ${g} is not one of them`
              : `data group ${g} would make ${input.guard.count + 1} groups out of service (allowed ${input.guard.max}; out now: ${out})`,
          });
          continue;
        }
        input.guard?.add(g);
        picked.push(h);
        progress = true;
        break;
      }
    }
  }
  for (let r = 0; r < queues.length; r++) {
    for (let i = cursor[r]; i < queues[r].length; i++) {
      passedOver.push({ host: queues[r][i], reason: `not picked: the limit of ${input.limit} was reached (shuffle seed ${input.seed})` });
    }
  }
  return { picked, passedOver };
}
