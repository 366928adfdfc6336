/**
 * Writing a fan-out's results as files an operator can read and feed to other tools:
 *
 *     results.tsv            host, outcome, exit, elapsed_ms, detail (one line per host, input order)
 *     ok, fail, timeout, …   one file per outcome class: its hosts, sorted, one per line (empty when none)
 *     raw/<host>.stdout      the command's output, when not empty
 *     raw/<host>.stderr
 *
 * TSV has no quoting (src/sources/health.ts): TABs and line breaks in a detail become spaces.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FANOUT_OUTCOMES, type FanOutOutcome, type FanOutResult } from './fanout.js';

/** A detail made safe for one TSV field. */
export function tsvField(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ').trim();
}

/** Hosts per outcome, every outcome present (0 when none). */
export function countOutcomes(results: readonly FanOutResult[]): Record<FanOutOutcome, number> {
  const counts = Object.fromEntries(FANOUT_OUTCOMES.map((o) => [o, 0])) as Record<FanOutOutcome, number>;
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** Write the files of the module comment into `dir` (created). Returns the paths written, relative to `dir`. */
export function writeFanOutFiles(dir: string, results: readonly FanOutResult[]): string[] {
  mkdirSync(join(dir, 'raw'), { recursive: true });
  const written: string[] = [];
  const put = (name: string, data: string | Buffer) => {
    writeFileSync(join(dir, name), data);
    written.push(name);
  };
  put('results.tsv', 'host\toutcome\texit\telapsed_ms\tdetail\n' + results.map((r) => `${r.host}\t${r.outcome}\t${r.exitCode ?? '-'}\t${Math.round(r.elapsedMs)}\t${tsvField(r.detail) || '-'}\n`).join(''));
  for (const o of FANOUT_OUTCOMES) {
    const hosts = results.filter((r) => r.outcome === o).map((r) => r.host).sort();
    put(o, hosts.map((h) => `${h}\n`).join(''));
  }
  for (const r of results) {
    if (r.stdout.length) put(`raw/${r.host}.stdout`, r.stdout);
    if (r.stderr.length) put(`raw/${r.host}.stderr`, r.stderr);
  }
  return written;
}
