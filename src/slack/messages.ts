/**
 * Block Kit messages of the bot, as pure functions: plain values in, a message out, no Bolt.
 * Every builder keeps Slack's limits (DESIGN.md §7) by construction: at most {@link LIMITS}.blocks
 * blocks, section text within {@link LIMITS}.sectionText characters (long lists end with "… and
 * N more"), button values within {@link LIMITS}.buttonValue characters.
 */
import type { Plan } from '../pass/reconcile.js';
import type { PassSummary } from '../pass/run.js';

/** Slack's limits (https://api.slack.com/reference/block-kit). */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  buttonValue: 2000,
  confirmText: 300,
  confirmTitle: 100,
  fallbackText: 3000,
} as const;

/** Action ids of the proposal buttons (the Bolt adapter listens for these). */
export const APPROVE_ACTION = 'breakfix_approve';
export const REJECT_ACTION = 'breakfix_reject';

/** What a button carries: exactly the plan and the digest the person saw. */
export interface ButtonValue {
  planId: string;
  digest: string;
}

/** A Block Kit block, loosely typed (the Bolt adapter hands it to chat.postMessage as is). */
export type Block = Record<string, unknown>;

/** A message: fallback text (notifications, screen readers) and blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** How the bot's /breakfix is used (one line per subcommand). */
export const USAGE_LINES = [
  '`/breakfix pass [dc]` run a pass now; post the summary and the proposal',
  '`/breakfix status [dc]` last pass, plans in flight, pause state',
  '`/breakfix show <set> [dc]` the hosts in a named set',
  '`/breakfix diff [set] [dc]` what changed since the previous pass',
  '`/breakfix why <host>` the sets a host is in, and why it was or was not picked',
  '`/breakfix policy [cluster]` computed caps with the arithmetic and reasons',
  '`/breakfix pause [dc] [reason]` / `/breakfix resume [dc]` the kill switch (scheduled summaries say it while paused)',
  '`/breakfix help` this text',
] as const;

/** The usage hint of the slash command (manifest.yml has the same). */
export const USAGE_HINT = 'pass|status|show|diff|why|policy|pause|resume|help [args]';

/** The help text; with `unknown`, says first which subcommand was not understood. */
export function helpText(unknown?: string): string {
  const head = unknown === undefined ? '*breakfix* — fleet breakfix: passes, budgets, safe drains after approval' : `unknown subcommand ${JSON.stringify(truncate(unknown, 60))}; usage:`;
  return [head, ...USAGE_LINES].join('\n');
}

/** Encode a button value. @throws Error if it would exceed Slack's limit (ids and digests are short, so a bug). */
export function encodeButtonValue(v: ButtonValue): string {
  const s = JSON.stringify({ planId: v.planId, digest: v.digest });
  if (s.length > LIMITS.buttonValue) throw new Error(`button value of ${s.length} characters exceeds Slack's ${LIMITS.buttonValue}`);
  return s;
}

/** Cut `s` to at most `max` characters, ending with "…" when cut. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, Math.max(0, max - 1)) + '…';
}

/**
 * Join lines into at most `max` characters; lines that do not fit are replaced by one last
 * line "… and N more <noun>" (which always fits).
 */
export function fitLines(lines: readonly string[], max: number = LIMITS.sectionText, noun = 'more'): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const candidate = (text ? text + '\n' : '') + truncate(lines[i], max - 40);
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? `\n… and ${rest} ${noun}`.length : 0;
    // The previous step kept room for this tail, so it always fits.
    if (candidate.length + tail > max) return `${text ? text + '\n' : ''}… and ${lines.length - i} ${noun}`;
    text = candidate;
  }
  return text;
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) }] });

/** Inputs of {@link proposalMessage}: the plan, the pass summary it came from, and where its files are. */
export interface ProposalInput {
  plan: Plan;
  summary: Pick<PassSummary, 'passId' | 'counts'>;
  passDir: string;
}

/** The set counts shown in the summary line, in this order, when present. */
const SUMMARY_SETS = ['all', 'managed', 'in-service', 'in-flight', 'dead', 'drain-candidates', 'return-candidates'];

/**
 * The proposal of a pass: header (datacenter, pass id), summary counts, per-cluster budget
 * outcome, proposed hosts with reasons, and Approve (with a confirm dialog naming the count and
 * the clusters) and Reject buttons carrying plan id and digest. An empty plan says "nothing safe
 * to do" with the reasons and has no buttons.
 */
export function proposalMessage({ plan, summary, passDir }: ProposalInput): SlackMessage {
  const drains = plan.actions.filter((a) => a.action === 'drain').length;
  const returns = plan.actions.filter((a) => a.action === 'recommission').length;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`breakfix ${plan.dc} — pass ${summary.passId}`, LIMITS.headerText) } },
  ];
  const counts = SUMMARY_SETS.filter((s) => summary.counts[s] !== undefined).map((s) => `${s} *${summary.counts[s]}*`);
  blocks.push(section(counts.length ? counts.join(' · ') : 'no set counts'));
  const clusterLines = plan.clusters.map((c) => `• *${c.cluster}*: drain ${c.drain}, recommission ${c.recommission}${c.reason ? ` — ${c.reason}` : ''}`);
  blocks.push(section(`*Budget per cluster*\n${fitLines(clusterLines, LIMITS.sectionText - 30, 'more clusters')}`));

  if (plan.actions.length === 0) {
    const reason = (plan.emptyReason ?? 'no host qualifies within the budgets').replace(/^nothing safe to do:\s*/i, '');
    blocks.push(section(`*Nothing safe to do.*\n${truncate(reason, LIMITS.sectionText - 30)}`));
    blocks.push(context(`plan ${plan.id} · files ${passDir}`));
    return { text: truncate(`breakfix ${plan.dc}: nothing safe to do (pass ${summary.passId})`, LIMITS.fallbackText), blocks };
  }

  const hostLines = plan.actions.map((a) => `\`${a.host}\` ${a.action} (${a.cluster}${a.dataGroup ? `, group ${a.dataGroup}` : ''}): ${a.reason}`);
  blocks.push(section(`*Proposed: ${drains} drain, ${returns} recommission*\n${fitLines(hostLines, LIMITS.sectionText - 60, 'more hosts')}`));
  blocks.push(context(`plan ${plan.id} · digest ${plan.digest.slice(0, 12)} · files ${passDir}`));
  const value = encodeButtonValue({ planId: plan.id, digest: plan.digest });
  const clusters = [...new Set(plan.actions.map((a) => a.cluster))];
  blocks.push({
    type: 'actions',
    block_id: 'breakfix_decision',
    elements: [
      {
        type: 'button', action_id: APPROVE_ACTION, style: 'primary', value,
        text: { type: 'plain_text', text: 'Approve' },
        confirm: {
          title: { type: 'plain_text', text: truncate(`Approve plan for ${plan.dc}?`, LIMITS.confirmTitle) },
          text: { type: 'mrkdwn', text: truncate(`${plan.actions.length} hosts (${drains} drain, ${returns} recommission) in ${clusters.length} cluster${clusters.length === 1 ? '' : 's'}: ${clusters.join(', ')}. The state is re-validated before anything runs.`, LIMITS.confirmText) },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
      { type: 'button', action_id: REJECT_ACTION, style: 'danger', value, text: { type: 'plain_text', text: 'Reject' } },
    ],
  });
  return { text: truncate(`breakfix ${plan.dc}: proposal of ${drains} drain, ${returns} recommission (pass ${summary.passId})`, LIMITS.fallbackText), blocks };
}

/** The outcome of a click as the proposal message shows it afterwards. */
export interface DecisionShown {
  outcome: 'approved' | 'rejected';
  /** Slack user id of who decided. */
  by: string;
  at: string;
}

/**
 * The proposal after a decision: the same blocks without the buttons, and a line saying who
 * approved or rejected it and when.
 */
export function decisionUpdate(original: SlackMessage, d: DecisionShown): SlackMessage {
  const verb = d.outcome === 'approved' ? ':white_check_mark: Approved' : ':no_entry_sign: Rejected';
  const kept = original.blocks.filter((b) => b.type !== 'actions').slice(0, LIMITS.blocks - 1);
  return {
    text: truncate(`${original.text} — ${d.outcome} by <@${d.by}>`, LIMITS.fallbackText),
    blocks: [...kept, section(`${verb} by <@${d.by}> at ${d.at}${d.outcome === 'approved' ? '; progress follows in the thread' : ''}`)],
  };
}

/** A long text (a command's output) as one message: a code block within the section limit. */
export function textMessage(title: string, body: string): SlackMessage {
  const lines = body.split('\n');
  const fenced = fitLines(lines, LIMITS.sectionText - title.length - 20, 'more lines');
  return { text: truncate(`${title}\n${body}`, LIMITS.fallbackText), blocks: [section(`*${title}*\n\`\`\`${fenced}\`\`\``)] };
}

/** A short note in mrkdwn, one section (channel links and `code` render, unlike {@link textMessage}'s code block), cut to the section limit. */
export function noteMessage(text: string): SlackMessage {
  return { text: truncate(text, LIMITS.fallbackText), blocks: [section(truncate(text, LIMITS.sectionText))] };
}

/** One host's latest execution phase, as the progress message shows it. */
export interface HostProgress {
  host: string;
  phase: string;
  /** While decommissioning: blocks still waiting for another replica. */
  blocksLeft?: number;
  detail?: string;
}

/**
 * The single progress message of an execution (posted once in the proposal's thread, then
 * updated in place): counts per phase, then one line per host with its phase (and blocks left
 * while decommissioning), long lists cut with "… and N more hosts".
 */
export function progressMessage(planId: string, hosts: readonly HostProgress[], final?: string): SlackMessage {
  const counts = new Map<string, number>();
  for (const h of hosts) counts.set(shownPhase(h.phase), (counts.get(shownPhase(h.phase)) ?? 0) + 1);
  const summary = [...counts].map(([phase, n]) => `*${n}* host${n === 1 ? '' : 's'} ${phase}`).join(' · ');
  const lines = hosts.map((h) => `\`${h.host}\` ${shownPhase(h.phase)}${h.blocksLeft !== undefined && h.phase === 'decommissioning' ? ` (${h.blocksLeft} blocks left)` : ''}${h.detail && h.phase === 'failed' ? `: ${h.detail}` : ''}`);
  const title = final ? `Execution of plan ${planId}: ${final}` : `Executing plan ${planId}`;
  return {
    text: truncate(`${title}${final ? ' —' : ':'} ${summary.replace(/\*/g, '')}`, LIMITS.fallbackText),
    blocks: [section(`*${title}*\n${summary}`), section(fitLines(lines, LIMITS.sectionText - 30, 'more hosts'))],
  };
}

/** A host's phase as a person reads it: a host approved but not yet touched is `waiting`. */
function shownPhase(phase: string): string {
  return phase === 'approved' ? 'waiting' : phase;
}

/** A thread message for a batch of hosts that reached a phase ("3 hosts decommissioned: a, b, c"). */
export function phaseMessage(phase: string, hosts: readonly string[]): SlackMessage {
  const head = `${hosts.length} host${hosts.length === 1 ? '' : 's'} ${phase}`;
  const body = fitLines(hosts.map((h) => `\`${h}\``), LIMITS.sectionText - head.length - 10, 'more hosts').replace(/\n/g, ', ');
  return { text: truncate(`${head}: ${hosts.join(', ')}`, LIMITS.fallbackText), blocks: [section(`*${head}*: ${body}`)] };
}
