/**
 * The per-cluster drain lock: while a plan changes a cluster's exclude files and waits on its
 * decommission, no other plan may touch that cluster. Unlike the plan store's short mutex
 * (src/plan/lock.ts) this is held for hours and belongs to a plan, not a process: a bot killed
 * mid-drain leaves it in place, and the same plan resumed takes it back. Another plan never
 * takes it, even once it has expired: an expired lock is reported as stale, with its owner and
 * what to check, and an operator removes it.
 *
 *     <state>/locks/drain-<dc>-<cluster>.json   {owner, pid, host, at, expiresAt}
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createExclusive, pidAlive } from '../plan/lock.js';

const LeaseSchema = z.object({ owner: z.string(), pid: z.number().int(), host: z.string(), at: z.string(), expiresAt: z.string() });
/** What a lease file holds. Times are ISO. */
export type LeaseHolder = z.infer<typeof LeaseSchema>;

/** Why a lease could not be taken. */
export class LeaseError extends Error {
  constructor(message: string, readonly holder: LeaseHolder | null) {
    super(message);
    this.name = 'LeaseError';
  }
}

/** A held lease: renew it while working, release it at the end. */
export interface Lease {
  readonly path: string;
  /** Push the expiry to now + ttl. @throws LeaseError when the lease is no longer ours. */
  renew(): void;
  /** Remove the lease if it is still ours. */
  release(): void;
}

/**
 * The drain lock file of a cluster: `<dir>/drain-<dc>-<cluster>.json`, the cluster name made safe
 * as a file name (anything but letters, digits and `_ . -` becomes `_`).
 */
export function drainLockPath(dir: string, dc: string, cluster: string): string {
  return join(dir, `drain-${dc}-${cluster.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

/**
 * Take the lease at {@link drainLockPath} for `owner` (a plan id), valid `ttlMs`.
 * Taken when free, or when held by the same owner and not by a live process of this machine
 * (a resumed plan after a crash; the file is replaced).
 * @throws LeaseError when another owner holds it (stale or not: the message says which, who, and
 *   what to do), when a live process runs the same plan, or when the file is unreadable.
 */
export function takeLease(dir: string, dc: string, cluster: string, owner: string, ttlMs: number, now: () => number): Lease {
  mkdirSync(dir, { recursive: true });
  const path = drainLockPath(dir, dc, cluster);
  const mine = (): LeaseHolder => ({ owner, pid: process.pid, host: hostname(), at: new Date(now()).toISOString(), expiresAt: new Date(now() + ttlMs).toISOString() });
  const write = (h: LeaseHolder) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(h) + '\n');
    renameSync(tmp, path);
  };
  let held = mine();
  while (!createExclusive(path, JSON.stringify(held) + '\n')) {
    const current = readLease(path);
    if (current === undefined) continue; // released between the two calls
    if (current === null) throw new LeaseError(`the drain lock ${path} is unreadable: check no drain is running on ${cluster}, then remove it`, null);
    const since = `since ${current.at} (pid ${current.pid} on ${current.host})`;
    if (current.owner !== owner) {
      const stale = Date.parse(current.expiresAt) < now();
      throw new LeaseError(stale
        ? `cluster ${cluster} has a stale drain lock: plan ${current.owner} took it ${since} and it expired at ${current.expiresAt} without being released. Look at that plan (breakfix plan show ${current.owner}; resume it with breakfix plan resume ${current.owner}); once nothing runs on ${cluster}, remove ${path}`
        : `cluster ${cluster} is being drained by plan ${current.owner} ${since}, lock valid until ${current.expiresAt}: one drain per cluster at a time`, current);
    }
    if (current.host === hostname() && current.pid !== process.pid && pidAlive(current.pid)) {
      throw new LeaseError(`plan ${owner} is already executing on ${cluster} in pid ${current.pid} ${since}`, current);
    }
    held = { ...mine(), at: current.at };
    write(held);
    break;
  }
  return {
    path,
    renew() {
      const current = readLease(path);
      if (current?.owner !== owner || current.pid !== held.pid) throw new LeaseError(`the drain lock ${path} is no longer held by plan ${owner}${current ? ` (now ${current.owner}, pid ${current.pid})` : ' (removed)'}`, current ?? null);
      held = { ...held, expiresAt: new Date(now() + ttlMs).toISOString() };
      write(held);
    },
    release() {
      const current = readLease(path);
      if (current?.owner === owner && current.pid === held.pid) unlinkSync(path);
    },
  };
}

/** The lease at `path`: null when unreadable, undefined when there is none. */
export function readLease(path: string): LeaseHolder | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const r = LeaseSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
