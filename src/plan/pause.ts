/**
 * The kill switch as the approval path reads it (DESIGN.md §5: "a pause per datacenter stops
 * new proposals and executions until a human resumes it"): a datacenter is paused while
 * `<state>/paused/<dc>.json` exists. The file says who paused and why; a file that cannot be
 * read still means paused (fail closed). `breakfix pause` / `resume` write and remove it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeAtomic } from '../pass/passdir.js';
import { join } from 'node:path';

/** What a pause file holds. */
export interface PauseInfo {
  by: string;
  at: string;
  reason: string;
}

/** The pause file of a datacenter. */
export function pauseFile(stateDir: string, dc: string): string {
  return join(stateDir, 'paused', `${dc}.json`);
}

/** The pause of `dc`, or undefined when it is not paused. An unreadable file is a pause by "unknown". */
export function readPause(stateDir: string, dc: string): PauseInfo | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(dc) || dc.includes('..')) return { by: 'breakfix', at: 'unknown', reason: `${JSON.stringify(dc)} is not a datacenter name: treated as paused` };
  const path = pauseFile(stateDir, dc);
  if (!existsSync(path)) return undefined;
  try {
    const p = JSON.parse(readFileSync(path, 'utf8')) as Partial<PauseInfo>;
    return { by: String(p.by ?? 'unknown'), at: String(p.at ?? 'unknown'), reason: String(p.reason ?? '') };
  } catch (e) {
    return { by: 'unknown', at: 'unknown', reason: `unreadable pause file ${path} (${(e as Error).message}): treated as paused` };
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
    const r = JSON.parse(readFileSync(path, 'utf8')) as { by?: unknown; at?: unknown };
    return typeof r.at === 'string' ? { by: String(r.by ?? 'unknown'), at: r.at } : undefined;
  } catch {
    return undefined;
  }
}
