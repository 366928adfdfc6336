/**
 * `breakfix status [dc]`: per datacenter (the one named, else every one known), the last pass,
 * its plans by state, the executions running, whether it is paused (and by whom: a person or
 * the circuit breaker), and the next scheduled pass when a bot with a schedule for it is running
 * (DESIGN.md §6, §7).
 */
import { existsSync } from 'node:fs';
import { PlanStore } from '../src/plan/store.js';
import { readPause } from '../src/plan/pause.js';
import { PLAN_STATES } from '../src/plan/store.js';
import { listDatacenters, readJsonFile } from '../src/pass/passdir.js';
import { loopStateFile, LoopStateFileSchema, type LoopStateFile } from '../src/loop/loop.js';
import { latestPass, resolveContext, resolveDc, type CommandContext, type CommandOutput, type CommonOptions } from './common.js';

/**
 * Status of the datacenter named by `args.dc`, or of the only one, or of every datacenter known
 * (configured, or with passes) when there are several. @throws InputError when none is known.
 */
export function runStatus(args: CommonOptions): CommandOutput {
  const ctx = resolveContext(args);
  let dcs: string[];
  try {
    dcs = [resolveDc(ctx, args.dc)];
  } catch (e) {
    const known = [...new Set([...Object.keys(ctx.config?.datacenters ?? {}), ...listDatacenters(ctx.stateDir)])].sort();
    if (args.dc || known.length < 2) throw e;
    dcs = known;
  }
  const all = dcs.map((dc) => statusOf(ctx, dc));
  return {
    text: all.map((s) => s.text).join('\n\n'),
    json: dcs.length === 1 ? all[0].json : { datacenters: all.map((s) => s.json) },
    exitCode: 0,
  };
}

function statusOf(ctx: CommandContext, dc: string): { text: string; json: Record<string, unknown> } {
  const lines: string[] = [dc];
  let last: unknown = null;
  try {
    const { dir, summary } = latestPass(ctx, dc);
    last = { dir, passId: summary.passId, startedAt: summary.startedAt, result: summary.result, plan: summary.plan };
    lines.push(`last pass ${summary.passId} at ${summary.startedAt}: ${summary.result}${summary.plan ? `, plan ${summary.plan.id} (${summary.plan.drain} drain, ${summary.plan.recommission} recommission)` : ''}`, `files: ${dir}`);
  } catch (e) {
    lines.push((e as Error).message);
  }
  const store = new PlanStore(ctx.stateDir);
  const every = store.list({ dc });
  const byState = Object.fromEntries(PLAN_STATES.map((s) => [s, every.filter((p) => p.state.state === s).length]));
  const live = every.filter((p) => ['proposed', 'approved', 'executing'].includes(p.state.state));
  lines.push(live.length ? `plans: ${live.map((p) => `${p.plan.id} ${p.state.state} (by ${p.state.by})`).join(', ')}` : 'no plan proposed or in flight');
  const counted = PLAN_STATES.filter((s) => byState[s] > 0).map((s) => `${s} ${byState[s]}`);
  lines.push(`plans by state: ${counted.length ? counted.join(', ') : 'none'}`);
  const executing = every.filter((p) => p.state.state === 'executing');
  lines.push(executing.length ? `executions running: ${executing.map((p) => `${p.plan.id} (${p.plan.actions.length} hosts, since ${p.state.updatedAt})`).join(', ')}` : 'no execution running');
  const pause = readPause(ctx.stateDir, dc);
  lines.push(pause ? `PAUSED by ${pause.by} at ${pause.at}${pause.reason ? `: ${pause.reason}` : ''}` : 'not paused');
  const loop = runningLoop(ctx.stateDir, dc);
  lines.push(loop ? `next scheduled pass: ${loop.nextRunAt ?? 'none'} (cron ${loop.cron}${loop.running ? '; a scheduled pass is running now' : ''})` : 'no scheduled loop running for it');
  return {
    text: lines.join('\n'),
    json: {
      dc, lastPass: last, plans: live.map((p) => ({ id: p.plan.id, state: p.state.state, by: p.state.by })), plansByState: byState,
      executing: executing.map((p) => ({ id: p.plan.id, hosts: p.plan.actions.length, since: p.state.updatedAt })),
      paused: pause ?? null, schedule: loop ? { cron: loop.cron, nextRunAt: loop.nextRunAt, running: loop.running } : null,
    },
  };
}

/**
 * The loop state a running bot keeps for `dc`, or undefined when no bot process schedules it.
 * @throws InputError naming the file and field when the file is there but damaged.
 */
function runningLoop(stateDir: string, dc: string): LoopStateFile | undefined {
  const path = loopStateFile(stateDir, dc);
  if (!existsSync(path)) return undefined;
  const s = readJsonFile(path, LoopStateFileSchema);
  if (s.nextRunAt === null && !s.running) return undefined;
  try {
    process.kill(s.pid, 0);
    return s;
  } catch {
    return undefined; // the bot that wrote it is gone
  }
}
