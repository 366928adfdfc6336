/**
 * `breakfix replay <pass-dir>`: re-run a recorded pass from its own snapshots and policy copy
 * and walk through its decisions in pipeline order, each with its reason: snapshot → sets →
 * budget → picks → plan, then whether the replayed plan has the recorded digest.
 */
import { RAW_SET_NAMES } from '../src/sets/names.js';
import { replayPass, type ReplayResult } from '../src/pass/replay.js';
import type { CommandOutput } from './common.js';

/** Arguments of `replay`. */
export interface ReplayArgs {
  dir: string;
  /** Hosts listed per step before "… and N more" (default 20). */
  maxHosts?: number;
}

/** Replay a pass. Exit code 0 when it reproduces the recorded pass, 1 when anything differs. */
export async function runReplay(args: ReplayArgs): Promise<CommandOutput> {
  const r = await replayPass(args.dir);
  const text = renderReplay(r, args.maxHosts ?? 20);
  const { replayed } = r;
  return {
    text,
    json: {
      dir: r.dir, same: r.same, differences: r.differences, recordedDigest: r.recordedDigest, replayedDigest: replayed.plan?.digest ?? null,
      result: replayed.summary.result, reasons: replayed.summary.reasons, sources: replayed.summary.sources, counts: replayed.summary.counts,
      budgets: replayed.budgets ?? [], plan: replayed.plan ?? null,
    },
    exitCode: r.same ? 0 : 1,
  };
}

/** The step-by-step text of a replay. */
export function renderReplay(r: ReplayResult, maxHosts: number): string {
  const { recorded, replayed, policy } = r;
  const s = replayed.summary;
  const out: string[] = [];
  const more = (n: number) => (n > maxHosts ? [`     … and ${n - maxHosts} more`] : []);
  out.push(`replay of pass ${recorded.passId} (${recorded.dc}), recorded ${recorded.startedAt}, seed ${recorded.seed}`);
  out.push(`from ${r.dir}: its own source snapshots and policy copy (sha256 ${policy.digest.slice(0, 12)}), recomputed in a temporary directory`);
  out.push('');
  out.push('1. snapshot — what each observer said, read from the bytes the pass kept (checked against the recorded sha256)');
  for (const src of s.sources) out.push(`   ${src.role.padEnd(9)} ${src.kind.padEnd(11)} ${String(src.hosts).padStart(6)} hosts  sha256 ${src.sha256.slice(0, 12)}  ${Math.round(src.ageMs / 1000)} s old  from ${src.origin}`);
  if (s.result !== 'ok') {
    out.push('');
    out.push(`   the pass stops here: ${s.result === 'refused' ? 'safety refused it (fail closed)' : 'a snapshot could not be used'}`);
    for (const reason of s.reasons) out.push(`   - ${reason}`);
  } else {
    out.push('');
    out.push('2. sets — raw sets from the sources, then the derived sets of the pass\'s sets.yml, in evaluation order');
    const raw = RAW_SET_NAMES.filter((n) => n in s.counts).map((n) => [n, s.counts[n]] as const);
    out.push(`   raw: ${raw.map(([n, c]) => `${n} ${c}`).join(', ')}`);
    for (const def of policy.sets) {
      out.push(`   ${def.name} = ${def.text}  → ${s.counts[def.name] ?? 0}`);
      out.push(`     why: ${def.reason.replace(/\s+/g, ' ').trim()}`);
    }
    out.push('');
    out.push('3. budget — per cluster and action: cap = clamp(floor(pct% × managed), floor, ceiling); headroom = max(0, cap − in-flight)');
    for (const b of replayed.budgets ?? []) {
      const kinds = Object.entries(b.inFlightByKind).map(([k, n]) => `${n} ${k}`).join(', ');
      out.push(`   ${b.cluster} (${b.archetype}: ${b.classification}), ${b.managed} managed, in-flight ${b.inFlight}${kinds ? ` (${kinds})` : ''}${b.massFailure ? `, MASS FAILURE: ${b.massFailure}` : ''}`);
      for (const [action, l] of Object.entries(b.actions)) {
        out.push(`     ${action.padEnd(12)} cap ${l.cap.arithmetic}; headroom ${l.cap.cap} − ${l.inFlight} = ${l.headroom}; ${l.candidates} candidates, ${l.picked} picked${l.reason ? ` — ${l.reason}` : ''}`);
      }
    }
    const plan = replayed.plan!;
    out.push('');
    out.push('4. picks — each host proposed, and the candidates passed over, with the reason');
    if (plan.actions.length === 0) out.push('   none');
    for (const a of plan.actions.slice(0, maxHosts)) out.push(`   ${a.action.padEnd(12)} ${a.host} (${a.cluster}, rack ${a.rack ?? '-'}, group ${a.dataGroup ?? '-'}): ${a.reason}`);
    out.push(...more(plan.actions.length));
    if (plan.passedOver.length > 0) out.push(`   passed over (${plan.passedOver.length}):`);
    for (const p of plan.passedOver.slice(0, maxHosts)) out.push(`     ${p.action} ${p.host} (${p.cluster}): ${p.reason}`);
    out.push(...more(plan.passedOver.length));
    out.push('');
    out.push('5. plan');
    out.push(plan.actions.length === 0 ? `   ${plan.id}: empty — ${plan.emptyReason ?? 'nothing safe to do'}` : `   ${plan.id}: ${plan.actions.length} actions (${s.plan!.drain} drain, ${s.plan!.recommission} recommission)`);
    out.push(`   digest replayed ${plan.digest}`);
    out.push(`   digest recorded ${r.recordedDigest ?? 'none (no plan.json)'}`);
  }
  out.push('');
  if (r.same) out.push(`REPRODUCED: the replay made the same decisions as the recorded pass${r.recordedDigest ? ` (plan digest ${r.recordedDigest.slice(0, 12)})` : ''}`);
  else {
    out.push('MISMATCH: the replay does not reproduce the recorded pass:');
    for (const d of r.differences) out.push(`  - ${d}`);
    out.push('A pass directory is a record: if a file under sources/ or policy/ was edited, restore it; if breakfix changed since the pass, its release notes say what decides differently.');
  }
  return out.join('\n');
}
