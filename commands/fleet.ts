/**
 * `breakfix fleet run --hosts SET|FILE -- <check>`: run one declared health check
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
import { latestPass, readSet, resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

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

  // The hosts: an existing file wins; else a set of the latest pass.
  let hosts: string[];
  let hostsFrom: string;
  if (existsSync(args.hosts)) {
    hosts = readHostsFile(args.hosts);
    hostsFrom = args.hosts;
  } else if (SET_NAME.test(args.hosts)) {
    const dc = resolveDc(ctx, args.dc);
    const pass = latestPass(ctx, dc);
    const set = readSet(pass.dir, args.hosts);
    if (!set) throw new InputError({ origin: pass.dir, field: 'hosts' }, `no file ${args.hosts} and no set ${args.hosts} in the latest pass: give a hosts file or a set name (breakfix show --list)`);
    hosts = set;
    hostsFrom = `set ${args.hosts} of pass ${pass.summary.passId}`;
  } else {
    throw new InputError({ origin: 'fleet run', field: '--hosts' }, `${JSON.stringify(args.hosts)} is neither a file nor a set name`);
  }

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
