/**
 * Inventory observer: the machine database export (DESIGN.md §1) — cluster, role, rack, data
 * group, lifecycle, ticket and the operator's exclude intent, per host.
 *
 * Canonical format: TSV or CSV with a header naming the columns
 * `host, dc, cluster, role, rack, data_group, lifecycle, ticket, exclude` (any order, case-
 * insensitive, other columns ignored); `-` or empty means none; `lifecycle` is one of
 * `allocated, managed, repair, decommissioned`. Or JSON: an array of row objects with the same
 * keys. A {@link InventoryMapping} reads a foreign export as is: column names, lifecycle values,
 * defaults for absent columns, the latest row of a history, and a host-name transform.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { normalizeHost } from '../hosts.js';
import { toHostSet, type HostSet } from '../sets/hostset.js';
import { setNameSuffix } from '../sets/names.js';
import { csvRecordAt, isSkipped, lineEnd } from './delimited.js';
import { parseJsonDocument } from './json.js';
import { LIFECYCLES, type InventoryRow, type Lifecycle, type ParsedSource } from './types.js';

/** Canonical inventory columns. */
export const INVENTORY_COLUMNS = ['host', 'dc', 'cluster', 'role', 'rack', 'data_group', 'lifecycle', 'ticket', 'exclude'] as const;
type Column = (typeof INVENTORY_COLUMNS)[number];
const DEFAULTABLE = ['dc', 'cluster', 'role', 'rack', 'data_group', 'lifecycle'] as const;

const optionalColumns = Object.fromEntries(INVENTORY_COLUMNS.map((c) => [c, z.string().min(1).optional()])) as Record<Column, z.ZodOptional<z.ZodString>>;

/**
 * How to read a foreign export (the `mapping:` of an inventory source, or `--inventory-mapping FILE`):
 * - `format`: `auto` (by file extension, then content: `[` JSON, a TAB in the header TSV, else CSV), `tsv`, `csv`, `json`;
 * - `header`: column names for a headerless export (its first line is then data);
 * - `columns`: canonical column → the export's column name, e.g. `{host: machine_id, rack: failure_domain_1}`;
 * - `values.lifecycle`: export value → lifecycle, e.g. `{USING: managed, IMPORT_INSTALLING: allocated}`;
 * - `defaults`: value of a canonical column the export does not have, e.g. `{cluster: alibaba}`;
 * - `latestBy`: the export is a history with several rows per host: keep the row with the greatest
 *   value of this column (numeric when both values are numbers);
 * - `hostTransform`: `replace` pairs (literal, every occurrence) then a `suffix`, applied to the
 *   export's id before it is checked as a DNS name: `m_2739` → `m-2739.demo.test`.
 */
export const InventoryMappingSchema = z
  .object({
    format: z.enum(['auto', 'tsv', 'csv', 'json']).optional(),
    header: z.array(z.string().min(1)).min(1).optional(),
    columns: z.object(optionalColumns).strict().optional(),
    values: z.object({ lifecycle: z.record(z.string(), z.enum(LIFECYCLES)).optional() }).strict().optional(),
    defaults: z.object(Object.fromEntries(DEFAULTABLE.map((c) => [c, z.string().min(1).optional()])) as Record<(typeof DEFAULTABLE)[number], z.ZodOptional<z.ZodString>>).strict().optional(),
    latestBy: z.string().min(1).optional(),
    hostTransform: z.object({ replace: z.array(z.tuple([z.string().min(1), z.string()])).optional(), suffix: z.string().optional() }).strict().optional(),
  })
  .strict();
export type InventoryMapping = z.infer<typeof InventoryMappingSchema>;

/** One record before it becomes a row: its line (1-based, 0 for JSON) or JSON index, and a value getter. */
interface RawRecord {
  line: number;
  index: number;
  get: (column: number) => string;
}

/**
 * Parse an inventory export into rows (sorted by host) and the inventory raw sets: `all`,
 * `managed`, `allocated`, `repair`, `decommissioned`, `ticketed`, `excluded`, and per value
 * `cluster-<name>`, `rack-<name>`, `group-<data group>`, `dc-<name>` (suffix by `setNameSuffix`).
 * @throws InputError naming `origin`, the line (or JSON index) and the field for: no header, a
 *   missing `host` or `lifecycle` column, a row with a different number of fields, an invalid
 *   host name, an unknown lifecycle value, a host on two rows (without `latestBy`), bad JSON.
 */
export function parseInventory(text: string, origin: string, mapping: InventoryMapping = {}): ParsedSource<InventoryRow> {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = detectFormat(t, origin, mapping.format ?? 'auto');
  const lifecycleValues = new Map<string, Lifecycle>();
  for (const [k, v] of Object.entries(mapping.values?.lifecycle ?? {})) lifecycleValues.set(k, v).set(k.toLowerCase(), v);
  const where = (r: RawRecord, field: string) => (format === 'json' ? { origin, field: `[${r.index}].${field}` } : { origin, line: r.line, field });

  // Rows in parallel arrays, not one wrapper object per row: a 100k-host export stays small.
  const rows: InventoryRow[] = [];
  const rowAt: number[] = []; // line (delimited) or array index (JSON) of each row, for messages
  const rowLatest: string[] = [];
  const byHost = new Map<string, number>();
  let superseded = 0;
  let col = {} as Record<Column, number>;
  let latestIdx = -1;
  const onHeader = (header: readonly string[], headerLine: number) => {
    col = resolveColumns(header, headerLine, origin, mapping);
    latestIdx = mapping.latestBy === undefined ? -1 : header.findIndex((h) => h.trim().toLowerCase() === mapping.latestBy!.toLowerCase());
    if (mapping.latestBy !== undefined && latestIdx < 0) {
      throw new InputError({ origin, line: headerLine || undefined, field: mapping.latestBy }, `mapping.latestBy names column "${mapping.latestBy}", which the export does not have (columns: ${header.join(', ')})`);
    }
  };
  const onRecord = (rec: RawRecord) => {
    const value = (c: Column): string | null => {
      const i = col[c];
      const v = i < 0 ? (mapping.defaults as Record<string, string | undefined> | undefined)?.[c] ?? '' : rec.get(i).trim();
      return v === '' || v === '-' ? null : v;
    };
    const rawHost = value('host');
    if (rawHost === null) throw new InputError(where(rec, 'host'), 'expected a host name, got an empty field');
    const key = normalizeHost(transformHost(rawHost, mapping));
    if (!key.ok) throw new InputError(where(rec, 'host'), key.problem);
    const rawLifecycle = value('lifecycle');
    const lifecycle = rawLifecycle === null ? null : lifecycleValues.get(rawLifecycle) ?? lifecycleValues.get(rawLifecycle.toLowerCase()) ?? canonicalLifecycle(rawLifecycle);
    if (lifecycle === null) {
      const known = lifecycleValues.size ? `, or one of the mapping's values (${Object.keys(mapping.values!.lifecycle!).join(', ')})` : '';
      const hint = rawLifecycle && /^[A-Z_]+$/.test(rawLifecycle) ? '; a foreign export value? add it to the mapping values.lifecycle' : '';
      throw new InputError(where(rec, 'lifecycle'), `expected one of ${LIFECYCLES.join(', ')}${known}, got ${JSON.stringify(rawLifecycle ?? '')}${hint}`);
    }
    const row: InventoryRow = {
      host: key.host, dc: value('dc'), cluster: value('cluster'), role: value('role'), rack: value('rack'),
      dataGroup: value('data_group'), lifecycle, ticket: value('ticket'), exclude: value('exclude'),
    };
    const latest = latestIdx < 0 ? '' : rec.get(latestIdx).trim();
    const at = format === 'json' ? rec.index : rec.line;
    const before = byHost.get(key.host);
    if (before !== undefined) {
      if (latestIdx < 0) {
        const name = (n: number) => (format === 'json' ? `[${n}]` : `line ${n}`);
        throw new InputError(where(rec, 'host'), `${key.host} is listed twice (${name(rowAt[before])} and ${name(at)}); the inventory is ambiguous, fix the export (or set mapping.latestBy for a history)`);
      }
      superseded++;
      if (compareLatest(latest, rowLatest[before]) >= 0) {
        rows[before] = row;
        rowAt[before] = at;
        rowLatest[before] = latest;
      }
      return;
    }
    byHost.set(key.host, rows.length);
    rows.push(row);
    rowAt.push(at);
    if (latestIdx >= 0) rowLatest.push(latest);
  };
  if (format === 'json') jsonRecords(t, origin, onHeader, onRecord);
  else delimitedRecords(t, origin, format, mapping.header, onHeader, onRecord);

  rows.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const notes = superseded ? [`${superseded} older rows of the same hosts dropped (latest by ${mapping.latestBy})`] : [];
  return { kind: 'inventory', origin, rows, sets: inventorySets(rows), notes };
}

/** The inventory raw sets of rows (see {@link parseInventory}). */
export function inventorySets(rows: readonly InventoryRow[]): Record<string, HostSet> {
  const lists: Record<string, string[]> = { all: [], managed: [], allocated: [], repair: [], decommissioned: [], ticketed: [], excluded: [] };
  const add = (name: string, host: string) => (lists[name] ??= []).push(host);
  for (const r of rows) {
    lists.all.push(r.host);
    lists[r.lifecycle].push(r.host);
    if (r.ticket !== null) lists.ticketed.push(r.host);
    if (r.exclude !== null) lists.excluded.push(r.host);
    if (r.cluster !== null) add(`cluster-${setNameSuffix(r.cluster)}`, r.host);
    if (r.rack !== null) add(`rack-${setNameSuffix(r.rack)}`, r.host);
    if (r.dataGroup !== null) add(`group-${setNameSuffix(r.dataGroup)}`, r.host);
    if (r.dc !== null) add(`dc-${setNameSuffix(r.dc)}`, r.host);
  }
  return Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, toHostSet(v)]));
}

function canonicalLifecycle(v: string): Lifecycle | null {
  const l = v.toLowerCase();
  return (LIFECYCLES as readonly string[]).includes(l) ? (l as Lifecycle) : null;
}

function transformHost(raw: string, mapping: InventoryMapping): string {
  const tr = mapping.hostTransform;
  if (!tr) return raw;
  let s = raw;
  for (const [from, to] of tr.replace ?? []) s = s.split(from).join(to);
  return s + (tr.suffix ?? '');
}

function compareLatest(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function detectFormat(t: string, origin: string, format: NonNullable<InventoryMapping['format']>): 'tsv' | 'csv' | 'json' {
  if (format !== 'auto') return format;
  const ext = /\.(tsv|csv|json)(\?.*)?$/i.exec(origin);
  if (ext) return ext[1].toLowerCase() as 'tsv' | 'csv' | 'json';
  if (t.trimStart().startsWith('[')) return 'json';
  const firstLine = t.slice(0, lineEnd(t, 0));
  return firstLine.includes('\t') ? 'tsv' : 'csv';
}

function resolveColumns(header: readonly string[], headerLine: number, origin: string, mapping: InventoryMapping): Record<Column, number> {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    const k = h.trim().toLowerCase();
    if (!index.has(k)) index.set(k, i);
  });
  const out = {} as Record<Column, number>;
  for (const c of INVENTORY_COLUMNS) {
    const name = (mapping.columns?.[c] ?? c).toLowerCase();
    out[c] = index.get(name) ?? -1;
  }
  for (const c of ['host', 'lifecycle'] as const) {
    if (out[c] < 0 && !(c === 'lifecycle' && mapping.defaults?.lifecycle)) {
      const mapped = mapping.columns?.[c];
      throw new InputError(
        { origin, line: headerLine || undefined, field: c },
        `missing column ${JSON.stringify(mapped ?? c)} (columns found: ${header.map((h) => h.trim()).join(', ') || 'none'}); ` +
          `name it in the header, or map the export's column with mapping.columns.${c}`,
      );
    }
  }
  return out;
}

type OnHeader = (header: readonly string[], headerLine: number) => void;
type OnRecord = (rec: RawRecord) => void;

/** Stream the records of delimited text: the header first, then each record (nothing is kept). */
function delimitedRecords(t: string, origin: string, format: 'tsv' | 'csv', givenHeader: string[] | undefined, onHeader: OnHeader, onRecord: OnRecord): void {
  let header = givenHeader;
  if (header) onHeader(header, 0);
  const rec: RawRecord & { fields: string[] } = { line: 0, index: -1, fields: [], get: (i) => rec.fields[i] };
  let pos = 0;
  let line = 1;
  while (pos < t.length) {
    let fields: string[];
    let end = lineEnd(t, pos);
    let breaks = 0;
    const content = t.slice(pos, end > pos && t.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (isSkipped(content)) {
      pos = end + 1;
      line++;
      continue;
    }
    if (format === 'tsv') fields = content.split('\t');
    else if (content.includes('"')) ({ fields, end, breaks } = csvRecordAt(t, pos, line, origin));
    else fields = content.split(',');
    if (!header) {
      header = fields;
      onHeader(header, line);
    } else {
      if (fields.length !== header.length) {
        throw new InputError({ origin, line, field: 'row' }, `expected ${header.length} ${format === 'tsv' ? 'TAB' : 'comma'}-separated fields as in the header, got ${fields.length}`);
      }
      rec.line = line;
      rec.index++;
      rec.fields = fields;
      onRecord(rec);
    }
    pos = end + 1;
    line += 1 + breaks;
  }
  if (!header) throw new InputError({ origin, field: '(document)' }, 'expected a header line naming the columns (host, lifecycle, …), got an empty file');
}

const JsonRow = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

function jsonRecords(t: string, origin: string, onHeader: OnHeader, onRecord: OnRecord): void {
  const doc = parseJsonDocument(t, origin, 'an array of inventory rows');
  if (!Array.isArray(doc)) throw new InputError({ origin, field: '(document)' }, `expected a JSON array of row objects, got ${doc === null ? 'null' : typeof doc}`);
  const header: string[] = [];
  const seen = new Map<string, number>();
  const records: RawRecord[] = doc.map((item, index) => {
    const parsed = JsonRow.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError({ origin, field: `[${index}]${issue.path.length ? '.' + issue.path.join('.') : ''}` }, `expected an object of strings, numbers or nulls: ${issue.message}`);
    }
    const values: string[] = [];
    for (const [k, v] of Object.entries(parsed.data)) {
      let i = seen.get(k.toLowerCase());
      if (i === undefined) {
        seen.set(k.toLowerCase(), (i = header.length));
        header.push(k);
      }
      values[i] = v === null ? '' : String(v);
    }
    return { line: 0, index, get: (i: number) => values[i] ?? '' };
  });
  onHeader(header, 0);
  for (const r of records) onRecord(r);
}
