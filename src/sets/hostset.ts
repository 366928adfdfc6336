/**
 * Host sets: the unit of reconciliation (DESIGN.md §1–2).
 *
 * A `HostSet` is a readonly array of host names, unique and sorted in byte order — the order
 * `LC_ALL=C sort -u` produces — so a set written one name per line is exactly the file that
 * `comm`, `join` and `diff` expect. Host names are validated ASCII (see `src/hosts.ts`), where
 * JavaScript's UTF-16 comparison equals byte order. Every operation is a linear merge of two
 * sorted arrays: O(|a| + |b|), no hashing. Merges test `===` first: most names met are in both
 * sets, and equality is one comparison (instant for one string object, or two strings whose
 * hashes V8 already knows differ) where `<` then `>` would compare a shared name twice.
 */

export type HostSet = readonly string[];

/** The empty set. */
export const EMPTY: HostSet = Object.freeze([]) as HostSet;

/** Sort and deduplicate any list of names into a {@link HostSet}. */
export function toHostSet(names: Iterable<string>): HostSet {
  let arr = Array.from(names);
  if (isSortedUnique(arr)) return arr;
  const order = sortOrder(arr);
  if (order) arr = Array.from(order, (i) => arr[i]);
  // The default sort compares UTF-16 code units: byte order for ASCII, the fallback for other text.
  else arr.sort();
  let w = 0;
  for (let r = 0; r < arr.length; r++) {
    if (w === 0 || arr[r] !== arr[w - 1]) arr[w++] = arr[r];
  }
  arr.length = w;
  return arr;
}

/** Ranges of fewer names than this are finished by insertion sort. */
const RADIX_CUTOFF = 24;

/**
 * The order that sorts `keys` in byte order (`LC_ALL=C sort`): indexes into `keys`, equal keys in
 * their original order (stable). Null when a key has a character outside ASCII: sort those with
 * the built-in sort. An MSD radix sort on character codes, finished by insertion sort on small
 * ranges: linear in the characters that tell the keys apart, with no comparator calls and no map
 * from key to position. 100,000 host names sort in ~17–25 ms against ~30 ms for the built-in
 * sort of the names alone, and ~60 ms for that sort plus a Map to find each name's row again.
 */
export function sortOrder(keys: readonly string[]): Int32Array | null {
  const n = keys.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const tmp = new Int32Array(n);
  // Bucket 0: keys that end at this depth; bucket c + 1: character code c.
  const starts = new Int32Array(130);
  const pos = new Int32Array(130);
  const stack: number[] = [0, n, 0];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo < RADIX_CUTOFF) {
      for (let i = lo + 1; i < hi; i++) {
        const v = idx[i];
        const key = keys[v];
        let j = i - 1;
        while (j >= lo && keys[idx[j]] > key) {
          idx[j + 1] = idx[j];
          j--;
        }
        idx[j + 1] = v;
      }
      continue;
    }
    starts.fill(0);
    for (let i = lo; i < hi; i++) {
      const key = keys[idx[i]];
      const c = depth < key.length ? key.charCodeAt(depth) : -1;
      if (c > 127) return null;
      starts[c + 2]++;
    }
    starts[0] = lo;
    for (let c = 1; c < 130; c++) starts[c] += starts[c - 1];
    pos.set(starts);
    for (let i = lo; i < hi; i++) {
      const v = idx[i];
      const key = keys[v];
      tmp[pos[depth < key.length ? key.charCodeAt(depth) + 1 : 0]++] = v;
    }
    for (let i = lo; i < hi; i++) idx[i] = tmp[i];
    // Keys that ended here are equal (same prefix, same length): only the other buckets go deeper.
    for (let c = 1; c < 129; c++) if (starts[c + 1] - starts[c] > 1) stack.push(starts[c], starts[c + 1], depth + 1);
  }
  return idx;
}

/** Byte-order comparison, as `LC_ALL=C sort` (valid for the ASCII names this project allows). */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when every row's `host` is a string greater than the one before (rows sorted by host, no host twice). */
export function isSortedByHost(rows: readonly { host?: unknown }[]): boolean {
  for (let i = 0; i < rows.length; i++) {
    const h = rows[i].host;
    if (typeof h !== 'string' || (i > 0 && !((rows[i - 1].host as string) < h))) return false;
  }
  return true;
}

/** True when `arr` is strictly increasing in byte order. */
export function isSortedUnique(arr: readonly string[]): boolean {
  for (let i = 1; i < arr.length; i++) if (!(arr[i - 1] < arr[i])) return false;
  return true;
}

/** a ∪ b. */
export function union(a: HostSet, b: HostSet): HostSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) { out.push(x); i++; j++; }
    else if (x < y) { out.push(x); i++; }
    else { out.push(y); j++; }
  }
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/**
 * When one set is this many times smaller than the other, look its members up by binary search
 * (|small| × log |big|) instead of merging (|small| + |big|).
 */
const SKEW = 16;

/** a ∩ b. */
export function intersect(a: HostSet, b: HostSet): HostSet {
  if (a.length * SKEW < b.length) return a.filter((x) => has(b, x));
  if (b.length * SKEW < a.length) return b.filter((x) => has(a, x));
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) { out.push(x); i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return out;
}

/** a − b (members of a not in b). */
export function difference(a: HostSet, b: HostSet): HostSet {
  if (b.length === 0 || a.length === 0) return a;
  if (a.length * SKEW < b.length) return a.filter((x) => !has(b, x));
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) { i++; j++; }
    else if (x < y) { out.push(x); i++; }
    else j++;
  }
  while (i < a.length) out.push(a[i++]);
  return out;
}

/** Membership by binary search. O(log n). */
export function has(set: HostSet, host: string): boolean {
  let lo = 0;
  let hi = set.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = set[mid];
    if (v === host) return true;
    if (v < host) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The set file's bytes: one name per line, each line ending in `\n` (empty set: empty file). */
export function formatSetFile(set: HostSet): string {
  return set.length === 0 ? '' : set.join('\n') + '\n';
}

/**
 * Parse a set file or host list (one name per line; blank lines and `#` comments ignored).
 * Names are returned as written; callers validate them with `normalizeHost`.
 */
export function parseSetLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t && !t.startsWith('#')) out.push(t);
  }
  return out;
}
