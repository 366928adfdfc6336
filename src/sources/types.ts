/**
 * What every source parser returns. A parser takes the raw bytes of one snapshot (as text)
 * and the origin they came from (file path or URL, used in error messages), validates them
 * through zod at the boundary, and yields typed rows plus the raw sets that source derives
 * (DESIGN.md §2 step 1). Parsers are pure: no I/O, no clock.
 */
import type { HostSet } from '../sets/hostset.js';
import type { IndexSet } from '../sets/indexset.js';

/** Every source kind. `health-ssh` is the check-results file the `ssh` health source writes by running checks over SSH (src/ssh/health-source.ts). */
export const SOURCE_KINDS = ['inventory', 'health', 'hdfs-jmx', 'hdfs-report', 'yarn-nodes', 'yarn-jmx', 'yarn-list', 'health-ssh'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Which observer a kind belongs to (DESIGN.md §1). */
export const SOURCE_ROLE: Record<SourceKind, 'inventory' | 'health' | 'hdfs' | 'yarn'> = {
  inventory: 'inventory',
  health: 'health',
  'health-ssh': 'health',
  'hdfs-jmx': 'hdfs',
  'hdfs-report': 'hdfs',
  'yarn-nodes': 'yarn',
  'yarn-jmx': 'yarn',
  'yarn-list': 'yarn',
};

/** Lifecycle of a machine in the inventory. */
export const LIFECYCLES = ['allocated', 'managed', 'repair', 'decommissioned'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

/** One inventory row in canonical columns; `null` where the source had `-` or empty. */
export interface InventoryRow {
  host: string;
  dc: string | null;
  cluster: string | null;
  role: string | null;
  rack: string | null;
  /** HDFS upgrade domain or equivalent failure group. */
  dataGroup: string | null;
  lifecycle: Lifecycle;
  ticket: string | null;
  /** The operator's exclude intent (free text reason, e.g. `yes` or a note); null = not excluded. */
  exclude: string | null;
}

/** One health check result. */
export interface HealthRow {
  host: string;
  check: string;
  status: 'ok' | 'fail';
  detail: string;
}

/**
 * One host's health results as a pass needs them (instead of a {@link HealthRow} per result).
 * `reachable`: the `reachable` check's result, null without one. `failedChecks`: the other checks
 * it failed, sorted; null when it has no result other than `reachable`.
 */
export interface HostHealth {
  host: string;
  reachable: boolean | null;
  failedChecks: string[] | null;
}

/** DataNode admin states as the NameNode reports them (Hadoop `DatanodeInfo.AdminStates`). */
export const HDFS_ADMIN_STATES = ['In Service', 'Decommission In Progress', 'Decommissioned', 'Entering Maintenance', 'In Maintenance'] as const;
export type HdfsAdminState = (typeof HDFS_ADMIN_STATES)[number];

/** One DataNode as the NameNode sees it. */
export interface HdfsNodeRow {
  host: string;
  /** Live (heartbeating) or dead. */
  live: boolean;
  adminState: HdfsAdminState;
  rack: string | null;
  upgradeDomain: string | null;
}

/** Namesystem block counters (FSNamesystem / FSNamesystemState bean or the report header). */
export interface HdfsBlockCounts {
  /** Under-replicated (3.x: low-redundancy) blocks. */
  underReplicatedBlocks: number | null;
  missingBlocks: number | null;
}

/** NodeManager states (YARN `NodeState`). */
export const YARN_NODE_STATES = ['NEW', 'RUNNING', 'UNHEALTHY', 'DECOMMISSIONING', 'DECOMMISSIONED', 'LOST', 'REBOOTED', 'SHUTDOWN'] as const;
export type YarnNodeState = (typeof YARN_NODE_STATES)[number];

/** One NodeManager as the ResourceManager sees it. */
export interface YarnNodeRow {
  host: string;
  state: YarnNodeState;
  rack: string | null;
  healthReport: string | null;
}

/** Options of a parse (`parseSource`, `parseHealth`). */
export interface ParseOptions {
  /** false: a health parse gives each host's results (`health`) instead of a row per result (what a pass needs); other kinds ignore it. */
  rows?: boolean;
}

/** The parse of one source snapshot. */
export interface ParsedSource<Row> {
  kind: SourceKind;
  /** File path or URL the bytes came from. */
  origin: string;
  rows: Row[];
  /**
   * How many distinct hosts the rows name, when the parser counted them on the way (health rows
   * repeat a host per check); absent, the pass counts them itself.
   */
  hosts?: number;
  /**
   * Health results per host, sorted by host: what a health parse asked for no rows
   * returns (`rows` is then empty). See `parseHealth`.
   */
  health?: HostHealth[];
  /** Raw sets this source derives, by canonical name (e.g. `hdfs-live`), each sorted unique. */
  sets: Record<string, HostSet>;
  /**
   * The same sets as ascending indexes into this source's host list — `health` when present,
   * else `rows` — when that list is sorted by unique host (every parser's, but for a health parse
   * with rows). What a pass builds its fleet's sets from (src/sets/indexset.ts). A parse that has
   * them promises that order: the fleet merges its host list without checking it.
   */
  setIndexes?: Record<string, IndexSet>;
  /** Block counters, for HDFS sources that carry them. */
  blocks?: HdfsBlockCounts;
  /** Non-fatal notes for the transcript (e.g. "3 hosts seen twice; kept the live entry"). */
  notes: string[];
}
