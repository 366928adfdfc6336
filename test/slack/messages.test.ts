import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/pass/reconcile.js';
import { APPROVE_ACTION, LIMITS, REJECT_ACTION, decisionUpdate, fitLines, helpText, progressMessage, proposalMessage, type Block } from '../../src/slack/messages.js';

function planOf(hosts: number, clusters = 3): Plan {
  const actions = Array.from({ length: hosts }, (_, i) => ({
    action: (i % 7 === 0 ? 'recommission' : 'drain') as 'drain' | 'recommission',
    host: `node-${String(i).padStart(5, '0')}.dc1.example.com`,
    cluster: `hdp-cluster-${i % clusters}`,
    rack: `/rack-${i % 20}`,
    dataGroup: `ud-${i % 5}`,
    reason: 'failed health check disk (3 of 12 volumes read-only) and dead in the NameNode for 2 h',
  }));
  return {
    id: 'p-20261123-abc12', dc: 'dc1', passId: '123abcde', createdAt: '2026-11-23T00:00:00.000Z', digest: 'a'.repeat(64), seed: 42,
    policyDigest: 'b'.repeat(64), sourceDigests: {},
    actions,
    clusters: Array.from({ length: clusters }, (_, c) => ({ cluster: `hdp-cluster-${c}`, drain: actions.filter((a) => a.cluster === `hdp-cluster-${c}` && a.action === 'drain').length, recommission: 0, reason: null })),
    passedOver: [],
    emptyReason: hosts === 0 ? 'nothing safe to do: every cluster is at its cap (hdp-cluster-0: 4 dead of cap 4)' : null,
  };
}

const summary = { passId: '123abcde', counts: { all: 1300, managed: 1200, dead: 40, 'drain-candidates': 500, 'return-candidates': 0 } };

function sectionTexts(blocks: Block[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'section') return [(b.text as { text: string }).text];
    if (b.type === 'context') return (b.elements as { text: string }[]).map((e) => e.text);
    return [];
  });
}

function buttons(blocks: Block[]): { action_id: string; value: string; confirm?: { text: { text: string } } }[] {
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as never[]);
}

describe('proposal message', () => {
  it('a plan of 500 hosts on 200 clusters stays within Slack limits and says how many hosts it left out', () => {
    const msg = proposalMessage({ plan: planOf(500, 200), summary, passDir: '/state/passes/dc1/x' });
    expect(msg.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    for (const t of sectionTexts(msg.blocks)) expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
    const all = sectionTexts(msg.blocks).join('\n');
    expect(all).toMatch(/… and \d+ more hosts/);
    expect(all).toMatch(/… and \d+ more clusters/);
    expect(all).toContain('node-00000.dc1.example.com');
    const header = msg.blocks[0] as { text: { text: string } };
    expect(header.text.text).toContain('dc1');
    expect(header.text.text).toContain('123abcde');
    for (const b of buttons(msg.blocks)) expect(b.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
  });

  it('Approve and Reject carry the plan id and digest; Approve asks to confirm with the host count and clusters', () => {
    const msg = proposalMessage({ plan: planOf(4, 2), summary, passDir: '/p' });
    const [approve, reject] = buttons(msg.blocks);
    expect(approve.action_id).toBe(APPROVE_ACTION);
    expect(reject.action_id).toBe(REJECT_ACTION);
    expect(JSON.parse(approve.value)).toEqual({ planId: 'p-20261123-abc12', digest: 'a'.repeat(64) });
    expect(reject.value).toBe(approve.value);
    expect(approve.confirm?.text.text).toContain('4 hosts');
    expect(approve.confirm?.text.text).toContain('hdp-cluster-0, hdp-cluster-1');
    expect(approve.confirm!.text.text.length).toBeLessThanOrEqual(LIMITS.confirmText);
  });

  it('an empty plan says nothing safe to do, with the reason, and has no buttons', () => {
    const msg = proposalMessage({ plan: planOf(0), summary, passDir: '/p' });
    expect(buttons(msg.blocks)).toEqual([]);
    const all = sectionTexts(msg.blocks).join('\n');
    expect(all).toContain('Nothing safe to do');
    expect(all).toContain('every cluster is at its cap');
  });

  it('after a decision the buttons are gone and the message names who decided', () => {
    const msg = proposalMessage({ plan: planOf(3), summary, passDir: '/p' });
    const updated = decisionUpdate(msg, { outcome: 'approved', by: 'U123', at: '2026-11-23T00:01:00Z' });
    expect(buttons(updated.blocks)).toEqual([]);
    expect(sectionTexts(updated.blocks).join('\n')).toContain('Approved by <@U123>');
    const rejected = decisionUpdate(msg, { outcome: 'rejected', by: 'U9', at: 'now' });
    expect(sectionTexts(rejected.blocks).join('\n')).toContain('Rejected by <@U9>');
  });
});

describe('fitLines and help', () => {
  it('keeps every line when they fit, and ends with a count when they do not', () => {
    expect(fitLines(['a', 'b'], 100)).toBe('a\nb');
    const out = fitLines(Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(20)}`), 200, 'more lines');
    expect(out.length).toBeLessThanOrEqual(200);
    const kept = out.split('\n').length - 1;
    expect(out).toContain(`… and ${100 - kept} more lines`);
  });

  it('help names every subcommand; an unknown one is quoted', () => {
    for (const c of ['pass', 'status', 'show', 'diff', 'why', 'policy', 'pause', 'resume', 'help']) expect(helpText()).toContain(`/breakfix ${c}`);
    expect(helpText('frobnicate')).toContain('unknown subcommand "frobnicate"');
  });
});

describe('the progress message', () => {
  const hosts = (phases: string[]) => phases.map((phase, i) => ({ host: `node-${i}.dc1.example.com`, phase, ...(phase === 'decommissioning' ? { blocksLeft: 120 } : {}) }));

  it('reads as a sentence: before the first event every host is waiting', () => {
    const m = progressMessage('p-20261123-abc12', hosts(Array(9).fill('approved')));
    expect(m.text).toBe('Executing plan p-20261123-abc12: 9 hosts waiting');
    expect(sectionTexts(m.blocks)[1].split('\n')[0]).toBe('`node-0.dc1.example.com` waiting');
  });

  it('counts hosts per phase, blocks left on the host lines, and says how it ended', () => {
    const m = progressMessage('p-20261123-abc12', hosts(['decommissioning', 'excluded', 'excluded', 'approved']));
    expect(m.text).toBe('Executing plan p-20261123-abc12: 1 host decommissioning · 2 hosts excluded · 1 host waiting');
    expect(sectionTexts(m.blocks)[1]).toContain('`node-0.dc1.example.com` decommissioning (120 blocks left)');
    expect(progressMessage('p-20261123-abc12', hosts(['decommissioned', 'decommissioned']), 'completed').text).toBe('Execution of plan p-20261123-abc12: completed — 2 hosts decommissioned');
  });
});
