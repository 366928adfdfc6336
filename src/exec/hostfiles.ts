/**
 * Exclude files as Hadoop reads them, and the smallest edit that drains or returns hosts: only
 * the bytes of the entries concerned change; comments, order, blank lines and every other host
 * stay byte-for-byte (an operator's file is theirs).
 *
 * Formats (Apache Hadoop):
 * - `plain`: `dfs.hosts.exclude` / `yarn.resourcemanager.nodes.exclude-path` as read by
 *   `HostsFileReader.readFileToSet`: each line split on whitespace; a token starting with `#`
 *   ends the line (a comment). Several hosts on one line are allowed.
 * - `hdfs-json`: the hosts file of `CombinedHostFileManager` (`dfs.hosts`, HdfsDataNodeAdminGuide):
 *   a JSON array of `{hostName, port?, upgradeDomain?, adminState?, maintenanceExpireTimeInMS?}`
 *   (Hadoop 3, HDFS-12473), or the legacy form, the same objects concatenated with no array.
 *   This one file is both include and exclude: a host is drained by setting its `adminState` to
 *   `DECOMMISSIONED`, returned by removing that `adminState`. A host the file does not list is
 *   not in the cluster at all, and a file that lists nobody admits every DataNode, so a host is
 *   never added to it (adding one to an empty file would shut every other DataNode out).
 * - `yarn-xml`: the ResourceManager's XML exclude file (GracefulDecommission.md):
 *   `<hosts><host><name>h1</name><timeout>secs</timeout></host>…</hosts>`, where `<name>` may
 *   hold several hosts separated by commas and/or whitespace and `<timeout>` is optional.
 *
 * Host names in files are compared lower-cased (DNS is case-insensitive); hosts given to edits
 * are plan hosts, already normalised.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { isValidHostname } from '../hosts.js';

/** The exclude-file formats. */
export const EXCLUDE_FORMATS = ['plain', 'hdfs-json', 'yarn-xml'] as const;
export type ExcludeFormat = (typeof EXCLUDE_FORMATS)[number];

/** The result of an edit: the new text and what happened to each host asked for. */
export interface ExcludeEdit {
  text: string;
  /** Hosts the edit drains (or returns); the file changed for them. */
  changed: string[];
  /** Hosts already as asked (drain: already excluded; return: not excluded). Nothing written for them. */
  unchanged: string[];
  /** Hosts the edit cannot handle, with why (e.g. not listed in a JSON hosts file). Nothing written for them. */
  refused: { host: string; problem: string }[];
}

/** Options of {@link addExcluded}. */
export interface AddOptions {
  /** `yarn-xml`: graceful decommission timeout written as `<timeout>`, in seconds; none when unset. */
  timeoutSeconds?: number;
}

/**
 * The hosts an exclude file drains, lower-cased, in file order without duplicates.
 * @throws InputError (naming `origin`, and the entry) when the file is not in `format`.
 */
export function excludedHosts(format: ExcludeFormat, text: string, origin: string): string[] {
  const out = new Set<string>();
  if (format === 'plain') for (const line of plainLines(text)) for (const t of line.tokens) out.add(t.host);
  else if (format === 'hdfs-json') for (const e of jsonEntries(text, origin).entries) { if (e.value.adminState === 'DECOMMISSIONED') out.add(e.host); }
  else for (const el of xmlHosts(text, origin).elements) for (const n of el.names) out.add(n.host);
  return [...out];
}

/**
 * Add `hosts` to the exclude file: already-excluded hosts are left alone (never duplicated), and
 * nothing else in the text changes. `plain` appends one host per line at the end; `yarn-xml`
 * appends one `<host>` element before `</hosts>` (indented like the element before); `hdfs-json`
 * sets `adminState` of the host's own entries, rewriting only those objects. A host that is not
 * a DNS name (src/hosts.ts) is refused, never written.
 * @throws InputError when the text is not in `format`.
 */
export function addExcluded(format: ExcludeFormat, text: string, hosts: readonly string[], origin: string, opts: AddOptions = {}): ExcludeEdit {
  return validHostsOnly(text, hosts, origin, (valid) => addValid(format, text, valid, origin, opts));
}

function addValid(format: ExcludeFormat, text: string, hosts: readonly string[], origin: string, opts: AddOptions): ExcludeEdit {
  const already = new Set(excludedHosts(format, text, origin));
  const unchanged = hosts.filter((h) => already.has(h));
  const todo = [...new Set(hosts.filter((h) => !already.has(h)))];
  if (todo.length === 0) return { text, changed: [], unchanged, refused: [] };
  if (format === 'plain') {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return { text: text + sep + todo.map((h) => `${h}\n`).join(''), changed: todo, unchanged, refused: [] };
  }
  if (format === 'yarn-xml') return { text: addXml(text, todo, origin, opts.timeoutSeconds), changed: todo, unchanged, refused: [] };
  return editJson(text, origin, todo, unchanged, 'drain');
}

/**
 * Remove `hosts` from the exclude file (return them to service); hosts not excluded are left
 * alone and nothing else changes. A `plain` line or `yarn-xml` element holding only that host
 * goes whole; one holding others too loses just that name.
 * @throws InputError when the text is not in `format`.
 */
export function removeExcluded(format: ExcludeFormat, text: string, hosts: readonly string[], origin: string): ExcludeEdit {
  return validHostsOnly(text, hosts, origin, (valid) => removeValid(format, text, valid, origin));
}

function removeValid(format: ExcludeFormat, text: string, hosts: readonly string[], origin: string): ExcludeEdit {
  const present = new Set(excludedHosts(format, text, origin));
  const unchanged = hosts.filter((h) => !present.has(h));
  const todo = new Set(hosts.filter((h) => present.has(h)));
  if (todo.size === 0) return { text, changed: [], unchanged, refused: [] };
  if (format === 'hdfs-json') return editJson(text, origin, [...todo], unchanged, 'return');
  const cuts: Cut[] = [];
  if (format === 'plain') {
    for (const line of plainLines(text)) {
      const gone = line.tokens.filter((t) => todo.has(t.host));
      if (gone.length === 0) continue;
      if (gone.length === line.tokens.length && !line.hasComment) cuts.push({ start: line.start, end: line.end, with: '' });
      else for (const t of gone) cuts.push({ start: t.start, end: spaceAfter(text, t.end), with: '' });
    }
  } else {
    for (const el of xmlHosts(text, origin).elements) {
      const keep = el.names.filter((n) => !todo.has(n.host));
      if (keep.length === el.names.length) continue;
      if (keep.length === 0) cuts.push(wholeLineOr(text, el.start, el.end));
      else cuts.push({ start: el.nameStart, end: el.nameEnd, with: keep.map((n) => n.raw).join(', ') });
    }
  }
  return { text: applyCuts(text, cuts), changed: [...todo], unchanged, refused: [] };
}

/**
 * Defence in depth: a host that is not a DNS name (src/hosts.ts) is refused before any edit, so
 * no string from a tampered plan can reach an exclude file (a newline would add a line, `<` an
 * XML element). Plan hosts are validated when read too (src/plan/store.ts).
 */
function validHostsOnly(text: string, hosts: readonly string[], origin: string, edit: (valid: string[]) => ExcludeEdit): ExcludeEdit {
  const invalid = hosts.filter((h) => !isValidHostname(h));
  if (invalid.length === 0) return edit([...hosts]);
  const valid = hosts.filter((h) => isValidHostname(h));
  const r = valid.length ? edit(valid) : { text, changed: [], unchanged: [], refused: [] };
  return { ...r, refused: [...invalid.map((h) => ({ host: h, problem: `${JSON.stringify(h)} is not a DNS host name (lower case letters, digits, - and .): never written into ${origin}` })), ...r.refused] };
}

// ---- plain ----------------------------------------------------------------------------------

interface PlainLine { start: number; end: number; tokens: { host: string; start: number; end: number }[]; hasComment: boolean }

/** Lines with their host tokens and offsets (`end` includes the newline). */
function plainLines(text: string): PlainLine[] {
  const out: PlainLine[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    const tokens: PlainLine['tokens'] = [];
    let hasComment = false;
    const re = /[^ \t\n\f\r]+/g;
    const body = text.slice(start, end);
    for (let m = re.exec(body); m; m = re.exec(body)) {
      if (m[0].startsWith('#')) { hasComment = true; break; }
      tokens.push({ host: m[0].toLowerCase(), start: start + m.index, end: start + m.index + m[0].length });
    }
    out.push({ start, end, tokens, hasComment });
    start = end;
  }
  return out;
}

function spaceAfter(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

// ---- hdfs-json ------------------------------------------------------------------------------

/** One entry of a CombinedHostFileManager hosts file (`DatanodeAdminProperties`). */
const HostEntrySchema = z.looseObject({
  hostName: z.string().min(1),
  port: z.number().int().optional(),
  upgradeDomain: z.string().optional(),
  adminState: z.enum(['NORMAL', 'DECOMMISSIONED', 'DECOMMISSION_INPROGRESS', 'IN_MAINTENANCE', 'ENTERING_MAINTENANCE']).optional(),
  maintenanceExpireTimeInMS: z.union([z.number(), z.string()]).optional(),
});

interface JsonEntry { host: string; value: z.infer<typeof HostEntrySchema>; start: number; end: number }

/** The top-level objects of the file with their offsets; `array` when the Hadoop 3 array form. */
function jsonEntries(text: string, origin: string): { entries: JsonEntry[]; array: boolean; close: number } {
  const first = text.search(/\S/);
  const array = first >= 0 && text[first] === '[';
  const objectDepth = array ? 1 : 0;
  const entries: JsonEntry[] = [];
  let depth = 0;
  let inString = false;
  let objStart = -1;
  let close = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (c === '{' && depth === objectDepth) objStart = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) throw new InputError({ origin, field: `offset ${i}` }, `unbalanced ${c}: expected a JSON hosts file (an array of {"hostName": …} objects)`);
      if (c === '}' && depth === objectDepth) entries.push(parseEntry(text.slice(objStart, i + 1), objStart, i + 1, entries.length, origin));
      if (c === ']' && array && depth === 0) close = i;
    }
  }
  if (depth !== 0 || inString) throw new InputError({ origin }, 'the JSON hosts file ends inside an object or string: it is truncated');
  if (array) {
    // Parse the whole thing too: the scanner above is only for offsets.
    try {
      JSON.parse(text);
    } catch (e) {
      throw new InputError({ origin }, `not JSON: ${(e as Error).message}`);
    }
  }
  return { entries, array, close };
}

function parseEntry(span: string, start: number, end: number, index: number, origin: string): JsonEntry {
  let data: unknown;
  try {
    data = JSON.parse(span);
  } catch (e) {
    throw new InputError({ origin, field: `[${index}]` }, `not a JSON object: ${(e as Error).message}`);
  }
  const r = HostEntrySchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError({ origin, field: `[${index}].${issue.path.join('.') || '(entry)'}` }, `${issue.message} (expected {"hostName": string, "port"?: number, "upgradeDomain"?: string, "adminState"?: NORMAL|DECOMMISSIONED|IN_MAINTENANCE, …})`);
  }
  return { host: r.data.hostName.trim().toLowerCase(), value: r.data, start, end };
}

function editJson(text: string, origin: string, todo: readonly string[], unchanged: string[], mode: 'drain' | 'return'): ExcludeEdit {
  const { entries } = jsonEntries(text, origin);
  const cuts: Cut[] = [];
  const changed: string[] = [];
  const refused: ExcludeEdit['refused'] = [];
  for (const host of todo) {
    const mine = entries.filter((e) => e.host === host);
    if (mode === 'drain') {
      if (entries.length === 0) { refused.push({ host, problem: `${origin} lists no host, so it admits every DataNode: adding one entry would shut out all the others; list the cluster's hosts in it first` }); continue; }
      if (mine.length === 0) { refused.push({ host, problem: `${origin} does not list ${host}, so it is not a DataNode of this cluster` }); continue; }
      const blocked = mine.find((e) => e.value.adminState !== undefined && e.value.adminState !== 'NORMAL');
      if (blocked) { refused.push({ host, problem: `its entry in ${origin} has adminState ${blocked.value.adminState}; only NORMAL hosts are drained` }); continue; }
    }
    for (const e of mine) {
      if (mode === 'return' && e.value.adminState !== 'DECOMMISSIONED') continue;
      const next: Record<string, unknown> = { ...e.value };
      if (mode === 'drain') next.adminState = 'DECOMMISSIONED';
      else delete next.adminState;
      cuts.push({ start: e.start, end: e.end, with: renderLike(text.slice(e.start, e.end), next, lineIndent(text, e.start)) });
    }
    changed.push(host);
  }
  return { text: applyCuts(text, cuts), changed, unchanged, refused };
}

/** An object written in the style of `original`: on one line (`{"k": v, …}`) or one key a line. */
function renderLike(original: string, value: Record<string, unknown>, indent: string): string {
  const sep = /"\s*:\s/.test(original) ? ': ' : ':';
  const pairs = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}${sep}${JSON.stringify(v)}`);
  if (!original.includes('\n')) return `{${pairs.join(', ')}}`;
  const keyIndent = /\{\s*\n([ \t]*)/.exec(original)?.[1] ?? `${indent}  `;
  return `{\n${pairs.map((p) => keyIndent + p).join(',\n')}\n${indent}}`;
}

// ---- yarn-xml -------------------------------------------------------------------------------

interface XmlHost { start: number; end: number; nameStart: number; nameEnd: number; names: { host: string; raw: string }[] }

/** `<host>` elements outside comments, with the offsets of their `<name>` text. */
function xmlHosts(text: string, origin: string): { elements: XmlHost[]; close: number } {
  const masked = text.replace(/<!--[\s\S]*?-->/g, (m) => ' '.repeat(m.length));
  const elements: XmlHost[] = [];
  if (masked.trim() === '') return { elements, close: -1 };
  const open = masked.search(/<hosts\s*>/);
  const close = masked.lastIndexOf('</hosts>');
  if (open < 0 || close < open) throw new InputError({ origin }, 'expected a YARN XML exclude file: <hosts><host><name>…</name></host>…</hosts>');
  const re = /<host\s*>([\s\S]*?)<\/host\s*>/g;
  for (let m = re.exec(masked); m; m = re.exec(masked)) {
    const inner = m.index + m[0].indexOf('>') + 1;
    const name = /<name\s*>([^<]*)<\/name\s*>/.exec(m[1]);
    if (!name) throw new InputError({ origin, field: `<host> at offset ${m.index}` }, 'a <host> element without <name>');
    const nameStart = inner + name.index + name[0].indexOf('>') + 1;
    const raw = name[1];
    const timeout = /<timeout\s*>([^<]*)<\/timeout\s*>/.exec(m[1]);
    if (timeout && !/^\s*-?\d+\s*$/.test(timeout[1])) throw new InputError({ origin, field: `<timeout> of ${raw.trim()}` }, `expected whole seconds (or -1), got ${JSON.stringify(timeout[1])}`);
    elements.push({
      start: m.index, end: m.index + m[0].length, nameStart, nameEnd: nameStart + raw.length,
      names: raw.split(/[,\s]+/).filter(Boolean).map((n) => ({ host: n.toLowerCase(), raw: n })),
    });
  }
  return { elements, close };
}

function addXml(text: string, hosts: readonly string[], origin: string, timeoutSeconds?: number): string {
  const { elements, close } = xmlHosts(text, origin);
  const el = (h: string) => `<host><name>${h}</name>${timeoutSeconds === undefined ? '' : `<timeout>${timeoutSeconds}</timeout>`}</host>`;
  if (close < 0) return `<?xml version="1.0"?>\n<hosts>\n${hosts.map((h) => `  ${el(h)}\n`).join('')}</hosts>\n`;
  const indent = elements.length ? lineIndent(text, elements[elements.length - 1].start) : '  ';
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const ownLine = text.slice(lineStart, close).trim() === '';
  const insert = ownLine ? hosts.map((h) => `${indent}${el(h)}\n`).join('') : hosts.map(el).join('');
  const at = ownLine ? lineStart : close;
  return text.slice(0, at) + insert + text.slice(at);
}

// ---- edits ----------------------------------------------------------------------------------

interface Cut { start: number; end: number; with: string }

function applyCuts(text: string, cuts: Cut[]): string {
  let out = '';
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, c.start) + c.with;
    at = c.end;
  }
  return out + text.slice(at);
}

/** The whitespace before `i` on its line. */
function lineIndent(text: string, i: number): string {
  const lineStart = text.lastIndexOf('\n', i - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, i))![0];
}

/** The span `start..end`, widened to its whole line when nothing else is on that line. */
function wholeLineOr(text: string, start: number, end: number): Cut {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', end);
  const lineEnd = nl < 0 ? text.length : nl + 1;
  const alone = text.slice(lineStart, start).trim() === '' && text.slice(end, lineEnd).trim() === '';
  return alone ? { start: lineStart, end: lineEnd, with: '' } : { start, end, with: '' };
}
