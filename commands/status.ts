/**
 * `breakfix status [dc]`: the last pass of a datacenter, its plans proposed or in flight, and
 * whether it is paused (DESIGN.md §7).
 */
import { PlanStore } from '../src/plan/store.js';
import { readPause } from '../src/plan/pause.js';
import { latestPass, resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

/** Status of one datacenter. */
export function runStatus(args: CommonOptions): CommandOutput {
  const ctx = resolveContext(args);
  const dc = resolveDc(ctx, args.dc);
  const lines: string[] = [dc];
  let last: unknown = null;
  try {
    const { dir, summary } = latestPass(ctx, dc);
    last = { dir, passId: summary.passId, startedAt: summary.startedAt, result: summary.result, plan: summary.plan };
    lines.push(`last pass ${summary.passId} at ${summary.startedAt}: ${summary.result}${summary.plan ? `, plan ${summary.plan.id} (${summary.plan.drain} drain, ${summary.plan.recommission} recommission)` : ''}`, `files: ${dir}`);
  } catch (e) {
    lines.push((e as Error).message);
  }
  const plans = new PlanStore(ctx.stateDir).list({ dc, state: ['proposed', 'approved', 'executing'] });
  lines.push(plans.length ? `plans: ${plans.map((p) => `${p.plan.id} ${p.state.state} (by ${p.state.by})`).join(', ')}` : 'no plan proposed or in flight');
  const pause = readPause(ctx.stateDir, dc);
  lines.push(pause ? `PAUSED by ${pause.by} at ${pause.at}${pause.reason ? `: ${pause.reason}` : ''}` : 'not paused');
  return {
    text: lines.join('\n'),
    json: { dc, lastPass: last, plans: plans.map((p) => ({ id: p.plan.id, state: p.state.state, by: p.state.by })), paused: pause ?? null },
    exitCode: 0,
  };
}
