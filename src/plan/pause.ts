/**
 * The kill switch as the approval path reads it (DESIGN.md §5: "a pause per datacenter stops
 * new proposals and executions until a human resumes it"): a datacenter is paused while
 * `<state>/paused/<dc>.json` exists. The file says who paused and why; a file that cannot be
 * read still means paused (fail closed). `breakfix pause` / `resume` write and remove it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeAtomic } from '../pass/passdir.js';

/** Schema of a pause file: who paused (a Slack user id, a local user or the circuit breaker), when (ISO time) and why. */
export const PauseInfoSchema = z.object({
  by: z.string(),
  at: z.string(),
  reason: z.string(),
});
/** What a pause file holds: see {@link PauseInfoSchema}. */
export type PauseInfo = z.infer<typeof PauseInfoSchema>;

/** Schema of a resume file: who resumed and when (ISO time); `was` is the pause it lifted. */
export const ResumeRecordSchema = z.object({
  by: z.string(),
  at: z.string(),
  was: PauseInfoSchema.optional(),
});
/** What a resume file holds: see {@link ResumeRecordSchema}. */
export type ResumeRecord = z.infer<typeof ResumeRecordSchema>;

/** The pause file of a datacenter. */
export function pauseFile(stateDir: string, dc: string): string {
  return join(stateDir, 'paused', `${dc}.json`);
}

/**
 * The pause of `dc`, or undefined when it is not paused. A file that does not read or does not
 * match {@link PauseInfoSchema} is a pause by "unknown" whose reason is the error (file and field).
 */
export function readPause(stateDir: string, dc: string): PauseInfo | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(dc) || dc.includes('..')) return { by: 'breakfix', at: 'unknown', reason: `${JSON.stringify(dc)} is not a datacenter name: treated as paused` };
  const path = pauseFile(stateDir, dc);
  if (!existsSync(path)) return undefined;
  try {
    return readJsonFile(path, PauseInfoSchema);
  } catch (e) {
    return { by: 'unknown', at: 'unknown', reason: `damaged pause file (${(e as Error).message}): treated as paused` };
  }
}

/** True while `dc` is paused. */
export function isPaused(stateDir: string, dc: string): boolean {
  return readPause(stateDir, dc) !== undefined;
}

/** Who pulls the pause when the circuit breaker trips (src/loop/loop.ts). */
export const CIRCUIT_BREAKER = 'breakfix (circuit breaker)';

/** Write the pause of `dc` (atomically). The caller checks it is not already paused. */
export function writePause(stateDir: string, dc: string, info: PauseInfo): void {
  writeAtomic(pauseFile(stateDir, dc), JSON.stringify(info, null, 2) + '\n');
}

/** `<state>/resumed/<dc>.json`: the last resume of `dc` (who, when, which pause it lifted). */
export function resumeFile(stateDir: string, dc: string): string {
  return join(stateDir, 'resumed', `${dc}.json`);
}

/**
 * The last resume of `dc`, or undefined when it never was (or the file does not read). The
 * circuit breaker counts only passes after it: a person who resumed gets a fresh count.
 */
export function readLastResume(stateDir: string, dc: string): { by: string; at: string } | undefined {
  const path = resumeFile(stateDir, dc);
  if (!existsSync(path)) return undefined;
  try {
    const r = readJsonFile(path, ResumeRecordSchema);
    return { by: r.by, at: r.at };
  } catch {
    return undefined; // fail closed: the breaker then counts every recent pass
  }
}

/** Record the resume of `dc` (atomically), replacing the previous one. */
export function writeResume(stateDir: string, dc: string, record: ResumeRecord): void {
  writeAtomic(resumeFile(stateDir, dc), JSON.stringify(record, null, 2) + '\n');
}
