/**
 * `breakfix retention [--dry-run]`: compress and remove old pass directories by the
 * `retention:` of breakfix.yml (default keep 14d, compress after 2d), and print what was (or
 * would be) done with the bytes. The bot runs the same thing every hour.
 */
import { relative } from 'node:path';
import { applyRetention, DEFAULT_RETENTION_POLICY, fmtAge } from '../src/obs/retention.js';
import { table } from '../src/pass/report.js';
import { resolveContext, type CommandOutput, type CommonOptions } from './common.js';

/** Arguments of `retention`. */
export interface RetentionArgs extends CommonOptions {
  dryRun?: boolean;
  /** The clock (tests); default now. */
  now?: Date;
}

/** Apply (or, with `dryRun`, only show) retention to the state directory. Exit code 0, or 1 when some directory could not be handled (thrown). */
export async function runRetention(args: RetentionArgs): Promise<CommandOutput> {
  const ctx = resolveContext(args);
  const policy = ctx.config?.retention ?? DEFAULT_RETENTION_POLICY;
  const report = await applyRetention(ctx.stateDir, policy, args.now ?? new Date(), { dryRun: !!args.dryRun, ...(args.dc ? { dc: args.dc } : {}) });
  const rel = (p: string) => relative(ctx.stateDir, p) || p;
  const lines = [`retention in ${ctx.stateDir}: keep ${fmtAge(policy.keepMs)}, compress after ${fmtAge(policy.compressAfterMs)}${report.dryRun ? ' (dry run: nothing changed)' : ''}`];
  if (report.actions.length === 0) lines.push('nothing to compress or remove');
  else {
    const verb = (a: string) => (report.dryRun ? `would ${a}` : a === 'compress' ? 'compressed' : 'removed');
    lines.push(table(['action', 'pass', 'age', 'bytes', 'after', 'why'], report.actions.map((a) => [verb(a.action), rel(a.path), fmtAge(a.ageMs), a.bytes, a.bytesAfter ?? '-', a.why])));
    const c = report.actions.filter((a) => a.action === 'compress').length;
    lines.push(`${report.actions.length - c} removed, ${c} compressed; ${report.dryRun ? 'would free' : 'freed'} ${report.freedBytes} bytes${report.dryRun && c ? ' (plus what compression saves)' : ''}`);
  }
  for (const k of report.kept) lines.push(`kept ${rel(k.path)} (${fmtAge(k.ageMs)} old): ${k.why}`);
  return { text: lines.join('\n'), json: report, exitCode: 0 };
}
