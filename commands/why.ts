/**
 * `breakfix why <host>`: the sets a host is in, and why it was or was not picked in the latest
 * pass — the membership of each name in its candidate definitions spelled out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy, POLICY_FILES } from '../src/policy/load.js';
import { normalizeHost } from '../src/hosts.js';
import { referencedNames } from '../src/sets/expr.js';
import { has } from '../src/sets/hostset.js';
import { readPlanFile } from '../src/plan/store.js';
import { ALL_DATA_COLUMNS } from '../src/pass/report.js';
import { latestPass, readSet, resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

/** Arguments of `why`. */
export interface WhyArgs extends CommonOptions {
  host: string;
  pass?: string;
}

/** Explain one host. Exit 1 for an invalid name; a host no source knows is answered, not an error. */
export function runWhy(args: WhyArgs): CommandOutput {
  const key = normalizeHost(args.host);
  if (!key.ok) return { text: `why: host: ${key.problem}`, json: { error: key.problem }, exitCode: 1 };
  const host = key.host;
  const ctx = resolveContext(args);
  const { dir } = latestPass(ctx, args.pass ? '' : resolveDc(ctx, args.dc), args.pass);

  const sets = readdirSync(join(dir, 'sets')).sort();
  const memberOf = sets.filter((n) => has(readSet(dir, n) ?? [], host));
  const row = readFileSync(join(dir, 'all-data.tsv'), 'utf8').split('\n').find((l) => l.startsWith(host + '\t'));
  const plan = readPlanFile(join(dir, 'plan.json'));
  const files: Record<string, string> = {};
  for (const f of POLICY_FILES) files[f] = readFileSync(join(dir, 'policy', f), 'utf8');
  const policy = compilePolicy(join(dir, 'policy'), files);

  const lines: string[] = [`${host} in pass ${plan.passId} (${dir})`];
  if (!row) {
    lines.push('no source of this pass lists this host');
    return { text: lines.join('\n'), json: { host, known: false }, exitCode: 0 };
  }
  const cells = row.split('\t');
  lines.push(ALL_DATA_COLUMNS.map((c, i) => `${c}=${cells[i]}`).join('  '));
  lines.push(`sets (${memberOf.length}): ${memberOf.join(' ')}`);
  const action = plan.actions.find((a) => a.host === host);
  const passed = plan.passedOver.filter((p) => p.host === host);
  if (action) lines.push(`PICKED to ${action.action}: ${action.reason}`);
  for (const p of passed) lines.push(`not picked to ${p.action}: ${p.reason}`);
  if (!action && passed.length === 0) {
    lines.push('not a candidate:');
    for (const name of ['drain-candidates', 'return-candidates']) {
      const def = policy.sets.find((d) => d.name === name);
      if (!def) continue;
      const terms = [...new Set(referencedNames(def.expr).map((r) => r.name))];
      lines.push(`  ${name} = ${def.text}`);
      lines.push(`    ${terms.map((t) => `${t} ${memberOf.includes(t) ? '✓' : '✗'}`).join('  ')}`);
    }
  }
  return { text: lines.join('\n'), json: { host, known: true, row: Object.fromEntries(ALL_DATA_COLUMNS.map((c, i) => [c, cells[i]])), sets: memberOf, action: action ?? null, passedOver: passed }, exitCode: 0 };
}
