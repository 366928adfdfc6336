/**
 * Host sets as positions in a host list sorted in byte order: the form a pass computes with.
 *
 * An {@link IndexSet} is an `Int32Array` of ascending indexes into one list of hosts sorted by
 * name and unique (a source's rows, or the fleet's records). Because the list is sorted, the
 * order of the indexes is the byte order of the names, so an index set is a {@link HostSet} in
 * another form: the same algebra, the same files. It is what makes a 100,000-host pass cheap
 * after the parse: set algebra compares integers instead of names (equal names from two sources
 * are two strings, and every comparison reads both), a set is mapped from a source's rows to
 * the fleet's records by one array lookup per member, and a set file is copied from one buffer of
 * all names instead of joined from a hundred thousand strings spread over the heap.
 */
import type { SetAlgebra } from './expr.js';
import type { HostSet } from './hostset.js';

/** Ascending indexes into a host list sorted by name (byte order) and unique. */
export type IndexSet = Int32Array;

/** The empty index set. */
export const NO_INDEXES: IndexSet = new Int32Array(0);

// Each merge loop is a function of its own that returns how many indexes it wrote: a loop over
// 100,000 indexes is compiled while it runs (on-stack replacement), and compiled with code after
// it that had not run yet (a tail loop, the copy of the result), it bailed out there on every
// large call until the whole function was compiled again.

/** a ∪ b. */
export function unionIndexes(a: IndexSet, b: IndexSet): IndexSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Int32Array(a.length + b.length);
  return out.slice(0, unionInto(a, b, out));
}

/** a ∪ b written to `out`; returns its size. */
function unionInto(a: IndexSet, b: IndexSet, out: Int32Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    // Past the end of one set, the other's members are all smaller than this bound.
    const x = i < a.length ? a[i] : END;
    const y = j < b.length ? b[j] : END;
    if (x === y) { out[n++] = x; i++; j++; }
    else if (x < y) { out[n++] = x; i++; }
    else { out[n++] = y; j++; }
  }
  return n;
}

/** Greater than any index (an index set's members are below 2^31 − 1). */
const END = 0x7fffffff;

/** a ∩ b. */
export function intersectIndexes(a: IndexSet, b: IndexSet): IndexSet {
  const out = new Int32Array(Math.min(a.length, b.length));
  return out.slice(0, intersectInto(a, b, out));
}

/** a ∩ b written to `out`; returns its size. */
function intersectInto(a: IndexSet, b: IndexSet, out: Int32Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) { out[n++] = x; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return n;
}

/** a − b (members of a not in b). */
export function differenceIndexes(a: IndexSet, b: IndexSet): IndexSet {
  if (a.length === 0 || b.length === 0) return a;
  const out = new Int32Array(a.length);
  const n = differenceInto(a, b, out);
  return n === a.length ? a : out.slice(0, n);
}

/** a − b written to `out`; returns its size. */
function differenceInto(a: IndexSet, b: IndexSet, out: Int32Array): number {
  let j = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    while (j < b.length && b[j] < x) j++;
    if (j < b.length && b[j] === x) j++;
    else out[n++] = x;
  }
  return n;
}

/** The algebra of index sets (into one list), for `evalSetExpr`. */
export const INDEX_SET_ALGEBRA: SetAlgebra<IndexSet> = {
  union: unionIndexes,
  intersect: intersectIndexes,
  difference: differenceIndexes,
  size: (s) => s.length,
};

/**
 * An index set of one list mapped to another: `to[i]` for each member `i`, where `to` gives each
 * entry of the first list its position in the second (ascending, as when the second list is a
 * sorted merge of the first with others). One array lookup per member.
 */
export function mapIndexes(set: IndexSet, to: Int32Array): IndexSet {
  const out = new Int32Array(set.length);
  for (let k = 0; k < set.length; k++) out[k] = to[set[k]];
  return out;
}

/** The names of an index set into `list`: `list[i].host` for each member, a {@link HostSet}. */
export function hostsAt(list: readonly { readonly host: string }[], set: IndexSet): HostSet {
  const out: string[] = [];
  for (let k = 0; k < set.length; k++) out.push(list[set[k]].host);
  return out;
}

/**
 * Collects the raw sets of a source whose rows are sorted by unique host, filled row by row in
 * that order: `set(name)` declares a set (present, possibly empty) and returns the list to push
 * row indexes to; the lists need no sort. A row pushed twice in a row (two values with one set
 * name) counts once.
 */
export class RowSets {
  private readonly lists = new Map<string, number[]>();

  /** The list of set `name`, created empty on first use. */
  set(name: string): number[] {
    let l = this.lists.get(name);
    if (!l) this.lists.set(name, (l = []));
    return l;
  }

  /** Every set by name, as row indexes. */
  result(): Record<string, IndexSet> {
    const out: Record<string, IndexSet> = {};
    for (const [name, l] of this.lists) {
      let n = 0;
      for (let k = 0; k < l.length; k++) if (n === 0 || l[k] !== l[n - 1]) l[n++] = l[k];
      l.length = n;
      out[name] = new Int32Array(l);
    }
    return out;
  }
}

/**
 * Give `parsed` its `sets` (names) from its `setIndexes` and its host list, computed when first
 * read and kept: a pass reads a source's sets as indexes only and never names them; `source
 * inspect`, the tests and a fleet built from sources without indexes do.
 */
export function nameSetsOnRead<P extends { sets: Record<string, HostSet>; setIndexes?: Record<string, IndexSet> }>(
  parsed: Omit<P, 'sets'> & { setIndexes: Record<string, IndexSet> }, list: readonly { readonly host: string }[],
): P {
  let named: Record<string, HostSet> | undefined;
  return Object.defineProperty(parsed, 'sets', {
    enumerable: true,
    configurable: true,
    get: () => (named ??= Object.fromEntries(Object.entries(parsed.setIndexes).map(([name, idx]) => [name, hostsAt(list, idx)]))),
  }) as unknown as P;
}

/** Runs of lines at least this long are copied by `Buffer.copy` (a native copy, with a call's cost); shorter ones byte by byte. */
const RUN_COPY_BYTES = 256;

/**
 * Every name of a host list as one buffer of lines (UTF-8, each name followed by `\n`), from
 * which the file of any index set into that list is copied ({@link NameLines.fileOf}): a set file
 * (DESIGN.md §2, one name per line) without a string per line or a join.
 */
export class NameLines {
  /** The lines, back to back. */
  readonly bytes: Buffer;
  /** Where line i ends (past its `\n`); it starts where line i − 1 ends. */
  readonly ends: Int32Array;

  /** The lines of `list`'s names, in list order. */
  constructor(list: readonly { readonly host: string }[]);
  /** Lines already made (e.g. sent from another thread). */
  constructor(bytes: Buffer, ends: Int32Array);
  constructor(listOrBytes: readonly { readonly host: string }[] | Buffer, ends?: Int32Array) {
    if (Buffer.isBuffer(listOrBytes)) {
      this.bytes = listOrBytes;
      this.ends = ends!;
      return;
    }
    const list = listOrBytes;
    const names: string[] = [];
    for (let i = 0; i < list.length; i++) names.push(list[i].host);
    const text = names.length ? names.join('\n') + '\n' : '';
    this.bytes = Buffer.from(text, 'utf8');
    this.ends = new Int32Array(names.length);
    if (this.bytes.length === text.length) {
      // ASCII (host keys are): a name's bytes are its characters.
      let at = 0;
      for (let i = 0; i < names.length; i++) this.ends[i] = at += names[i].length + 1;
    } else {
      let at = 0;
      for (let i = 0; i < names.length; i++) this.ends[i] = at += Buffer.byteLength(names[i]) + 1;
    }
  }

  /**
   * The file of `set`: its members' lines, in order (empty set: no bytes). Members with
   * consecutive indexes have their lines back to back in {@link NameLines.bytes}: each such run is
   * copied at once (a set of a whole cluster or rack of consecutively named hosts is a few copies).
   * `scratch`: a buffer to write it into when large enough (every file fits one of
   * `bytes.length`); the file is then a view of it, valid until `scratch` is written again.
   * Files written one after the other reuse one buffer instead of allocating ~26 MB at 100,000
   * hosts.
   */
  fileOf(set: IndexSet, scratch?: Buffer): Buffer {
    // Two loops in two functions: compiled while the first large set runs, a loop compiled with
    // code after it that had not run yet bailed out at that code, again for every large set.
    const size = linesSize(this.ends, set);
    const out = scratch && scratch.length >= size ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
    copyLines(this.bytes, this.ends, set, out);
    return out;
  }
}

/** Bytes of the lines of `set`'s members (`ends` as {@link NameLines.ends}). */
function linesSize(ends: Int32Array, set: IndexSet): number {
  let size = 0;
  for (let k = 0; k < set.length; k++) {
    const i = set[k];
    size += ends[i] - (i === 0 ? 0 : ends[i - 1]);
  }
  return size;
}

/** Copy the lines of `set`'s members from `bytes` into `out`, in order; runs of consecutive members at once. */
function copyLines(bytes: Buffer, ends: Int32Array, set: IndexSet, out: Buffer): void {
  let o = 0;
  for (let k = 0; k < set.length; ) {
    const first = set[k];
    let last = first;
    while (++k < set.length && set[k] === last + 1) last++;
    const start = first === 0 ? 0 : ends[first - 1];
    const end = ends[last];
    if (end - start >= RUN_COPY_BYTES) o += bytes.copy(out, o, start, end);
    else for (let p = start; p < end; p++) out[o++] = bytes[p];
  }
}
