/**
 * The scheduled pass's summary message (DESIGN.md §6), a pure Block Kit builder: plain values in,
 * a message out. Scannable in ten seconds, top to bottom: pause, drift, key set sizes with their
 * change against the previous pass (▲/▼), in-flight and headroom per cluster, and what the pass
 * came to (a proposal follows as its own message, with the Approve flow; or "nothing to do" with
 * the reason). Within Slack's limits by construction (src/slack/messages.ts LIMITS).
 */
import type { PauseInfo } from '../plan/pause.js';
import { fitLines, LIMITS, truncate, type Block, type SlackMessage } from '../slack/messages.js';
import type { DriftFinding } from './drift.js';
import type { ClusterHeadroom, PassRecord } from './history.js';

/** The sets whose sizes a summary shows, in this order. */
export const KEY_SETS = ['all', 'managed', 'in-flight', 'hdfs-dead', 'unresponsive', 'hdfs-decommissioning', 'unknown', 'drain-candidates', 'return-candidates'] as const;

/** What the summary of one scheduled pass shows. */
export interface SummaryInput {
  dc: string;
  /** The pass just finished. */
  current: PassRecord;
  /** The previous `ok` pass, for the deltas; absent on the first. */
  previous?: PassRecord;
  /** Why the pass stopped (refused / error); empty when ok. */
  reasons: string[];
  /** Drain in-flight and headroom per cluster (budget.tsv). */
  budgets: ClusterHeadroom[];
  /** The plan's outcome; null when the pass stopped before planning. */
  plan: { id: string; drain: number; recommission: number; emptyReason: string | null } | null;
  drift: DriftFinding[];
  /** The datacenter's pause, when paused (also when the circuit breaker just tripped it). */
  pause?: PauseInfo;
  /** ISO time of the next scheduled pass. */
  nextRunAt?: string;
  /** Posted because the heartbeat is due, not because anything changed. */
  heartbeat?: boolean;
}

/** `▲3`, `▼2`, or '' when unchanged or there is nothing to compare with. */
export function delta(now: number, before: number | undefined): string {
  if (before === undefined || now === before) return '';
  return now > before ? `▲${now - before}` : `▼${before - now}`;
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) }] });

/** One line of set sizes: `hdfs-dead *7* ▲3 · unknown *1* · …` (sets the pass does not have are left out). */
export function countsLine(current: PassRecord, previous?: PassRecord): string {
  return KEY_SETS.filter((s) => current.counts[s] !== undefined)
    .map((s) => {
      const d = delta(current.counts[s], previous?.counts[s]);
      return `${s} *${current.counts[s]}*${d ? ` ${d}` : ''}`;
    })
    .join(' · ');
}

/** The summary message of a scheduled pass. At most 8 blocks; each section within 3000 characters. */
export function summaryMessage(s: SummaryInput): SlackMessage {
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`breakfix ${s.dc} — scheduled pass ${s.current.passId}${s.heartbeat ? ' (heartbeat)' : ''}`, LIMITS.headerText) } },
  ];
  const fallback: string[] = [`breakfix ${s.dc}: scheduled pass ${s.current.passId} ${s.current.result}`];
  if (s.pause) {
    blocks.push(section(`:double_vertical_bar: *PAUSED* by ${s.pause.by} at ${s.pause.at}${s.pause.reason ? `: ${s.pause.reason}` : ''}\nNo proposals; approvals refused until \`/breakfix resume ${s.dc}\`.`));
    fallback.push(`PAUSED by ${s.pause.by}`);
  }
  if (s.drift.length) {
    blocks.push(section(`:warning: *Drift*\n${fitLines(s.drift.map((d) => `• *${d.line}*`), LIMITS.sectionText - 20, 'more drift warnings')}`));
    fallback.push(`drift: ${s.drift.map((d) => d.line).join('; ')}`);
  }
  if (s.current.result === 'ok') {
    const line = countsLine(s.current, s.previous);
    blocks.push(section(line || 'no set counts'));
    fallback.push(line.replace(/\*/g, ''));
    if (s.budgets.length) {
      const lines = s.budgets.map((b) => `• *${b.cluster}*: in-flight ${b.inFlight}, headroom ${b.headroom} of cap ${b.cap}`);
      blocks.push(section(`*In-flight and headroom*\n${fitLines(lines, LIMITS.sectionText - 40, 'more clusters')}`));
    }
  }
  blocks.push(section(outcome(s)));
  const when = s.previous ? `deltas against pass ${s.previous.passId} (${s.previous.startedAt})` : 'first pass: no deltas yet';
  blocks.push(context(`${when}${s.nextRunAt ? ` · next pass ${s.nextRunAt}` : ''} · files ${s.current.dir}`));
  return { text: truncate(fallback.join(' — '), LIMITS.fallbackText), blocks };
}

function outcome(s: SummaryInput): string {
  if (s.current.result !== 'ok') {
    const why = fitLines(s.reasons.map((r) => `• ${r}`), LIMITS.sectionText - 60, 'more reasons');
    return `*Pass ${s.current.result}: nothing proposed.*\n${why}`;
  }
  const p = s.plan;
  if (!p) return '*Nothing to do*: the pass wrote no plan.';
  const n = p.drain + p.recommission;
  if (n > 0 && s.pause) return `*Nothing proposed while paused* (the pass found ${p.drain} drain, ${p.recommission} recommission).`;
  if (n > 0) return `*Proposal: ${p.drain} drain, ${p.recommission} recommission* — plan ${p.id}, posted below with Approve / Reject.`;
  return `*Nothing to do*: ${(p.emptyReason ?? 'no host qualifies within the budgets').replace(/^nothing safe to do:\s*/i, '')}`;
}

/**
 * What decides whether a summary says anything new: the key set sizes, the result and reasons,
 * the plan's size, drift lines, pause and budgets. Two passes with the same fingerprint make
 * the second summary quiet (until the heartbeat is due).
 */
export function summaryFingerprint(s: SummaryInput): string {
  return JSON.stringify({
    result: s.current.result,
    reasons: s.reasons,
    counts: KEY_SETS.map((k) => s.current.counts[k] ?? null),
    plan: s.plan ? [s.plan.drain, s.plan.recommission, s.plan.emptyReason] : null,
    drift: s.drift.map((d) => d.line),
    pause: s.pause ? [s.pause.by, s.pause.at] : null,
    budgets: s.budgets,
  });
}
