/**
 * How the drain executor reaches each cluster's control plane: the `drain:` block of a datacenter
 * in `breakfix.yml`, and the timing numbers of `policies/drain.yml`.
 *
 *     datacenters:
 *       dc1:
 *         sources: { … }
 *         drain:
 *           executor: hadoop            # or simulated (demo datacenters)
 *           transport: ssh              # or local: run the commands on this machine (tests, demo;
 *                                       #   needs allowLocalTransport: { value: true, reason: … })
 *           ssh: { knownHosts: ~/.ssh/known_hosts, identityFiles: [~/.ssh/breakfix], user: hdfs }
 *           clusters:
 *             prod-a:
 *               namenode:
 *                 host: nn1.example.com
 *                 jmx: http://nn1.example.com:9870/jmx
 *                 exclude: { path: /etc/hadoop/conf/dfs.exclude, format: plain }   # or hdfs-json
 *                 refresh: [hdfs, dfsadmin, -refreshNodes]
 *               resourcemanager:                                                 # optional
 *                 host: rm1.example.com
 *                 exclude: { path: /etc/hadoop/conf/yarn.exclude, format: plain }  # or yarn-xml
 *                 refresh: [yarn, rmadmin, -refreshNodes, -g, "{timeout}", -client]
 *                 recommission: [yarn, rmadmin, -refreshNodes]
 *
 * Commands are argv templates: each element is one argument, `{timeout}` is replaced by the
 * graceful decommission timeout in seconds (policies/drain.yml); nothing is ever pasted into a
 * shell string. Command sources: `hdfs dfsadmin -refreshNodes` (HdfsDataNodeAdminGuide),
 * `yarn rmadmin -refreshNodes -g <timeout> -client` (GracefulDecommission).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from '../config/yaml.js';
import { InputError } from '../errors.js';
import { isValidHostname } from '../hosts.js';
import { shippedPolicyDir } from '../paths.js';
import { ReasonedNumber } from '../policy/schema.js';
import { SshSettingsSchema } from '../ssh/settings.js';
import { EXCLUDE_FORMATS } from './hostfiles.js';

const Host = z.string().refine(isValidHostname, 'expected a DNS host name (lower case letters, digits, - and .)');
const AbsPath = z.string().regex(/^\/[^\0]*$/, 'expected an absolute path on the remote host');
const Argv = z.array(z.string().min(1)).min(1, 'expected a command as a list of arguments, e.g. [hdfs, dfsadmin, -refreshNodes]');
const Exclude = z.object({ path: AbsPath, format: z.enum(EXCLUDE_FORMATS).default('plain') }).strict();

/** One cluster's NameNode and (optionally) ResourceManager. */
export const ClusterControlSchema = z
  .object({
    namenode: z.object({
      host: Host,
      jmx: z.string().url(),
      exclude: Exclude.refine((e) => e.format !== 'yarn-xml', { message: 'a NameNode exclude file is plain or hdfs-json' }),
      refresh: Argv.default(['hdfs', 'dfsadmin', '-refreshNodes']),
    }).strict(),
    resourcemanager: z.object({
      host: Host,
      exclude: Exclude.refine((e) => e.format !== 'hdfs-json', { message: 'a ResourceManager exclude file is plain or yarn-xml' }),
      refresh: Argv.default(['yarn', 'rmadmin', '-refreshNodes', '-g', '{timeout}', '-client']),
      recommission: Argv.default(['yarn', 'rmadmin', '-refreshNodes']),
    }).strict().optional(),
  })
  .strict();
export type ClusterControl = z.output<typeof ClusterControlSchema>;

/** The `drain:` block of a datacenter. */
export const DrainConfigSchema = z
  .object({
    executor: z.enum(['hadoop', 'simulated']).default('hadoop'),
    transport: z.enum(['ssh', 'local']).default('ssh'),
    /** How the NameNode and ResourceManager hosts are reached (src/ssh/settings.ts); host keys always verified. */
    ssh: SshSettingsSchema.optional(),
    clusters: z.record(z.string().min(1), ClusterControlSchema).default({}),
    /** `transport: local` edits files and runs the refreshes on the bot's own machine: only with this, for the demo and tests. */
    allowLocalTransport: z.object({ value: z.literal(true), reason: z.string().min(1) }).strict().optional(),
  })
  .strict()
  .refine((d) => d.executor !== 'hadoop' || Object.keys(d.clusters).length > 0, { message: 'the hadoop executor needs at least one cluster under clusters:' })
  .refine((d) => d.transport !== 'local' || d.allowLocalTransport !== undefined, {
    path: ['transport'],
    message: 'local runs the exclude-file edits and refreshes on the bot\'s own machine, not on the NameNode: use ssh, or (demo and tests only) add allowLocalTransport: { value: true, reason: … }',
  });
export type DrainConfig = z.output<typeof DrainConfigSchema>;

/** `policies/drain.yml`: how long and how often the executor waits on the control plane. */
export const DrainPolicySchema = z
  .object({
    pollSeconds: ReasonedNumber.refine((n) => n.value > 0, 'must be above 0'),
    decommissionTimeoutMinutes: ReasonedNumber.refine((n) => n.value > 0, 'must be above 0'),
    recommissionTimeoutMinutes: ReasonedNumber.refine((n) => n.value > 0, 'must be above 0'),
    yarnGracefulTimeoutSeconds: ReasonedNumber.refine((n) => Number.isInteger(n.value) && n.value >= -1, 'whole seconds, or -1 for no timeout'),
    commandTimeoutSeconds: ReasonedNumber.refine((n) => n.value > 0, 'must be above 0'),
    jmxErrorsInARow: ReasonedNumber.refine((n) => Number.isInteger(n.value) && n.value >= 1, 'a whole number ≥ 1'),
    leaseTtlMinutes: ReasonedNumber.refine((n) => n.value > 0, 'must be above 0'),
  })
  .strict();

/** The drain policy in plain numbers (ms, seconds, counts). */
export interface DrainPolicy {
  pollMs: number;
  decommissionTimeoutMs: number;
  recommissionTimeoutMs: number;
  /** Passed as `{timeout}` to the YARN refresh and written as `<timeout>` in XML exclude files; -1 waits forever. */
  yarnGracefulTimeoutSeconds: number;
  /** Any one command (cat, write, refresh); the YARN `-client` refresh gets the graceful timeout on top. */
  commandTimeoutMs: number;
  /** NameNode JMX reads failing this many times in a row stop the follow-up (reported). */
  jmxErrorsInARow: number;
  /** How long the cluster drain lock stays valid unrenewed; the executor renews it on a timer for the whole run. */
  leaseTtlMs: number;
}

/**
 * Load `drain.yml` from `policyDir` (default: the shipped policies).
 * @throws InputError naming the file, line and field.
 */
export function loadDrainPolicy(policyDir = shippedPolicyDir()): DrainPolicy {
  const { data } = loadYamlFile(join(policyDir, 'drain.yml'), DrainPolicySchema);
  return {
    pollMs: data.pollSeconds.value * 1000,
    decommissionTimeoutMs: data.decommissionTimeoutMinutes.value * 60_000,
    recommissionTimeoutMs: data.recommissionTimeoutMinutes.value * 60_000,
    yarnGracefulTimeoutSeconds: data.yarnGracefulTimeoutSeconds.value,
    commandTimeoutMs: data.commandTimeoutSeconds.value * 1000,
    jmxErrorsInARow: data.jmxErrorsInARow.value,
    leaseTtlMs: data.leaseTtlMinutes.value * 60_000,
  };
}

/**
 * Refuse a YARN refresh that would block forever: with `-client`, `yarn rmadmin -refreshNodes -g
 * <timeout> -client` tracks the decommission on the client side and blocks until the nodes are
 * decommissioned or the timeout ends (GracefulDecommission.md), so `yarnGracefulTimeoutSeconds:
 * -1` (no timeout) would hold the command, and the drain, without end.
 * @throws InputError naming `policies/drain.yml`, the field, and the cluster whose refresh has `-client`.
 */
export function checkYarnRefresh(clusters: Record<string, ClusterControl>, policy: DrainPolicy, dc: string): void {
  if (policy.yarnGracefulTimeoutSeconds !== -1) return;
  for (const [name, c] of Object.entries(clusters)) {
    if (c.resourcemanager?.refresh.includes('-client')) {
      throw new InputError({ origin: 'policies/drain.yml', field: 'yarnGracefulTimeoutSeconds' },
        `-1 (no timeout) cannot go with the blocking -client refresh of cluster ${name} (datacenters.${dc}.drain.clusters.${name}.resourcemanager.refresh in breakfix.yml): it would never return; give a timeout in seconds, or use -server in that refresh`);
    }
  }
}

/** An argv template with `{timeout}` filled in. */
export function fillArgv(template: readonly string[], vars: { timeout: number }): string[] {
  return template.map((a) => a.replaceAll('{timeout}', String(vars.timeout)));
}
