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

/** Sort and deduplicate any list of names into a {@link HostSet}. O(n log n). */
export function toHostSet(names: Iterable<string>): HostSet {
  const arr = Array.from(names);
  if (isSortedUnique(arr)) return arr;
  // The default sort compares UTF-16 code units: byte order for the ASCII names allowed here,
  // and much faster than a comparator function on 100k strings.
  arr.sort();
  let w = 0;
  for (let r = 0; r < arr.length; r++) {
    if (w === 0 || arr[r] !== arr[w - 1]) arr[w++] = arr[r];
  }
  arr.length = w;
  return arr;
}

/** Byte-order comparison, as `LC_ALL=C sort` (valid for the ASCII names this project allows). */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
