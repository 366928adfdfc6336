/**
 * `breakfix.yml`: where each datacenter's sources are, and where state and policy live.
 *
 *     state: ./state              # pass directories (relative paths are relative to this file)
 *     policies: ./policies        # default: the policy shipped with breakfix
 *     datacenters:
 *       dc1:
 *         sources:
 *           inventory: { path: /srv/export/all-data.tsv }          # or url:, with optional mapping:
 *           health:    { path: /var/lib/breakfix/health.tsv }
 *           hdfs:      { kind: hdfs-jmx, url: "http://nn1:9870/jmx" }
 *           yarn:      { kind: yarn-nodes, url: "http://rm1:8088/ws/v1/cluster/nodes" }
 *     slack:                      # optional: the bot's channel and approvers (src/config/slack.ts)
 *       channel: C012AB3CD
 *       approvers: { dc1: { users: [U012AB3CD] } }
 *
 * Found by `--config FILE`, else `$BREAKFIX_CONFIG`, else `./breakfix.yml` when present.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { InventoryMappingSchema } from '../sources/inventory.js';
import type { SourceSpec } from '../pass/snapshot.js';
import { DC_NAME } from './names.js';
import { SlackConfigSchema, type SlackConfig } from './slack.js';
import { loadYamlFile } from './yaml.js';

export { DC_NAME };

const Location = { path: z.string().min(1).optional(), url: z.string().url().optional() };
const one = (s: { path?: string; url?: string }) => (s.path === undefined) !== (s.url === undefined);
const oneMsg = { message: 'give exactly one of path or url' };

const SourcesSchema = z
  .object({
    inventory: z.object({ ...Location, mapping: InventoryMappingSchema.optional() }).strict().refine(one, oneMsg),
    health: z.object({ ...Location }).strict().refine(one, oneMsg),
    hdfs: z.object({ kind: z.enum(['hdfs-jmx', 'hdfs-report']).default('hdfs-jmx'), ...Location }).strict().refine(one, oneMsg),
    yarn: z.object({ kind: z.enum(['yarn-nodes', 'yarn-jmx', 'yarn-list']).default('yarn-nodes'), ...Location }).strict().refine(one, oneMsg).optional(),
  })
  .strict();


/** Schema of `breakfix.yml`. */
export const ConfigSchema = z
  .object({
    state: z.string().default('./state'),
    policies: z.string().optional(),
    datacenters: z.record(z.string().regex(DC_NAME, 'datacenter names are lower case: letters, digits, _ . -'), z.object({ sources: SourcesSchema }).strict()),
    slack: SlackConfigSchema.optional(),
  })
  .strict();

/** A loaded config with paths resolved against the config file's directory. */
export interface Config {
  path: string;
  stateDir: string;
  policyDir?: string;
  datacenters: Record<string, { sources: SourceSpec[] }>;
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
  for (const [dc, { sources }] of Object.entries(data.datacenters)) {
    const specs: SourceSpec[] = [];
    const loc = (s: { path?: string; url?: string }) => s.url ?? abs(s.path!);
    specs.push({ kind: 'inventory', location: loc(sources.inventory), ...(sources.inventory.mapping ? { mapping: sources.inventory.mapping } : {}) });
    specs.push({ kind: 'health', location: loc(sources.health) });
    specs.push({ kind: sources.hdfs.kind, location: loc(sources.hdfs) });
    if (sources.yarn) specs.push({ kind: sources.yarn.kind, location: loc(sources.yarn) });
    datacenters[dc] = { sources: specs };
  }
  return { path, stateDir: abs(data.state), policyDir: data.policies ? abs(data.policies) : undefined, datacenters, ...(data.slack ? { slack: data.slack } : {}) };
}
