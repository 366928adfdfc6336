/**
 * `breakfix fleet run --hosts [set:|file:]NAME -- <check>`: run one declared health check
 * (policies/healthchecks.yml) on a set of hosts over SSH and write the results as files
 * (src/ssh/results.ts): results.tsv, one host list per outcome, raw stdout/stderr per host.
 *
 * SSH settings come from the datacenter's `ssh` health source in breakfix.yml when there is one;
 * flags override them.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../src/errors.js';
import { SET_NAME } from '../src/sets/names.js';
import { fanOut, FANOUT_OUTCOMES, type FanOutResult } from '../src/ssh/fanout.js';
import { checkArgv, findCheck, loadHealthChecks, HEALTHCHECKS_FILE } from '../src/ssh/healthchecks.js';
import { countOutcomes, writeFanOutFiles } from '../src/ssh/results.js';
import { readHostsFile, sshShellFrom, SshSettingsSchema, type SshSettings } from '../src/ssh/settings.js';
import { latestPass, readSet, resolveContext, resolveDc, type CommandContext, type CommandOutput, type CommonOptions } from './common.js';

/** Arguments of `fleet run` (flags as commander gives them). */
export const FleetRunArgs = z.object({
  hosts: z.string().min(1),
  check: z.string().min(1),
  concurrency: z.coerce.number().int().min(1).max(4096).optional(),
  timeout: z.coerce.number().int().positive().optional(),
  connectTimeout: z.coerce.number().int().positive().optional(),
  knownHosts: z.string().optional(),
  identity: z.array(z.string()).optional(),
  user: z.string().optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  out: z.string().optional(),
});
export type FleetRunArgs = z.infer<typeof FleetRunArgs> & CommonOptions;

/**
 * The hosts `--hosts` names: `set:NAME` (a set of the latest pass), `file:PATH` (one host per
 * line), or bare: a file when there is one at that path, else a set name. A bare name that is
 * both an existing file and a set of the latest pass is refused, not guessed.
 * @throws InputError for an unknown set, an unreadable hosts file, an ambiguous or malformed name.
 */
export function selectFleetHosts(arg: string, ctx: CommandContext, dc: string | undefined, cwd = process.cwd()): { hosts: string[]; from: string } {
  const fromFile = (path: string) => ({ hosts: readHostsFile(resolve(cwd, path)), from: path });
  const latestSet = (name: string) => {
    const pass = latestPass(ctx, resolveDc(ctx, dc));
    return { pass, set: readSet(pass.dir, name) };
  };
  const fromSet = (name: string) => {
    if (!SET_NAME.test(name)) throw new InputError({ origin: 'fleet run', field: '--hosts' }, `${JSON.stringify(name)} is not a set name (lower-case letters, digits, _ . -)`);
    const { pass, set } = latestSet(name);
    if (!set) throw new InputError({ origin: pass.dir, field: 'hosts' }, `no set ${name} in the latest pass (${pass.summary.passId}): breakfix show --list names the sets`);
    return { hosts: set, from: `set ${name} of pass ${pass.summary.passId}` };
  };
  if (arg.startsWith('set:')) return fromSet(arg.slice('set:'.length));
  if (arg.startsWith('file:')) return fromFile(arg.slice('file:'.length));
  const isFile = existsSync(resolve(cwd, arg));
  if (!SET_NAME.test(arg)) {
    if (isFile) return fromFile(arg);
    throw new InputError({ origin: 'fleet run', field: '--hosts' }, `${JSON.stringify(arg)} is neither a file nor a set name (write set:NAME or file:PATH)`);
  }
  if (!isFile) return fromSet(arg);
  // A file named like a set: ambiguous only when the latest pass has that set (no pass: the file).
  let hasSet = false;
  try {
    hasSet = latestSet(arg).set !== undefined;
  } catch {
    hasSet = false;
  }
  if (hasSet) throw new InputError({ origin: 'fleet run', field: '--hosts' }, `${JSON.stringify(arg)} is both a file in ${cwd} and a set of the latest pass: write --hosts set:${arg} or --hosts file:${arg}`);
  return fromFile(arg);
}

/** Progress of a run: hosts done of total, and the counts so far. */
export type FleetProgress = (done: number, total: number, last: FanOutResult) => void;

/**
 * Run the check. Exit code 0 when every host is ok, 1 when any is not (the summary says which
 * files list them) or on bad input.
 * @throws InputError for an unknown set or check, an unreadable hosts file, bad SSH settings.
 */
export async function runFleetRun(args: FleetRunArgs, onProgress?: FleetProgress): Promise<CommandOutput> {
  const ctx = resolveContext(args);
  const check = findCheck(loadHealthChecks(ctx.policyDir), args.check, join(ctx.policyDir, HEALTHCHECKS_FILE));

  const { hosts, from: hostsFrom } = selectFleetHosts(args.hosts, ctx, args.dc);

  // SSH settings: the config's ssh health source, then flags.
  let base: Partial<SshSettings> = {};
  let baseDir = process.cwd();
  if (ctx.config) {
    const dc = args.dc ?? (Object.keys(ctx.config.datacenters).length === 1 ? Object.keys(ctx.config.datacenters)[0] : undefined);
    const ssh = dc ? ctx.config.datacenters[dc]?.sources.find((s) => s.ssh)?.ssh : undefined;
    if (ssh) {
      base = ssh.ssh;
      baseDir = ssh.baseDir;
    }
  }
  // Paths given as flags are relative to the working directory, those from the config to its directory.
  const parsed = SshSettingsSchema.safeParse({
    ...base,
    ...(args.knownHosts ? { knownHosts: resolve(args.knownHosts) } : {}),
    ...(args.identity?.length ? { identityFiles: args.identity.map((f) => resolve(f)) } : {}),
    ...(args.user ? { user: args.user } : {}),
    ...(args.port ? { port: args.port } : {}),
    ...(args.connectTimeout ? { connectTimeoutMs: args.connectTimeout } : {}),
    ...(args.concurrency ? { concurrency: args.concurrency } : {}),
  });
  if (!parsed.success) throw new InputError({ origin: 'fleet run', field: parsed.error.issues[0].path.join('.') }, parsed.error.issues[0].message);
  const settings = parsed.data;
  const shell = sshShellFrom(settings, baseDir);

  const timeoutMs = args.timeout ?? check.timeoutMs;
  const started = Date.now();
  let results: FanOutResult[];
  try {
    results = await fanOut(shell, hosts, (h) => checkArgv(check, h), { concurrency: settings.concurrency, timeoutMs, judge: check.judge, onResult: (r, d, t) => onProgress?.(d, t, r) });
  } finally {
    await shell.close();
  }
  const elapsedS = (Date.now() - started) / 1000;
  const out = args.out ?? join(ctx.stateDir, 'fleet-runs', `${new Date(started).toISOString().replace(/[:.]/g, '').slice(0, 17)}Z-${check.name}`);
  writeFanOutFiles(out, results);
  const counts = countOutcomes(results);
  const notOk = results.length - counts.ok;
  const lines = [
    `${check.name} on ${hosts.length} hosts (${hostsFrom}), concurrency ${settings.concurrency}, timeout ${timeoutMs} ms: ${elapsedS.toFixed(1)} s`,
    ...FANOUT_OUTCOMES.filter((o) => counts[o] > 0).map((o) => `  ${o.padEnd(16)} ${String(counts[o]).padStart(6)}`),
    ...results.filter((r) => r.outcome !== 'ok').slice(0, 10).map((r) => `  ${r.host}: ${r.outcome}${r.detail ? ` — ${r.detail.split('\n')[0]}` : ''}`),
    ...(notOk > 10 ? [`  … and ${notOk - 10} more not ok`] : []),
    `results in ${out}/ (results.tsv, one host list per outcome: ${FANOUT_OUTCOMES.join(', ')}; raw/ per host)`,
  ];
  return {
    text: lines.join('\n'),
    json: { check: check.name, hosts: hosts.length, hostsFrom, concurrency: settings.concurrency, timeoutMs, elapsedMs: Math.round(elapsedS * 1000), counts, dir: out, results: results.map((r) => ({ host: r.host, outcome: r.outcome, exitCode: r.exitCode, detail: r.detail, stderrHead: r.stderrHead, elapsedMs: Math.round(r.elapsedMs) })) },
    exitCode: notOk === 0 ? 0 : 1,
  };
}
