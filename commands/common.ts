/**
 * What every command shares, whether it is called from the CLI or from Slack: where state and
 * policy are, which datacenter is meant, how its hints name other commands, and the output shape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConfig, loadConfig, type Config } from '../src/config/config.js';
import { InputError } from '../src/errors.js';
import { listDatacenters, listPasses } from '../src/pass/passdir.js';
import { readPassSummary, type PassSummary } from '../src/pass/summary.js';
import { shippedPolicyDir } from '../src/paths.js';
import { SET_NAME } from '../src/sets/names.js';

/** What a command returns: text for a person, JSON for a program, and the process exit code. */
export interface CommandOutput {
  text: string;
  json: unknown;
  /** 0 ok (an empty plan is ok), 1 error or bad input, 3 refused by safety. */
  exitCode: number;
}

/** Where a command was run: its hints ("run … first") name that surface's commands. */
export type Surface = 'cli' | 'slack';

/** Options every command accepts. */
export interface CommonOptions {
  config?: string;
  state?: string;
  policies?: string;
  dc?: string;
  /** Default `cli`. */
  surface?: Surface;
}

/** Resolved context: config (if any), state and policy directories, the surface asking. */
export interface CommandContext {
  config?: Config;
  stateDir: string;
  policyDir: string;
  /** Default `cli`. */
  surface?: Surface;
}

/** How a person runs a pass of `dc` (or of the only datacenter) from `surface`: `breakfix pass --dc dc1` or `/breakfix pass dc1`. */
export function passCommand(surface: Surface | undefined, dc?: string): string {
  if (surface === 'slack') return `/breakfix pass${dc ? ` ${dc}` : ''}`;
  return `breakfix pass${dc ? ` --dc ${dc}` : ''}`;
}

/** Resolve the context: flags win over the config file, which wins over defaults (`./state`, the shipped policy). @throws InputError */
export function resolveContext(o: CommonOptions): CommandContext {
  const path = findConfig(o.config);
  const config = path ? loadConfig(path) : undefined;
  return {
    config,
    stateDir: o.state ?? process.env.BREAKFIX_STATE ?? config?.stateDir ?? 'state',
    policyDir: o.policies ?? config?.policyDir ?? shippedPolicyDir(),
    ...(o.surface ? { surface: o.surface } : {}),
  };
}

/**
 * The datacenter meant: the flag, else the only one in the config, else the only one with passes.
 * @throws InputError when it is ambiguous or unknown.
 */
export function resolveDc(ctx: CommandContext, dc?: string): string {
  if (dc) return dc;
  const known = ctx.config ? Object.keys(ctx.config.datacenters) : listDatacenters(ctx.stateDir);
  if (known.length === 1) return known[0];
  if (known.length === 0) throw new InputError({ origin: ctx.stateDir, field: 'dc' }, `no datacenter has a pass yet: run \`${passCommand(ctx.surface)}\` first`);
  throw new InputError({ origin: ctx.config?.path ?? ctx.stateDir, field: 'dc' }, `several datacenters (${known.join(', ')}): name one with --dc`);
}

/** The newest finished pass of `dc` (or the one given), with its summary. @throws InputError when there is none. */
export function latestPass(ctx: CommandContext, dc: string, explicitDir?: string): { dir: string; summary: PassSummary; previous?: string } {
  if (explicitDir) {
    if (!existsSync(join(explicitDir, 'summary.json'))) throw new InputError({ origin: explicitDir }, 'not a finished pass directory (no summary.json)');
    return { dir: explicitDir, summary: readPassSummary(explicitDir) };
  }
  const passes = listPasses(ctx.stateDir, dc);
  if (passes.length === 0) throw new InputError({ origin: join(ctx.stateDir, 'passes', dc), field: 'dc' }, `no pass for ${dc} yet: run \`${passCommand(ctx.surface, dc)}\` first`);
  const dir = passes[passes.length - 1];
  return { dir, summary: readPassSummary(dir), previous: passes[passes.length - 2] };
}

/** Read a set file of a pass; undefined when the pass has no such set. */
export function readSet(passDir: string, name: string): string[] | undefined {
  const p = join(passDir, 'sets', name);
  if (!SET_NAME.test(name) || !existsSync(p)) return undefined;
  const text = readFileSync(p, 'utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

/** An error output (exit 1) with the message as text. */
export function failure(message: string, exitCode = 1): CommandOutput {
  return { text: message, json: { error: message }, exitCode };
}
