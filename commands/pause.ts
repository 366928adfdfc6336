/**
 * `breakfix pause [dc]` / `breakfix resume [dc]`: the kill switch (DESIGN.md §5). While a
 * datacenter is paused, no pass proposes and no plan is approved or executed there; who paused
 * it, when and why is kept in `<state>/paused/<dc>.json` and shown by `status` and refusals.
 */
import { existsSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { pauseFile, readPause, writePause, writeResume } from '../src/plan/pause.js';
import { resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

/** Arguments of `pause` / `resume`. */
export interface PauseArgs extends CommonOptions {
  /** Who pauses or resumes (a Slack user id, or the local user). */
  by?: string;
  /** Why (free text, kept with the pause). */
  reason?: string;
}

/** Pause a datacenter. Pausing a paused datacenter keeps the first pause and says so. */
export function runPause(args: PauseArgs): CommandOutput {
  const ctx = resolveContext(args);
  const dc = resolveDc(ctx, args.dc);
  const before = readPause(ctx.stateDir, dc);
  if (before) {
    return { text: `${dc} is already paused by ${before.by} at ${before.at}${before.reason ? ` (${before.reason})` : ''}`, json: { dc, paused: true, ...before }, exitCode: 0 };
  }
  const info = { by: args.by ?? userInfo().username, at: new Date().toISOString(), reason: args.reason ?? '' };
  writePause(ctx.stateDir, dc, info);
  return { text: `${dc} paused by ${info.by}${info.reason ? ` (${info.reason})` : ''}: no proposals, approvals or executions until someone resumes it`, json: { dc, paused: true, ...info }, exitCode: 0 };
}

/** Resume a datacenter. Resuming one that is not paused is a no-op that says so. */
export function runResume(args: PauseArgs): CommandOutput {
  const ctx = resolveContext(args);
  const dc = resolveDc(ctx, args.dc);
  const path = pauseFile(ctx.stateDir, dc);
  const before = readPause(ctx.stateDir, dc);
  if (!before || !existsSync(path)) return { text: `${dc} is not paused`, json: { dc, paused: false }, exitCode: 0 };
  rmSync(path);
  const by = args.by ?? userInfo().username;
  writeResume(ctx.stateDir, dc, { by, at: new Date().toISOString(), was: before });
  return { text: `${dc} resumed by ${by} (was paused by ${before.by} at ${before.at}${before.reason ? `: ${before.reason}` : ''})`, json: { dc, paused: false, resumedBy: by, was: before }, exitCode: 0 };
}
