/**
 * `breakfix source inspect --kind <kind> <file|url>`: parse one source and print each raw set
 * with its count; `--json` prints `{"sets": {"<name>": ["host", …]}}`.
 */
import { loadYamlFile } from '../src/config/yaml.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureSource } from '../src/pass/snapshot.js';
import { readSnapshot } from '../src/pass/parse-snapshot.js';
import { table } from '../src/pass/report.js';
import { parseSource } from '../src/sources/index.js';
import { InventoryMappingSchema } from '../src/sources/inventory.js';
import { SOURCE_KINDS, type SourceKind } from '../src/sources/types.js';
import { InputError } from '../src/errors.js';
import type { CommandOutput } from './common.js';

/** Arguments of `source inspect`. */
export interface InspectArgs {
  kind: string;
  location: string;
  /** YAML file with an inventory mapping. */
  mapping?: string;
}

/** Parse one source. @throws InputError for an unknown kind, an unreadable location, or bad content. */
export async function runSourceInspect(args: InspectArgs): Promise<CommandOutput> {
  if (!(SOURCE_KINDS as readonly string[]).includes(args.kind)) {
    throw new InputError({ origin: 'source inspect', field: '--kind' }, `expected one of ${SOURCE_KINDS.join(', ')}, got "${args.kind}"`);
  }
  const kind = args.kind as SourceKind;
  const mapping = args.mapping ? loadYamlFile(args.mapping, InventoryMappingSchema).data : undefined;
  // The same capture a pass makes (file copy or HTTP fetch), into a scratch directory.
  const scratch = mkdtempSync(join(tmpdir(), 'breakfix-inspect-'));
  let data: Buffer;
  try {
    const snapshot = await captureSource({ kind, location: args.location }, new Date(), join(scratch, 'snapshot'));
    if (snapshot.error) throw new InputError({ origin: args.location }, snapshot.error);
    data = readSnapshot(join(scratch, 'snapshot')).data;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const parsed = parseSource(kind, data, args.location, mapping);
  const names = Object.keys(parsed.sets).sort();
  const lines = [`${kind} ${args.location}: ${parsed.rows.length} rows`];
  lines.push(table(['set', 'hosts'], names.map((n) => [n, parsed.sets[n].length])));
  if (parsed.blocks) lines.push(`blocks: under-replicated ${parsed.blocks.underReplicatedBlocks ?? '-'}, missing ${parsed.blocks.missingBlocks ?? '-'}`);
  for (const n of parsed.notes) lines.push(`note: ${n}`);
  return {
    text: lines.join('\n'),
    json: { sets: Object.fromEntries(names.map((n) => [n, parsed.sets[n]])) },
    exitCode: 0,
  };
}
