/**
 * `summary.json` of a pass directory (DESIGN.md §2): written last by `runPass` (src/pass/run.ts),
 * it marks a finished pass. This module is its schema and its one reader.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from './passdir.js';

/**
 * Schema of `summary.json`, the last file a pass writes (DESIGN.md §2). Read back by `status`,
 * `diff`, `replay`, the loop's history, metrics and the plan store, so it is checked at that
 * boundary: an operator may have edited it, a disk may have damaged it. It is small (one count
 * per set: ~70 KB at 100,000 hosts), so the whole of it is checked.
 */
export const PassSummarySchema = z.object({
  passId: z.string(),
  dc: z.string(),
  result: z.enum(['ok', 'refused', 'error']),
  startedAt: z.string(),
  seed: z.number().int().min(0),
  /** Why the pass stopped (refused / error), empty when ok. */
  reasons: z.array(z.string()),
  sources: z.array(z.object({ role: z.string(), kind: z.string(), origin: z.string(), hosts: z.number().int().min(0), sha256: z.string(), ageMs: z.number() })),
  /** Set name → host count. */
  counts: z.record(z.string(), z.number().int().min(0)),
  plan: z.object({ id: z.string(), digest: z.string(), drain: z.number().int().min(0), recommission: z.number().int().min(0), emptyReason: z.string().nullable() }).nullable(),
  blocks: z.object({ underReplicatedBlocks: z.number().nullable(), missingBlocks: z.number().nullable() }).optional(),
});

/** `summary.json`: see {@link PassSummarySchema}. */
export type PassSummary = z.infer<typeof PassSummarySchema>;

/**
 * The `summary.json` of pass directory `dir`, validated.
 * @throws InputError naming `<dir>/summary.json` and the field when it is missing, not JSON or
 *   not a pass summary.
 */
export function readPassSummary(dir: string): PassSummary {
  return readJsonFile(join(dir, 'summary.json'), PassSummarySchema);
}
