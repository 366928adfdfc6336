/**
 * A synthetic datacenter for the pass benchmark: the three observers' files for `hosts` machines,
 * in the formats a pass reads (DESIGN.md §1) —
 *
 * - `inventory.tsv`: the machine database export, one row per host in a shuffled order (as real
 *   exports come), canonical columns, `-` for none;
 * - `health.tsv`: check results of an SSH fan-out (`reachable`, `disk`, `memory-ecc`), each host's
 *   rows together, hosts in completion (shuffled) order; an unresponsive host has only its
 *   `reachable fail` row, since no other check could run;
 * - `hdfs-report.txt`: `hdfs dfsadmin -report` in the Hadoop 3.x layout (the cluster header with
 *   `Replicated Blocks:` and `Erasure Coded Block Groups:`, then the `Live datanodes (N):` and
 *   `Dead datanodes (N):` sections, which is what a plain `-report` prints).
 *
 * Shape: clusters of 2,000–5,000 hosts (one cluster when `hosts` < 3,000), racks of 40 hosts, 3–5
 * data groups per cluster assigned by rack. About 95 % managed, 2 % allocated, 1.5 % repair,
 * 1.5 % decommissioned; about 1.3 % ticketed (40 % of repair hosts, 0.7 % of the rest), 0.5 %
 * excluded; about 1.2 % unresponsive and 2 % failing a check. Among managed hosts the NameNode
 * sees ~0.4 % dead, ~0.5 % decommissioning and ~0.5 % decommissioned. The observers disagree
 * where they do in practice: ~0.2 % of managed hosts are missing from the report, ~0.1 % of
 * DataNodes are missing from the inventory, ~0.2 % of inventory hosts have no health results,
 * a few health results are for hosts the inventory does not know, and ~0.5 % of DataNodes report
 * their host name in upper case.
 *
 * In odd-numbered clusters the operators work one data group at a time: every host out of
 * service (repair, dead, decommissioning, decommissioned) is in that cluster's maintenance group,
 * so the data-group rule leaves room for drains there. In even-numbered clusters hosts are out in
 * every group, and the pass must answer "nothing safe to do". Both outcomes are exercised.
 *
 * Deterministic: the same `hosts` and `seed` give byte-identical files.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { prng, shuffled } from '../src/pass/pick.js';
import { INVENTORY_COLUMNS } from '../src/sources/inventory.js';
import { HEALTH_COLUMNS } from '../src/sources/health.js';

/** The datacenter name of the synthetic fleet (`--dc bench`). */
export const BENCH_DC = 'bench';

/** The file names {@link generateFleet} writes into its directory. */
export const FLEET_FILES = { inventory: 'inventory.tsv', health: 'health.tsv', hdfsReport: 'hdfs-report.txt' } as const;

/** What {@link generateFleet} wrote: file paths, and counts for a progress line. */
export interface GeneratedFleet {
  dir: string;
  files: { inventory: string; health: string; hdfsReport: string };
  clusters: number;
  inventoryRows: number;
  healthRows: number;
  liveDataNodes: number;
  deadDataNodes: number;
  bytes: number;
}

type Lifecycle = 'managed' | 'allocated' | 'repair' | 'decommissioned';
type HdfsStatus = 'Normal' | 'Decommission in progress' | 'Decommissioned';

/** One DataNode as the report lists it. */
interface DataNode {
  host: string;
  ip: string;
  rack: string;
  dataGroup: string;
  live: boolean;
  status: HdfsStatus;
}

/** One host the health fan-out reports on. */
interface Checked {
  host: string;
  unresponsive: boolean;
  disk: boolean;
  ecc: boolean;
}

/** Report time of the synthetic NameNode: fixed, so files are reproducible. */
const REPORT_TIME_MS = Date.UTC(2025, 0, 15, 8, 0, 0);

const HOSTS_PER_RACK = 40;

/**
 * Write `inventory.tsv`, `health.tsv` and `hdfs-report.txt` for a synthetic datacenter of about
 * `hosts` machines into `dir` (created if missing, files overwritten). See the module comment for
 * the shape of the fleet. The same `hosts` and `seed` always give the same bytes.
 */
export function generateFleet(hosts: number, dir: string, seed = 1): GeneratedFleet {
  if (!Number.isInteger(hosts) || hosts < 1) throw new Error(`generateFleet: hosts must be a positive integer, got ${hosts}`);
  const rand = prng(seed);
  const chance = (p: number) => rand() < p;
  const pickOf = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];

  const inventory: string[] = [];
  const checked: Checked[] = [];
  const dataNodes: DataNode[] = [];
  let ticketNo = 40_000;

  // Clusters of 2,000–5,000 hosts; a remainder under 1,000 joins the last cluster.
  const sizes: number[] = [];
  for (let left = hosts; left > 0; ) {
    let size = Math.min(left, 2000 + Math.floor(rand() * 3001));
    if (left - size < 1000) size = left;
    sizes.push(size);
    left -= size;
  }
  const width = Math.max(2, String(sizes.length).length);

  let index = 0;
  sizes.forEach((size, ci) => {
    const cluster = `c${String(ci + 1).padStart(width, '0')}`;
    const groups = 3 + Math.floor(rand() * 3);
    const maintenanceGroup = Math.floor(rand() * groups);
    const oneGroupAtATime = ci % 2 === 0; // c01, c03, …
    for (let j = 0; j < size; j++, index++) {
      const host = `dn${String(index).padStart(6, '0')}.${cluster}.bench.test`;
      const rackNo = Math.floor(j / HOSTS_PER_RACK);
      const rack = `${cluster}-r${String(rackNo + 1).padStart(3, '0')}`;
      const groupNo = rackNo % groups;
      const dataGroup = `${cluster}-ud${groupNo + 1}`;
      const ip = `10.${(ci % 250) + 1}.${rackNo % 256}.${(j % HOSTS_PER_RACK) + 10}`;
      // How likely this host is out of service: concentrated in one group, or spread evenly.
      const outScale = oneGroupAtATime ? (groupNo === maintenanceGroup ? groups : 0) : 1;

      let lifecycle: Lifecycle = 'managed';
      let hdfs: { live: boolean; status: HdfsStatus } | null = { live: true, status: 'Normal' };
      const u = rand();
      if (u < 0.015 * outScale) {
        lifecycle = 'repair';
        const v = rand();
        hdfs = v < 0.5 ? { live: false, status: 'Normal' } : v < 0.8 ? { live: false, status: 'Decommissioned' } : null;
      } else if (u < 0.019 * outScale) {
        hdfs = { live: false, status: 'Normal' };
      } else if (u < 0.024 * outScale) {
        hdfs = { live: true, status: 'Decommission in progress' };
      } else if (u < 0.029 * outScale) {
        hdfs = { live: chance(0.7), status: 'Decommissioned' };
      } else {
        const v = rand();
        if (v < 0.02) {
          lifecycle = 'allocated'; // racked, not yet handed to the cluster; a few DataNodes already joined
          hdfs = chance(0.2) ? { live: true, status: 'Normal' } : null;
        } else if (v < 0.035) {
          lifecycle = 'decommissioned'; // retired; half still linger in the NameNode's dead list
          hdfs = chance(0.5) ? { live: false, status: 'Decommissioned' } : null;
        } else if (chance(0.002)) {
          hdfs = null; // managed, but the NameNode has never heard of it: unknown
        }
      }

      const ticket = chance(lifecycle === 'repair' ? 0.4 : 0.007) ? `OPS-${ticketNo++}` : '-';
      const exclude = chance(0.005) ? pickOf(['yes', 'hold: firmware test', 'do not drain, vendor RMA pending']) : '-';
      inventory.push([host, BENCH_DC, cluster, 'datanode', rack, dataGroup, lifecycle, ticket, exclude].join('\t'));

      if (hdfs) dataNodes.push({ host: chance(0.005) ? host.toUpperCase() : host, ip, rack, dataGroup, ...hdfs });

      // The fan-out runs over every machine the inventory says is racked and not retired.
      if (lifecycle !== 'decommissioned' && !chance(0.002)) {
        const dead = hdfs !== null && !hdfs.live;
        const unresponsive = chance(dead ? 0.5 : lifecycle === 'repair' ? 0.3 : 0.004);
        const failRate = lifecycle === 'repair' ? 0.5 : hdfs?.status === 'Decommissioned' ? 0.2 : 0.02;
        let disk = false;
        let ecc = false;
        if (!unresponsive && chance(failRate)) {
          const w = rand();
          disk = w < 0.75;
          ecc = w >= 0.65;
        }
        checked.push({ host, unresponsive, disk, ecc });
      }
    }
  });

  // DataNodes the inventory does not know (racked and started before the machine database was
  // updated), in the last cluster; half of them are in the health fan-out's list too.
  const lastCluster = `c${String(sizes.length).padStart(width, '0')}`;
  const strays = Math.max(1, Math.round(hosts * 0.001));
  for (let k = 0; k < strays; k++) {
    const host = `dn${String(hosts + k).padStart(6, '0')}.${lastCluster}.bench.test`;
    dataNodes.push({ host, ip: `10.254.${Math.floor(k / 200) % 256}.${(k % 200) + 10}`, rack: `${lastCluster}-r999`, dataGroup: `${lastCluster}-ud1`, live: true, status: 'Normal' });
    if (chance(0.5)) checked.push({ host, unresponsive: false, disk: false, ecc: false });
  }

  mkdirSync(dir, { recursive: true });
  const files = {
    inventory: join(dir, FLEET_FILES.inventory),
    health: join(dir, FLEET_FILES.health),
    hdfsReport: join(dir, FLEET_FILES.hdfsReport),
  };
  let bytes = 0;

  const inv = new ChunkedWriter(files.inventory);
  inv.line(INVENTORY_COLUMNS.join('\t'));
  for (const row of shuffled(inventory, rand)) inv.line(row);
  bytes += inv.close();

  const health = new ChunkedWriter(files.health);
  health.line(HEALTH_COLUMNS.join('\t'));
  let healthRows = 0;
  for (const c of shuffled(checked, rand)) {
    if (c.unresponsive) {
      health.line(`${c.host}\treachable\tfail\tssh: connect to host ${c.host} port 22: Connection timed out`);
      healthRows++;
      continue;
    }
    health.line(`${c.host}\treachable\tok\tssh ok in 0.${String(10 + Math.floor(rand() * 80))} s`);
    health.line(`${c.host}\tdisk\t${c.disk ? `fail\t/dev/sd${pickOf(['b', 'c', 'd', 'e', 'f'])}: ${1 + Math.floor(rand() * 40)} reallocated sectors` : 'ok\t-'}`);
    health.line(`${c.host}\tmemory-ecc\t${c.ecc ? `fail\tEDAC: ${1 + Math.floor(rand() * 9)} uncorrectable errors on DIMM_${pickOf(['A', 'B'])}${1 + Math.floor(rand() * 8)}` : 'ok\t-'}`);
    healthRows += 3;
  }
  bytes += health.close();

  const live = shuffled(dataNodes.filter((d) => d.live), rand);
  const dead = shuffled(dataNodes.filter((d) => !d.live), rand);
  bytes += writeReport(files.hdfsReport, live, dead, rand);

  return {
    dir, files, clusters: sizes.length, inventoryRows: inventory.length, healthRows,
    liveDataNodes: live.length, deadDataNodes: dead.length, bytes,
  };
}

/** Per-DataNode capacity figures, in bytes. */
interface Capacity {
  configured: number;
  dfsUsed: number;
  nonDfsUsed: number;
  remaining: number;
  blocks: number;
}

/**
 * Disk SKUs of the synthetic fleet: 12 × 4 TB, 12 × 2 TB, 24 × 1.2 TB (decimal TB, as vendors sell
 * them, less reserved space). Modest on purpose: the header sums every live DataNode, and 100,000
 * nodes of larger disks would overflow the NameNode's Java `long`.
 */
const SKUS = [12 * 4e12 * 0.98, 12 * 2e12 * 0.98, 24 * 1.2e12 * 0.98].map(Math.floor);

function writeReport(path: string, live: DataNode[], dead: DataNode[], rand: () => number): number {
  // Capacities first: the header sums the live DataNodes, as the NameNode does.
  const capacityOf = (d: DataNode): Capacity => {
    if (!d.live) return { configured: 0, dfsUsed: 0, nonDfsUsed: 0, remaining: 0, blocks: 0 };
    const configured = SKUS[Math.floor(rand() * SKUS.length)];
    const used = d.status === 'Decommissioned' ? 0.02 + rand() * 0.05 : 0.45 + rand() * 0.3;
    const dfsUsed = Math.floor(configured * used);
    const nonDfsUsed = Math.floor(configured * 0.01 * rand());
    return { configured, dfsUsed, nonDfsUsed, remaining: configured - dfsUsed - nonDfsUsed, blocks: Math.floor(dfsUsed / 134_217_728) };
  };
  const liveCaps = live.map(capacityOf);
  // Sums in BigInt: beyond 2^53 a double would print digits the NameNode never would.
  const total = { configured: 0n, dfsUsed: 0n, remaining: 0n };
  for (const c of liveCaps) {
    total.configured += BigInt(c.configured);
    total.dfsUsed += BigInt(c.dfsUsed);
    total.remaining += BigInt(c.remaining);
  }
  const present = total.dfsUsed + total.remaining;
  const underReplicated = dead.length * 1800 + Math.floor(rand() * 500);

  const w = new ChunkedWriter(path);
  w.line(`Configured Capacity: ${bytesDesc(total.configured)}`);
  w.line(`Present Capacity: ${bytesDesc(present)}`);
  w.line(`DFS Remaining: ${bytesDesc(total.remaining)}`);
  w.line(`DFS Used: ${bytesDesc(total.dfsUsed)}`);
  w.line(`DFS Used%: ${percent(total.dfsUsed, present)}`);
  w.line('Replicated Blocks:');
  w.line(`\tUnder replicated blocks: ${underReplicated}`);
  w.line('\tBlocks with corrupt replicas: 0');
  w.line('\tMissing blocks: 0');
  w.line('\tMissing blocks (with replication factor 1): 0');
  w.line(`\tLow redundancy blocks with highest priority to recover: ${Math.floor(underReplicated / 50)}`);
  w.line(`\tPending deletion blocks: ${Math.floor(rand() * 2000)}`);
  w.line('Erasure Coded Block Groups:');
  w.line('\tLow redundancy block groups: 0');
  w.line('\tBlock groups with corrupt internal blocks: 0');
  w.line('\tMissing block groups: 0');
  w.line('\tLow redundancy blocks with highest priority to recover: 0');
  w.line('\tPending deletion blocks: 0');
  w.line('');
  w.line('-------------------------------------------------');
  const section = (title: string, nodes: DataNode[], caps: Capacity[] | null) => {
    if (nodes.length === 0) return; // DFSAdmin omits an empty section in a plain -report
    w.line(`${title} datanodes (${nodes.length}):`);
    w.line('');
    nodes.forEach((d, i) => {
      const c = caps ? caps[i] : capacityOf(d);
      const contactMs = d.live ? REPORT_TIME_MS - Math.floor(rand() * 3000) : REPORT_TIME_MS - Math.floor((1 + rand() * 200) * 3_600_000);
      const blockReportMs = contactMs - Math.floor(rand() * 6 * 3_600_000);
      w.line(`Name: ${d.ip}:9866 (${d.host})`);
      w.line(`Hostname: ${d.host}`);
      w.line(`Rack: /bench/${d.rack}`);
      w.line(`Upgrade domain: ${d.dataGroup}`);
      w.line(`Decommission Status : ${d.status}`);
      w.line(`Configured Capacity: ${bytesDesc(c.configured)}`);
      w.line(`DFS Used: ${bytesDesc(c.dfsUsed)}`);
      w.line(`Non DFS Used: ${bytesDesc(c.nonDfsUsed)}`);
      w.line(`DFS Remaining: ${bytesDesc(c.remaining)}`);
      w.line(`DFS Used%: ${percent(c.dfsUsed, c.configured)}`);
      w.line(`DFS Remaining%: ${percent(c.remaining, c.configured)}`);
      w.line('Configured Cache Capacity: 0 (0 B)');
      w.line('Cache Used: 0 (0 B)');
      w.line('Cache Remaining: 0 (0 B)');
      w.line('Cache Used%: 100.00%');
      w.line('Cache Remaining%: 0.00%');
      w.line(`Xceivers: ${d.live ? 2 + Math.floor(rand() * 40) : 0}`);
      w.line(`Last contact: ${javaDate(contactMs)}`);
      w.line(`Last Block Report: ${javaDate(blockReportMs)}`);
      w.line(`Num of Blocks: ${c.blocks}`);
      w.line('');
      w.line('');
    });
  };
  section('Live', live, liveCaps);
  section('Dead', dead, null);
  return w.close();
}

/** The raw number and Hadoop's `StringUtils.byteDesc` of it: `8610254848 (8.02 GB)`, `65536 (64 KB)`, `0 (0 B)`. */
function bytesDesc(value: number | bigint): string {
  const n = BigInt(value);
  const units = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  if (n < 1024n) return `${n} (${n} B)`;
  let k = 0;
  while (k < units.length - 1 && n >= 1024n ** BigInt(k + 2)) k++;
  const unit = 1024n ** BigInt(k + 1);
  const text = n % unit === 0n ? String(n / unit) : (Number(n) / Number(unit)).toFixed(2);
  return `${n} (${text} ${units[k]})`;
}

function percent(part: number | bigint, whole: number | bigint): string {
  return `${Number(whole) === 0 ? '100.00' : ((Number(part) * 100) / Number(whole)).toFixed(2)}%`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `java.util.Date#toString` in UTC: `Tue Oct 01 11:13:53 UTC 2024`. */
function javaDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** Lines to a file in 1 MiB writes: a 100,000-node report is ~70 MB, better not built as one string. */
class ChunkedWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  private written = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  line(text: string): void {
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 1 << 20) this.flush();
  }

  /** Flush and close; returns the bytes written (ASCII: characters = bytes). */
  close(): number {
    this.flush();
    closeSync(this.fd);
    return this.written;
  }

  private flush(): void {
    if (this.size === 0) return;
    writeSync(this.fd, this.parts.join(''));
    this.written += this.size;
    this.parts = [];
    this.size = 0;
  }
}
