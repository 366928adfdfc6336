/**
 * `breakfix diff [set]`: what changed since the previous pass — every set's count change, or
 * for one set the hosts that joined and left (the same as `diff` on the two set files).
 */
import { difference } from '../src/sets/hostset.js';
import { table } from '../src/pass/report.js';
import { readPassSummary } from '../src/pass/summary.js';
import { latestPass, readSet, resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

/** Arguments of `diff`. */
export interface DiffArgs extends CommonOptions {
  set?: string;
}

/** Compare the latest pass of a datacenter with the one before. */
export function runDiff(args: DiffArgs): CommandOutput {
  const ctx = resolveContext(args);
  const dc = resolveDc(ctx, args.dc);
  const { dir, summary, previous } = latestPass(ctx, dc);
  if (!previous) return { text: `only one pass for ${dc} (${dir}): nothing to compare with yet`, json: { changes: [] }, exitCode: 0 };
  if (args.set) {
    const now = readSet(dir, args.set);
    const before = readSet(previous, args.set);
    if (!now && !before) return { text: `no set named "${args.set}" in either pass`, json: { error: 'no such set' }, exitCode: 1 };
    const added = difference(now ?? [], before ?? []);
    const removed = difference(before ?? [], now ?? []);
    const lines = [`${args.set}: ${before?.length ?? 0} → ${now?.length ?? 0}  (${previous} → ${dir})`];
    for (const h of added) lines.push(`+ ${h}`);
    for (const h of removed) lines.push(`- ${h}`);
    if (added.length + removed.length === 0) lines.push('unchanged');
    return { text: lines.join('\n'), json: { set: args.set, added, removed }, exitCode: 0 };
  }
  const prev = readPassSummary(previous);
  const names = [...new Set([...Object.keys(summary.counts), ...Object.keys(prev.counts)])].sort();
  const changes = names
    .map((n) => ({ set: n, before: prev.counts[n] ?? 0, now: summary.counts[n] ?? 0 }))
    .filter((c) => c.before !== c.now);
  const text = changes.length === 0
    ? `no set changed between ${prev.passId} and ${summary.passId}`
    : `${prev.passId} → ${summary.passId}\n` + table(['set', 'before', 'now', 'change'], changes.map((c) => [c.set, c.before, c.now, `${c.now > c.before ? '▲' : '▼'} ${Math.abs(c.now - c.before)}`]));
  return { text, json: { from: previous, to: dir, changes }, exitCode: 0 };
}
