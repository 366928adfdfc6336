/** The scheduled summary message: what it shows, and Slack's limits whatever the input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PassRecord } from '../../src/loop/history.js';
import { delta, summaryFingerprint, summaryMessage, type SummaryInput } from '../../src/loop/summary.js';
import { LIMITS } from '../../src/slack/messages.js';

const record = (counts: Record<string, number>, o: Partial<PassRecord> = {}): PassRecord => ({
  dir: '/state/passes/dc1/x', passId: 'abc12345', startedAt: '2026-03-02T08:00:00.000Z', result: 'ok', counts, sources: [], massFailure: [], ...o,
});
const base: SummaryInput = {
  dc: 'dc1',
  current: record({ all: 100, 'hdfs-dead': 7, unknown: 0 }),
  previous: record({ all: 100, 'hdfs-dead': 4, unknown: 2 }, { passId: 'abc00001' }),
  reasons: [], budgets: [{ cluster: 'c0', inFlight: 7, headroom: 1, cap: 8 }],
  plan: { id: 'dc1-abc12345', drain: 0, recommission: 0, emptyReason: 'nothing safe to do: c0: headroom 1 but no drain-candidates' },
  drift: [{ rule: 'dead-growing', line: 'hdfs-dead growing 3 passes: 2 → 4 → 7', reason: 'r' }],
};
const text = (s: SummaryInput) => JSON.stringify(summaryMessage(s).blocks);

describe('summary message', () => {
  it('shows deltas with ▲/▼ and nothing for unchanged', () => {
    expect(delta(7, 4)).toBe('▲3');
    expect(delta(0, 2)).toBe('▼2');
    expect(delta(5, 5)).toBe('');
    expect(delta(5, undefined)).toBe('');
    const t = text(base);
    expect(t).toContain('hdfs-dead *7* ▲3');
    expect(t).toContain('unknown *0* ▼2');
    expect(t).toContain('all *100* ·');
  });

  it('puts drift first after the header, highlighted with the numbers, then headroom and the reason nothing is done', () => {
    const m = summaryMessage(base);
    expect(m.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':warning: *Drift*\n• *hdfs-dead growing 3 passes: 2 → 4 → 7*' } });
    expect(text(base)).toContain('c0*: in-flight 7, headroom 1 of cap 8');
    expect(text(base)).toContain('*Nothing to do*: c0: headroom 1 but no drain-candidates');
    expect(m.text).toContain('drift: hdfs-dead growing 3 passes: 2 → 4 → 7');
  });

  it('a refused pass says why, without counts', () => {
    const t = text({ ...base, current: record({}, { result: 'refused' }), reasons: ['hdfs source lost 20 % of its hosts'], plan: null, budgets: [] });
    expect(t).toContain('*Pass refused: nothing proposed.*\\n• hdfs source lost 20 % of its hosts');
  });

  it('the fingerprint ignores the pass id and time but not a count or a pause', () => {
    const other = { ...base, current: { ...base.current, passId: 'zzz99999', startedAt: '2026-03-02T09:00:00.000Z', dir: '/y' } };
    expect(summaryFingerprint(other)).toBe(summaryFingerprint(base));
    expect(summaryFingerprint({ ...base, current: record({ all: 100, 'hdfs-dead': 8, unknown: 0 }) })).not.toBe(summaryFingerprint(base));
    expect(summaryFingerprint({ ...base, pause: { by: 'U1', at: 't', reason: '' } })).not.toBe(summaryFingerprint(base));
  });

  it('stays within Slack limits with thousands of clusters, reasons and drift lines', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 500 }), fc.string({ maxLength: 400 }), (clusters, lines, word) => {
      const m = summaryMessage({
        ...base,
        budgets: Array.from({ length: clusters }, (_, i) => ({ cluster: `cluster-${i}-${word}`, inFlight: i, headroom: 1, cap: 9 })),
        drift: Array.from({ length: lines }, (_, i) => ({ rule: 'x', line: `${word} ${i}`, reason: 'r' })),
        pause: { by: 'U1', at: 't', reason: word.repeat(20) },
      });
      expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
      expect(m.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
      for (const b of m.blocks) {
        const t = (b.text as { text?: string } | undefined)?.text ?? ((b.elements as { text: string }[] | undefined)?.[0]?.text ?? '');
        expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
      }
    }), { numRuns: 40 });
  });
});
