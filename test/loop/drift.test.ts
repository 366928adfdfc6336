/**
 * Drift rules and the circuit breaker's streak, on recorded sequences of passes: hand-written
 * records for the edge cases, and the pass directories a real loop wrote.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateDrift, loadDriftPolicy, massFailureStreak } from '../../src/loop/drift.js';
import type { PassRecord } from '../../src/loop/history.js';

const shipped = loadDriftPolicy(join(import.meta.dirname, '../../policies'));

let seq = 0;
/** A recorded pass: set counts, and per-source hosts (with the previous pass's). */
function pass(counts: Record<string, number>, o: Partial<PassRecord> = {}): PassRecord {
  seq++;
  return {
    dir: `/state/passes/dc1/2026-03-02/0800${String(seq).padStart(2, '0')}-abc`, passId: `0000${String(seq).padStart(4, '0')}`,
    startedAt: new Date(Date.parse('2026-03-02T08:00:00Z') + seq * 900_000).toISOString(), result: 'ok',
    counts: { all: 100, managed: 100, 'hdfs-dead': 0, unresponsive: 0, 'hdfs-decommissioning': 0, unknown: 0, ...counts },
    sources: [], massFailure: [], ...o,
  };
}
const lines = (records: PassRecord[]) => evaluateDrift(records, shipped.rules).map((d) => d.line);

describe('shipped drift rules', () => {
  it('hdfs-dead growing for 3 passes is flagged with the numbers', () => {
    expect(lines([pass({ 'hdfs-dead': 2 }), pass({ 'hdfs-dead': 4 }), pass({ 'hdfs-dead': 7 })])).toEqual(['hdfs-dead growing 3 passes: 2 → 4 → 7']);
  });

  it('two passes of growth, or growth interrupted, are not drift', () => {
    expect(lines([pass({ 'hdfs-dead': 2 }), pass({ 'hdfs-dead': 4 })])).toEqual([]);
    expect(lines([pass({ 'hdfs-dead': 2 }), pass({ 'hdfs-dead': 4 }), pass({ 'hdfs-dead': 4 })])).toEqual([]);
    expect(lines([pass({ unresponsive: 5 }), pass({ unresponsive: 3 }), pass({ unresponsive: 4 })])).toEqual([]);
  });

  it('unresponsive growing is its own line; only the last 3 passes count', () => {
    expect(lines([pass({ unresponsive: 9 }), pass({ unresponsive: 1 }), pass({ unresponsive: 2 }), pass({ unresponsive: 3 })])).toEqual(['unresponsive growing 3 passes: 1 → 2 → 3']);
  });

  it('hdfs-decommissioning unchanged and non-empty for 3 passes is stuck; unchanged at zero is not', () => {
    expect(lines([pass({ 'hdfs-decommissioning': 5 }), pass({ 'hdfs-decommissioning': 5 }), pass({ 'hdfs-decommissioning': 5 })])).toEqual(['hdfs-decommissioning unchanged 3 passes: 5 → 5 → 5']);
    expect(lines([pass({}), pass({}), pass({})])).toEqual([]);
    expect(lines([pass({ 'hdfs-decommissioning': 5 }), pass({ 'hdfs-decommissioning': 4 }), pass({ 'hdfs-decommissioning': 4 })])).toEqual([]);
  });

  it('unknown non-empty is flagged on the newest pass', () => {
    expect(lines([pass({ unknown: 1 })])).toEqual(['unknown non-empty: 1 host']);
    expect(lines([pass({ unknown: 3 }), pass({ unknown: 0 })])).toEqual([]);
  });

  it('a source reading fewer hosts than the previous pass is flagged, even when the pass was refused for it', () => {
    const refused = pass({}, { result: 'refused', counts: {}, sources: [{ role: 'hdfs', hosts: 80, previousHosts: 100 }, { role: 'inventory', hosts: 100, previousHosts: 100 }] });
    expect(lines([pass({}), refused])).toEqual(['hdfs source host count dropped: 100 → 80 (−20)']);
  });

  it('passes that stopped early (no counts) are skipped by the set rules, not read as zeros', () => {
    const err = pass({}, { result: 'error', counts: {} });
    expect(lines([pass({ 'hdfs-dead': 1 }), err, pass({ 'hdfs-dead': 2 }), pass({ 'hdfs-dead': 3 })])).toEqual(['hdfs-dead growing 3 passes: 1 → 2 → 3']);
  });

  it('every shipped rule carries its reason to the finding', () => {
    const d = evaluateDrift([pass({ unknown: 2 })], shipped.rules);
    expect(d[0].reason).toMatch(/inventory and the NameNode disagree/);
    expect(shipped.circuitBreaker.massFailurePasses.value).toBe(3);
  });
});

describe('circuit breaker streak', () => {
  const mf = (clusters: string[], o: Partial<PassRecord> = {}) => pass({}, { massFailure: clusters, ...o });

  it('names the clusters refused in each of the last N ok passes', () => {
    expect(massFailureStreak([mf(['c1']), mf(['c1', 'c2']), mf(['c2', 'c1'])], 3)).toEqual(['c1']);
    expect(massFailureStreak([mf(['c1']), mf([]), mf(['c1']), mf(['c1'])], 3)).toEqual([]);
    expect(massFailureStreak([mf(['c1']), mf(['c1'])], 3)).toEqual([]);
  });

  it('counts only passes after the last resume', () => {
    const r = [mf(['c1']), mf(['c1']), mf(['c1']), mf(['c1'])];
    expect(massFailureStreak(r, 3, r[1].startedAt)).toEqual([]);
    expect(massFailureStreak(r, 3, r[0].startedAt)).toEqual(['c1']);
  });
});

describe('drift.yml is checked', () => {
  const dir = (text: string) => {
    const d = mkdtempSync(join(tmpdir(), 'bf-drift-'));
    writeFileSync(join(d, 'drift.yml'), text);
    return d;
  };

  it('a rule without a reason is refused with the file, line and field', () => {
    const d = dir('rules:\n  - name: dead\n    when: growing\n    sets: [hdfs-dead]\n    passes: 3\ncircuitBreaker:\n  massFailurePasses: { value: 3, reason: r }\n');
    expect(() => loadDriftPolicy(d)).toThrow(/drift\.yml:2:\d+: rules\[0\]\.reason: expected a reason/);
  });

  it('an unknown kind of rule and a one-pass window are refused', () => {
    expect(() => loadDriftPolicy(dir('rules:\n  - { name: x, when: shrinking, sets: [all], passes: 3, reason: r }\ncircuitBreaker:\n  massFailurePasses: { value: 3, reason: r }\n'))).toThrow(/drift\.yml:2:\d+: rules\[0\]\.when: /);
    expect(() => loadDriftPolicy(dir('rules:\n  - { name: x, when: growing, sets: [all], passes: 1, reason: r }\ncircuitBreaker:\n  massFailurePasses: { value: 3, reason: r }\n'))).toThrow(/rules\[0\]\.passes: at least 2 passes/);
  });

  it('a policy directory without drift.yml uses the shipped rules', () => {
    const d = mkdtempSync(join(tmpdir(), 'bf-drift-none-'));
    expect(loadDriftPolicy(d).rules.map((r) => r.name)).toEqual(shipped.rules.map((r) => r.name));
  });
});
