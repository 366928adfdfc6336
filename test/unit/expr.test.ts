import { describe, expect, it } from 'vitest';
import { evalSetExpr, formatSetExpr, parseSetExpr, SetExprSyntaxError } from '../../src/sets/expr.js';
import { toHostSet } from '../../src/sets/hostset.js';

const sets: Record<string, string[]> = {
  managed: ['a', 'b', 'c', 'd'],
  'hdfs-in-service': ['a', 'b', 'c'],
  failing: ['a', 'x'],
  'yarn-unhealthy': ['b'],
  ticketed: ['b'],
};
const ev = (s: string) => evalSetExpr(parseSetExpr(s), (n) => toHostSet(sets[n] ?? []));

describe('the operators\' set notation', () => {
  it('reads the design example: in service and failing or unhealthy, minus ticketed', () => {
    expect(ev('managed & hdfs-in-service & (failing | yarn-unhealthy) - ticketed')).toEqual(['a']);
  });
  it('binds & tighter than | and -, which group left to right', () => {
    expect(ev('failing | managed & ticketed')).toEqual(['a', 'b', 'x']);
    expect(ev('managed - failing | ticketed')).toEqual(['b', 'c', 'd']);
    expect(ev('managed - (failing | ticketed)')).toEqual(['c', 'd']);
  });
  it('keeps a dash inside a name and treats a spaced dash as difference', () => {
    expect(parseSetExpr('hdfs-in-service')).toMatchObject({ op: 'name', name: 'hdfs-in-service' });
    expect(parseSetExpr('managed- failing')).toMatchObject({ op: '-' });
  });
  it('round-trips through formatting', () => {
    for (const s of ['a & b | c', 'a - (b | c)', 'a & (b - c)', '(a | b) & c']) {
      const e = parseSetExpr(s);
      expect(parseSetExpr(formatSetExpr(e))).toEqual(parseSetExpr(formatSetExpr(parseSetExpr(formatSetExpr(e)))));
      expect(evalSetExpr(parseSetExpr(formatSetExpr(e)), (n) => toHostSet(sets[n] ?? [n]))).toEqual(evalSetExpr(e, (n) => toHostSet(sets[n] ?? [n])));
    }
  });
  it.each([
    ['', 1, 'expected a set name'],
    ['managed &', 10, 'expected a set name'],
    ['(managed | failing', 19, "expected ')'"],
    ['managed failing', 9, 'expected an operator'],
    ['managed & Failing', 11, 'lower case'],
    ['managed ; reboot', 9, 'unexpected character'],
  ])('reports %j at column %i', (src, column, text) => {
    try {
      parseSetExpr(src);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SetExprSyntaxError);
      expect((e as SetExprSyntaxError).column).toBe(column);
      expect((e as Error).message).toContain(text);
    }
  });
});
