/**
 * Loading the policy directory: `sets.yml`, `budgets.yml`, `safety.yml` (DESIGN.md §3).
 * All validation happens here, at load time, so a pass never starts on a broken policy:
 * YAML syntax, schema, set-expression syntax, unknown set names and cycles are each an
 * {@link InputError} naming the file, line and column.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { parseYaml, type LoadedYaml } from '../config/yaml.js';
import { parseSetExpr, referencedNames, SetExprSyntaxError, type SetExpr } from '../sets/expr.js';
import { isRawSetName } from '../sets/names.js';
import { BudgetsFileSchema, SafetyFileSchema, SetsFileSchema, type BudgetsPolicy, type SafetyPolicy } from './schema.js';

/** The policy files, in the order they are digested. */
export const POLICY_FILES = ['sets.yml', 'budgets.yml', 'safety.yml'] as const;

/** One derived set definition, compiled. */
export interface DerivedSetDef {
  name: string;
  /** The expression as written. */
  text: string;
  expr: SetExpr;
  reason: string;
  /** Where it is defined, for messages: `policies/sets.yml:12:11`. */
  where: string;
}

/** A loaded, validated policy. */
export interface Policy {
  dir: string;
  /** sha256 (hex) over the policy files' names and bytes, in {@link POLICY_FILES} order. */
  digest: string;
  /** File name → exact text, to snapshot into a pass directory. */
  files: Record<string, string>;
  /** Derived sets in evaluation order (every definition after the ones it uses). */
  sets: DerivedSetDef[];
  budgets: BudgetsPolicy;
  safety: SafetyPolicy;
}

/**
 * Load and validate `dir`.
 * @throws InputError naming file, line and column for: a missing file, YAML or schema errors,
 *   a set expression syntax error, a reference to a name that is neither a raw set nor a
 *   derived one, a cycle between definitions, an invalid classifier regex, a classifier rule
 *   or override naming an archetype that does not exist.
 */
export function loadPolicy(dir: string): Policy {
  const files: Record<string, string> = {};
  for (const f of POLICY_FILES) {
    const path = join(dir, f);
    try {
      files[f] = readFileSync(path, 'utf8');
    } catch (e) {
      throw new InputError({ origin: path }, `cannot read the policy file: ${(e as Error).message}`);
    }
  }
  return compilePolicy(dir, files);
}

/** Validate policy texts already read (used for a pass directory's own `policy/` snapshot). @throws InputError as {@link loadPolicy}. */
export function compilePolicy(dir: string, files: Record<string, string>): Policy {
  const hash = createHash('sha256');
  for (const f of POLICY_FILES) hash.update(`${f}\0${files[f]}\0`);
  const setsPath = join(dir, 'sets.yml');
  const budgetsPath = join(dir, 'budgets.yml');
  const setsFile = parseYaml(files['sets.yml'], setsPath, SetsFileSchema);
  const budgets = parseYaml(files['budgets.yml'], budgetsPath, BudgetsFileSchema);
  const safety = parseYaml(files['safety.yml'], join(dir, 'safety.yml'), SafetyFileSchema);
  checkBudgets(budgets, budgetsPath);
  checkSafety(safety.data, join(dir, 'safety.yml'));
  return {
    dir,
    digest: hash.digest('hex'),
    files,
    sets: compileSets(setsFile, setsPath, files['sets.yml']),
    budgets: budgets.data,
    safety: safety.data,
  };
}

function compileSets(file: LoadedYaml<{ sets: Record<string, { expr: string; reason: string }> }>, origin: string, text: string): DerivedSetDef[] {
  const lines = text.split('\n');
  const defs = new Map<string, DerivedSetDef & { refs: { name: string; column: number }[]; line: number; exprColumn: (c: number) => number }>();
  for (const [name, def] of Object.entries(file.data.sets)) {
    const pos = file.position(['sets', name, 'expr']) ?? { line: 0, column: 0 };
    // For an expression written on the line of its key (plain or quoted), map the expression's
    // column to the file's column; otherwise report the column within the expression.
    const lineText = lines[pos.line - 1] ?? '';
    const quoted = lineText[pos.column - 1] === '"' || lineText[pos.column - 1] === "'";
    const inline = lineText.slice(pos.column - 1 + (quoted ? 1 : 0)).startsWith(def.expr.slice(0, 20));
    const exprColumn = (c: number) => (inline ? pos.column - 1 + (quoted ? 1 : 0) + c : c);
    let expr: SetExpr;
    try {
      expr = parseSetExpr(def.expr);
    } catch (e) {
      if (!(e instanceof SetExprSyntaxError)) throw e;
      throw new InputError(
        { origin, line: pos.line, column: exprColumn(e.column), field: `sets.${name}.expr` },
        `${e.problem}${inline ? '' : ` (column ${e.column} of the expression)`}`,
      );
    }
    defs.set(name, {
      name, text: def.expr, expr, reason: def.reason, where: `${origin}:${pos.line}:${pos.column}`,
      refs: referencedNames(expr), line: pos.line, exprColumn,
    });
  }
  for (const d of defs.values()) {
    if (isRawSetName(d.name)) {
      throw new InputError({ origin, line: d.line, field: `sets.${d.name}` }, `"${d.name}" is a raw set name; a derived set needs a name of its own`);
    }
    for (const r of d.refs) {
      if (!defs.has(r.name) && !isRawSetName(r.name)) {
        throw new InputError(
          { origin, line: d.line, column: d.exprColumn(r.column), field: `sets.${d.name}.expr` },
          `unknown set name "${r.name}": not a raw set (all, managed, hdfs-dead, cluster-<name>, …) nor defined in this file`,
        );
      }
    }
  }
  // Topological order (depth-first); a back edge is a cycle, reported with its path.
  const order: DerivedSetDef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, stack: string[]) => {
    const d = defs.get(name);
    if (!d || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name].join(' → ');
      throw new InputError({ origin, line: d.line, field: `sets.${name}.expr` }, `definitions form a cycle: ${cycle}`);
    }
    state.set(name, 'visiting');
    for (const r of d.refs) visit(r.name, [...stack, name]);
    state.set(name, 'done');
    order.push({ name: d.name, text: d.text, expr: d.expr, reason: d.reason, where: d.where });
  };
  for (const name of [...defs.keys()].sort()) visit(name, []);
  return order;
}

function checkBudgets(file: LoadedYaml<BudgetsPolicy>, origin: string): void {
  const archetypes = file.data.archetypes;
  file.data.classifier.forEach((rule, i) => {
    if (!(rule.archetype in archetypes)) {
      const p = file.position(['classifier', i, 'archetype']);
      throw new InputError({ origin, line: p?.line, column: p?.column, field: `classifier[${i}].archetype` }, `unknown archetype "${rule.archetype}" (have: ${Object.keys(archetypes).join(', ')})`);
    }
    if (rule.when?.name !== undefined) {
      try {
        new RegExp(rule.when.name);
      } catch (e) {
        const p = file.position(['classifier', i, 'when', 'name']);
        throw new InputError({ origin, line: p?.line, column: p?.column, field: `classifier[${i}].when.name` }, `not a valid regular expression: ${(e as Error).message}`);
      }
    }
  });
  const last = file.data.classifier[file.data.classifier.length - 1];
  if (last.when && Object.keys(last.when).length > 0) {
    const p = file.position(['classifier', file.data.classifier.length - 1]);
    throw new InputError({ origin, line: p?.line, field: 'classifier' }, 'the last rule must have no `when` so every cluster gets an archetype');
  }
  for (const [cluster, o] of Object.entries(file.data.clusters)) {
    if (o.archetype !== undefined && !(o.archetype in archetypes)) {
      const p = file.position(['clusters', cluster, 'archetype']);
      throw new InputError({ origin, line: p?.line, column: p?.column, field: `clusters.${cluster}.archetype` }, `unknown archetype "${o.archetype}"`);
    }
  }
}

function checkSafety(s: SafetyPolicy, origin: string): void {
  const pct = (v: number, field: string) => {
    if (!(v >= 0 && v <= 100)) throw new InputError({ origin, field }, `expected a percentage between 0 and 100, got ${v}`);
  };
  pct(s.sources.maxShrinkPct.value, 'sources.maxShrinkPct.value');
  pct(s.massFailure.maxSharePct.value, 'massFailure.maxSharePct.value');
  if (!Number.isInteger(s.dataGroups.replicationFactor.value) || s.dataGroups.replicationFactor.value < 1) {
    throw new InputError({ origin, field: 'dataGroups.replicationFactor.value' }, 'expected a whole number ≥ 1');
  }
  if (!Number.isInteger(s.dataGroups.maxOutOfService.value) || s.dataGroups.maxOutOfService.value < 1) {
    throw new InputError({ origin, field: 'dataGroups.maxOutOfService.value' }, 'expected a whole number ≥ 1');
  }
}
