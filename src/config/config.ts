/**
 * `breakfix.yml`: where each datacenter's sources are, and where state and policy live.
 *
 *     state: ./state              # pass directories (relative paths are relative to this file)
 *     policies: ./policies        # default: the policy shipped with breakfix
 *     datacenters:
 *       dc1:
 *         sources:
 *           inventory: { path: /srv/export/all-data.tsv }          # or url:, with optional mapping:
 *           health:    { path: /var/lib/breakfix/health.tsv }   # or run the checks live over SSH:
 *           # health:  { kind: ssh, hosts: { set: managed }, knownHosts: ~/.ssh/known_hosts, concurrency: 64 }
 *           hdfs:      { kind: hdfs-jmx, url: "http://nn1:9870/jmx" }
 *           yarn:      { kind: yarn-nodes, url: "http://rm1:8088/ws/v1/cluster/nodes" }
 *         schedule:                 # optional: scheduled passes while `breakfix serve` runs
 *           cron: "*\/15 * * * *"   # croner syntax, UTC (src/loop/schedule.ts)
 *           maxJitterSeconds: 30    # optional, default 30
 *           heartbeatHours: 6       # optional, default 6: post a summary this often even when nothing changed
 *         drain:                   # how approved plans are executed (src/exec/hadoop-config.ts)
 *           executor: hadoop
 *           clusters: { prod-a: { namenode: { host: nn1, jmx: "http://nn1:9870/jmx", exclude: { path: /etc/hadoop/conf/dfs.exclude } } } }
 *     slack:                      # optional: the bot's channel and approvers (src/config/slack.ts)
 *       channel: C012AB3CD
 *       approvers: { dc1: { users: [U012AB3CD] } }
 *     retention: { keep: 14d, compressAfter: 2d }   # pass directories (src/obs/retention.ts); these are the defaults
 *
 * Found by `--config FILE`, else `$BREAKFIX_CONFIG`, else `./breakfix.yml` when present.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { InventoryMappingSchema } from '../sources/inventory.js';
import type { SourceSpec } from '../pass/snapshot.js';
import { ScheduleSchema, type Schedule } from '../loop/schedule.js';
import { SshHealthHostsSchema } from '../ssh/health-source.js';
import { SshSettingsSchema } from '../ssh/settings.js';
import { DC_NAME } from './names.js';
import { SlackConfigSchema, type SlackConfig } from './slack.js';
import { loadYamlFile } from './yaml.js';
import { DEFAULT_RETENTION_POLICY, RetentionSchema, type RetentionPolicy } from '../obs/retention.js';
import { DrainConfigSchema, type DrainConfig } from '../exec/hadoop-config.js';

export { DC_NAME };

const Location = { path: z.string().min(1).optional(), url: z.string().url().optional() };
const one = (s: { path?: string; url?: string }) => (s.path === undefined) !== (s.url === undefined);
const oneMsg = { message: 'give exactly one of path or url' };

const SourcesSchema = z
  .object({
    inventory: z.object({ ...Location, mapping: InventoryMappingSchema.optional() }).strict().refine(one, oneMsg),
    health: z.preprocess(
      (v) => (v && typeof v === 'object' && !('kind' in v) ? { ...v, kind: 'file' } : v),
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('file'), ...Location }).strict().refine(one, oneMsg),
        // The ssh health source (src/ssh/health-source.ts): checks from policies/healthchecks.yml run live.
        SshSettingsSchema.extend({ kind: z.literal('ssh'), hosts: SshHealthHostsSchema, checks: z.array(z.string().min(1)).min(1).optional() }).strict(),
      ]),
    ),
    hdfs: z.object({ kind: z.enum(['hdfs-jmx', 'hdfs-report']).default('hdfs-jmx'), ...Location }).strict().refine(one, oneMsg),
    yarn: z.object({ kind: z.enum(['yarn-nodes', 'yarn-jmx', 'yarn-list']).default('yarn-nodes'), ...Location }).strict().refine(one, oneMsg).optional(),
  })
  .strict();


/** Schema of `breakfix.yml`. */
export const ConfigSchema = z
  .object({
    state: z.string().default('./state'),
    policies: z.string().optional(),
    retention: RetentionSchema.optional(),
    datacenters: z.record(z.string().regex(DC_NAME, 'datacenter names are lower case: letters, digits, _ . -'), z.object({ sources: SourcesSchema, schedule: ScheduleSchema.optional(), drain: DrainConfigSchema.optional() }).strict()),
    slack: SlackConfigSchema.optional(),
  })
  .strict();

/** A loaded config with paths resolved against the config file's directory. */
export interface Config {
  path: string;
  stateDir: string;
  policyDir?: string;
  /** How long pass directories are kept, and when they are compressed. */
  retention: RetentionPolicy;
  /** Per datacenter: its sources, its schedule when it has one, and how its drains are executed (`drain:`, see src/exec/hadoop-config.ts). */
  datacenters: Record<string, { sources: SourceSpec[]; schedule?: Schedule; drain?: DrainConfig & { baseDir: string } }>;
  /** The bot's settings (src/config/slack.ts), when the file has a `slack:` block. */
  slack?: SlackConfig;
}

/** The config file to use, or undefined when there is none. */
export function findConfig(explicit?: string): string | undefined {
  if (explicit) return explicit;
  if (process.env.BREAKFIX_CONFIG) return process.env.BREAKFIX_CONFIG;
  return existsSync('breakfix.yml') ? 'breakfix.yml' : undefined;
}

/** Load and validate a config file. @throws InputError naming the file, line and field. */
export function loadConfig(path: string): Config {
  if (!existsSync(path)) throw new InputError({ origin: path }, 'config file not found');
  const { data } = loadYamlFile(path, ConfigSchema);
  const base = dirname(resolve(path));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const datacenters: Config['datacenters'] = {};
  for (const [dc, { sources, schedule, drain }] of Object.entries(data.datacenters)) {
    const specs: SourceSpec[] = [];
    const loc = (s: { path?: string; url?: string }) => s.url ?? abs(s.path!);
    specs.push({ kind: 'inventory', location: loc(sources.inventory), ...(sources.inventory.mapping ? { mapping: sources.inventory.mapping } : {}) });
    const h = sources.health;
    if (h.kind === 'ssh') {
      const { kind: _kind, hosts, checks, ...ssh } = h;
      const where = hosts.set ? `set ${hosts.set}` : abs(hosts.file!);
      specs.push({ kind: 'health-ssh', location: `ssh checks on ${where}`, ssh: { hosts, ...(checks ? { checks } : {}), ssh, baseDir: base } });
    } else specs.push({ kind: 'health', location: loc(h) });
    specs.push({ kind: sources.hdfs.kind, location: loc(sources.hdfs) });
    if (sources.yarn) specs.push({ kind: sources.yarn.kind, location: loc(sources.yarn) });
    datacenters[dc] = { sources: specs, ...(schedule ? { schedule } : {}), ...(drain ? { drain: { ...drain, baseDir: base } } : {}) };
  }
  return { path, stateDir: abs(data.state), policyDir: data.policies ? abs(data.policies) : undefined, retention: data.retention ?? DEFAULT_RETENTION_POLICY, datacenters, ...(data.slack ? { slack: data.slack } : {}) };
}
