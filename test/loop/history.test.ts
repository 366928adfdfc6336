/**
 * The loop reads back what passes wrote: budget.tsv rows and plan.json cluster reasons. A file
 * edited or damaged after the pass gets an error naming the file, line and column, not a NaN.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDrainBudgets } from '../../src/loop/history.js';
import { BUDGET_COLUMNS } from '../../src/pass/report.js';

function passDir(rows: string[][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-history-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'budget.tsv'), [BUDGET_COLUMNS.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n') + '\n');
  return dir;
}

//                  cluster action size archetype pct floor ceiling cap in-flight headroom candidates picked reason
const drain = (cluster: string, cap: string, inFlight: string, headroom: string) => [cluster, 'drain', '300', 'default', '6', '1', '200', cap, inFlight, headroom, '4', '2', '-'];
const recommission = (cluster: string) => [cluster, 'recommission', '300', 'default', '10', '1', '300', '30', '0', '30', '0', '0', '-'];

describe('the drain budgets a pass recorded, as the loop reads them back', () => {
  it('a cluster with cap 18 and 5 in flight has headroom 13; recommission rows are not drain budgets', () => {
    const dir = passDir([drain('c1', '18', '5', '13'), recommission('c1'), drain('c2', '2', '2', '0')]);
    expect(readDrainBudgets(dir)).toEqual([
      { cluster: 'c1', inFlight: 5, headroom: 13, cap: 18 },
      { cluster: 'c2', inFlight: 2, headroom: 0, cap: 2 },
    ]);
  });

  it('a pass that wrote no budget.tsv (it stopped early) has no budgets', () => {
    expect(readDrainBudgets(mkdtempSync(join(tmpdir(), 'bf-history-')))).toEqual([]);
  });

  it('a headroom edited to a word is an error naming the file, line and column', () => {
    const dir = passDir([recommission('c1'), drain('c1', '18', '5', 'many')]);
    expect(() => readDrainBudgets(dir)).toThrow(`${join(dir, 'budget.tsv')}:3: headroom: expected a whole number`);
  });
});
