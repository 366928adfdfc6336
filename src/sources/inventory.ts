/**
 * Inventory observer: the machine database export (DESIGN.md §1) — cluster, role, rack, data
 * group, lifecycle, ticket and the operator's exclude intent, per host.
 *
 * Canonical format: TSV or CSV (RFC 4180 quoting) with a header line naming the columns
 * `host, dc, cluster, role, rack, data_group, lifecycle, ticket, exclude` (any order, case-
 * insensitive, other columns ignored, only `host` and `lifecycle` required); `-` or empty means
 * none; `lifecycle` is one of `allocated, managed, repair, decommissioned` (any case). Blank lines
 * and lines starting with `#` are skipped. Or JSON: an array of row objects with the same keys
 * (string values, `null` for none, numbers read as text).
 *
 * A foreign export (a CMDB dump, a public trace) is read as is through an {@link InventoryMapping}:
 * its column names, its lifecycle words, defaults for columns it lacks, the latest row of a
 * history, and a transform from its machine ids to DNS host names.
 *
 * Speed (a pass reads 100,000-host exports): one `indexOf` per line and one `split` per row; cells
 * are checked by hand (no regex, no zod per row; only JSON rows go through zod, one by one); column
 * positions and lifecycle words are resolved once per file; repeating values (cluster, rack, …) are
 * shared strings; host names are flat copies, not views into the snapshot text (see `normalizeHost`); sets are filled
 * from the sorted rows and need no sort of their own.
 */
import { z } from 'zod';
import { InputError, formatPath, type InputLocation } from '../errors.js';
import { detachValue, normalizeHost } from '../hosts.js';
import { byteOrder, sortedByHost, type HostSet } from '../sets/hostset.js';
import { setNameSuffix } from '../sets/names.js';
import { nameSetsOnRead, RowSets, type IndexSet } from '../sets/indexset.js';
import { csvRecordAt, isSkipped, lineEnd, splitFields } from './delimited.js';
import { parseJsonDocument } from './json.js';
import { LIFECYCLES, type InventoryRow, type Lifecycle, type ParsedSource } from './types.js';

/** Canonical inventory columns, in the order an `all-data.tsv` writes them. */
export const INVENTORY_COLUMNS = ['host', 'dc', 'cluster', 'role', 'rack', 'data_group', 'lifecycle', 'ticket', 'exclude'] as const;
/** One canonical inventory column. */
export type InventoryColumn = (typeof INVENTORY_COLUMNS)[number];

/** Columns a mapping may give a default value for (the others are per host by nature). */
export const DEFAULTABLE_COLUMNS = ['dc', 'cluster', 'role', 'rack', 'data_group', 'lifecycle'] as const;
/** One column a mapping may give a default value for. */
export type DefaultableColumn = (typeof DEFAULTABLE_COLUMNS)[number];

/**
 * How to read a foreign export as is (the `mapping:` of an inventory source in the config, or
 * `--inventory-mapping FILE`). Every key is optional; `{}` reads the canonical format. Example,
 * for the headerless Alibaba cluster-trace v2018 `machine_meta.csv`:
 *
 * ```yaml
 * format: csv
 * header: [machine_id, time_stamp, failure_domain_1, failure_domain_2, cpu_num, mem_size, status]
 * columns: { host: machine_id, rack: failure_domain_1, data_group: failure_domain_2, lifecycle: status }
 * values: { lifecycle: { USING: managed, IMPORT_INSTALLING: allocated } }
 * defaults: { cluster: alibaba, dc: cn }
 * latestBy: time_stamp
 * hostTransform: { replace: [["_", "-"]], suffix: .cn.alibaba.test }   # m_2739 -> m-2739.cn.alibaba.test
 * ```
 */
export interface InventoryMapping {
  /**
   * `auto` (default): by the origin's extension (`.tsv`, `.csv`, `.json`, case-insensitive, before
   * any `?query`), else by content: `[` first is JSON, a TAB in the first line that is not blank
   * or a `#` comment is TSV, else CSV.
   */
  format?: 'auto' | 'tsv' | 'csv' | 'json';
  /** Column names of a headerless export: its first line is then data. Ignored for JSON. */
  header?: string[];
  /** Canonical column → the export's column name (case-insensitive), e.g. `{host: machine_id}`. A named column must exist. */
  columns?: Partial<Record<InventoryColumn, string>>;
  /**
   * Export value → canonical value. `lifecycle`: e.g. `{USING: managed, IMPORT_INSTALLING: allocated}`;
   * keys match exactly first, then case-insensitively; canonical values are always accepted too.
   */
  values?: { lifecycle?: Record<string, Lifecycle> };
  /**
   * Value of a column the export does not have (not used when the column exists but a cell is
   * empty: that is "none"). `lifecycle` is written canonically; `-` means none.
   */
  defaults?: Partial<Record<DefaultableColumn, string>>;
  /**
   * The export is a history with several rows per host: keep each host's row with the greatest
   * value of this column (compared as numbers when both are numbers, else as strings, so ISO
   * timestamps work). Every row needs a value. Two rows of a host with the same greatest value
   * must agree, or the export is refused (the pass must not guess). Without `latestBy`, a host on
   * two rows is an error.
   */
  latestBy?: string;
  /**
   * Turn the export's machine id into a DNS host name before it is checked (`normalizeHost`):
   * first each `replace` pair `[from, to]` (literal text, every occurrence, in order), then `suffix`
   * is appended. `{replace: [["_", "-"]], suffix: ".cn.alibaba.test"}`: `m_2739` → `m-2739.cn.alibaba.test`.
   * Use a suffix under `.test` (RFC 2606) for data that does not name real machines.
   */
  hostTransform?: { replace?: [string, string][]; suffix?: string };
}

const mappedColumn = z.string().trim().min(1);

/** zod schema of {@link InventoryMapping}: unknown keys are refused, so a typo in a config is an error, not a no-op. */
export const InventoryMappingSchema: z.ZodType<InventoryMapping> = z
  .object({
    format: z.enum(['auto', 'tsv', 'csv', 'json']).optional(),
    header: z.array(mappedColumn).min(1).optional(),
    columns: z.object(Object.fromEntries(INVENTORY_COLUMNS.map((c) => [c, mappedColumn.optional()])) as Record<InventoryColumn, z.ZodOptional<typeof mappedColumn>>).strict().optional(),
    values: z.object({ lifecycle: z.record(z.string().min(1), z.enum(LIFECYCLES)).optional() }).strict().optional(),
    defaults: z
      .object({
        dc: z.string().min(1).optional(),
        cluster: z.string().min(1).optional(),
        role: z.string().min(1).optional(),
        rack: z.string().min(1).optional(),
        data_group: z.string().min(1).optional(),
        lifecycle: z.enum(LIFECYCLES).optional(),
      })
      .strict()
      .optional(),
    latestBy: mappedColumn.optional(),
    hostTransform: z.object({ replace: z.array(z.tuple([z.string().min(1), z.string()])).optional(), suffix: z.string().optional() }).strict().optional(),
  })
  .strict();

/**
 * Parse an inventory export into rows and the inventory raw sets.
 *
 * - `text`: the snapshot as text (a leading byte-order mark is skipped);
 * - `origin`: its file path or URL, named in every error and used by `format: auto`;
 * - `mapping`: how to read a foreign export (default `{}`: the canonical format); validate a
 *   mapping from a file with {@link InventoryMappingSchema} first.
 *
 * Returns one row per host, sorted by host in byte order, with the original cluster, rack, data
 * group and dc values, and these sets, always all present (sorted unique, possibly empty): `all`,
 * `managed`, `allocated`, `repair`, `decommissioned` (by lifecycle), `ticketed` (ticket not none),
 * `excluded` (exclude not none); and one per value present: `cluster-<v>`, `rack-<v>`,
 * `group-<data group>`, `dc-<v>`, where `<v>` is `setNameSuffix(value)`. `notes` says how many
 * history rows `latestBy` dropped.
 *
 * @throws InputError naming `origin` and the line (delimited) or `[index].key` (JSON) and the field,
 *   for: an empty file or no header; a missing `host` or `lifecycle` column (with the columns found
 *   and the mapping to add); a column the mapping names that the export lacks; a header naming a
 *   used column twice; a row with another number of fields than the header; an empty or invalid
 *   host name (spaces, `_`, shell metacharacters); an unknown lifecycle; a host on two rows
 *   (without `latestBy`, naming both lines); with `latestBy`: its column missing, a row without a
 *   value, or two different rows of a host at its latest value; JSON that does not parse, is not
 *   an array, or has a row that is not an object of strings, numbers and nulls (field `(document)`
 *   or `[index]…`).
 */
export function parseInventory(text: string, origin: string, mapping: InventoryMapping = {}): ParsedSource<InventoryRow> {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = detectFormat(t, origin, mapping.format ?? 'auto');
  const collector = new RowCollector(origin, format === 'json', mapping);
  if (format === 'json') readJsonRows(t, origin, collector);
  else readDelimitedRows(t, origin, format, mapping.header, collector);
  return collector.finish();
}

/**
 * Turns records (arrays of cells, aligned to the header) into canonical rows, one per host.
 * Column positions, defaults and lifecycle words are resolved once per file, not per row.
 */
class RowCollector {
  private col = {} as Record<InventoryColumn, number>;
  private latestCol = -1;
  private readonly defaults: Record<InventoryColumn, string | null>;
  /** Raw lifecycle cell → lifecycle, filled as words are first met (a file has a handful). */
  private readonly lifecycles = new Map<string, Lifecycle>();
  /** Every record's row, in file order, with its line (delimited) or index (JSON) and, with `latestBy`, its value. */
  private readonly rows: InventoryRow[] = [];
  private readonly at: number[] = [];
  private readonly latest: string[] = [];
  /** Cell → value of the columns whose values repeat (dc, cluster, role, rack, data group): one string per value. */
  private readonly values = new Map<string, string | null>();
  /** Per column (dc, cluster, role): the last cell and its value. Those often repeat row after row, and a comparison is cheaper than a lookup. */
  private readonly lastCell: (string | undefined)[] = [undefined, undefined, undefined];
  private readonly lastValue: (string | null)[] = [null, null, null];
  /** Whether the hosts came strictly in byte order so far (exports written by `sort -u` or by a pass need no sort). */
  private inOrder = true;

  constructor(
    private readonly origin: string,
    private readonly json: boolean,
    private readonly mapping: InventoryMapping,
  ) {
    this.defaults = Object.fromEntries(INVENTORY_COLUMNS.map((c) => [c, cell((mapping.defaults as Record<string, string | undefined> | undefined)?.[c])])) as Record<InventoryColumn, string | null>;
  }

  /** Resolve the canonical columns against the export's column names (`line` 0: not from the file). */
  header(names: readonly string[], line: number): void {
    const { origin, mapping } = this;
    const loc = (field: string): InputLocation => ({ origin, line: line || undefined, field });
    const found = names.map((h) => h.trim()).join(', ') || 'none';
    const first = new Map<string, number>();
    const twice = new Map<string, number>();
    names.forEach((h, i) => {
      const k = h.trim().toLowerCase();
      if (!first.has(k)) first.set(k, i);
      else if (!twice.has(k)) twice.set(k, i);
    });
    const position = (name: string): number => {
      const k = name.trim().toLowerCase();
      const i = first.get(k);
      if (i === undefined) return -1;
      const j = twice.get(k);
      if (j !== undefined) {
        const which = this.json ? 'keys' : `fields ${i + 1} and ${j + 1}`;
        throw new InputError(loc(name), `the header names the column "${name}" twice (${which}); which one is meant is ambiguous: rename or drop one`);
      }
      return i;
    };
    for (const c of INVENTORY_COLUMNS) {
      const mapped = mapping.columns?.[c];
      const i = position(mapped ?? c);
      if (i < 0 && mapped !== undefined) {
        throw new InputError(loc(c), `mapping.columns.${c} names the column "${mapped}", which the export does not have (columns found: ${found})`);
      }
      this.col[c] = i;
    }
    for (const c of ['host', 'lifecycle'] as const) {
      if (this.col[c] >= 0 || this.defaults[c] !== null) continue;
      const headerless = !mapping.header && !this.json && names.some((h) => isNumber(h.trim()))
        ? `; line ${line} looks like data, not a header: if the export has none, give its column names with mapping.header`
        : '';
      throw new InputError(loc(c), `missing column "${c}" (columns found: ${found}); name a column "${c}" in the export, or map the export's column with mapping.columns.${c}${headerless}`);
    }
    if (mapping.latestBy !== undefined) {
      this.latestCol = position(mapping.latestBy);
      if (this.latestCol < 0) throw new InputError(loc(mapping.latestBy), `mapping.latestBy names the column "${mapping.latestBy}", which the export does not have (columns found: ${found})`);
    }
  }

  /** One record: `cells` aligned to the header; `line` (delimited, 1-based) or `index` (JSON) for errors. */
  record(cells: readonly string[], line: number, index: number): void {
    const c = this.col;
    const d = this.defaults;
    const rawHost = c.host < 0 ? null : cell(cells[c.host]);
    if (rawHost === null) throw new InputError(this.where(line, index, 'host'), 'expected a host name, got an empty field');
    const name = this.mapping.hostTransform ? transformHost(rawHost, this.mapping.hostTransform) : rawHost;
    const key = normalizeHost(name);
    if (!key.ok) {
      const from = name === rawHost ? '' : ` (the export's ${JSON.stringify(rawHost)} after mapping.hostTransform)`;
      throw new InputError(this.where(line, index, 'host'), key.problem + from);
    }
    const host = key.host;
    const rawLifecycle = c.lifecycle < 0 ? d.lifecycle : cell(cells[c.lifecycle]);
    const lifecycle = (rawLifecycle !== null && this.lifecycles.get(rawLifecycle)) || this.lifecycleOf(rawLifecycle, line, index);
    const v = this.values;
    const row: InventoryRow = {
      host,
      dc: c.dc < 0 ? d.dc : this.repeated(0, cells[c.dc]),
      cluster: c.cluster < 0 ? d.cluster : this.repeated(1, cells[c.cluster]),
      role: c.role < 0 ? d.role : this.repeated(2, cells[c.role]),
      rack: c.rack < 0 ? d.rack : intern(v, cells[c.rack]),
      dataGroup: c.data_group < 0 ? d.data_group : intern(v, cells[c.data_group]),
      lifecycle,
      ticket: c.ticket < 0 ? null : detachValue(cell(cells[c.ticket])),
      exclude: c.exclude < 0 ? null : detachValue(cell(cells[c.exclude])),
    };
    const rows = this.rows;
    const n = rows.length;
    if (this.inOrder && n > 0 && !(rows[n - 1].host < host)) this.inOrder = false;
    rows.push(row);
    this.at.push(this.json ? index : line);
    if (this.latestCol >= 0) {
      const latest = cells[this.latestCol].trim();
      if (latest === '') throw new InputError(this.where(line, index, this.mapping.latestBy!), `expected a value to find the latest row of ${host} by (mapping.latestBy), got an empty field`);
      this.latest.push(latest);
    }
  }

  /**
   * The rows sorted by host, one per host, the raw sets and the notes. Once sorted (stable: in
   * file order), rows of the same host are next to each other, so no map of hosts is needed;
   * without `latestBy` they are an error, with it the latest one is kept.
   */
  finish(): ParsedSource<InventoryRow> {
    const { rows, at } = this;
    if (this.inOrder) return this.result(rows, 0); // strictly sorted already: no host twice, nothing to sort
    if (this.latestCol >= 0) return this.latestRows();
    // The rows in host order by a radix sort of the host keys (no comparator, no map from host to
    // row); the order is stable, so a host on two rows has them next to each other, in file order.
    const sorted = sortedByHost(rows);
    for (let k = 1; k < sorted.length; k++) {
      if (sorted[k].host === sorted[k - 1].host) {
        const [first, second] = [rows.indexOf(sorted[k - 1]), rows.indexOf(sorted[k])];
        throw new InputError(
          this.whereAt(at[second], 'host'),
          `${sorted[k].host} is listed twice (${this.describe(at[first])} and ${this.describe(at[second])}): the inventory is ambiguous and a pass must not guess which row is true; fix the export (or, if it is a history, set mapping.latestBy)`,
        );
      }
    }
    return this.result(sorted, 0);
  }

  /** With `latestBy`: each host's row with the greatest value; two different rows at that value are an error. */
  private latestRows(): ParsedSource<InventoryRow> {
    const { rows, at, latest } = this;
    const latestBy = this.mapping.latestBy!;
    // By host, and a host's rows in file order (the order is stable).
    const order = byteOrder(rows.map((r) => r.host));
    const kept: InventoryRow[] = [];
    let keptAt = -1; // file position of the row kept for the current host
    let dropped = 0;
    for (const i of order) {
      const row = rows[i];
      if (keptAt < 0 || rows[keptAt].host !== row.host) {
        kept.push(row);
        keptAt = i;
        continue;
      }
      dropped++;
      const newer = compareLatest(latest[i], latest[keptAt]);
      if (newer < 0) continue;
      if (newer === 0 && !sameRow(row, rows[keptAt])) {
        throw new InputError(
          this.whereAt(at[i], latestBy),
          `${row.host} has two different rows with the latest ${latestBy} ${JSON.stringify(latest[i])} (${this.describe(at[keptAt])} and ${this.describe(at[i])}): its current state is ambiguous`,
        );
      }
      kept[kept.length - 1] = row;
      keptAt = i;
    }
    return this.result(kept, dropped);
  }

  private result(rows: InventoryRow[], dropped: number): ParsedSource<InventoryRow> {
    const notes = dropped ? [`${dropped} older rows of the same hosts dropped (latest by ${this.mapping.latestBy})`] : [];
    return nameSetsOnRead<ParsedSource<InventoryRow>>({ kind: 'inventory', origin: this.origin, rows, hosts: rows.length, setIndexes: setsOfSortedRows(rows), notes }, rows);
  }

  /** {@link intern} of column `k`'s cell, checked first against the same column's previous cell. */
  private repeated(k: number, raw: string): string | null {
    if (raw === this.lastCell[k]) return this.lastValue[k];
    const v = intern(this.values, raw);
    this.lastCell[k] = raw;
    this.lastValue[k] = v;
    return v;
  }

  /** Lifecycle of a cell not seen before (through mapping values, then the canonical words); remembered. */
  private lifecycleOf(raw: string | null, line: number, index: number): Lifecycle {
    const words = this.mapping.values?.lifecycle ?? {};
    let lifecycle: Lifecycle | undefined;
    if (raw !== null) {
      const lower = raw.toLowerCase();
      lifecycle = Object.hasOwn(words, raw) ? words[raw] : Object.entries(words).find(([k]) => k.toLowerCase() === lower)?.[1];
      lifecycle ??= (LIFECYCLES as readonly string[]).includes(lower) ? (lower as Lifecycle) : undefined;
    }
    if (lifecycle === undefined) {
      const mapped = Object.keys(words).length ? `, or one of the mapping's values.lifecycle (${Object.keys(words).join(', ')})` : '';
      const hint = raw !== null && /^[A-Za-z][A-Za-z0-9_ -]{0,39}$/.test(raw)
        ? `; if it is this export's word for one of them, add it to the mapping values.lifecycle (${JSON.stringify(raw)}: <lifecycle>)`
        : '';
      throw new InputError(this.where(line, index, 'lifecycle'), `expected one of ${LIFECYCLES.join(', ')}${mapped}, got ${raw === null ? 'an empty field' : JSON.stringify(raw)}${hint}`);
    }
    this.lifecycles.set(raw!, lifecycle);
    return lifecycle;
  }

  private where(line: number, index: number, field: string): InputLocation {
    return this.json ? { origin: this.origin, field: formatPath([index, field]) } : { origin: this.origin, line, field };
  }

  /** {@link where} of a record by its `at` (line, or JSON index). */
  private whereAt(at: number, field: string): InputLocation {
    return this.where(at, at, field);
  }

  private describe(at: number): string {
    return this.json ? `[${at}]` : `line ${at}`;
  }
}

/** {@link cell} of a value that repeats from row to row: one detached string per distinct value, shared by the rows. */
function intern(values: Map<string, string | null>, raw: string): string | null {
  let v = values.get(raw);
  if (v === undefined) {
    v = detachValue(cell(raw));
    values.set(raw, v);
  }
  return v;
}

/** A cell's value: trimmed, and `null` for empty or `-`. */
function cell(v: string | undefined): string | null {
  if (v === undefined) return null;
  const s = v.trim();
  return s === '' || s === '-' ? null : s;
}

function isNumber(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

function transformHost(raw: string, tr: NonNullable<InventoryMapping['hostTransform']>): string {
  let s = raw;
  if (tr.replace) for (const [from, to] of tr.replace) s = s.split(from).join(to);
  return tr.suffix ? s + tr.suffix : s;
}

/** Order of two `latestBy` values: numeric when both are numbers, else by string. */
function compareLatest(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameRow(a: InventoryRow, b: InventoryRow): boolean {
  return a.dc === b.dc && a.cluster === b.cluster && a.role === b.role && a.rack === b.rack && a.dataGroup === b.dataGroup
    && a.lifecycle === b.lifecycle && a.ticket === b.ticket && a.exclude === b.exclude;
}

/**
 * The inventory raw sets of rows sorted by host and unique, as row indexes ({@link RowSets}). Each
 * list is filled in row order, so it is already sorted and unique — even when two values share a
 * set name (`R1` and `r1`) — and needs no sort. The set of a value is found once per distinct
 * value (and reused while consecutive rows repeat it).
 */
function setsOfSortedRows(rows: readonly InventoryRow[]): Record<string, IndexSet> {
  const s = new RowSets();
  const all = s.set('all');
  const byLifecycle: Record<Lifecycle, number[]> = { managed: s.set('managed'), allocated: s.set('allocated'), repair: s.set('repair'), decommissioned: s.set('decommissioned') };
  const ticketed = s.set('ticketed');
  const excluded = s.set('excluded');
  const perValue = (prefix: string) => {
    const byValue = new Map<string, number[]>();
    let lastValue: string | null = null;
    let lastList: number[] = [];
    return (value: string | null, i: number) => {
      if (value === null) return;
      if (value !== lastValue) {
        let list = byValue.get(value);
        if (!list) byValue.set(value, (list = s.set(prefix + setNameSuffix(value))));
        lastList = list;
        lastValue = value;
      }
      lastList.push(i);
    };
  };
  const cluster = perValue('cluster-');
  const rack = perValue('rack-');
  const group = perValue('group-');
  const dc = perValue('dc-');
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    all.push(i);
    byLifecycle[r.lifecycle].push(i);
    if (r.ticket !== null) ticketed.push(i);
    if (r.exclude !== null) excluded.push(i);
    cluster(r.cluster, i);
    rack(r.rack, i);
    group(r.dataGroup, i);
    dc(r.dc, i);
  }
  return s.result();
}

/** `format: auto`: the origin's extension, else the content (`[` JSON, a TAB in the first line that is not blank or `#` TSV, else CSV). */
function detectFormat(t: string, origin: string, format: NonNullable<InventoryMapping['format']>): 'tsv' | 'csv' | 'json' {
  if (format !== 'auto') return format;
  const ext = /\.(tsv|csv|json)(\?.*)?$/i.exec(origin);
  if (ext) return ext[1].toLowerCase() as 'tsv' | 'csv' | 'json';
  if (t.trimStart().startsWith('[')) return 'json';
  for (let pos = 0; pos < t.length; ) {
    const end = lineEnd(t, pos);
    const line = t.slice(pos, end);
    if (!isSkipped(line)) return line.includes('\t') ? 'tsv' : 'csv';
    pos = end + 1;
  }
  return 'csv';
}

/** Feed the header (given, or the first line that is not skipped) and then each record to `rows`. */
function readDelimitedRows(t: string, origin: string, format: 'tsv' | 'csv', givenHeader: readonly string[] | undefined, rows: RowCollector): void {
  let width = givenHeader ? givenHeader.length : -1;
  if (givenHeader) rows.header(givenHeader, 0);
  const separator = format === 'tsv' ? 'TAB' : 'comma';
  const sep = format === 'tsv' ? '\t' : ',';
  // One array for the fields of every unquoted line (a reader of 100,000 lines, not 100,000 arrays).
  const fields: string[] = [];
  // Where the next `"` is (CSV only; -1: none left): found once per quote, not searched per line.
  let nextQuote = format === 'csv' ? t.indexOf('"') : -1;
  let index = 0;
  let pos = 0;
  let line = 1;
  while (pos < t.length) {
    let end = lineEnd(t, pos);
    let breaks = 0;
    const to = end > pos && t.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const c = t.charCodeAt(pos);
    // Only a line that is empty or starts with '#', blank or CR can be skipped.
    if (pos < to && !((c === 35 || c === 32 || c === 9 || c === 13) && isSkipped(t.slice(pos, to)))) {
      let cells: string[];
      let count: number;
      if (nextQuote >= 0 && nextQuote < pos) nextQuote = t.indexOf('"', pos);
      if (nextQuote >= 0 && nextQuote < to) {
        ({ fields: cells, end, breaks } = csvRecordAt(t, pos, line, origin));
        count = cells.length;
      } else {
        count = splitFields(t, pos, to, sep, fields);
        cells = fields;
      }
      if (width < 0) {
        width = count;
        rows.header(cells.slice(0, count), line);
      } else if (count !== width) {
        const quote = format === 'csv' && count > width ? '; a value holding a comma must be quoted ("yes, until Monday")' : '';
        throw new InputError({ origin, line, field: 'row' }, `expected ${width} ${separator}-separated fields as in the header, got ${count}${quote}`);
      } else {
        rows.record(cells, line, index++);
      }
    }
    pos = end + 1;
    line += 1 + breaks;
  }
  if (width < 0) throw new InputError({ origin, field: '(document)' }, 'expected a header line naming the columns (host, lifecycle, …), got an empty file');
}

/** One JSON inventory row: an object of strings, numbers (read as text) and nulls (none). */
const JsonRowSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

/** Feed a JSON array of row objects to `rows`: the header is every key seen (case-insensitive, first spelling). */
function readJsonRows(t: string, origin: string, rows: RowCollector): void {
  const doc = parseJsonDocument(t, origin, 'an array of inventory row objects');
  if (!Array.isArray(doc)) {
    throw new InputError({ origin, field: '(document)' }, `expected a JSON array of row objects ([{"host": …, "lifecycle": …}, …]), got ${kindOf(doc)}`);
  }
  if (doc.length === 0) return; // no rows, no columns to check: an empty inventory (the pass fails closed on it)
  const header: string[] = [];
  const column = new Map<string, number>();
  const objects = doc.map((item, index) => {
    const parsed = JsonRowSchema.safeParse(item);
    if (!parsed.success) {
      const key = parsed.error.issues[0].path[0];
      if (key === undefined) throw new InputError({ origin, field: formatPath([index]) }, `expected a row object such as {"host": "dn1.example.com", "lifecycle": "managed"}, got ${kindOf(item)}`);
      const value = (item as Record<string, unknown>)[key as string];
      throw new InputError({ origin, field: formatPath([index, key]) }, `expected a string, a number or null (none), got ${kindOf(value)}`);
    }
    for (const k of Object.keys(parsed.data)) {
      const lower = k.trim().toLowerCase();
      if (!column.has(lower)) {
        column.set(lower, header.length);
        header.push(k);
      }
    }
    return parsed.data;
  });
  rows.header(header, 0);
  objects.forEach((o, index) => {
    const cells: string[] = new Array<string>(header.length).fill('');
    const seen = new Set<number>();
    for (const [k, v] of Object.entries(o)) {
      const i = column.get(k.trim().toLowerCase())!;
      if (seen.has(i)) throw new InputError({ origin, field: formatPath([index, k]) }, `the keys "${header[i]}" and "${k}" name the same column; keep one`);
      seen.add(i);
      cells[i] = v === null ? '' : String(v);
    }
    rows.record(cells, 0, index);
  });
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}
