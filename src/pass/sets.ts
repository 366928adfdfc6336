/**
 * Step 2 of a pass (DESIGN.md §2): the raw sets of every source, one record per host, and the
 * derived sets of `policies/sets.yml` evaluated in dependency order.
 */
import type { DerivedSetDef } from '../policy/load.js';
import { evalSetExpr } from '../sets/expr.js';
import { EMPTY, union, type HostSet } from '../sets/hostset.js';
import { RAW_SET_NAMES } from '../sets/names.js';
import type { HdfsBlockCounts, HdfsNodeRow, HealthRow, InventoryRow, ParsedSource, YarnNodeRow } from '../sources/types.js';
import { SOURCE_ROLE } from '../sources/types.js';

/** Everything the sources said about one host. */
export interface HostRecord {
  host: string;
  inventory?: InventoryRow;
  hdfs?: HdfsNodeRow;
  yarn?: YarnNodeRow;
  /** Checks this host failed (other than reachability), sorted; undefined when health has no row for it. */
  failedChecks?: string[];
  /** Reachability: true/false, or undefined without a `reachable` result. */
  reachable?: boolean;
}

/** `failedChecks` of every host whose checks (other than reachability) all passed: one shared empty list, never written to. */
const NO_FAILED_CHECKS = Object.freeze([]) as unknown as string[];

/** The reconciled view of a datacenter at one pass. */
export interface Fleet {
  hosts: Map<string, HostRecord>;
  /** Every set by name: raw sets (each source's, all canonical names present) and derived ones. */
  sets: Map<string, HostSet>;
  /** Names of the derived sets, in evaluation order. */
  derived: string[];
  blocks?: HdfsBlockCounts;
}

/**
 * Merge parsed sources into one fleet view and evaluate the derived sets.
 * Raw set names every pass has are present even when their source is not configured (empty).
 */
export function buildFleet(sources: readonly ParsedSource<unknown>[], definitions: readonly DerivedSetDef[]): Fleet {
  const sets = new Map<string, HostSet>();
  for (const name of RAW_SET_NAMES) sets.set(name, EMPTY);
  const hosts = new Map<string, HostRecord>();
  const record = (host: string): HostRecord => {
    let r = hosts.get(host);
    if (!r) hosts.set(host, (r = { host }));
    return r;
  };
  let blocks: HdfsBlockCounts | undefined;
  for (const src of sources) {
    for (const [name, set] of Object.entries(src.sets)) sets.set(name, union(sets.get(name) ?? EMPTY, set));
    const role = SOURCE_ROLE[src.kind];
    if (role === 'inventory') for (const row of src.rows as InventoryRow[]) record(row.host).inventory = row;
    else if (role === 'hdfs') {
      for (const row of src.rows as HdfsNodeRow[]) record(row.host).hdfs = row;
      blocks = src.blocks ?? blocks;
    } else if (role === 'yarn') for (const row of src.rows as YarnNodeRow[]) record(row.host).yarn = row;
    else if (src.health) {
      for (const h of src.health) {
        const r = record(h.host);
        if (h.reachable !== null) r.reachable = h.reachable;
        if (h.failedChecks !== null) r.failedChecks = h.failedChecks.length === 0 ? NO_FAILED_CHECKS : h.failedChecks;
      }
    } else {
      // A host's results are usually on consecutive rows with one host string: look it up once.
      let last: HostRecord | undefined;
      for (const row of src.rows as HealthRow[]) {
        const r = last !== undefined && last.host === row.host ? last : (last = record(row.host));
        if (row.check === 'reachable') r.reachable = row.status === 'ok';
        else if (row.status === 'fail') {
          if (r.failedChecks === undefined || r.failedChecks === NO_FAILED_CHECKS) r.failedChecks = [row.check];
          else r.failedChecks.push(row.check);
        } else r.failedChecks ??= NO_FAILED_CHECKS;
      }
    }
  }
  for (const r of hosts.values()) if (r.failedChecks !== undefined && r.failedChecks.length > 1) r.failedChecks.sort();
  const derived: string[] = [];
  for (const def of definitions) {
    sets.set(def.name, evalSetExpr(def.expr, (n) => sets.get(n) ?? EMPTY));
    derived.push(def.name);
  }
  return { hosts, sets, derived, blocks };
}

/** A set by name; a per-value raw set no source produced (e.g. `rack-x` with no such rack) is empty. */
export function getSet(fleet: Fleet, name: string): HostSet {
  return fleet.sets.get(name) ?? EMPTY;
}
