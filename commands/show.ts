/**
 * `breakfix show <set>`: the hosts in a named set of the latest pass — count and first lines,
 * or the whole set with `--all` (DESIGN.md §7).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { latestPass, readSet, resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

/** Arguments of `show`. */
export interface ShowArgs extends CommonOptions {
  set: string;
  all?: boolean;
  /** Lines shown without `all`. */
  limit?: number;
  pass?: string;
}

/** Show one set. Exit 1 when the set does not exist in that pass (the message lists close names). */
export function runShow(args: ShowArgs): CommandOutput {
  const ctx = resolveContext(args);
  const { dir } = latestPass(ctx, args.pass ? '' : resolveDc(ctx, args.dc), args.pass);
  const hosts = readSet(dir, args.set);
  if (!hosts) {
    const names = readdirSync(join(dir, 'sets')).sort();
    const close = names.filter((n) => n.includes(args.set) || args.set.includes(n)).slice(0, 8);
    return {
      text: `no set named "${args.set}" in ${dir}${close.length ? `; did you mean: ${close.join(', ')}` : ''} (${names.length} sets: breakfix show --list)`,
      json: { error: `no set named ${args.set}`, suggestions: close },
      exitCode: 1,
    };
  }
  const limit = args.all ? hosts.length : (args.limit ?? 20);
  const lines = [`${args.set}: ${hosts.length} hosts  (${join(dir, 'sets', args.set)})`, ...hosts.slice(0, limit)];
  if (hosts.length > limit) lines.push(`… ${hosts.length - limit} more (--all)`);
  return { text: lines.join('\n'), json: { set: args.set, count: hosts.length, hosts, file: join(dir, 'sets', args.set) }, exitCode: 0 };
}

/** List the sets of the latest pass with their counts. */
export function runShowList(args: CommonOptions & { pass?: string }): CommandOutput {
  const ctx = resolveContext(args);
  const { dir, summary } = latestPass(ctx, args.pass ? '' : resolveDc(ctx, args.dc), args.pass);
  const names = Object.keys(summary.counts).sort();
  const width = Math.max(...names.map((n) => n.length));
  return { text: names.map((n) => `${n.padEnd(width)}  ${summary.counts[n]}`).join('\n') + `\nfiles: ${join(dir, 'sets')}`, json: summary.counts, exitCode: 0 };
}
