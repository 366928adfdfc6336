/**
 * Step 2 of a pass (DESIGN.md §2): the raw sets of every source, one record per host, and the
 * derived sets of `policies/sets.yml` evaluated in dependency order.
 */
import type { DerivedSetDef } from '../policy/load.js';
import { evalSetExpr } from '../sets/expr.js';
import { hostsAt, INDEX_SET_ALGEBRA, mapIndexes, NO_INDEXES, unionIndexes, type IndexSet } from '../sets/indexset.js';
import { EMPTY, isSortedByHost, sortedByHost, type HostSet } from '../sets/hostset.js';
import { RAW_SET_NAMES } from '../sets/names.js';
import type { HdfsBlockCounts, HdfsNodeRow, HealthRow, HostHealth, InventoryRow, ParsedSource, YarnNodeRow } from '../sources/types.js';
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
  /** Every host any source named, by host name: an index over {@link Fleet.records} (see {@link HostIndex}). */
  hosts: HostIndex;
  /** The same records, sorted by host. */
  records: HostRecord[];
  /**
   * Every set by name: raw sets (each source's, all canonical names present) and derived ones,
   * each named from {@link Fleet.indexes} when first read.
   */
  sets: ReadonlyMap<string, HostSet>;
  /** Every set of {@link Fleet.sets} as ascending indexes into {@link Fleet.records} (src/sets/indexset.ts). */
  indexes: Map<string, IndexSet>;
  /** Names of the derived sets, in evaluation order. */
  derived: string[];
  blocks?: HdfsBlockCounts;
}

/** How one source's row (or per-host health result) fills in a host's record. */
type Fill = (r: HostRecord, row: never) => void;

/** A source merged into the records in host order, and the record index of each of its rows (or per-host health results). */
interface MergedSource {
  source: ParsedSource<unknown>;
  recordOf: Int32Array;
}

/**
 * The part of {@link buildFleet} that some sources allow before the others are parsed: the
 * records of those whose rows are sorted by host merged. A pass starts the fleet with the sources
 * it parsed itself while a worker thread still parses the largest one.
 */
export interface FleetStart {
  blocks?: HdfsBlockCounts;
  /** Sorted by host, one per host. */
  records: HostRecord[];
  /** The sources merged into `records` in host order, with where each row went. */
  merged: MergedSource[];
  /** Sources in another order, filled in through the host map by {@link buildFleet}. */
  byLookup: ParsedSource<unknown>[];
}

/** Start a fleet from some of its sources (see {@link FleetStart}); `from`: a start to add these sources to. */
export function startFleet(sources: readonly ParsedSource<unknown>[], from?: FleetStart): FleetStart {
  let blocks = from?.blocks;
  const inOrder: { source: ParsedSource<unknown>; rows: readonly { host: string }[]; fill: Fill }[] = [];
  const byLookup = [...(from?.byLookup ?? [])];
  for (const src of sources) {
    const role = SOURCE_ROLE[src.kind];
    if (role === 'hdfs') blocks = src.blocks ?? blocks;
    const list = role === 'health' ? src.health : (src.rows as { host: string }[]);
    // A parse with row indexes has its host list sorted by unique host (ParsedSource.setIndexes).
    if (list && (src.setIndexes !== undefined || isSortedByHost(list))) inOrder.push({ source: src, rows: list, fill: fillOf(role) });
    else byLookup.push(src);
  }
  const m = mergeInOrder(from?.records ?? [], inOrder);
  const merged = (from?.merged ?? []).map((s) => ({ source: s.source, recordOf: mapIndexes(s.recordOf, m.baseTo) }));
  inOrder.forEach((l, k) => merged.push({ source: l.source, recordOf: m.listTo[k] }));
  return { blocks, records: m.records, merged, byLookup };
}

/**
 * Merge parsed sources into one fleet view and evaluate the derived sets.
 * Raw set names every pass has are present even when their source is not configured (empty).
 * `start`: the fleet started from the other sources ({@link startFleet}).
 *
 * Records: sources whose rows are sorted by a unique host (inventory, the control planes, health
 * read per host) are merged in one walk, so a host met in three sources is looked up in no map;
 * the map is built once from the merged records. Sources in another order (health rows, one per
 * result) fill in through the map.
 *
 * Sets: each source's sets become indexes into the records through where its rows went in the
 * merge (one array lookup per member, from the source's `setIndexes`); a source without them has
 * its sets' names searched in the records. The derived sets are evaluated on those indexes and
 * named from the records. @throws Error when a source's set names a host none of the records has
 * (a parser's bug: its sets must name its own rows).
 */
export function buildFleet(sources: readonly ParsedSource<unknown>[], definitions: readonly DerivedSetDef[], start?: FleetStart): Fleet {
  const { blocks, records, merged, byLookup } = startFleet(sources, start);
  // Only sources in another order need a map; sorted ones were merged into `records` already.
  const hosts = byLookup.length > 0 ? new Map(records.map((r) => [r.host, r])) : undefined;
  let added = false;
  const record = (host: string): HostRecord => {
    let r = hosts!.get(host);
    if (!r) {
      hosts!.set(host, (r = newRecord(host)));
      records.push(r);
      added = true;
    }
    return r;
  };
  for (const src of byLookup) {
    const role = SOURCE_ROLE[src.kind];
    if (role === 'health' && !src.health) {
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
    } else {
      const fill = fillOf(role);
      for (const row of (role === 'health' ? src.health! : src.rows) as { host: string }[]) fill(record(row.host), row as never);
    }
  }
  if (added) {
    // Hosts only an unordered source named went last: put the records back in host order, and
    // the merged sources' rows with them.
    const sorted = sortedByHost(records);
    const at = new Map(sorted.map((r, i) => [r, i]));
    const moved = Int32Array.from(records, (r) => at.get(r)!);
    records.length = 0;
    records.push(...sorted);
    for (const m of merged) m.recordOf = mapIndexes(m.recordOf, moved);
  }
  for (const r of records) if (r.failedChecks !== undefined && r.failedChecks.length > 1) r.failedChecks.sort();
  const index = new HostIndex(records);
  const indexes = new Map<string, IndexSet>(RAW_SET_NAMES.map((name) => [name, NO_INDEXES]));
  const addIndexes = (name: string, idx: IndexSet) => indexes.set(name, unionIndexes(indexes.get(name) ?? NO_INDEXES, idx));
  for (const { source, recordOf } of merged) {
    if (source.setIndexes) for (const [name, idx] of Object.entries(source.setIndexes)) addIndexes(name, mapIndexes(idx, recordOf));
    else for (const [name, set] of Object.entries(source.sets)) addIndexes(name, indexesOf(index, records, set, source.origin, name));
  }
  for (const source of byLookup) {
    for (const [name, set] of Object.entries(source.sets)) addIndexes(name, indexesOf(index, records, set, source.origin, name));
  }
  const derived: string[] = [];
  for (const def of definitions) {
    indexes.set(def.name, evalSetExpr(def.expr, (n) => indexes.get(n) ?? NO_INDEXES, INDEX_SET_ALGEBRA));
    derived.push(def.name);
  }
  return { hosts: index, records, sets: new NamedSets(records, indexes), indexes, derived, blocks };
}

/**
 * The indexes in `records` (searched through `index`) of the names of `set`, by a galloping search from each
 * member's predecessor (a source without `setIndexes`). @throws Error naming the set and the
 * first name no record has.
 */
function indexesOf(index: HostIndex, records: readonly HostRecord[], set: HostSet, origin: string, name: string): IndexSet {
  const out = new Int32Array(set.length);
  let at = 0;
  for (let k = 0; k < set.length; k++) {
    at = index.seek(set[k], at);
    if (at >= records.length || records[at].host !== set[k]) {
      throw new Error(`${origin}: set ${name} names ${set[k]}, which none of the fleet's records has (a parser must name its own rows in its sets)`);
    }
    out[k] = at++;
  }
  return out;
}

/**
 * The fleet's sets by name, each a {@link HostSet} named from its record indexes when first read
 * and kept: a pass reads a few (unknown, in-flight); `revalidate` and the tests read them all.
 */
class NamedSets implements ReadonlyMap<string, HostSet> {
  private readonly named = new Map<string, HostSet>();

  constructor(private readonly records: readonly HostRecord[], private readonly indexes: ReadonlyMap<string, IndexSet>) {}

  get size(): number {
    return this.indexes.size;
  }

  get(name: string): HostSet | undefined {
    let set = this.named.get(name);
    if (set === undefined) {
      const idx = this.indexes.get(name);
      if (idx === undefined) return undefined;
      this.named.set(name, (set = hostsAt(this.records, idx)));
    }
    return set;
  }

  has(name: string): boolean {
    return this.indexes.has(name);
  }

  *entries(): MapIterator<[string, HostSet]> {
    for (const name of this.indexes.keys()) yield [name, this.get(name)!];
  }

  keys(): MapIterator<string> {
    return this.indexes.keys();
  }

  *values(): MapIterator<HostSet> {
    for (const name of this.indexes.keys()) yield this.get(name)!;
  }

  [Symbol.iterator](): MapIterator<[string, HostSet]> {
    return this.entries();
  }

  forEach(fn: (value: HostSet, key: string, map: ReadonlyMap<string, HostSet>) => void, thisArg?: unknown): void {
    for (const [name, set] of this.entries()) fn.call(thisArg, set, name, this);
  }
}

/**
 * The fleet's records by host name, read-only: a binary search over the records sorted by host
 * (O(log n) per lookup, ~17 comparisons at 100,000 hosts), where a `Map` would hash and insert
 * every name of the fleet (~60–90 ms and its garbage at 100,000 hosts) for the few thousand
 * lookups a pass makes (in-flight hosts, candidates, picked hosts). Iterates in host order.
 */
export class HostIndex implements ReadonlyMap<string, HostRecord> {
  /** `records`: sorted by host, one per host (as {@link Fleet.records}); kept, not copied. */
  constructor(private readonly records: readonly HostRecord[]) {}

  get size(): number {
    return this.records.length;
  }

  get(host: string): HostRecord | undefined {
    const r = this.records[this.seek(host)];
    return r?.host === host ? r : undefined;
  }

  /**
   * The first index `i >= from` of the records whose host does not sort below `host` (byte
   * order), or the number of records: a galloping search (steps 1, 2, 4, … from `from`, then a
   * binary search within the last step), O(log d) for a host d places on. Walking a sorted set
   * through the records this way costs about one comparison per host for a set as large as the
   * fleet and a few per host for a small one.
   */
  seek(host: string, from = 0): number {
    const rs = this.records;
    const n = rs.length;
    let lo = from;
    let hi = from;
    let step = 1;
    while (hi < n && rs[hi].host < host) {
      lo = hi + 1;
      hi = from + step;
      step *= 2;
    }
    if (hi > n) hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rs[mid].host < host) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(host: string): boolean {
    return this.get(host) !== undefined;
  }

  *entries(): MapIterator<[string, HostRecord]> {
    for (const r of this.records) yield [r.host, r];
  }

  *keys(): MapIterator<string> {
    for (const r of this.records) yield r.host;
  }

  values(): MapIterator<HostRecord> {
    return this.records.values();
  }

  [Symbol.iterator](): MapIterator<[string, HostRecord]> {
    return this.entries();
  }

  forEach(fn: (value: HostRecord, key: string, map: ReadonlyMap<string, HostRecord>) => void, thisArg?: unknown): void {
    for (const r of this.records) fn.call(thisArg, r, r.host, this);
  }
}

/** How a source of `role` fills in a record from one of its rows (health: a per-host result). */
function fillOf(role: 'inventory' | 'health' | 'hdfs' | 'yarn'): Fill {
  switch (role) {
    case 'inventory': return ((r: HostRecord, row: InventoryRow) => { r.inventory = row; }) as Fill;
    case 'hdfs': return ((r: HostRecord, row: HdfsNodeRow) => { r.hdfs = row; }) as Fill;
    case 'yarn': return ((r: HostRecord, row: YarnNodeRow) => { r.yarn = row; }) as Fill;
    case 'health': return ((r: HostRecord, h: HostHealth) => {
      if (h.reachable !== null) r.reachable = h.reachable;
      if (h.failedChecks !== null) r.failedChecks = h.failedChecks.length === 0 ? NO_FAILED_CHECKS : h.failedChecks;
    }) as Fill;
  }
}

/**
 * One record per host of `base` (records sorted by host) and of the sorted lists, in host order,
 * each filled by every list naming it: a k-way merge. `base`'s records are kept and filled in.
 * Returns the records, where each of `base`'s went (`baseTo`) and where each row of each list went
 * (`listTo`).
 */
function mergeInOrder(base: readonly HostRecord[], lists: readonly { rows: readonly { host: string }[]; fill: Fill }[]): {
  records: HostRecord[]; baseTo: Int32Array; listTo: Int32Array[];
} {
  const baseTo = new Int32Array(base.length);
  const listTo = lists.map((l) => new Int32Array(l.rows.length));
  if (lists.length === 0) {
    for (let i = 0; i < base.length; i++) baseTo[i] = i;
    return { records: [...base], baseTo, listTo };
  }
  const out: HostRecord[] = [];
  const at = lists.map(() => 0);
  let b = 0;
  for (;;) {
    let min: string | undefined = b < base.length ? base[b].host : undefined;
    for (let k = 0; k < lists.length; k++) {
      const rows = lists[k].rows;
      if (at[k] < rows.length && (min === undefined || rows[at[k]].host < min)) min = rows[at[k]].host;
    }
    if (min === undefined) return { records: out, baseTo, listTo };
    const n = out.length;
    let r: HostRecord;
    if (b < base.length && base[b].host === min) {
      baseTo[b] = n;
      r = base[b++];
    } else r = newRecord(min);
    for (let k = 0; k < lists.length; k++) {
      const { rows, fill } = lists[k];
      if (at[k] < rows.length && rows[at[k]].host === min) {
        listTo[k][at[k]] = n;
        fill(r, rows[at[k]++] as never);
      }
    }
    out.push(r);
  }
}

/**
 * A record with every field present (undefined until a source fills it): all records then share one
 * hidden class, so the walks over 100,000 of them (all-data.tsv's cells, reconcile's split by
 * cluster, the names for the set files) read their fields through monomorphic property loads. Built
 * as `{ host }` and filled by whichever sources name the host, records came in 8 shapes at
 * 100,000 hosts, and every site reading them was megamorphic: `allDataCells` of the bench's
 * 100,000-host fleet took 77–86 ms (103 ms on its first call), now 53–56 ms (92 ms).
 */
function newRecord(host: string): HostRecord {
  return { host, inventory: undefined, hdfs: undefined, yarn: undefined, failedChecks: undefined, reachable: undefined };
}

/** A set by name; a per-value raw set no source produced (e.g. `rack-x` with no such rack) is empty. */
export function getSet(fleet: Fleet, name: string): HostSet {
  return fleet.sets.get(name) ?? EMPTY;
}
