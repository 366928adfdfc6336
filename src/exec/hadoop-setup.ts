/**
 * The executor a datacenter's approved plans run with, from its `drain:` block in breakfix.yml:
 * the {@link HadoopExecutor} over SSH (or the local shell) for `executor: hadoop`, nothing for
 * the others (demo datacenters keep the simulated executor).
 */
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { LocalShell } from '../ssh/local.js';
import type { RemoteShell } from '../ssh/remote.js';
import { SshSettingsSchema, sshShellFrom } from '../ssh/settings.js';
import { HadoopExecutor, type HadoopExecutorOptions } from './hadoop.js';
import { loadDrainPolicy } from './hadoop-config.js';

/** A ready executor and the shell to close after it. */
export interface DrainSetup {
  executor: HadoopExecutor;
  shell: RemoteShell;
  /** `ssh` or `local`, for the operator's output. */
  transport: string;
}

/**
 * The Hadoop executor of `dc`, or undefined when the config gives it none (`drain:` absent or
 * `executor: simulated`). Locks go under `<stateDir>/locks`; timing from `<policyDir>/drain.yml`.
 * @throws InputError for a bad drain.yml, an unreadable known_hosts or identity file.
 */
export function hadoopExecutorFor(config: Config | undefined, dc: string, stateDir: string, policyDir: string, extra: Partial<HadoopExecutorOptions> = {}): DrainSetup | undefined {
  const drain = config?.datacenters[dc]?.drain;
  if (!drain || drain.executor !== 'hadoop') return undefined;
  const policy = loadDrainPolicy(policyDir);
  const shell = drain.transport === 'local' ? new LocalShell() : sshShellFrom(drain.ssh ?? SshSettingsSchema.parse({}), drain.baseDir);
  const executor = new HadoopExecutor({ dc, clusters: drain.clusters, shell, policy, lockDir: join(stateDir, 'locks'), ...extra });
  return { executor, shell, transport: drain.transport };
}
