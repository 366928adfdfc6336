/**
 * The operators' set notation (DESIGN.md §2 step 2): `managed & hdfs-in-service & (failing | yarn-unhealthy) - ticketed`.
 *
 * Grammar, with `&` binding tighter than `|` and `-` (which are equal and group left to right):
 *
 *     expr   := term (('|' | '-') term)*
 *     term   := atom ('&' atom)*
 *     atom   := NAME | '(' expr ')'
 *     NAME   := [a-z0-9][a-z0-9_.-]*   (a '-' inside a name is part of it; the operator stands apart: `a - b`)
 *
 * Parse errors carry the 1-based column of the offending token, so a policy loader can report
 * `policies/sets.yml:12:31: …`.
 */
import { difference, intersect, union, type HostSet } from './hostset.js';

/** A parsed expression. `column` is 1-based within the expression text. */
export type SetExpr =
  | { op: 'name'; name: string; column: number }
  | { op: '&' | '|' | '-'; left: SetExpr; right: SetExpr; column: number };

/** A syntax error in a set expression, at a 1-based column of the expression text. */
export class SetExprSyntaxError extends Error {
  constructor(readonly column: number, readonly problem: string) {
    super(`column ${column}: ${problem}`);
    this.name = 'SetExprSyntaxError';
  }
}

interface Token { kind: 'name' | '&' | '|' | '-' | '(' | ')' | 'end'; text: string; column: number }

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '&' || c === '|' || c === '-' || c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, column: i + 1 });
      i++;
      continue;
    }
    if (/[a-z0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[a-z0-9_.-]/.test(src[j])) j++;
      // A trailing '-' belongs to the operator, not the name: `a- b` is `a - b`.
      while (src[j - 1] === '-') j--;
      tokens.push({ kind: 'name', text: src.slice(i, j), column: i + 1 });
      i = j;
      continue;
    }
    const hint = /[A-Z]/.test(c) ? ' (set names are lower case)' : '';
    throw new SetExprSyntaxError(i + 1, `unexpected character ${JSON.stringify(c)}${hint}`);
  }
  tokens.push({ kind: 'end', text: '', column: src.length + 1 });
  return tokens;
}

/**
 * Parse an expression.
 * @throws SetExprSyntaxError with the column of the first problem (empty expression,
 *   missing operand, unbalanced parenthesis, stray character).
 */
export function parseSetExpr(src: string): SetExpr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const describe = (t: Token) => (t.kind === 'end' ? 'the end of the expression' : JSON.stringify(t.text));

  function atom(): SetExpr {
    const t = peek();
    if (t.kind === 'name') { pos++; return { op: 'name', name: t.text, column: t.column }; }
    if (t.kind === '(') {
      pos++;
      const inner = expr();
      const close = peek();
      if (close.kind !== ')') throw new SetExprSyntaxError(close.column, `expected ')' to close the '(' at column ${t.column}, got ${describe(close)}`);
      pos++;
      return inner;
    }
    throw new SetExprSyntaxError(t.column, `expected a set name or '(', got ${describe(t)}`);
  }
  function term(): SetExpr {
    let left = atom();
    while (peek().kind === '&') {
      const op = tokens[pos++];
      left = { op: '&', left, right: atom(), column: op.column };
    }
    return left;
  }
  function expr(): SetExpr {
    let left = term();
    for (let k = peek().kind; k === '|' || k === '-'; k = peek().kind) {
      const op = tokens[pos++];
      left = { op: k, left, right: term(), column: op.column };
    }
    return left;
  }

  const result = expr();
  const rest = peek();
  if (rest.kind !== 'end') {
    throw new SetExprSyntaxError(rest.column, `expected an operator (& | -) or the end, got ${describe(rest)}`);
  }
  return result;
}

/** Every set name an expression refers to, with its column, in order of appearance. */
export function referencedNames(e: SetExpr, out: { name: string; column: number }[] = []): { name: string; column: number }[] {
  if (e.op === 'name') out.push({ name: e.name, column: e.column });
  else { referencedNames(e.left, out); referencedNames(e.right, out); }
  return out;
}

/** The three operations of the notation on one representation of sets `S` (sorted, unique), and a set's size. */
export interface SetAlgebra<S> {
  union(a: S, b: S): S;
  intersect(a: S, b: S): S;
  difference(a: S, b: S): S;
  size(s: S): number;
}

/** The algebra of {@link HostSet}s (names). */
export const HOST_SET_ALGEBRA: SetAlgebra<HostSet> = { union, intersect, difference, size: (s) => s.length };

/**
 * Evaluate an expression; `lookup` returns the set for a name (callers resolve unknown names
 * before). Sets are {@link HostSet}s, or any representation with its `algebra` (a pass computes
 * with index sets, src/sets/indexset.ts).
 */
export function evalSetExpr(e: SetExpr, lookup: (name: string) => HostSet): HostSet;
export function evalSetExpr<S>(e: SetExpr, lookup: (name: string) => S, algebra: SetAlgebra<S>): S;
export function evalSetExpr<S>(e: SetExpr, lookup: (name: string) => S, algebra: SetAlgebra<S> = HOST_SET_ALGEBRA as unknown as SetAlgebra<S>): S {
  switch (e.op) {
    case 'name': return lookup(e.name);
    case '&': {
      // Intersection is commutative and associative: evaluate a chain `a & b & c` smallest
      // operand first, so the big sets (managed, hdfs-in-service) are only probed, not merged.
      const operands: SetExpr[] = [];
      const flatten = (x: SetExpr): void => {
        if (x.op === '&') {
          flatten(x.left);
          flatten(x.right);
        } else operands.push(x);
      };
      flatten(e);
      const sets = operands.map((x) => evalSetExpr(x, lookup, algebra)).sort((p, q) => algebra.size(p) - algebra.size(q));
      return sets.reduce((acc, s) => algebra.intersect(acc, s));
    }
    case '|': return algebra.union(evalSetExpr(e.left, lookup, algebra), evalSetExpr(e.right, lookup, algebra));
    case '-': return algebra.difference(evalSetExpr(e.left, lookup, algebra), evalSetExpr(e.right, lookup, algebra));
  }
}

/** Render an expression back in the notation, fully parenthesised where precedence needs it. */
export function formatSetExpr(e: SetExpr): string {
  if (e.op === 'name') return e.name;
  const side = (x: SetExpr, right: boolean) => {
    const s = formatSetExpr(x);
    if (x.op === 'name') return s;
    // '&' binds tighter; '|' and '-' group left to right, so only a right-hand '|'/'-' needs parentheses.
    const needs = e.op === '&' ? x.op !== '&' : right && x.op !== '&';
    return needs ? `(${s})` : s;
  };
  return `${side(e.left, false)} ${e.op} ${side(e.right, true)}`;
}
