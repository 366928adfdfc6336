/**
 * A {@link ParsedSource} in a form that crosses to another thread cheaply (`postMessage`).
 *
 * Structured-cloning the parse of a 100,000-DataNode report as it is (100,000 row objects, seven
 * sets of up to 100,000 names) costs the receiving thread ~90 ms. Packed, every string value of
 * the rows and sets is sent once, in one array of distinct strings, and everything else is typed
 * arrays of codes whose buffers are transferred, not copied: the receiver rebuilds the rows and
 * sets in ~20 ms, its strings each one flat copy shared by every row and set that names it.
 *
 * Rows must be flat objects with one set of keys and primitive values (every source's rows are);
 * any other row shape is sent as is.
 */
import { isSortedByHost, type HostSet } from '../sets/hostset.js';
import { nameSetsOnRead } from '../sets/indexset.js';
import type { HostHealth, ParsedSource } from './types.js';

/** Codes below 0: values that are not an index into `strings`. */
const NULL = -1;
const UNDEFINED = -2;
const TRUE = -3;
const FALSE = -4;
/** A number: the value is in the column's `numbers`, at the same row. */
const NUMBER = -5;

interface PackedColumn {
  key: string;
  /** Per row: an index into `strings`, or one of the negative codes above. */
  codes: Int32Array;
  /** Per row, where `codes` says NUMBER. */
  numbers?: Float64Array;
}

/** What {@link packParsed} returns; post it with `transfer` as the transfer list. */
export interface PackedSource {
  kind: ParsedSource<unknown>['kind'];
  origin: string;
  notes: string[];
  hosts?: number;
  blocks?: ParsedSource<unknown>['blocks'];
  /** Every distinct string of the rows and sets. */
  strings: string[];
  rowCount: number;
  /** Columnar rows, or null when the rows had another shape and are in `rawRows`. */
  columns: PackedColumn[] | null;
  rawRows?: unknown[];
  /** Each set by name: indexes into `strings`. Empty when the parse has `setIndexes`. */
  sets: [string, Int32Array][];
  /** The parse's `setIndexes`, as they are: the receiver names each set from the rows (or `health`) it unpacks. */
  setIndexes?: [string, Int32Array][];
  /** `health` (per-host results), when the parse has it. */
  health?: PackedHealth;
}

/** {@link HostHealth} records, columnar. Host i: `strings[host[i]]`; its failed checks `failed[failedFrom[i] .. failedFrom[i + 1])`. */
interface PackedHealth {
  host: Int32Array;
  /** 1 reachable, 0 not, -1 no result. */
  reachable: Int8Array;
  /** 1 when `failedChecks` is a list (possibly empty), 0 when null. */
  hasFailed: Int8Array;
  failedFrom: Int32Array;
  failed: Int32Array;
}

/**
 * Pack a parse for `postMessage`; `transfer` lists the buffers to move rather than copy.
 * Rows sorted by a unique `host` (every control-plane and inventory parse) put their hosts first
 * in `strings`, in row order. A parse with `setIndexes` sends those (transferred) and no coded
 * sets: the receiver names them from the rows it rebuilds; otherwise each set is coded by walking
 * it beside the sorted hosts. Other strings are coded through a map of the distinct values.
 */
export function packParsed(p: ParsedSource<unknown>): { packed: PackedSource; transfer: ArrayBuffer[] } {
  const rows = p.rows as Record<string, unknown>[];
  // Rows of a parse with row indexes are sorted by unique host (ParsedSource.setIndexes): no need to check.
  const strings: string[] = rows.length > 0 && (p.setIndexes !== undefined || isSortedByHost(rows)) ? rows.map((r) => r.host as string) : [];
  const hostCount = strings.length;
  const index = new Map<string, number>();
  const code = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      index.set(s, (i = strings.length));
      strings.push(s);
    }
    return i;
  };
  const transfer: ArrayBuffer[] = [];
  const columns = packColumns(rows, code, hostCount > 0);
  if (columns) for (const c of columns) transfer.push(c.codes.buffer as ArrayBuffer, ...(c.numbers ? [c.numbers.buffer as ArrayBuffer] : []));
  const sets: [string, Int32Array][] = [];
  // Copies (a few MB at most): transferring the parse's own arrays would empty them under the caller.
  const setIndexes = p.setIndexes ? Object.entries(p.setIndexes).map(([name, idx]): [string, Int32Array] => [name, idx.slice()]) : undefined;
  if (setIndexes) for (const [, idx] of setIndexes) transfer.push(idx.buffer as ArrayBuffer);
  else for (const [name, set] of Object.entries(p.sets)) {
    const codes = new Int32Array(set.length);
    let j = 0; // walks the sorted hosts alongside the sorted set
    for (let i = 0; i < set.length; i++) {
      const x = set[i];
      while (j < hostCount && strings[j] !== x && strings[j] < x) j++;
      codes[i] = j < hostCount && strings[j] === x ? j : code(x);
    }
    sets.push([name, codes]);
    transfer.push(codes.buffer as ArrayBuffer);
  }
  let health: PackedHealth | undefined;
  if (p.health) {
    health = packHealth(p.health, code);
    transfer.push(...[health.host, health.reachable, health.hasFailed, health.failedFrom, health.failed].map((a) => a.buffer as ArrayBuffer));
  }
  const packed: PackedSource = {
    kind: p.kind, origin: p.origin, notes: p.notes, strings, rowCount: rows.length, columns, sets,
    ...(setIndexes ? { setIndexes } : {}),
    ...(health ? { health } : {}),
    ...(columns ? {} : { rawRows: rows }),
    ...(p.hosts !== undefined ? { hosts: p.hosts } : {}),
    ...(p.blocks !== undefined ? { blocks: p.blocks } : {}),
  };
  return { packed, transfer };
}

/** The parse {@link packParsed} packed: equal rows (same keys in the same order), sets and fields. */
export function unpackParsed(packed: PackedSource): ParsedSource<unknown> {
  const { strings } = packed;
  const rows = packed.columns ? unpackColumns(packed.columns, packed.rowCount, strings) : (packed.rawRows ?? []);
  const sets: Record<string, HostSet> = {};
  for (const [name, codes] of packed.sets) {
    const set = new Array<string>(codes.length);
    for (let i = 0; i < codes.length; i++) set[i] = strings[codes[i]];
    sets[name] = set;
  }
  const out: ParsedSource<unknown> = { kind: packed.kind, origin: packed.origin, rows, sets, notes: packed.notes };
  if (packed.hosts !== undefined) out.hosts = packed.hosts;
  if (packed.blocks !== undefined) out.blocks = packed.blocks;
  if (packed.health) out.health = unpackHealth(packed.health, strings);
  if (!packed.setIndexes) return out;
  const { sets: _, ...rest } = out;
  return nameSetsOnRead<ParsedSource<unknown>>({ ...rest, setIndexes: Object.fromEntries(packed.setIndexes) }, (out.health ?? rows) as { host: string }[]);
}

function packHealth(records: readonly HostHealth[], code: (s: string) => number): PackedHealth {
  const n = records.length;
  const h: PackedHealth = { host: new Int32Array(n), reachable: new Int8Array(n), hasFailed: new Int8Array(n), failedFrom: new Int32Array(n + 1), failed: new Int32Array(0) };
  let total = 0;
  for (const r of records) total += r.failedChecks?.length ?? 0;
  h.failed = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    h.host[i] = code(r.host);
    h.reachable[i] = r.reachable === null ? -1 : r.reachable ? 1 : 0;
    h.failedFrom[i] = k;
    if (r.failedChecks !== null) {
      h.hasFailed[i] = 1;
      for (const c of r.failedChecks) h.failed[k++] = code(c);
    }
  }
  h.failedFrom[n] = k;
  return h;
}

function unpackHealth(h: PackedHealth, strings: readonly string[]): HostHealth[] {
  const out = new Array<HostHealth>(h.host.length);
  for (let i = 0; i < h.host.length; i++) {
    let failedChecks: string[] | null = null;
    if (h.hasFailed[i] === 1) {
      failedChecks = [];
      for (let k = h.failedFrom[i]; k < h.failedFrom[i + 1]; k++) failedChecks.push(strings[h.failed[k]]);
    }
    const r = h.reachable[i];
    out[i] = { host: strings[h.host[i]], reachable: r === -1 ? null : r === 1, failedChecks };
  }
  return out;
}

/** Columnar codes of `rows`; with `hostsFirst`, row i's `host` is `strings[i]`. Null when the rows are not all flat objects of one shape. */
function packColumns(rows: readonly Record<string, unknown>[], code: (s: string) => number, hostsFirst: boolean): PackedColumn[] | null {
  if (rows.length === 0) return [];
  const keys = Object.keys(rows[0]);
  const columns: PackedColumn[] = keys.map((key) => ({ key, codes: new Int32Array(rows.length) }));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let n = 0;
    for (const k in row) {
      if (keys[n] !== k) return null; // another key, or the same keys in another order
      const col = columns[n++];
      const v = row[k];
      if (hostsFirst && k === 'host') col.codes[r] = r;
      else if (typeof v === 'string') col.codes[r] = code(v);
      else if (v === null) col.codes[r] = NULL;
      else if (v === undefined) col.codes[r] = UNDEFINED;
      else if (v === true) col.codes[r] = TRUE;
      else if (v === false) col.codes[r] = FALSE;
      else if (typeof v === 'number') {
        col.codes[r] = NUMBER;
        (col.numbers ??= new Float64Array(rows.length))[r] = v;
      } else return null; // an object or array value
    }
    if (n !== keys.length) return null;
  }
  return columns;
}

/** Reads cell `k` (a column's position) of row `r`. */
type Cell = (k: number, r: number) => unknown;

/**
 * The row shapes the parsers produce (src/sources/types.ts), by their keys in order, each built by
 * an object literal: one hidden class with the fields in the object, where assigning each key in
 * turn to `{}` took 3–5 times as long (97,315 HDFS rows: 31–76 ms against 10–19 ms, first call in a
 * process) and left rows that every later walk reads more slowly. A shape not listed here is still
 * unpacked, key by key.
 */
type RowBuilder = (cell: Cell, r: number) => Record<string, unknown>;

/** One builder per row shape, by the keys it builds, in order (read off the builder itself). */
const ROW_SHAPES: ReadonlyMap<string, RowBuilder> = new Map(
  ([
    // HdfsNodeRow: hdfs-jmx, hdfs-report.
    (c, r) => ({ host: c(0, r), live: c(1, r), adminState: c(2, r), rack: c(3, r), upgradeDomain: c(4, r) }),
    // YarnNodeRow: yarn-nodes, yarn-jmx, yarn-list.
    (c, r) => ({ host: c(0, r), state: c(1, r), rack: c(2, r), healthReport: c(3, r) }),
    // HealthRow (a parse with rows; a pass sends health per host instead).
    (c, r) => ({ host: c(0, r), check: c(1, r), status: c(2, r), detail: c(3, r) }),
    // InventoryRow.
    (c, r) => ({ host: c(0, r), dc: c(1, r), cluster: c(2, r), role: c(3, r), rack: c(4, r), dataGroup: c(5, r), lifecycle: c(6, r), ticket: c(7, r), exclude: c(8, r) }),
  ] satisfies RowBuilder[]).map((build): [string, RowBuilder] => [Object.keys(build(() => null, 0)).join(','), build]),
);

/** True when rows of these keys, in this order, are rebuilt by an object literal ({@link ROW_SHAPES}). */
export function isKnownRowShape(keys: readonly string[]): boolean {
  return ROW_SHAPES.has(keys.join(','));
}

function unpackColumns(columns: readonly PackedColumn[], rowCount: number, strings: readonly string[]): Record<string, unknown>[] {
  const rows = new Array<Record<string, unknown>>(rowCount);
  const cell: Cell = (k, r) => {
    const col = columns[k];
    const c = col.codes[r];
    return c >= 0 ? strings[c] : c === NULL ? null : c === UNDEFINED ? undefined : c === TRUE ? true : c === FALSE ? false : col.numbers![r];
  };
  const build = ROW_SHAPES.get(columns.map((c) => c.key).join(','));
  if (build) {
    for (let r = 0; r < rowCount; r++) rows[r] = build(cell, r);
    return rows;
  }
  for (let r = 0; r < rowCount; r++) {
    const row: Record<string, unknown> = {};
    for (let k = 0; k < columns.length; k++) row[columns[k].key] = cell(k, r);
    rows[r] = row;
  }
  return rows;
}
