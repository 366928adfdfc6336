/**
 * HDFS control plane, CLI flavour: the text of `hdfs dfsadmin -report`.
 *
 * Format reference (Apache Hadoop): `org.apache.hadoop.hdfs.tools.DFSAdmin#report` prints a
 * cluster header, then one section per node list —
 * `Live datanodes (N):`, `Dead datanodes (N):`, `Decommissioning datanodes (N):`,
 * `Entering maintenance datanodes (N):`, `In maintenance datanodes (N):` — and under each one
 * `DatanodeInfo#getDatanodeReport()` per DataNode:
 *
 * ```
 * Name: 10.10.6.14:30010 (wn2-ax.internal.cloudapp.net)   ← xfer address (reverse-DNS name)
 * Hostname: wn2-ax.internal.cloudapp.net
 * Rack: /dc1/rack12                                      ← omitted for /default-rack
 * Upgrade domain: ud1                                    ← 3.x, when one is set
 * Decommission Status : Normal | Decommission in progress | Decommissioned
 *                       | Entering maintenance | In maintenance
 * Configured Capacity: …  (ignored)
 * ```
 *
 * Header layouts: 2.x prints `Under replicated blocks:` / `Missing blocks:` flat; 3.x groups them
 * under `Replicated Blocks:` (sub-items TAB-indented) and adds `Erasure Coded Block Groups:` with
 * `Low redundancy block groups:` / `Missing block groups:`. Indentation is tabs or spaces, as
 * copies of the output vary. The Hadoop 1.x layout (`Datanodes available: …`, no sections) is
 * refused: it does not say which nodes are dead.
 */
import { InputError } from '../errors.js';
import { detachValue, normalizeHost } from '../hosts.js';
import { byteOrder } from '../sets/hostset.js';
import { hdfsSets, sample } from './common.js';
import { nameSetsOnRead } from '../sets/indexset.js';
import type { HdfsAdminState, HdfsBlockCounts, HdfsNodeRow, ParsedSource } from './types.js';

/**
 * Parse `hdfs dfsadmin -report` text (2.x or 3.x layout, whole or grep-filtered) into one
 * {@link HdfsNodeRow} per DataNode, the seven HDFS raw sets (see `hdfsSets`) and the header's block
 * counters in `blocks` (counts of blocks; present when the header has at least one counter).
 *
 * Host key per DataNode: `Hostname:`, else the reverse-DNS name in `Name: addr (name)`, else the
 * `Name:` address (port dropped), each through `normalizeHost`. `live` is false in the Dead
 * section, true in the Live section; a DataNode seen only outside those (a grep-filtered report,
 * or only under Decommissioning / maintenance) is counted as live, with a note. `adminState` maps
 * `Decommission Status` (`Normal` → `In Service`, `Decommission in progress` →
 * `Decommission In Progress`, …). `underReplicatedBlocks` / `missingBlocks` add the erasure-coded
 * block groups to the replicated blocks when the 3.x report lists both, as the NameNode's own
 * `UnderReplicatedBlocks` / `MissingBlocks` counters do. Rows are sorted by host.
 *
 * One pass over the lines with prefix checks only: linear in the size of the report. The report is
 * read as bytes (UTF-8; every keyword and separator is ASCII): a pass hands over the snapshot's
 * Buffer as read, so a 60 MB report is never also held as a 60 MB string; only the values kept
 * (host keys, racks, upgrade domains) are decoded. Columns in errors count bytes.
 *
 * @throws InputError (origin, line, field) when the text has neither a report header nor a DataNode
 *   entry, a host name is not a DNS name, a `Decommission Status` is unknown, a counter is not a
 *   whole number, a DataNode entry has no `Name:`/`Hostname:`, a section announces more or fewer
 *   DataNodes than follow it (a cut-short report), or the text is the Hadoop 1.x layout.
 */
export function parseHdfsReport(text: string | Buffer, origin: string): ParsedSource<HdfsNodeRow> {
  const parser = new HdfsReportParser(origin);
  parser.feed(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  return parser.end();
}

/** The UTF-8 byte-order mark. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * {@link parseHdfsReport} fed in pieces as a file is read, so a 60 MB report is never held whole:
 * `feed` each chunk (split anywhere, even inside a line or a UTF-8 character), then `end` for the
 * parse. Same result and errors as {@link parseHdfsReport} on the concatenated bytes.
 * @throws InputError from `feed` or `end`, as {@link parseHdfsReport}.
 */
export class HdfsReportParser {
  private readonly parser: ReportParser;
  /** The unfinished last line of the previous chunk. */
  private carry: Buffer | null = null;
  private first = true;

  constructor(origin: string) {
    this.parser = new ReportParser(origin);
  }

  /** Read the next bytes of the report (any split; `chunk` may be overwritten once this returns). @throws InputError on bad input in the lines it completes. */
  feed(chunk: Buffer): void {
    let bytes = chunk;
    if (this.first) {
      const head = this.carry ? Buffer.concat([this.carry, bytes]) : bytes;
      this.carry = null;
      if (head.length < BOM.length && head.equals(BOM.subarray(0, head.length))) {
        this.carry = Buffer.from(head); // too short yet to tell a byte-order mark
        return;
      }
      this.first = false;
      bytes = head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head; // a byte-order mark from a Windows editor
    }
    let from = 0;
    if (this.carry) {
      // Finish the line the previous chunk ended in: only that line is copied, not the chunk.
      const nl = bytes.indexOf(0x0a);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, bytes]);
        return;
      }
      const line = Buffer.concat([this.carry, bytes.subarray(0, nl + 1)]);
      this.carry = null;
      this.parser.lines(line, 0, line.length);
      from = nl + 1;
    }
    const lastBreak = bytes.lastIndexOf(0x0a);
    const rest = lastBreak >= from ? lastBreak + 1 : from;
    if (rest > from) this.parser.lines(bytes, from, rest);
    // A copy: the caller may reuse the chunk's memory for the next read.
    if (rest < bytes.length) this.carry = Buffer.from(bytes.subarray(rest));
  }

  /** The parse of everything fed, the unfinished last line included. @throws InputError as {@link parseHdfsReport}. */
  end(): ParsedSource<HdfsNodeRow> {
    if (this.carry) this.parser.lines(this.carry, 0, this.carry.length);
    this.carry = null;
    return this.parser.finish();
  }
}

type SectionKind = 'live' | 'dead' | 'decommissioning' | 'entering-maintenance' | 'in-maintenance';

const SECTIONS: readonly { prefix: string; kind: SectionKind }[] = [
  { prefix: 'Live datanodes (', kind: 'live' },
  { prefix: 'Dead datanodes (', kind: 'dead' },
  { prefix: 'Decommissioning datanodes (', kind: 'decommissioning' },
  { prefix: 'Entering maintenance datanodes (', kind: 'entering-maintenance' },
  { prefix: 'In maintenance datanodes (', kind: 'in-maintenance' },
];

/** State a section implies for a DataNode entry that has no `Decommission Status` line. */
const SECTION_STATE: Partial<Record<SectionKind, HdfsAdminState>> = {
  decommissioning: 'Decommission In Progress',
  'entering-maintenance': 'Entering Maintenance',
  'in-maintenance': 'In Maintenance',
};

/** `Decommission Status` values (`DatanodeInfo#getDatanodeReport`), lower-cased. */
const DECOMMISSION_STATUS: ReadonlyMap<string, HdfsAdminState> = new Map([
  ['normal', 'In Service'],
  ['decommission in progress', 'Decommission In Progress'],
  ['decommissioned', 'Decommissioned'],
  ['entering maintenance', 'Entering Maintenance'],
  ['in maintenance', 'In Maintenance'],
]);

/** Header lines that identify a report even when it lists no DataNode. */
const HEADER_KEYS = ['Configured Capacity:', 'Present Capacity:', 'DFS Remaining:', 'DFS Used:', 'Blocks with corrupt replicas:'];

interface Section {
  kind: SectionKind;
  label: string;
  announced: number;
  line: number;
  listed: number;
}

/**
 * The DataNode entry being read (one object, reset for each entry). `Name:` and `Hostname:` values
 * are kept as offsets into the text (start, end, and the start of their line; start -1 = absent)
 * and only the one that becomes the host key is copied out.
 */
interface Entry {
  line: number;
  section: SectionKind | null;
  nameStart: number;
  nameEnd: number;
  nameLine: number;
  nameLineStart: number;
  hostnameStart: number;
  hostnameEnd: number;
  hostnameLine: number;
  hostnameLineStart: number;
  rack: string | null;
  upgradeDomain: string | null;
  state: HdfsAdminState | null;
  /** True in the Live section, false in the Dead one, null elsewhere. */
  live: boolean | null;
  /**
   * The `Name:` and `Hostname:` values and their columns, copied out when the entry goes on past the
   * end of the chunk its offsets point into, or when one becomes the host key (null: not yet).
   */
  nameText: string | null;
  nameColumn: number;
  hostnameText: string | null;
  hostnameColumn: number;
}

function emptyEntry(): Entry {
  return {
    line: 0, section: null,
    nameStart: -1, nameEnd: -1, nameLine: 0, nameLineStart: 0,
    hostnameStart: -1, hostnameEnd: -1, hostnameLine: 0, hostnameLineStart: 0,
    rack: null, upgradeDomain: null, state: null, live: null,
    nameText: null, nameColumn: 0, hostnameText: null, hostnameColumn: 0,
  };
}

class ReportParser {
  private readonly notes: string[] = [];
  private section: Section | null = null;
  private readonly current: Entry = emptyEntry();
  /** The entry being read, or null between entries. */
  private entry: Entry | null = null;
  // Every DataNode entry read, in file order, as parallel arrays: its row, and what deciding which
  // entry of a host to keep needs (decided once sorted by host: see result()). 100,000 nodes
  // allocate one row each and no map of hosts.
  private readonly entryRows: HdfsNodeRow[] = [];
  private readonly entryLive: (boolean | null)[] = [];
  private readonly entrySection: (SectionKind | null)[] = [];
  private readonly entryLine: number[] = [];
  private headerSeen = false;
  private sectionsSeen = false;
  private inHeader = true;
  private headerGroup: 'flat' | 'replicated' | 'ec' = 'flat';
  private readonly counters = { under: null as number | null, missing: null as number | null, ecUnder: null as number | null, ecMissing: null as number | null };
  /**
   * Rack and upgrade domain values met so far, by a hash of their bytes (FNV-1a, cut to 30 bits): each
   * its bytes and its shared detached string. A report names a few thousand distinct values on
   * 200,000 lines; a line's value is found without decoding it or hashing a string.
   */
  private readonly values = new Map<number, { bytes: Buffer; value: string | null }[]>();

  // The line being read: [s, e) after trimming, its number, and where it starts in `text`.
  private lineNo = 0;
  private lineStart = 0;
  private s = 0;
  private e = 0;
  /** 1-based column of the last value read by {@link valueAt}. */
  private valueColumn = 0;

  /** The chunk being read (lines are read from one chunk at a time). */
  private text: Buffer = Buffer.alloc(0);
  /** Bytes read so far, and whether any of them was not white space. */
  private bytesRead = 0;
  private nonBlank = false;

  constructor(private readonly origin: string) {}

  /** Read the lines of `text` from `from` up to `n`: whole lines, the last one ending at `n` with or without its line break. */
  lines(text: Buffer, from: number, n: number): void {
    this.text = text;
    this.bytesRead += n - from;
    if (!this.nonBlank && !isBlank(text, from, n)) this.nonBlank = true;
    this.readLines(text, from, n);
    // The caller may overwrite `text` with the next chunk: an entry still open keeps copies.
    if (this.entry) this.detach(this.entry);
  }

  /**
   * The loop of {@link lines}, a function of its own: compiled while the first chunk is read, the
   * loop compiled with the code after it, which had not run yet, bailed out there at the end of
   * every chunk.
   */
  private readLines(text: Buffer, from: number, n: number): void {
    let pos = from;
    while (pos < n) {
      let end = text.indexOf(0x0a, pos);
      if (end < 0 || end > n) end = n;
      this.lineNo++;
      let s = pos;
      let e = end;
      while (s < e) { const c = text[s]; if (c !== 0x20 && c !== 0x09) break; s++; }
      while (e > s) { const c = text[e - 1]; if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break; e--; }
      if (s < e) {
        this.lineStart = pos;
        this.s = s;
        this.e = e;
        this.line();
      }
      pos = end + 1;
    }
  }

  /** The parse of every line read. */
  finish(): ParsedSource<HdfsNodeRow> {
    if (!this.nonBlank) {
      throw new InputError({ origin: this.origin, field: '(document)' }, `expected \`hdfs dfsadmin -report\` output, got ${this.bytesRead ? 'only white space' : 'an empty input'}`);
    }
    this.endEntry();
    this.endSection();
    return this.result();
  }

  /** Copy an open entry's `Name:` / `Hostname:` values out of the chunk they are in, before the next chunk replaces it. */
  private detach(entry: Entry): void {
    this.detachName(entry);
    this.detachHostname(entry);
  }

  private detachName(entry: Entry): void {
    if (entry.nameStart < 0 || entry.nameText !== null) return;
    entry.nameText = this.text.toString('utf8', entry.nameStart, entry.nameEnd);
    entry.nameColumn = entry.nameStart - entry.nameLineStart + 1;
  }

  private detachHostname(entry: Entry): void {
    if (entry.hostnameStart < 0 || entry.hostnameText !== null) return;
    entry.hostnameText = this.text.toString('utf8', entry.hostnameStart, entry.hostnameEnd);
    entry.hostnameColumn = entry.hostnameStart - entry.hostnameLineStart + 1;
  }

  /**
   * Dispatch one non-blank line on its first one or two characters, so the ~15 lines of a node
   * entry this parser does not read cost a character comparison each.
   */
  private line(): void {
    const text = this.text;
    const s = this.s;
    const c1 = text[s + 1];
    switch (text[s]) {
      case 0x4e: // N: Name
        if (startsAt(text, 'Name:', s)) {
          const entry = this.startEntry();
          entry.nameStart = this.skipBlanks(s + 5);
          entry.nameEnd = this.e;
          entry.nameLine = this.lineNo;
          entry.nameLineStart = this.lineStart;
        }
        return;
      case 0x48: // H: Hostname
        if (startsAt(text, 'Hostname:', s)) {
          // A second Hostname without a Name line between: the next entry of a grep-filtered report.
          const entry = this.entry && this.entry.hostnameStart < 0 ? this.entry : this.startEntry();
          entry.hostnameStart = this.skipBlanks(s + 9);
          entry.hostnameEnd = this.e;
          entry.hostnameLine = this.lineNo;
          entry.hostnameLineStart = this.lineStart;
        }
        return;
      case 0x52: // R: Rack, Replicated Blocks
        if (startsAt(text, 'Rack:', s)) this.setOnce('rack', 'Rack', this.sharedValue(s + 5));
        else if (this.inHeader && startsAt(text, 'Replicated Blocks:', s)) this.headerGroupStarts('replicated');
        return;
      case 0x55: // U: Upgrade domain, Under replicated blocks
        if (startsAt(text, 'Upgrade domain:', s) || startsAt(text, 'Upgrade Domain:', s)) {
          this.setOnce('upgradeDomain', 'Upgrade domain', this.sharedValue(s + 15));
        } else if (this.inHeader && startsAt(text, 'Under replicated blocks:', s)) this.counter('Under replicated blocks', s + 24);
        return;
      case 0x44: // D: Decommission Status, Dead / Decommissioning datanodes, Datanodes available, DFS …
        if (c1 === 0x65 /* e */) {
          if (startsAt(text, 'Decommission Status', s)) this.decommissionStatus();
          else this.trySection();
        } else if (c1 === 0x61 /* a */ && startsAt(text, 'Datanodes available:', s)) {
          throw this.error('Datanodes available', 'this is the Hadoop 1.x report layout, which does not tell dead DataNodes from live ones; read the NameNode /jmx (hdfs-jmx source) instead');
        } else if (this.inHeader) this.tryHeaderKey();
        return;
      case 0x4c: // L: Live datanodes, Low redundancy …
        if (c1 === 0x69 /* i */) this.trySection();
        else if (this.inHeader && c1 === 0x6f /* o */) {
          if (startsAt(text, 'Low redundancy blocks:', s)) this.counter('Low redundancy blocks', s + 22);
          else if (startsAt(text, 'Low redundancy block groups:', s)) this.counter('Low redundancy block groups', s + 28);
        }
        return;
      case 0x4d: // M: Missing blocks, Missing block groups
        if (!this.inHeader) return;
        if (startsAt(text, 'Missing blocks:', s)) this.counter('Missing blocks', s + 15);
        else if (startsAt(text, 'Missing block groups:', s)) this.counter('Missing block groups', s + 21);
        return;
      case 0x45: // E: Entering maintenance datanodes, Erasure Coded Block Groups
        if (c1 === 0x6e /* n */) this.trySection();
        else if (this.inHeader && startsAt(text, 'Erasure Coded Block Groups:', s)) this.headerGroupStarts('ec');
        return;
      case 0x49: // I: In maintenance datanodes
        if (c1 === 0x6e /* n */) this.trySection();
        return;
      case 0x43: // C, P, B: Configured Capacity, Present Capacity, Blocks with corrupt replicas
      case 0x50:
      case 0x42:
        if (this.inHeader) this.tryHeaderKey();
        return;
      case 0x53: // S: Safe mode is ON
        if (startsAt(text, 'Safe mode is ON', s)) this.notes.push(`NameNode reports safe mode: ${JSON.stringify(text.toString('utf8', s, this.e))}`);
        return;
    }
  }

  /** A section header such as `Live datanodes (3):` ends the previous section and entry. */
  private trySection(): void {
    const text = this.text;
    const s = this.s;
    for (const sec of SECTIONS) {
      if (!startsAt(text, sec.prefix, s)) continue;
      const m = /^\((\d+)\):$/.exec(text.toString('utf8', s + sec.prefix.length - 1, this.e));
      if (!m) return;
      this.endEntry();
      this.endSection();
      this.inHeader = false;
      this.sectionsSeen = true;
      this.section = { kind: sec.kind, label: sec.prefix.slice(0, -2), announced: Number(m[1]), line: this.lineNo, listed: 0 };
      return;
    }
  }

  private tryHeaderKey(): void {
    for (const k of HEADER_KEYS) {
      if (startsAt(this.text, k, this.s)) {
        this.headerSeen = true;
        return;
      }
    }
  }

  private headerGroupStarts(group: 'replicated' | 'ec'): void {
    this.headerSeen = true;
    this.headerGroup = group;
  }

  private counter(key: string, valueFrom: number): void {
    this.headerSeen = true;
    const value = this.valueAt(valueFrom);
    if (!/^\d+$/.test(value)) {
      throw new InputError({ origin: this.origin, field: key, line: this.lineNo, column: this.valueColumn }, `expected a whole number of blocks, got ${JSON.stringify(value)}`);
    }
    const count = Number(value);
    const c = this.counters;
    if (this.headerGroup === 'ec') {
      if (key === 'Low redundancy block groups') c.ecUnder ??= count;
      else if (key === 'Missing block groups') c.ecMissing ??= count;
    } else if (key === 'Under replicated blocks' || key === 'Low redundancy blocks') c.under ??= count;
    else if (key === 'Missing blocks') c.missing ??= count;
  }

  private decommissionStatus(): void {
    const colon = this.text.indexOf(0x3a, this.s);
    if (colon < 0 || colon >= this.e) return;
    const start = this.skipBlanks(colon + 1);
    // Nearly every DataNode is `Normal`: recognise it without copying the value out.
    if (this.e - start === 6 && startsAt(this.text, 'Normal', start)) {
      this.setOnce('state', 'Decommission Status', 'In Service');
      return;
    }
    const value = this.valueAt(start);
    const state = DECOMMISSION_STATUS.get(value.toLowerCase());
    if (!state) {
      throw new InputError(
        { origin: this.origin, field: 'Decommission Status', line: this.lineNo, column: this.valueColumn },
        `expected one of Normal, Decommission in progress, Decommissioned, Entering maintenance, In maintenance (Hadoop DatanodeInfo#getDatanodeReport), got ${JSON.stringify(value)}`,
      );
    }
    this.setOnce('state', 'Decommission Status', state);
  }

  private setOnce<K extends 'rack' | 'upgradeDomain' | 'state'>(key: K, field: string, value: Entry[K]): void {
    const entry = this.entry ?? this.startEntry();
    if (entry[key] !== null) {
      throw this.error(field, `a second ${field} line for the DataNode entry that starts on line ${entry.line}; expected a Name: or Hostname: line between DataNode entries`);
    }
    entry[key] = value;
  }

  private startEntry(): Entry {
    this.endEntry();
    this.inHeader = false;
    const section = this.section;
    if (section) section.listed++;
    const kind = section ? section.kind : null;
    const e = this.current;
    e.line = this.lineNo;
    e.section = kind;
    e.nameStart = e.hostnameStart = -1;
    e.nameText = e.hostnameText = null;
    e.rack = e.upgradeDomain = e.state = null;
    e.live = kind === 'live' ? true : kind === 'dead' ? false : null;
    return (this.entry = e);
  }

  /** Give the current entry its host key and record it (which entry of a host counts is decided in result()). */
  private endEntry(): void {
    const entry = this.entry;
    if (!entry) return;
    this.entry = null;
    const host = this.hostOf(entry);
    this.entryRows.push({
      host,
      live: entry.live ?? true,
      adminState: entry.state ?? (entry.section && SECTION_STATE[entry.section]) ?? 'In Service',
      rack: entry.rack,
      upgradeDomain: entry.upgradeDomain,
    });
    this.entryLive.push(entry.live);
    this.entrySection.push(entry.section);
    this.entryLine.push(entry.line);
  }

  /** `Hostname:`, else the reverse-DNS name of `Name: addr (name)`, else the address. */
  private hostOf(entry: Entry): string {
    // The value used, copied out of the chunk if it is still only offsets into it: the Name only
    // when there is no Hostname (nearly every report has one).
    this.detachHostname(entry);
    if (entry.hostnameText === null) this.detachName(entry);
    let value: string;
    let column: number;
    let field: string;
    let line: number;
    if (entry.hostnameText !== null) {
      [value, column, field, line] = [entry.hostnameText, entry.hostnameColumn, 'Hostname', entry.hostnameLine];
    } else if (entry.nameText !== null && entry.nameText !== '') {
      [value, column, field, line] = [entry.nameText, entry.nameColumn, 'Name', entry.nameLine];
      if (value.endsWith(')')) {
        const open = value.lastIndexOf(' (');
        if (open >= 0) [value, column] = [value.slice(open + 2, -1), column + Buffer.byteLength(value.slice(0, open + 2))];
      }
    } else {
      throw this.noNameError(entry);
    }
    const h = normalizeHost(value);
    if (!h.ok) throw new InputError({ origin: this.origin, field, line, column }, h.problem);
    return h.host;
  }

  private noNameError(entry: Entry): InputError {
    return new InputError({ origin: this.origin, line: entry.line, field: 'Name' }, 'a DataNode entry without a Name: or Hostname: line; expected `Name: <ip>:<port> (<host>)` or `Hostname: <host>` to start each entry');
  }

  private endSection(): void {
    const sec = this.section;
    if (!sec) return;
    this.section = null;
    if (sec.listed !== sec.announced) {
      throw new InputError(
        { origin: this.origin, field: sec.label, line: sec.line },
        `announces ${sec.announced} DataNode(s) but ${sec.listed} follow: the report looks cut short or edited; capture the whole \`hdfs dfsadmin -report\` output again`,
      );
    }
  }

  private result(): ParsedSource<HdfsNodeRow> {
    if (this.entryRows.length === 0 && !this.headerSeen && !this.sectionsSeen) {
      throw new InputError(
        { origin: this.origin, field: '(document)' },
        'expected `hdfs dfsadmin -report` output (a header such as "Configured Capacity:" or DataNode entries with "Name:" / "Hostname:"), found neither',
      );
    }
    // By host, each host's entries in file order (the order is stable).
    const all = this.entryRows;
    const order = byteOrder(all.map((r) => r.host));
    // One row per host. Its first entry counts, unless a later one says more: a Live or Dead entry
    // over one outside those sections; the live one of a host listed both live and dead. A second
    // entry in the kept one's section is a duplicate and dropped. Notes name hosts in file order.
    const rows: HdfsNodeRow[] = [];
    const duplicates: [number, string][] = [];
    const liveAndDead: [number, string][] = [];
    const unsectioned: [number, string][] = [];
    const { entryLive: live, entrySection: section, entryLine: line } = this;
    for (let g = 0; g < order.length; ) {
      const first = order[g];
      const host = all[first].host;
      let kept = first;
      let next = g + 1;
      for (; next < order.length && all[order[next]].host === host; next++) {
        const i = order[next];
        if (section[kept] === section[i]) duplicates.push([i, `${host} (lines ${line[kept]} and ${line[i]})`]);
        else if (live[kept] === null && live[i] !== null) kept = i;
        else if (live[kept] !== null && live[i] !== null && live[kept] !== live[i]) {
          liveAndDead.push([i, host]);
          if (live[i]) kept = i;
        }
        // Otherwise a Decommissioning / maintenance entry repeats a node whose Live or Dead entry came first.
      }
      if (live[kept] === null) unsectioned.push([first, host]);
      rows.push(all[kept]);
      g = next;
    }
    const inFileOrder = (xs: [number, string][]) => xs.sort((a, b) => a[0] - b[0]).map(([, text]) => text);

    const notes = this.notes;
    if (duplicates.length) {
      notes.push(`${plural(duplicates.length, 'host name')} listed twice in the same section (two DataNodes reporting one host name?); kept the first: ${sample(inFileOrder(duplicates))}`);
    }
    if (liveAndDead.length) notes.push(`${plural(liveAndDead.length, 'host')} listed as both live and dead; kept the live entry: ${sample(inFileOrder(liveAndDead))}`);
    if (unsectioned.length) {
      notes.push(`${plural(unsectioned.length, 'DataNode')} listed outside a Live or Dead datanodes section (a filtered report?); counted as live: ${sample(inFileOrder(unsectioned))}`);
    }
    if (rows.length === 0) notes.push('the report lists no DataNodes');

    const out = nameSetsOnRead<ParsedSource<HdfsNodeRow>>({ kind: 'hdfs-report', origin: this.origin, rows, hosts: rows.length, setIndexes: hdfsSets(rows), notes }, rows);
    const blocks = this.blocks();
    if (blocks) out.blocks = blocks;
    return out;
  }

  private blocks(): HdfsBlockCounts | undefined {
    const { under, missing, ecUnder, ecMissing } = this.counters;
    if (under === null && missing === null && ecUnder === null && ecMissing === null) return undefined;
    return { underReplicatedBlocks: sum(under, ecUnder), missingBlocks: sum(missing, ecMissing) };
  }

  /**
   * {@link valueAt} of a value that repeats from node to node (rack, upgrade domain): one string
   * per distinct value, detached from the report text and shared by the rows; `null` when empty.
   * A value met before is found by its bytes, so only a new one is decoded.
   */
  private sharedValue(from: number): string | null {
    const text = this.text;
    const s = this.valueStart(from);
    const e = this.e;
    let hash = 0x811c9dc5;
    for (let i = s; i < e; i++) hash = Math.imul(hash ^ text[i], 0x01000193);
    // 30 bits: a small integer to V8, where a full 32-bit hash is a heap number per lookup.
    hash &= 0x3fffffff;
    const known = this.values.get(hash);
    if (known) {
      for (const k of known) if (bytesAt(text, s, e, k.bytes)) return k.value;
    }
    const value = detachValue(text.toString('utf8', s, e)) || null;
    const entry = { bytes: Buffer.from(text.subarray(s, e)), value };
    if (known) known.push(entry);
    else this.values.set(hash, [entry]);
    return value;
  }

  /** The trimmed text from `from` to the end of the current line; its column goes to `valueColumn`. */
  private valueAt(from: number): string {
    return this.text.toString('utf8', this.valueStart(from), this.e);
  }

  /** Where the value from `from` on the current line starts, past blanks; its column goes to `valueColumn`. */
  private valueStart(from: number): number {
    const s = this.skipBlanks(from);
    this.valueColumn = s - this.lineStart + 1;
    return s;
  }

  /** The offset of the first character after `from` on the current line that is not a space or tab. */
  private skipBlanks(from: number): number {
    let s = from;
    while (s < this.e) { const c = this.text[s]; if (c !== 0x20 && c !== 0x09) break; s++; }
    return s;
  }

  /** An error about the current line, located at its first non-blank character. */
  private error(field: string, problem: string): InputError {
    return new InputError({ origin: this.origin, field, line: this.lineNo, column: this.s - this.lineStart + 1 }, problem);
  }
}

/** True when bytes `s` to `e` of `text` are `bytes`. */
function bytesAt(text: Buffer, s: number, e: number, bytes: Buffer): boolean {
  if (e - s !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (text[s + i] !== bytes[i]) return false;
  return true;
}

/** True when `text` holds `prefix` (ASCII) at byte `at`. */
function startsAt(text: Buffer, prefix: string, at: number): boolean {
  if (at + prefix.length > text.length) return false;
  for (let i = 0; i < prefix.length; i++) if (text[at + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** True when bytes `from` to `n` of `text` are none or only white space (space, TAB, CR, LF). */
function isBlank(text: Buffer, from = 0, n = text.length): boolean {
  for (let i = from; i < n; i++) {
    const c = text[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a && c !== 0x0b && c !== 0x0c) return false;
  }
  return true;
}

function sum(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
