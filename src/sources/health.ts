/**
 * Health observer: a check-results file, one row per (host, check), written by whatever runs the
 * checks (an SSH fan-out of healthcheck commands, a Prometheus export script).
 *
 * Format (ours; DESIGN.md §1): TSV or CSV, told apart by the header line (a TAB in it: TSV, else a
 * comma: CSV). The header names the columns `host`, `check`, `status`, `detail` in any order
 * (case-insensitive; other columns are ignored). `status` is `ok` or `fail`; `detail` is free text,
 * empty or `-` for none. Blank lines and lines starting with `#` are skipped.
 *
 * ```
 * host	check	status	detail
 * dn1.example.com	reachable	ok	ssh ok in 0.21 s
 * dn1.example.com	disk	fail	/dev/sdc: 12 reallocated sectors
 * ```
 *
 * TSV has no quoting: a field is everything between TABs. CSV follows RFC 4180: a field may be in
 * double quotes, `""` inside is one quote, and a quoted field may hold commas and line breaks
 * (white space around a quoted field is tolerated; a quote inside an unquoted field is literal).
 */
import { InputError } from '../errors.js';
import { normalizeHost, type HostKey } from '../hosts.js';
import { sortedByHost } from '../sets/hostset.js';
import { hostsAt, nameSetsOnRead, RowSets } from '../sets/indexset.js';
import { setNameSuffix } from '../sets/names.js';
import { sample } from './common.js';
import { csvRecordInBytes, isSkipped } from './delimited.js';
import type { HealthRow, HostHealth, ParseOptions, ParsedSource } from './types.js';

/** The check whose failure means "the host did not answer": its result decides `unresponsive`. */
export const REACHABILITY_CHECK = 'reachable';

/** Columns a check-results header must name (any order). */
export const HEALTH_COLUMNS = ['host', 'check', 'status', 'detail'] as const;
type Column = (typeof HEALTH_COLUMNS)[number];

/**
 * Parse a check-results file (see the module comment) into one {@link HealthRow} per data line,
 * in file order, and the health raw sets. With `rows: false` (what a pass reads), `rows` is empty
 * and `health` holds each host's results instead ({@link HostHealth}, sorted by host): 300,000
 * results of 100,000 hosts are then 100,000 small records built without a map of hosts (a host's
 * results are expected on consecutive lines; runs elsewhere in the file are merged once sorted),
 * and details are not read.
 *
 * `data`: the file's bytes (UTF-8; a leading byte-order mark is skipped) or its text.
 *
 * Rows: `host` through `normalizeHost` (lower case, port dropped); `check` trimmed and lower-cased
 * (a check's set name is lower case, so `Disk` and `disk` are one check); `status` `ok` / `fail`
 * in any case; `detail` trimmed, `-` read as empty.
 *
 * Sets — the rule:
 * - `unresponsive`: hosts whose {@link REACHABILITY_CHECK} (`reachable`) result is `fail`;
 * - `responsive`: every host in the file that is not unresponsive (a host without a `reachable`
 *   result counts as responsive: something reported its other checks);
 * - `failing`: hosts with at least one `fail` on a check other than `reachable`;
 * - `failing-<check>`: hosts failing that check, one set (possibly empty) for every check name
 *   seen other than `reachable`, the suffix from `setNameSuffix(check)`. Two check names with the
 *   same suffix (`disk io`, `disk_io`) share the set, with a note.
 * Every set is sorted unique in byte order.
 *
 * One walk over the bytes, linear in their size: a line's separators and end are found in one
 * loop, fields are compared as bytes where they lie (a host against the previous line's host, a
 * check against the checks met, a status against `ok` and `fail`), and only values kept are
 * decoded: each host once per run of its lines, as a string of its own. Only a CSV line that has a
 * quote is decoded whole, for the RFC 4180 splitter.
 *
 * @throws InputError naming `origin`, the line and the field when: there is no header line
 *   (`(document)`); the header has neither TABs nor commas, or lacks a column or names one twice
 *   (field = the column); a line has a different number of fields from the header (`row`); a CSV
 *   quote is never closed or is followed by text (`row`); a host is not a DNS host name (`host`);
 *   a check is empty (`check`); a status is not `ok` or `fail` (`status`); or the same host and
 *   check appear twice (`check`: which result is true is ambiguous).
 */
export function parseHealth(data: string | Buffer, origin: string, opts: ParseOptions = {}): ParsedSource<HealthRow> {
  const keepRows = opts.rows !== false;
  const raw = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const b = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw;
  const len = b.length;

  // The header: the first line that is not blank or a comment.
  let pos = 0;
  let line = 1;
  let headerLine = 0;
  let headerFields: string[] = [];
  let tsv = false;
  while (pos < len) {
    const eol = lineEndAt(b, pos);
    const content = b.toString('utf8', pos, eol > pos && b[eol - 1] === 13 ? eol - 1 : eol);
    if (isSkipped(content)) {
      pos = eol + 1;
      line++;
      continue;
    }
    headerLine = line;
    tsv = content.includes('\t');
    if (!tsv && !content.includes(',')) {
      throw new InputError(
        { origin, line, field: 'header' },
        `expected the columns ${HEALTH_COLUMNS.join(', ')} separated by TABs (TSV) or commas (CSV), got ${JSON.stringify(content)}`,
      );
    }
    if (tsv) {
      headerFields = content.split('\t');
      pos = eol + 1;
      line++;
    } else {
      const rec = csvRecordInBytes(b, pos, line, origin);
      headerFields = rec.fields;
      pos = rec.end + 1;
      line += rec.breaks + 1;
    }
    break;
  }
  if (headerLine === 0) {
    throw new InputError(
      { origin, field: '(document)' },
      `expected a header line naming the columns ${HEALTH_COLUMNS.join(', ')}, got ${len === 0 || b.toString('utf8').trim() === '' ? 'an empty input' : 'only comments'}`,
    );
  }
  const width = headerFields.length;
  const at = columnIndexes(headerFields, origin, headerLine);
  const sep = tsv ? 0x09 : 0x2c;
  const hostCol = at.host;
  const checkCol = at.check;
  const statusCol = at.status;
  const detailCol = at.detail;

  const rows: HealthRow[] = [];
  /** Line of each row, for the duplicate message. */
  const rowLines: number[] = [];
  /** With rows: hosts by raw field and by host name, and an entry per host in order of appearance. */
  const hosts = new Map<string, HostRun>();
  /** Checks by raw field (the first few also in `recentChecks`, compared as bytes) and by name. */
  const checkOf = new Map<string, CheckEntry>();
  const recentChecks: { raw: Buffer; entry: CheckEntry }[] = [];
  const checks = new Map<string, CheckEntry>();
  const details = new Map<string, string>();
  /** An entry per run of lines naming one host (without rows), or per host (with rows), in file order. */
  const runs: HostRun[] = [];

  // Field i of a line spans bytes [starts[i], ends[i]) of `b`. A CSV line with quotes is decoded
  // and split whole: its fields are then in `quoted`.
  const starts = new Int32Array(width);
  const ends = new Int32Array(width);
  let quoted: string[] | null = null;
  const field = (i: number): string => (quoted ? quoted[i] : b.toString('utf8', starts[i], ends[i]));
  // The previous line's host field (bytes) and entry: a host's results are usually on consecutive
  // lines, compared in place before anything is decoded.
  let prevStart = 0;
  let prevEnd = -1;
  let prevHost: HostRun | undefined;

  while (pos < len) {
    // One walk over the line: its separators, its end, and whether it has a quote (CSV).
    let count = 0;
    let s = pos;
    let eol = pos;
    let quote = false;
    for (; eol < len; eol++) {
      const c = b[eol];
      if (c === sep) {
        if (count < width) {
          starts[count] = s;
          ends[count] = eol;
        }
        count++;
        s = eol + 1;
      } else if (c === 0x0a) break;
      else if (c === 0x22) quote = true;
    }
    const end = eol > pos && b[eol - 1] === 13 ? eol - 1 : eol;
    if (count < width) {
      starts[count] = s;
      ends[count] = end;
    }
    count++;
    const lineNo = line;
    const c0 = b[pos];
    if (pos === end || c0 === 35 || ((c0 === 32 || c0 === 9) && isSkipped(b.toString('utf8', pos, end)))) {
      pos = eol + 1;
      line++;
      continue;
    }

    quoted = null;
    if (quote && !tsv) {
      // A CSV line with a quote: the RFC 4180 splitter, which may read on over line breaks.
      const rec = csvRecordInBytes(b, pos, lineNo, origin);
      quoted = rec.fields;
      count = quoted.length;
      eol = rec.end;
      line += rec.breaks;
      prevEnd = -1;
    }
    if (count !== width) {
      throw new InputError(
        { origin, line: lineNo, field: 'row' },
        `expected ${width} fields as in the header (line ${headerLine}), got ${count}` +
          (tsv ? '' : '; in CSV, put a detail that contains commas in double quotes'),
      );
    }

    let h: HostRun | undefined;
    const hostStart = starts[hostCol];
    const hostEnd = ends[hostCol];
    if (quoted === null && prevHost && spanIs(b, hostStart, hostEnd, prevStart, prevEnd)) h = prevHost;
    else if (!keepRows) {
      // Per host, no map: each run of lines naming one host gets an entry; runs of the same host
      // (the file's hosts were interleaved, or written two ways) are merged once sorted, below.
      const key = hostKeyOf(quoted ? quoted[hostCol] : null, b, hostStart, hostEnd);
      if (!key.ok) throw new InputError({ origin, line: lineNo, field: 'host' }, key.problem);
      runs.push((h = new HostRun(key.host)));
    } else {
      const rawHost = field(hostCol);
      h = hosts.get(rawHost);
      if (h === undefined) {
        const key = normalizeHost(rawHost, true);
        if (!key.ok) throw new InputError({ origin, line: lineNo, field: 'host' }, key.problem);
        if (key.host !== rawHost) h = hosts.get(key.host);
        if (h === undefined) {
          hosts.set(key.host, (h = new HostRun(key.host)));
          runs.push(h);
        }
        if (key.host !== rawHost) hosts.set(rawHost, h);
      }
    }
    if (quoted === null) {
      prevStart = hostStart;
      prevEnd = hostEnd;
    }
    prevHost = h;

    let ch: CheckEntry | undefined;
    if (quoted === null) {
      const cs = starts[checkCol];
      const ce = ends[checkCol];
      for (let k = 0; k < recentChecks.length; k++) {
        if (bytesAre(b, cs, ce, recentChecks[k].raw)) {
          ch = recentChecks[k].entry;
          break;
        }
      }
    }
    if (ch === undefined) {
      const rawCheck = field(checkCol);
      ch = checkOf.get(rawCheck);
      if (ch === undefined) {
        const name = rawCheck.trim().toLowerCase();
        if (name === '') throw new InputError({ origin, line: lineNo, field: 'check' }, 'expected a check name, got an empty field');
        ch = checks.get(name);
        if (ch === undefined) checks.set(name, (ch = { name, index: checks.size }));
        checkOf.set(rawCheck, ch);
        if (recentChecks.length < 8) recentChecks.push({ raw: Buffer.from(rawCheck, 'utf8'), entry: ch });
      }
    }

    let status: 'ok' | 'fail' | null;
    if (quoted === null) {
      const ss = starts[statusCol];
      const n = ends[statusCol] - ss;
      status = n === 2 && b[ss] === 0x6f && b[ss + 1] === 0x6b ? 'ok'
        : n === 4 && b[ss] === 0x66 && b[ss + 1] === 0x61 && b[ss + 2] === 0x69 && b[ss + 3] === 0x6c ? 'fail'
        : statusOf(field(statusCol));
    } else status = statusOf(quoted[statusCol]);
    if (status === null) {
      throw new InputError({ origin, line: lineNo, field: 'status' }, `expected ok or fail, got ${JSON.stringify(field(statusCol).trim())}`);
    }
    if (h.seen(ch.index)) {
      // The message names the first result's line, which only the rows keep: read the file again with them.
      if (!keepRows) return parseHealth(data, origin);
      const name = ch.name;
      const host = h.host;
      const first = rowLines[rows.findIndex((r) => r.host === host && r.check === name)];
      throw new InputError(
        { origin, line: lineNo, field: 'check' },
        `${host} has a second ${JSON.stringify(name)} result (the first is on line ${first}): which one is true is ambiguous; keep one result per host and check`,
      );
    }
    if (ch.name === REACHABILITY_CHECK) h.reachable = status === 'ok';
    else if (status === 'fail') {
      if (h.failedChecks === null || h.failedChecks === NONE_FAILED) h.failedChecks = [ch.name];
      else h.failedChecks.push(ch.name);
    } else h.failedChecks ??= NONE_FAILED;
    if (keepRows) {
      let detail = field(detailCol).trim();
      if (detail === '-') detail = '';
      else if (detail !== '') {
        // One string per distinct text, shared by the rows that repeat it.
        const kept = details.get(detail);
        if (kept === undefined) details.set(detail, detail);
        else detail = kept;
      }
      rows.push({ host: h.host, check: ch.name, status, detail });
      rowLines.push(lineNo);
    }
    pos = eol + 1;
    line++;
  }

  // Each host once, in host order: the runs merged (without rows), or the hosts sorted.
  let perHost: HostRun[];
  if (!keepRows) {
    const merged = mergeRuns(runs);
    // Two runs of one host that both report a check: the rows say which lines (see above).
    if (merged === null) return parseHealth(data, origin);
    perHost = merged;
  } else perHost = sortedByHost(runs);
  const notes: string[] = [];
  if (perHost.length === 0) notes.push('no check results: the file has a header only');
  const rowSets = new RowSets();
  const responsive = rowSets.set('responsive');
  const unresponsive = rowSets.set('unresponsive');
  const failing = rowSets.set('failing');
  // Every check but reachability has its failing-<check> set; two names with one suffix share it.
  const failingOf = new Map<string, number[]>();
  const namesBySet = new Map<string, string[]>();
  for (const ch of checks.values()) {
    if (ch.name === REACHABILITY_CHECK) continue;
    const name = `failing-${setNameSuffix(ch.name)}`;
    failingOf.set(ch.name, rowSets.set(name));
    const shared = namesBySet.get(name);
    if (shared) shared.push(ch.name);
    else namesBySet.set(name, [ch.name]);
  }
  for (let i = 0; i < perHost.length; i++) {
    const e = perHost[i];
    if (e.reachable === false) unresponsive.push(i);
    else responsive.push(i);
    if (e.failedChecks !== null && e.failedChecks !== NONE_FAILED) {
      failing.push(i);
      for (const c of e.failedChecks) failingOf.get(c)!.push(i);
      if (e.failedChecks.length > 1) e.failedChecks.sort();
    }
  }
  const shared = [...namesBySet].filter(([, names]) => names.length > 1);
  if (shared.length) {
    notes.push(`check names that share a set: ${sample(shared.map(([name, names]) => `${names.map((n) => JSON.stringify(n)).join(' and ')} → ${name}`))}`);
  }
  const setIndexes = rowSets.result();
  if (keepRows) {
    // Rows are one per result, not per host: the sets are named from the hosts, now.
    const sets = Object.fromEntries(Object.entries(setIndexes).map(([name, idx]) => [name, hostsAt(perHost, idx)]));
    return { kind: 'health', origin, rows, hosts: perHost.length, sets, notes };
  }
  // Each host's run is its result: what HostHealth asks, with the parse's bookkeeping kept private.
  const health: HostHealth[] = perHost;
  return nameSetsOnRead<ParsedSource<HealthRow>>({ kind: 'health', origin, rows, hosts: perHost.length, health, setIndexes, notes }, health);
}

/**
 * The host key of a field: `quoted`, the field of a CSV line with quotes, or bytes `s` to `e` of
 * `b`. A field that is already a key (ASCII a-z 0-9 - .) is decoded once, as a string of its own;
 * any other goes through `normalizeHost` as UTF-8 text (lower case, port, trailing dot, or why not).
 */
function hostKeyOf(quoted: string | null, b: Buffer, s: number, e: number): HostKey {
  if (quoted !== null) return normalizeHost(quoted);
  const key = normalizeHost(b.toString('latin1', s, e), true);
  if (key.ok) return key;
  return normalizeHost(b.toString('utf8', s, e));
}

/** Offset of the `\n` ending the line that starts at `pos` (the length on the last line). */
function lineEndAt(b: Buffer, pos: number): number {
  const eol = b.indexOf(0x0a, pos);
  return eol < 0 ? b.length : eol;
}

/** True when bytes `s` to `e` of `b` are `value`'s bytes. */
function bytesAre(b: Buffer, s: number, e: number, value: Buffer): boolean {
  if (e - s !== value.length) return false;
  for (let k = 0; k < value.length; k++) if (b[s + k] !== value[k]) return false;
  return true;
}

/** True when bytes `s1` to `e1` of `b` equal bytes `s2` to `e2`. */
function spanIs(b: Buffer, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let k = 0; k < e1 - s1; k++) if (b[s1 + k] !== b[s2 + k]) return false;
  return true;
}

/**
 * The per-host runs of a parse without rows, sorted by host, each host's runs merged into one;
 * null when two runs of a host report the same check (a duplicate result).
 */
function mergeRuns(runs: HostRun[]): HostRun[] | null {
  const sorted = sortedByHost(runs);
  const out: HostRun[] = [];
  for (const r of sorted) {
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    if (!last || last.host !== r.host) out.push(r);
    else if (!last.absorb(r)) return null;
  }
  return out;
}

/**
 * `failedChecks` of a host whose checks other than reachability all passed so far: shared, never
 * written to (frozen), and what such a host's {@link HostHealth} says: no failed check.
 */
const NONE_FAILED: string[] = Object.freeze([]) as unknown as string[];

/**
 * A run of lines naming one host (with rows: every line of a host) and what they say: the host's
 * {@link HostHealth} (`failedChecks` in file order until the parse sorts them), and which checks
 * it reported (bit i = check index i < 31; the rest in a set), kept private so that the run is the
 * result as it is.
 */
class HostRun implements HostHealth {
  readonly host: string;
  reachable: boolean | null = null;
  failedChecks: string[] | null = null;
  #checks = 0;
  #more: Set<number> | null = null;

  constructor(host: string) {
    this.host = host;
  }

  /** True when this host already reported check `index`; records it otherwise. */
  seen(index: number): boolean {
    if (index < 31) {
      const bit = 1 << index;
      if (this.#checks & bit) return true;
      this.#checks |= bit;
      return false;
    }
    this.#more ??= new Set();
    if (this.#more.has(index)) return true;
    this.#more.add(index);
    return false;
  }

  /** Take in another run of this host; false when both report a check (a duplicate result). */
  absorb(r: HostRun): boolean {
    if (this.#checks & r.#checks) return false;
    this.#checks |= r.#checks;
    for (const i of r.#more ?? []) {
      if (this.#more?.has(i)) return false;
      (this.#more ??= new Set()).add(i);
    }
    if (r.reachable !== null) this.reachable = r.reachable;
    const f = r.failedChecks;
    if (f !== null && f !== NONE_FAILED) this.failedChecks = this.failedChecks === null || this.failedChecks === NONE_FAILED ? [...f] : [...this.failedChecks, ...f];
    else if (f === NONE_FAILED) this.failedChecks ??= NONE_FAILED;
    return true;
  }
}

/** A check seen in the file: its lower-case name and its index. */
interface CheckEntry {
  name: string;
  index: number;
}

function columnIndexes(names: readonly string[], origin: string, line: number): Record<Column, number> {
  const found = new Map<string, number>();
  names.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!(HEALTH_COLUMNS as readonly string[]).includes(name)) return;
    const before = found.get(name);
    if (before !== undefined) {
      throw new InputError({ origin, line, field: name }, `the header names column ${JSON.stringify(name)} twice (columns ${before + 1} and ${i + 1})`);
    }
    found.set(name, i);
  });
  const out = {} as Record<Column, number>;
  for (const col of HEALTH_COLUMNS) {
    const i = found.get(col);
    if (i === undefined) {
      throw new InputError(
        { origin, line, field: col },
        `missing column ${JSON.stringify(col)}: the first line that is not blank or a comment must be a header naming ` +
          `${HEALTH_COLUMNS.join(', ')} (any order); got ${names.map((n) => JSON.stringify(n.trim())).join(', ')}`,
      );
    }
    out[col] = i;
  }
  return out;
}

function statusOf(raw: string): 'ok' | 'fail' | null {
  const s = raw.trim();
  if (s === 'ok' || s === 'fail') return s;
  const lower = s.toLowerCase();
  return lower === 'ok' || lower === 'fail' ? lower : null;
}
