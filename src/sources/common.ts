/**
 * What several source parsers share and that needs no schema library: the HDFS raw sets (both
 * HDFS sources mean the same thing by each name) and the host samples of transcript notes.
 * Kept free of zod so a worker thread parsing a report loads only what it uses.
 */
import { RowSets, type IndexSet } from '../sets/indexset.js';
import type { HdfsNodeRow } from './types.js';

/** The raw sets an HDFS source derives (DESIGN.md §2 step 1); every key is always present. */
export type HdfsSetName =
  | 'hdfs-all'
  | 'hdfs-live'
  | 'hdfs-dead'
  | 'hdfs-in-service'
  | 'hdfs-decommissioning'
  | 'hdfs-decommissioned'
  | 'hdfs-maintenance';

/**
 * Derive the seven HDFS raw sets from DataNode rows sorted by unique host (shared by the JMX and
 * `dfsadmin -report` parsers so both sources mean the same thing by each name), as row indexes
 * (every key present, empty when no row): `hdfs-all` every DataNode listed; `hdfs-live` /
 * `hdfs-dead` by heartbeat; `hdfs-in-service` live AND `In Service` (a dead node is not serving,
 * whatever its admin state); `hdfs-decommissioning` `Decommission In Progress`;
 * `hdfs-decommissioned` `Decommissioned`; `hdfs-maintenance` `Entering Maintenance` or
 * `In Maintenance`. The parsers name them with `nameSetsOnRead` (src/sets/indexset.ts).
 */
export function hdfsSets(rows: readonly HdfsNodeRow[]): Record<HdfsSetName, IndexSet> {
  const s = new RowSets();
  const all = s.set('hdfs-all');
  const live = s.set('hdfs-live');
  const dead = s.set('hdfs-dead');
  const inService = s.set('hdfs-in-service');
  const decommissioning = s.set('hdfs-decommissioning');
  const decommissioned = s.set('hdfs-decommissioned');
  const maintenance = s.set('hdfs-maintenance');
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    all.push(i);
    (r.live ? live : dead).push(i);
    switch (r.adminState) {
      case 'In Service': if (r.live) inService.push(i); break;
      case 'Decommission In Progress': decommissioning.push(i); break;
      case 'Decommissioned': decommissioned.push(i); break;
      case 'Entering Maintenance':
      case 'In Maintenance': maintenance.push(i); break;
    }
  }
  return s.result() as Record<HdfsSetName, IndexSet>;
}

/**
 * The first few items of a list and how many more, for a note that stays one line on a
 * 100,000-node cluster: `a, b, c, d, e, … (7 more)`. Shared by the HDFS parsers.
 */
export function sample(hosts: readonly string[], max = 5): string {
  return hosts.length <= max ? hosts.join(', ') : `${hosts.slice(0, max).join(', ')}, … (${hosts.length - max} more)`;
}
