/**
 * The `ssh` health source: run the declared health checks (policies/healthchecks.yml) on a set
 * of hosts over the SSH fan-out and write the check-results file the pass reads
 * (src/sources/health.ts format: host, check, status, detail).
 *
 * `reachable` runs first on every host. A host it fails (cannot connect, authenticate, verify its
 * host key, or the no-op fails) gets that one row, `reachable fail <outcome>: <why>`, and no other
 * checks: it is `unresponsive`, not `failing`. Every other selected check then runs on the hosts
 * that answered; any outcome but ok is `fail`. Each check's raw results (results.tsv, per-outcome
 * host lists, stdout/stderr per host) are kept next to the snapshot, under `health-ssh/<check>/`.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { REACHABILITY_CHECK } from '../sources/health.js';
import { SET_NAME } from '../sets/names.js';
import { fanOut, type FanOutResult } from './fanout.js';
import { checkArgv, findCheck, loadHealthChecks } from './healthchecks.js';
import type { RemoteShell } from './remote.js';
import { tsvField, writeFanOutFiles } from './results.js';
import { expandPath, readHostsFile, sshShellFrom, SshSettingsSchema } from './settings.js';
import { join } from 'node:path';

/** Which hosts the source checks: a raw set of this pass's inventory, or a hosts file. */
export const SshHealthHostsSchema = z
  .object({ set: z.string().regex(SET_NAME, 'expected a set name of the inventory, e.g. managed').optional(), file: z.string().min(1).optional() })
  .strict()
  .refine((h) => (h.set === undefined) !== (h.file === undefined), { message: 'give exactly one of set (an inventory set, e.g. managed) or file (one host per line)' });

/** The `ssh` health source as configured (breakfix.yml `health: { kind: ssh, … }`), paths still relative to `baseDir`. */
export const SshHealthSpecSchema = z
  .object({
    hosts: SshHealthHostsSchema,
    /** Check names to run; default every declared check. `reachable` always runs. */
    checks: z.array(z.string().min(1)).min(1).optional(),
    ssh: SshSettingsSchema,
    /** The config file's directory, for relative paths. */
    baseDir: z.string(),
  })
  .strict();
export type SshHealthSpec = z.output<typeof SshHealthSpecSchema>;

/** What the source needs besides its spec. */
export interface SshHealthContext {
  policyDir: string;
  /** The hosts of a raw inventory set of this pass. @throws InputError when there is no inventory or no such set. */
  inventorySet?: (name: string) => string[];
  /** Where each check's raw results go (`<rawDir>/<check>/`). */
  rawDir: string;
  /** Transport; default an SshShell from `spec.ssh`. */
  shell?: RemoteShell;
}

/**
 * Run the source (see the module comment) and return the check-results text (TSV).
 * @throws InputError when the hosts, checks or SSH settings are wrong (nothing has run then).
 */
export async function runSshHealth(spec: SshHealthSpec, ctx: SshHealthContext): Promise<string> {
  const origin = 'health source ssh';
  let hosts: string[];
  if (spec.hosts.file) hosts = readHostsFile(expandPath(spec.hosts.file, spec.baseDir));
  else {
    if (!ctx.inventorySet) throw new InputError({ origin, field: 'hosts.set' }, 'an inventory set needs the pass\'s inventory source; give hosts.file instead');
    hosts = ctx.inventorySet(spec.hosts.set!);
  }
  const declared = loadHealthChecks(ctx.policyDir);
  const reachable = findCheck(declared, REACHABILITY_CHECK, `${ctx.policyDir}/healthchecks.yml`);
  const others = (spec.checks ?? [...declared.keys()]).filter((n) => n !== REACHABILITY_CHECK).map((n) => findCheck(declared, n, origin));
  const shell = ctx.shell ?? sshShellFrom(spec.ssh, spec.baseDir);
  const rows: string[] = ['host\tcheck\tstatus\tdetail'];
  const row = (r: FanOutResult, check: string) =>
    rows.push(`${r.host}\t${check}\t${r.outcome === 'ok' ? 'ok' : 'fail'}\t${tsvField(r.outcome === 'ok' || r.outcome === 'fail' ? r.detail : `${r.outcome}: ${r.detail}`) || '-'}`);
  try {
    const run = async (check: typeof reachable, on: string[]) => {
      const results = await fanOut(shell, on, (h) => checkArgv(check, h), { concurrency: spec.ssh.concurrency, timeoutMs: check.timeoutMs, judge: check.judge });
      writeFanOutFiles(join(ctx.rawDir, check.name), results);
      for (const r of results) row(r, check.name);
      return results;
    };
    const answered = (await run(reachable, hosts)).filter((r) => r.outcome === 'ok').map((r) => r.host);
    for (const check of others) await run(check, answered);
  } finally {
    await shell.close();
  }
  return rows.join('\n') + '\n';
}
