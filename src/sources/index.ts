/**
 * One entry point for every source parser: `parseSource(kind, text, origin)`.
 * Each parser validates its payload at the boundary and throws `InputError` naming the origin
 * and field; see the parser modules for each format and its reference.
 */
import type { ParsedSource, SourceKind } from './types.js';
import { parseInventory, type InventoryMapping } from './inventory.js';
import { parseHealth } from './health.js';
import { parseHdfsJmx } from './hdfs-jmx.js';
import { parseHdfsReport } from './hdfs-report.js';
import { parseYarnNodes } from './yarn-nodes.js';
import { parseYarnJmx } from './yarn-jmx.js';
import { parseYarnList } from './yarn-list.js';

export type { InventoryMapping };

/** Parse one snapshot of `kind`. `mapping` applies to the inventory only. @throws InputError */
export function parseSource(kind: SourceKind, text: string, origin: string, mapping?: InventoryMapping): ParsedSource<unknown> {
  switch (kind) {
    case 'inventory': return parseInventory(text, origin, mapping);
    case 'health':
    case 'health-ssh': return parseHealth(text, origin);
    case 'hdfs-jmx': return parseHdfsJmx(text, origin);
    case 'hdfs-report': return parseHdfsReport(text, origin);
    case 'yarn-nodes': return parseYarnNodes(text, origin);
    case 'yarn-jmx': return parseYarnJmx(text, origin);
    case 'yarn-list': return parseYarnList(text, origin);
  }
}
