/**
 * `breakfix pass`: run a reconciliation pass now and print its summary and proposal
 * (DESIGN.md §2, §7). Sources come from the config file or from flags for one-off use.
 */
import { z } from 'zod';
import { InputError } from '../src/errors.js';
import { renderPassText } from '../src/pass/report.js';
import { resumePass, runPass, type PassResult } from '../src/pass/run.js';
import type { SourceSpec } from '../src/pass/snapshot.js';
import { loadYamlFile } from '../src/config/yaml.js';
import { InventoryMappingSchema } from '../src/sources/inventory.js';
import { userInfo } from 'node:os';
import { readPause } from '../src/plan/pause.js';
import { resolveContext, resolveDc, type CommandOutput, type CommonOptions } from './common.js';

/** What a shuffle seed must be (a uint32, src/pass/pick.ts). */
const SEED_RANGE = 'expected a whole number from 0 to 4294967295';

/** Arguments of `pass`. */
export const PassArgs = z.object({
  inventory: z.string().optional(),
  inventoryMapping: z.string().optional(),
  health: z.string().optional(),
  hdfsJmx: z.string().optional(),
  hdfsReport: z.string().optional(),
  yarnNodes: z.string().optional(),
  yarnJmx: z.string().optional(),
  yarnList: z.string().optional(),
  seed: z.coerce.number({ error: SEED_RANGE }).int({ error: SEED_RANGE }).min(0, { error: SEED_RANGE }).max(2 ** 32 - 1, { error: SEED_RANGE }).optional(),
  passDir: z.string().optional(),
  resume: z.string().optional(),
  /** Who asked for the pass (recorded as the plan's requester, for the two-person rule); default the local user. */
  requestedBy: z.string().min(1).optional(),
  /** Write the pass directory but register no proposal; allowed while paused (the scheduled loop keeps summarizing during a pause). */
  observeOnly: z.boolean().optional(),
  /** false (`--no-parse-thread`): parse every source on the pass's thread; the bot's passes do, to leave a core to its acknowledgements. */
  parseThread: z.boolean().optional(),
});
export type PassArgs = z.infer<typeof PassArgs> & CommonOptions;

/** Run (or resume) a pass. Exit code 0 with a plan (even empty), 1 on bad input, 3 when safety refused the pass. */
export async function runPassCommand(args: PassArgs, onProgress?: (line: string) => void): Promise<CommandOutput> {
  let result: PassResult;
  if (args.resume) {
    result = await resumePass(args.resume, onProgress);
  } else {
    const ctx = resolveContext(args);
    const flagged = sourcesFromFlags(args);
    let dc: string;
    let sources: SourceSpec[];
    if (flagged.length > 0) {
      dc = args.dc ?? 'default';
      sources = flagged;
    } else {
      if (!ctx.config) {
        throw new InputError({ origin: 'breakfix pass', field: 'sources' }, 'no config file (breakfix.yml, --config, $BREAKFIX_CONFIG) and no source flags: give --inventory, --health and --hdfs-jmx/--hdfs-report');
      }
      dc = resolveDc(ctx, args.dc);
      const conf = ctx.config.datacenters[dc];
      if (!conf) throw new InputError({ origin: ctx.config.path, field: `datacenters.${dc}` }, `no such datacenter (have: ${Object.keys(ctx.config.datacenters).join(', ')})`);
      sources = conf.sources;
    }
    const pause = readPause(ctx.stateDir, dc);
    if (pause && !args.observeOnly) {
      const text = `${dc} is paused by ${pause.by} at ${pause.at}${pause.reason ? ` (${pause.reason})` : ''}: no pass proposes until someone runs \`breakfix resume --dc ${dc}\``;
      return { text, json: { result: 'paused', dc, ...pause }, exitCode: 3 };
    }
    result = await runPass({ dc, sources, policyDir: ctx.policyDir, stateDir: ctx.stateDir, seed: args.seed, passDir: args.passDir, onProgress, ...(args.parseThread === false ? { parseThread: false } : {}), ...(args.observeOnly ? {} : { register: { requestedBy: args.requestedBy ?? userInfo().username } }) });
  }
  return passOutput(result);
}

/** Text and JSON of a pass result: the ten-second summary, or why the pass stopped. */
export function passOutput(result: PassResult): CommandOutput {
  const { summary } = result;
  if (summary.result !== 'ok' || !result.plan) {
    const head = summary.result === 'refused' ? 'pass refused (fail closed): nothing proposed' : 'pass stopped on bad input: nothing proposed';
    return {
      text: [head, ...summary.reasons.map((r) => `  - ${r}`), `files: ${result.dir}`].join('\n'),
      json: { result: summary.result, reasons: summary.reasons, dir: result.dir },
      exitCode: summary.result === 'refused' ? 3 : 1,
    };
  }
  return { text: renderPassText(result.dir, summary.counts, result.budgets ?? [], result.plan), json: result.plan, exitCode: 0 };
}

function sourcesFromFlags(a: PassArgs): SourceSpec[] {
  const out: SourceSpec[] = [];
  if (a.inventory) {
    const mapping = a.inventoryMapping ? loadYamlFile(a.inventoryMapping, InventoryMappingSchema).data : undefined;
    out.push({ kind: 'inventory', location: a.inventory, ...(mapping ? { mapping } : {}) });
  }
  if (a.health) out.push({ kind: 'health', location: a.health });
  if (a.hdfsJmx) out.push({ kind: 'hdfs-jmx', location: a.hdfsJmx });
  if (a.hdfsReport) out.push({ kind: 'hdfs-report', location: a.hdfsReport });
  if (a.yarnNodes) out.push({ kind: 'yarn-nodes', location: a.yarnNodes });
  if (a.yarnJmx) out.push({ kind: 'yarn-jmx', location: a.yarnJmx });
  if (a.yarnList) out.push({ kind: 'yarn-list', location: a.yarnList });
  return out;
}
