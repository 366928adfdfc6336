/**
 * Retention of pass directories: a pass is a record (replay, why, diff read it), but a loop
 * running every 15 minutes writes ~100 per datacenter a day, each a few MB (350 set files, the
 * source snapshots). So:
 *
 *     age < compressAfter              kept as is
 *     compressAfter ≤ age < keep       compressed in place: <day>/<HHMMSS-id>.tar.gz (gzip)
 *     age ≥ keep                       removed (directory or archive)
 *
 * never touching: the newest two finished passes of a datacenter (`diff` and the drift rules
 * compare them), the pass directory of a plan not finished (proposed, approved, executing: its
 * sources manifest drives re-validation at click time, its plan.json is what was approved), and
 * a pass still being written (no summary.json) younger than `keep`. Age is read from the
 * directory name (`<YYYY-MM-DD>/<HHMMSS>-<id>`, UTC), so it does not depend on file times.
 *
 * Configured in breakfix.yml as `retention: { keep: 14d, compressAfter: 2d }`.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { importPackage } from '../import-package.js';
import { listDatacenters, listPasses } from '../pass/passdir.js';
import { PlanStore } from '../plan/store.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration as written in breakfix.yml: a whole number and a unit, `90m`, `36h`, `14d`. Parsed to ms. */
export const DurationSchema = z
  .string()
  .regex(/^\d+[mhd]$/, 'expected a duration like 90m, 36h or 14d (minutes, hours, days)')
  .transform((s) => Number(s.slice(0, -1)) * UNIT_MS[s.slice(-1) as keyof typeof UNIT_MS]);

/**
 * Defaults. `keep: 14d`: two weeks covers an on-call rotation and the time it takes to notice a
 * slow drift and want the passes it built up from. `compressAfter: 2d`: `why`, `diff` and the
 * summaries read the last day or two; older passes are read rarely (replay, a post-mortem) and
 * the set files and JSON snapshots compress about tenfold.
 */
export const DEFAULT_RETENTION = { keep: '14d', compressAfter: '2d' } as const;

/** Schema of `retention:` in breakfix.yml. */
export const RetentionSchema = z
  .object({ keep: DurationSchema.prefault(DEFAULT_RETENTION.keep), compressAfter: DurationSchema.prefault(DEFAULT_RETENTION.compressAfter) })
  .strict()
  .refine((r) => r.compressAfter <= r.keep, { message: 'compressAfter must not be longer than keep', path: ['compressAfter'] })
  .transform((r): RetentionPolicy => ({ keepMs: r.keep, compressAfterMs: r.compressAfter }));

/** How often `breakfix serve` applies retention, in ms: hourly is far finer than days of retention, and cheap (one directory walk). */
export const RETENTION_INTERVAL_MS = 3_600_000;

/** Retention in ms. */
export interface RetentionPolicy {
  keepMs: number;
  compressAfterMs: number;
}

/** The default {@link RetentionPolicy}. */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = RetentionSchema.parse({});

/** One thing retention does (or would do, in a dry run). */
export interface RetentionAction {
  action: 'compress' | 'remove';
  dc: string;
  /** The pass directory, or its archive. */
  path: string;
  ageMs: number;
  /** Bytes on disk before. */
  bytes: number;
  /** Bytes of the archive after compressing (null in a dry run, and for removals). */
  bytesAfter: number | null;
  why: string;
}

/** A pass directory retention would otherwise act on, and why it is kept. */
export interface RetentionKept {
  dc: string;
  path: string;
  ageMs: number;
  why: string;
}

/** What {@link applyRetention} did. */
export interface RetentionReport {
  dryRun: boolean;
  actions: RetentionAction[];
  /** Only protected passes old enough to be compressed or removed. */
  kept: RetentionKept[];
  /** Bytes freed (a dry run: bytes removed, archives not counted). */
  freedBytes: number;
}

const PASS_ENTRY = /^(\d{2})(\d{2})(\d{2})-[0-9a-f]{8}(\.tar\.gz)?$/;

/**
 * Compress and remove old pass directories of every datacenter of `stateDir` at `now`
 * (see the module comment for the rules), or of `dc` only. With `dryRun`, only report. A directory that fails
 * to compress is left as it was (the half-written archive is removed) and the error thrown
 * after the others are done. @throws Error naming the directories that failed.
 */
export async function applyRetention(stateDir: string, policy: RetentionPolicy, now: Date, opts: { dryRun?: boolean; dc?: string } = {}): Promise<RetentionReport> {
  const dryRun = !!opts.dryRun;
  const unfinished = new Map<string, string>();
  for (const s of new PlanStore(stateDir).states()) {
    if (s.state === 'proposed' || s.state === 'approved' || s.state === 'executing') unfinished.set(resolve(s.passDir), `plan ${s.planId} is ${s.state}`);
  }
  const report: RetentionReport = { dryRun, actions: [], kept: [], freedBytes: 0 };
  const failures: string[] = [];
  for (const dc of listDatacenters(stateDir).filter((d) => opts.dc === undefined || d === opts.dc)) {
    const newest = new Set(listPasses(stateDir, dc).slice(-2).map((d) => resolve(d)));
    const root = join(stateDir, 'passes', dc);
    for (const day of readdirSync(root).sort()) {
      const dayDir = join(root, day);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !statSync(dayDir).isDirectory()) continue;
      for (const name of readdirSync(dayDir).sort()) {
        const m = PASS_ENTRY.exec(name);
        if (!m) continue;
        const path = join(dayDir, name);
        const ageMs = now.getTime() - Date.parse(`${day}T${m[1]}:${m[2]}:${m[3]}Z`);
        if (Number.isNaN(ageMs) || ageMs < policy.compressAfterMs) continue;
        const archive = m[4] !== undefined;
        const tooOld = ageMs >= policy.keepMs;
        if (archive) {
          if (tooOld) report.actions.push({ action: 'remove', dc, path, ageMs, bytes: statSync(path).size, bytesAfter: null, why: `archive older than keep (${fmtAge(policy.keepMs)})` });
          continue;
        }
        const protectedWhy = newest.has(resolve(path)) ? 'one of the two newest passes (diff and drift compare them)' : unfinished.get(resolve(path));
        if (protectedWhy) {
          report.kept.push({ dc, path, ageMs, why: protectedWhy });
          continue;
        }
        if (!existsSync(join(path, 'summary.json'))) {
          if (tooOld) report.actions.push({ action: 'remove', dc, path, ageMs, bytes: du(path), bytesAfter: null, why: `never finished (no summary.json) and older than keep (${fmtAge(policy.keepMs)})` });
          continue;
        }
        report.actions.push(tooOld
          ? { action: 'remove', dc, path, ageMs, bytes: du(path), bytesAfter: null, why: `older than keep (${fmtAge(policy.keepMs)})` }
          : { action: 'compress', dc, path, ageMs, bytes: du(path), bytesAfter: null, why: `older than compressAfter (${fmtAge(policy.compressAfterMs)})` });
      }
    }
  }
  if (dryRun) {
    report.freedBytes = report.actions.filter((a) => a.action === 'remove').reduce((n, a) => n + a.bytes, 0);
    return report;
  }
  for (const a of report.actions) {
    try {
      if (a.action === 'remove') {
        rmSync(a.path, { recursive: true, force: true });
        report.freedBytes += a.bytes;
      } else {
        a.bytesAfter = await compressPassDir(a.path);
        report.freedBytes += a.bytes - a.bytesAfter;
      }
    } catch (e) {
      failures.push(`${a.path}: ${(e as Error).message}`);
    }
  }
  for (const dc of listDatacenters(stateDir)) removeEmptyDays(join(stateDir, 'passes', dc));
  if (failures.length > 0) throw new Error(`retention could not ${failures.length === 1 ? 'handle' : 'handle these'}: ${failures.join('; ')} (check disk space and permissions; the rest was done)`);
  return report;
}

/** Replace a pass directory with `<dir>.tar.gz` next to it (archive written under a temporary name first). Returns the archive's bytes. */
export async function compressPassDir(dir: string): Promise<number> {
  const parent = resolve(dir, '..');
  const name = dir.slice(parent.length + 1);
  const tmp = `${dir}.tar.gz.tmp-${process.pid}`;
  // tar is imported here, not at the top: retention.ts loads with the config schema in every command.
  const { create: createTar } = await importPackage<typeof import('tar')>('tar');
  try {
    await createTar({ gzip: true, file: tmp, cwd: parent, portable: true }, [name]);
    renameSync(tmp, `${dir}.tar.gz`);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  rmSync(dir, { recursive: true, force: true });
  return statSync(`${dir}.tar.gz`).size;
}

/** Bytes of a directory tree (file sizes, not blocks). */
export function du(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(path)) n += du(join(path, e));
  return n;
}

/** `14d`, `36h`, `90m`: the largest whole unit. */
export function fmtAge(ms: number): string {
  if (ms >= UNIT_MS.d && ms % UNIT_MS.d === 0) return `${ms / UNIT_MS.d}d`;
  if (ms >= UNIT_MS.d) return `${(ms / UNIT_MS.d).toFixed(1)}d`;
  if (ms >= UNIT_MS.h) return `${Math.floor(ms / UNIT_MS.h)}h`;
  return `${Math.floor(ms / UNIT_MS.m)}m`;
}

function removeEmptyDays(root: string): void {
  if (!existsSync(root)) return;
  for (const day of readdirSync(root)) {
    const d = join(root, day);
    if (statSync(d).isDirectory() && readdirSync(d).length === 0) rmSync(d, { recursive: true });
  }
}
