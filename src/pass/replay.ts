/**
 * Replay a recorded pass (DESIGN.md §2, "the pass directory is the program counter"): copy its
 * source snapshots, manifest and policy copy into a temporary directory and let
 * {@link resumePass} recompute everything else there — the same code as the pass, nothing
 * re-implemented. The snapshots are checked against their recorded sha256 on the way, and the
 * replayed plan's digest is compared with the recorded one. The recorded directory is only read.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { Policy } from '../policy/load.js';
import { readJsonFile } from './passdir.js';
import { readPassSummary } from './summary.js';
import { PlanSchema } from '../plan/store.js';
import { passPolicy, readPassManifest, resumePass, type PassResult, type PassSummary } from './run.js';

/** What a replay found. */
export interface ReplayResult {
  /** The recorded pass directory. */
  dir: string;
  recorded: PassSummary;
  /** The digest in the recorded plan.json, null when the pass wrote no plan. */
  recordedDigest: string | null;
  replayed: PassResult;
  /** The pass's own policy copy, compiled (the set definitions and their reasons). */
  policy: Policy;
  /** True when the replayed result, set counts and plan digest are the recorded ones. */
  same: boolean;
  /** Each difference, one readable line. */
  differences: string[];
}

/**
 * Replay the pass in `dir`. `keep`: leave the temporary directory (its path is
 * `replayed.dir`); by default it is removed.
 * @throws InputError when `dir` is not a finished pass directory or its policy copy is broken.
 */
export async function replayPass(dir: string, opts: { keep?: boolean; onProgress?: (line: string) => void } = {}): Promise<ReplayResult> {
  if (!existsSync(join(dir, 'summary.json'))) throw new InputError({ origin: dir }, 'not a finished pass directory (no summary.json): replay needs a recorded pass');
  readPassManifest(dir);
  const recorded = readPassSummary(dir);
  const recordedDigest = existsSync(join(dir, 'plan.json')) ? readJsonFile(join(dir, 'plan.json'), PlanSchema.pick({ digest: true })).digest : null;
  const policy = passPolicy(dir);
  const work = mkdtempSync(join(tmpdir(), `breakfix-replay-${recorded.passId}-`));
  try {
    cpSync(join(dir, 'sources'), join(work, 'sources'), { recursive: true });
    cpSync(join(dir, 'policy'), join(work, 'policy'), { recursive: true });
    const replayed = await resumePass(work, opts.onProgress);
    // Name the recorded files in messages, not their temporary copies.
    const r = replayed.summary;
    r.reasons = r.reasons.map((line) => line.split(work).join(dir));
    const differences: string[] = [];
    if (r.result !== recorded.result) differences.push(`result: recorded ${recorded.result}, replayed ${r.result}${r.reasons.length ? ` (${r.reasons.join('; ')})` : ''}`);
    for (const name of [...new Set([...Object.keys(recorded.counts), ...Object.keys(r.counts)])].sort()) {
      if (recorded.counts[name] !== r.counts[name]) differences.push(`set ${name}: recorded ${recorded.counts[name] ?? 'absent'}, replayed ${r.counts[name] ?? 'absent'}`);
    }
    const digest = replayed.plan?.digest ?? null;
    if (digest !== recordedDigest) differences.push(`plan digest: recorded ${recordedDigest ?? 'none'}, replayed ${digest ?? 'none'}`);
    return { dir, recorded, recordedDigest, replayed, policy, same: differences.length === 0, differences };
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
  }
}
