/**
 * An exclusive lock file shared by every process that touches the plan store (the CLI and the
 * bot at once, DESIGN.md §5: "a double click, a Slack retry, or two approvers at once execute
 * once"). The lock is a file holding `{pid, host, at, token}`, created exclusively: written
 * whole under a temporary name, then hard-linked to the lock path (`link(2)` fails with EEXIST
 * like `open(O_CREAT|O_EXCL)`, and a reader never sees a half-written lock).
 *
 * A lock whose holder died is not waited on forever: when it is older than {@link STALE_LOCK_MS}
 * and its pid is dead on this machine, it is reported (never silently) and removed. A lock held
 * from another machine (a state directory on shared storage) cannot have its pid checked and is
 * never broken automatically: the error says who holds it and how to clear it.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';

/** A lock older than this whose pid is dead is broken (reported, then removed). */
export const STALE_LOCK_MS = 30_000;

/** Schema of a lock file: who holds the lock. */
export const LockHolderSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  /** ISO time the lock was taken. */
  at: z.string(),
  /** Random; only the holder with this token releases the lock. */
  token: z.string(),
});
/** What a lock file holds: see {@link LockHolderSchema}. */
export type LockHolder = z.infer<typeof LockHolderSchema>;

/** Options of {@link withLock}. */
export interface LockOptions {
  /** Give up waiting after this many ms (default 10 s: locks are held for milliseconds). */
  timeoutMs?: number;
  /** See {@link STALE_LOCK_MS}. */
  staleMs?: number;
  /** Called with a readable line when a stale lock is broken. */
  onWarning?: (message: string) => void;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

/** The lock could not be taken in time; the message names the holder. */
export class LockTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Run `fn` holding the lock at `path`; the lock is released when `fn` settles, even if it throws.
 * @throws LockTimeoutError when the lock stays held by a live (or foreign) holder past the timeout.
 */
export async function withLock<T>(path: string, fn: () => T | Promise<T>, opts: LockOptions = {}): Promise<T> {
  const holder = await acquire(path, opts);
  try {
    return await fn();
  } finally {
    release(path, holder);
  }
}

async function acquire(path: string, opts: LockOptions): Promise<LockHolder> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? STALE_LOCK_MS;
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dirname(path), { recursive: true });
  let delay = 2;
  for (;;) {
    const holder: LockHolder = { pid: process.pid, host: hostname(), at: new Date(now()).toISOString(), token: randomBytes(8).toString('hex') };
    if (tryCreate(path, holder)) return holder;
    const current = readHolder(path);
    if (current === 'gone') continue;
    const age = current === 'unreadable' ? 0 : now() - Date.parse(current.at);
    if (current !== 'unreadable' && age > staleMs && current.host === hostname() && !pidAlive(current.pid)) {
      breakStale(path, current, age, opts.onWarning);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = current === 'unreadable' ? 'an unreadable lock file' : `pid ${current.pid} on ${current.host} since ${current.at}`;
      const hint = current !== 'unreadable' && current.host !== hostname()
        ? `; it was taken on another machine, so its pid cannot be checked from here: if that process is gone, remove ${path} by hand`
        : `; if no breakfix process is running, remove ${path} by hand`;
      throw new LockTimeoutError(`${path} is held by ${who} (waited ${timeoutMs} ms)${hint}`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(50, delay * 2);
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  return createExclusive(path, JSON.stringify(holder) + '\n');
}

/**
 * Create `path` holding `text` only if it does not exist, atomically and never half-written
 * (written under a temporary name, then hard-linked: `link(2)` fails with EEXIST like
 * `open(O_CREAT|O_EXCL)`). True when created, false when the path already existed.
 */
export function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(8).toString('hex')}`;
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

function readHolder(path: string): LockHolder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  try {
    const h = LockHolderSchema.safeParse(JSON.parse(text));
    return h.success ? h.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/**
 * Move the stale lock aside (atomic) and check it is the one judged stale; if a live process
 * took the lock in between, put its lock back. Then report.
 */
function breakStale(path: string, stale: LockHolder, ageMs: number, onWarning?: (m: string) => void): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke or released it
    throw e;
  }
  const moved = readHolder(aside);
  if (moved === 'gone' || moved === 'unreadable' || moved.token !== stale.token) {
    try {
      linkSync(aside, path);
    } catch {
      // Taken yet again in between: three processes raced on one dead lock within
      // microseconds. The newest holder keeps the path; nothing better can be done portably.
    }
    unlinkSync(aside);
    return;
  }
  unlinkSync(aside);
  (onWarning ?? defaultWarning)(
    `broke a stale lock ${path}: held by pid ${stale.pid} on ${stale.host} since ${stale.at} (${Math.round(ageMs / 1000)} s), and that process is gone`,
  );
}

function release(path: string, holder: LockHolder): void {
  const current = readHolder(path);
  if (current !== 'gone' && current !== 'unreadable' && current.token === holder.token) unlinkSync(path);
}

/** True when a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Log a broken stale lock. pino is loaded here, on the rare path that logs, not with the plan
 * store that every pass opens (module loading is a visible share of a short CLI run).
 */
function defaultWarning(message: string): void {
  void import('../log.js').then(({ logger }) => logger('plan-store').warn({ event: 'stale-lock-broken' }, message));
}
