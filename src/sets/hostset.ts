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
  arr = pick(arr, byteOrder(arr));
  let w = 0;
  for (let r = 0; r < arr.length; r++) {
    if (w === 0 || arr[r] !== arr[w - 1]) arr[w++] = arr[r];
  }
  arr.length = w;
  return arr;
}

/**
 * Fewer keys than this are ordered by a comparison sort (n log n ≈ 22,000 comparisons at 2,048):
 * each radix pass clears and sums 32,898 counters, which costs more than that for few keys.
 */
const RADIX_MIN_KEYS = 2048;

/** Characters of a key the radix passes read (two per 16-bit digit); longer keys equal that far are compared whole. */
const RADIX_MAX_CHARS = 64;

/**
 * The order that sorts `keys` in byte order (`LC_ALL=C sort`): indexes into `keys`, equal keys in
 * their original order (stable). Null when a key has a character outside ASCII: sort those with
 * the built-in sort.
 *
 * An LSD radix sort on 16-bit digits of two characters each (code + 1, 0 past the end, so a
 * prefix sorts first). The keys are read once, in their own order, into one column of digits per
 * character pair; the passes then move only indexes and read only those columns, skipping a pair
 * that is the same in every key (the `dn`, `.bench.test` of host names). Keys that are still equal
 * after {@link RADIX_MAX_CHARS} characters are put in order by comparing them whole.
 * On 100,000 host names in shuffled order (`npm run bench:sort`, 2026-12-03): ~105 ms on its first
 * call in a process and ~45 ms once optimised, where the radix sort it replaces, which read the
 * names' characters at every depth and so chased 100,000 strings about the heap, took ~160 and
 * ~60 ms, and the built-in sort of the indexes ~145 and ~120 ms. With each loop in a function of
 * its own (2026-12-07; see the comment inside), the first call took 98 ms where the one-function
 * sort took 155 in the same minutes (`npm run bench:sort`, bench shape; the index sort 213 and
 * 271 ms: the machine moved too), and in a 100,000-host pass its compiled loops bailed out 4 times
 * instead of 14 (`--trace-deopt`, the pass's thread and the parse worker together).
 */
export function sortOrder(keys: readonly string[]): Int32Array | null {
  const n = keys.length;
  if (n < RADIX_MIN_KEYS) return keys.every(isAscii) ? comparisonOrder(keys) : null;
  // Each loop is a function of its own: a loop this long is compiled while it runs (on-stack
  // replacement), and compiled with the code after it, which has not run yet, that code would
  // make the compiled loop bail out and be compiled again, once per later loop (seven times for
  // 100,000 keys, in each thread that sorts).
  const maxLength = longestKey(keys);
  const chars = Math.min(maxLength, RADIX_MAX_CHARS);
  const width = (chars + 1) >> 1;
  // Column k holds digit k of every key, in key order: the pair of characters 2k, 2k + 1.
  const digits = new Uint16Array(n * width);
  if (!readDigits(keys, chars, digits)) return null;
  let from = identityOrder(n);
  let to = new Int32Array(n);
  const count = new Int32Array((128 << 8) + 130);
  for (let k = width - 1; k >= 0; k--) {
    if (!radixPass(digits, k * n, from, to, count)) continue; // the same pair in every key: nothing moved
    const moved = to;
    to = from;
    from = moved;
  }
  if (maxLength > chars) orderLongTies(keys, digits, width, from);
  return from;
}

/** The length of the longest key. */
function longestKey(keys: readonly string[]): number {
  let max = 0;
  for (let i = 0; i < keys.length; i++) if (keys[i].length > max) max = keys[i].length;
  return max;
}

/** 0, 1, …, n − 1. */
function identityOrder(n: number): Int32Array<ArrayBuffer> {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx;
}

/**
 * Fill `digits` (column-major, `keys.length` rows) with the first `chars` characters of every key,
 * two per digit (code + 1, 0 past the end). False when a key has a character outside ASCII.
 */
function readDigits(keys: readonly string[], chars: number, digits: Uint16Array): boolean {
  const n = keys.length;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const end = Math.min(key.length, chars);
    for (let p = 0; p < end; p++) {
      const c = key.charCodeAt(p);
      if (c > 127) return false;
      const at = (p >> 1) * n + i;
      digits[at] = p & 1 ? digits[at] | (c + 1) : (c + 1) << 8;
    }
    if (key.length > chars && !isAscii(key)) return false;
  }
  return true;
}

/**
 * One stable counting pass on the digit column at `base`: the indexes in `from` moved into `to`
 * in that digit's order. False, moving nothing, when every key has the same digit there.
 */
function radixPass(digits: Uint16Array, base: number, from: Int32Array, to: Int32Array, count: Int32Array): boolean {
  if (sameDigit(digits, base, from.length)) return false;
  countDigits(digits, base, from.length, count);
  moveByDigit(digits, base, from, to, count);
  return true;
}

/** True when digits `base` to `base + n − 1` are all the same. */
function sameDigit(digits: Uint16Array, base: number, n: number): boolean {
  const first = digits[base];
  for (let i = 1; i < n; i++) if (digits[base + i] !== first) return false;
  return true;
}

/** `count[d]` = how many of digits `base` to `base + n − 1` are below d: where digit d's run starts. */
function countDigits(digits: Uint16Array, base: number, n: number, count: Int32Array): void {
  count.fill(0);
  for (let i = 0; i < n; i++) count[digits[base + i] + 1]++;
  prefixSums(count);
}

/** Each entry of `count` plus all before it. */
function prefixSums(count: Int32Array): void {
  for (let d = 1; d < count.length; d++) count[d] += count[d - 1];
}

/** Move each index of `from` to its digit's next place in `to` (stable). */
function moveByDigit(digits: Uint16Array, base: number, from: Int32Array, to: Int32Array, count: Int32Array): void {
  for (let i = 0; i < from.length; i++) {
    const v = from[i];
    to[count[digits[base + v]]++] = v;
  }
}

/** Runs of `order` whose keys are equal in every digit (longer than the digits read) put in stable order by the whole key. */
function orderLongTies(keys: readonly string[], digits: Uint16Array, width: number, order: Int32Array): void {
  const n = keys.length;
  const equalPrefix = (a: number, b: number) => {
    for (let k = 0; k < width; k++) if (digits[k * n + a] !== digits[k * n + b]) return false;
    return true;
  };
  for (let lo = 0; lo < n; ) {
    let hi = lo + 1;
    while (hi < n && equalPrefix(order[lo], order[hi])) hi++;
    if (hi - lo > 1) order.subarray(lo, hi).sort((a, b) => byteCompare(keys[a], keys[b]) || a - b);
    lo = hi;
  }
}

/**
 * The stable byte order of `keys`, whatever their characters: indexes into `keys`, equal keys in
 * their original order. {@link sortOrder}, or for keys with a character outside ASCII a
 * comparison sort by UTF-16 code units (what `<` compares: byte order for ASCII). What every
 * parser and buildFleet put their rows in host order with.
 */
export function byteOrder(keys: readonly string[]): Int32Array {
  return sortOrder(keys) ?? comparisonOrder(keys);
}

/**
 * `items` sorted by their `host` in byte order (stable: items of one host stay in their order), as
 * a new array. Built by a loop over {@link byteOrder}: `Array.from(order, (i) => items[i])`, which
 * calls back per element, took ~35–55 ms for 100,000 items where the loop takes a few.
 */
export function sortedByHost<T extends { readonly host: string }>(items: readonly T[]): T[] {
  const keys: string[] = [];
  for (let i = 0; i < items.length; i++) keys.push(items[i].host);
  return pick(items, byteOrder(keys));
}

/** `items[order[0]], items[order[1]], …` as a new array. */
function pick<T>(items: readonly T[], order: Int32Array): T[] {
  const out: T[] = [];
  for (let k = 0; k < order.length; k++) out.push(items[order[k]]);
  return out;
}

/** The stable order of `keys` by a comparison sort (`<`, ties by position). */
function comparisonOrder(keys: readonly string[]): Int32Array {
  return Int32Array.from(keys.keys()).sort((a, b) => byteCompare(keys[a], keys[b]) || a - b);
}

/** True when every character of `key` is ASCII (code ≤ 127). */
function isAscii(key: string): boolean {
  for (let p = 0; p < key.length; p++) if (key.charCodeAt(p) > 127) return false;
  return true;
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
