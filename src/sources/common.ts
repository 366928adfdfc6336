/**
 * What several source parsers share and that needs no schema library: the HDFS raw sets (both
 * HDFS sources mean the same thing by each name) and the host samples of transcript notes.
 * Kept free of zod so a worker thread parsing a report loads only what it uses.
 */
import { toHostSet, type HostSet } from '../sets/hostset.js';
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
 * Derive the seven HDFS raw sets from DataNode rows (shared by the JMX and `dfsadmin -report`
 * parsers so both sources mean the same thing by each name):
 * `hdfs-all` every DataNode listed; `hdfs-live` / `hdfs-dead` by heartbeat;
 * `hdfs-in-service` live AND `In Service` (a dead node is not serving, whatever its admin state);
 * `hdfs-decommissioning` `Decommission In Progress`; `hdfs-decommissioned` `Decommissioned`;
 * `hdfs-maintenance` `Entering Maintenance` or `In Maintenance`.
 * Each set is sorted unique in byte order; empty sets are present as `[]`.
 */
export function hdfsSets(rows: readonly HdfsNodeRow[]): Record<HdfsSetName, HostSet> {
  const all: string[] = [];
  const live: string[] = [];
  const dead: string[] = [];
  const inService: string[] = [];
  const decommissioning: string[] = [];
  const decommissioned: string[] = [];
  const maintenance: string[] = [];
  for (const r of rows) {
    all.push(r.host);
    (r.live ? live : dead).push(r.host);
    switch (r.adminState) {
      case 'In Service': if (r.live) inService.push(r.host); break;
      case 'Decommission In Progress': decommissioning.push(r.host); break;
      case 'Decommissioned': decommissioned.push(r.host); break;
      case 'Entering Maintenance':
      case 'In Maintenance': maintenance.push(r.host); break;
    }
  }
  return {
    'hdfs-all': toHostSet(all),
    'hdfs-live': toHostSet(live),
    'hdfs-dead': toHostSet(dead),
    'hdfs-in-service': toHostSet(inService),
    'hdfs-decommissioning': toHostSet(decommissioning),
    'hdfs-decommissioned': toHostSet(decommissioned),
    'hdfs-maintenance': toHostSet(maintenance),
  };
}

/**
 * The first few items of a list and how many more, for a note that stays one line on a
 * 100,000-node cluster: `a, b, c, d, e, … (7 more)`. Shared by the HDFS parsers.
 */
export function sample(hosts: readonly string[], max = 5): string {
  return hosts.length <= max ? hosts.join(', ') : `${hosts.slice(0, max).join(', ')}, … (${hosts.length - max} more)`;
}
