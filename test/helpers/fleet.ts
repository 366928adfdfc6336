/**
 * Random fleets for property tests, built as parsed sources (the parsers' output shape), so
 * tests exercise buildFleet → reconcile exactly as a pass does.
 */
import { prng } from '../../src/pass/pick.js';
import { parseHdfsJmx } from '../../src/sources/hdfs-jmx.js';
import { parseHealth } from '../../src/sources/health.js';
import { parseInventory } from '../../src/sources/inventory.js';
import type { HdfsAdminState, HdfsNodeRow, HealthRow, InventoryRow, Lifecycle, ParsedSource } from '../../src/sources/types.js';

export interface FleetShape {
  seed: number;
  clusters: number;
  maxHosts: number;
  racks: number;
  groups: number;
  /** Share of hosts (0..1) failing a check. */
  failRate: number;
  /** Share of hosts already out (dead / decommissioning). */
  outRate: number;
  /** Share of hosts without a data group. */
  noGroupRate: number;
}

export interface SyntheticFleet {
  inventory: ParsedSource<InventoryRow>;
  health: ParsedSource<HealthRow>;
  hdfs: ParsedSource<HdfsNodeRow>;
}

export function randomFleet(s: FleetShape): SyntheticFleet {
  const r = prng(s.seed);
  const pickOf = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const inv: InventoryRow[] = [];
  const hdfs: HdfsNodeRow[] = [];
  const health: HealthRow[] = [];
  for (let c = 0; c < s.clusters; c++) {
    const n = 1 + Math.floor(r() * s.maxHosts);
    for (let i = 0; i < n; i++) {
      const host = `h${c}-${i}.c${c}.test`;
      const lifecycle: Lifecycle = r() < 0.9 ? 'managed' : pickOf(['allocated', 'repair', 'decommissioned'] as const);
      const group = r() < s.noGroupRate ? null : `g${Math.floor(r() * s.groups)}`;
      inv.push({ host, dc: 'dc1', cluster: `c${c}`, role: 'worker', rack: `r${c}-${Math.floor(r() * s.racks)}`, dataGroup: group, lifecycle,
        ticket: r() < 0.03 ? 'OPS-1' : null, exclude: r() < 0.02 ? 'yes' : null });
      if (r() < 0.02) continue; // absent from the NameNode: unknown
      const out = r() < s.outRate;
      const state: HdfsAdminState = out ? pickOf(['Decommission In Progress', 'Decommissioned', 'In Service'] as const) : 'In Service';
      hdfs.push({ host, live: !(out && state === 'In Service'), adminState: state, rack: null, upgradeDomain: null });
      const reachable = r() > s.failRate / 4;
      health.push({ host, check: 'reachable', status: reachable ? 'ok' : 'fail', detail: '' });
      health.push({ host, check: 'disk', status: r() < s.failRate ? 'fail' : 'ok', detail: '' });
    }
  }
  if (r() < 0.5) hdfs.push({ host: 'stranger.test', live: true, adminState: 'In Service', rack: null, upgradeDomain: null });
  return parsedFromRows(inv, health, hdfs);
}

/**
 * The parsed sources of a fleet given as rows: the rows are written as real files and read back
 * through the production parsers, so tests see exactly the sets a pass derives.
 */
export function parsedFromRows(inv: InventoryRow[], health: HealthRow[], hdfs: HdfsNodeRow[]): SyntheticFleet {
  const files = renderFiles(inv, health, hdfs);
  return {
    inventory: parseInventory(files['inventory.tsv'], 'inventory.tsv'),
    health: parseHealth(files['health.tsv'], 'health.tsv'),
    hdfs: parseHdfsJmx(files['nn-jmx.json'], 'nn-jmx.json'),
  };
}




/**
 * Write a synthetic fleet as the files a real datacenter exports: canonical inventory TSV,
 * health check-results TSV, and a Hadoop 3.x NameNode JMX `NameNodeInfo` response.
 */
export function fleetFiles(f: SyntheticFleet): FleetFiles {
  return renderFiles(f.inventory.rows, f.health.rows, f.hdfs.rows);
}

type FleetFiles = { 'inventory.tsv': string; 'health.tsv': string; 'nn-jmx.json': string };

function renderFiles(invRows: InventoryRow[], healthRows: HealthRow[], hdfsRows: HdfsNodeRow[]): FleetFiles {
  const d = (v: string | null) => v ?? '-';
  const inv = ['host\tdc\tcluster\trole\track\tdata_group\tlifecycle\tticket\texclude',
    ...invRows.map((r) => [r.host, d(r.dc), d(r.cluster), d(r.role), d(r.rack), d(r.dataGroup), r.lifecycle, d(r.ticket), d(r.exclude)].join('\t'))];
  const health = ['host\tcheck\tstatus\tdetail', ...healthRows.map((r) => [r.host, r.check, r.status, r.detail || '-'].join('\t'))];
  const node = (r: HdfsNodeRow) => ({ infoAddr: '10.0.0.1:9864', xferaddr: '10.0.0.1:9866', lastContact: r.live ? 1 : 900, adminState: r.adminState, usedSpace: 1, capacity: 2, numBlocks: 10, version: '3.3.6' });
  const live = Object.fromEntries(hdfsRows.filter((r) => r.live).map((r) => [`${r.host}:9866`, node(r)]));
  const dead = Object.fromEntries(hdfsRows.filter((r) => !r.live).map((r) => [`${r.host}:9866`, { lastContact: 900, decommissioned: r.adminState === 'Decommissioned', adminState: r.adminState, xferaddr: '10.0.0.1:9866' }]));
  const decom = Object.fromEntries(hdfsRows.filter((r) => r.adminState === 'Decommission In Progress').map((r) => [`${r.host}:9866`, { xferaddr: '10.0.0.1:9866', underReplicatedBlocks: 3, decommissionOnlyReplicas: 0, underReplicateInOpenFiles: 0 }]));
  const jmx = { beans: [{ name: 'Hadoop:service=NameNode,name=NameNodeInfo', modelerType: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem',
    LiveNodes: JSON.stringify(live), DeadNodes: JSON.stringify(dead), DecomNodes: JSON.stringify(decom), EnteringMaintenanceNodes: '{}' }] };
  return { 'inventory.tsv': inv.join('\n') + '\n', 'health.tsv': health.join('\n') + '\n', 'nn-jmx.json': JSON.stringify(jmx, null, 1) };
}
