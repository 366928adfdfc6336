/**
 * One entry point for every source parser: `parseSource(kind, text, origin)`.
 * Each parser validates its payload at the boundary and throws `InputError` naming the origin
 * and field; see the parser modules for each format and its reference.
 */
import type { ParseOptions, ParsedSource, SourceKind } from './types.js';
import { parseInventory, type InventoryMapping } from './inventory.js';
import { parseHealth } from './health.js';
import { parseHdfsJmx } from './hdfs-jmx.js';
import { parseHdfsReport } from './hdfs-report.js';
import { parseYarnNodes } from './yarn-nodes.js';
import { parseYarnJmx } from './yarn-jmx.js';
import { parseYarnList } from './yarn-list.js';

export type { InventoryMapping, ParseOptions };


/**
 * Parse one snapshot of `kind`, given as text or as its bytes (UTF-8; a `hdfs-report` and a health
 * file are parsed from the bytes themselves, every other kind is decoded first). `mapping` applies to the
 * inventory only. @throws InputError
 */
export function parseSource(kind: SourceKind, data: string | Buffer, origin: string, mapping?: InventoryMapping, opts: ParseOptions = {}): ParsedSource<unknown> {
  if (kind === 'hdfs-report') return parseHdfsReport(data, origin);
  if (kind === 'health' || kind === 'health-ssh') return parseHealth(data, origin, opts);
  const text = typeof data === 'string' ? data : data.toString('utf8');
  switch (kind) {
    case 'inventory': return parseInventory(text, origin, mapping);
    case 'hdfs-jmx': return parseHdfsJmx(text, origin);
    case 'yarn-nodes': return parseYarnNodes(text, origin);
    case 'yarn-jmx': return parseYarnJmx(text, origin);
    case 'yarn-list': return parseYarnList(text, origin);
  }
}
