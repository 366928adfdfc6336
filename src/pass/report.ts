/**
 * Step 6 of a pass (DESIGN.md §2): the files a person reads — `all-data.tsv` and `budget.tsv` —
 * and the ten-second text summary the CLI prints.
 */
import type { ClusterBudget, Plan } from './reconcile.js';
import type { Fleet, HostRecord } from './sets.js';
import { NameLines } from '../sets/indexset.js';
import { HDFS_ADMIN_STATES } from '../sources/types.js';

const dash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '-' : v);

/** Columns of `all-data.tsv`, in order. */
export const ALL_DATA_COLUMNS = ['host', 'dc', 'cluster', 'role', 'rack', 'data_group', 'lifecycle', 'ticket', 'exclude', 'hdfs', 'yarn', 'health'] as const;

/** `all-data.tsv`'s word for each admin state, live and dead (`in-service`, `dead/in-service`, …). */
const HDFS_STATE_WORDS = new Map(HDFS_ADMIN_STATES.map((s) => {
  const word = s.toLowerCase().replace(/ /g, '-');
  return [s, { live: word, dead: `dead/${word}` }];
}));

/** The HDFS state of a host for `all-data.tsv`: `in-service`, `decommission-in-progress`, …, prefixed `dead/` when not live. */
export function hdfsState(r: HostRecord): string {
  if (!r.hdfs) return '-';
  const w = HDFS_STATE_WORDS.get(r.hdfs.adminState)!;
  return r.hdfs.live ? w.live : w.dead;
}

/** The health of a host: `ok`, `unresponsive`, `fail:disk,memory-ecc`, or `-` without results. */
export function healthState(r: HostRecord): string {
  if (r.reachable === false) return 'unresponsive';
  if (r.failedChecks?.length) return `fail:${r.failedChecks.join(',')}`;
  if (r.reachable === true || r.failedChecks) return 'ok';
  return '-';
}

/**
 * The cells of `all-data.tsv` after the host: per record, one code per column of
 * {@link ALL_DATA_COLUMNS} but the first, an index into `values` (the distinct texts) or -1 for
 * `-` (none). Records' cells are at `codes[i * (ALL_DATA_COLUMNS.length - 1) + column]`. A form the
 * file is rendered from on either thread (src/pass/write-thread.ts): 100,000 rows of a dozen
 * short, repeating texts are a table of a few thousand texts and 1.1 M integers.
 */
export interface AllDataCells {
  values: string[];
  codes: Int32Array;
}

/** Cells per row after the host. */
const CELLS = ALL_DATA_COLUMNS.length - 1;

/**
 * The cells of every record of `fleet` (see {@link AllDataCells}): the inventory's columns, else
 * the NameNode's rack and upgrade domain; the HDFS state (`in-service`, …, `dead/…`); the YARN
 * state; the health (`ok`, `unresponsive`, `fail:<checks>`).
 */
export function allDataCells(fleet: Fleet): AllDataCells {
  const values: string[] = [];
  const codeOf = new Map<string, number>();
  // Per column, the last text met and its code: hosts in name order often share a rack, a
  // cluster, a lifecycle with the one before, and the same text is the same string.
  const lastText: (string | null | undefined)[] = new Array(CELLS).fill(null);
  const lastCode = new Int32Array(CELLS).fill(-1);
  const code = (column: number, v: string | null | undefined): number => {
    if (v === lastText[column]) return lastCode[column];
    let c = -1;
    if (v !== null && v !== undefined && v !== '' && v !== '-') {
      c = codeOf.get(v) ?? -1;
      if (c < 0) {
        codeOf.set(v, (c = values.length));
        values.push(v);
      }
    }
    lastText[column] = v;
    lastCode[column] = c;
    return c;
  };
  const records = fleet.records;
  const codes = new Int32Array(records.length * CELLS);
  let at = 0;
  for (const r of records) {
    const i = r.inventory;
    codes[at++] = code(0, i?.dc);
    codes[at++] = code(1, i?.cluster);
    codes[at++] = code(2, i?.role);
    codes[at++] = code(3, i?.rack ?? r.hdfs?.rack);
    codes[at++] = code(4, i?.dataGroup ?? r.hdfs?.upgradeDomain);
    codes[at++] = code(5, i?.lifecycle);
    codes[at++] = code(6, i?.ticket);
    codes[at++] = code(7, i?.exclude);
    codes[at++] = code(8, hdfsState(r));
    codes[at++] = code(9, r.yarn?.state);
    codes[at++] = code(10, healthState(r));
  }
  return { values, codes };
}

/**
 * `all-data.tsv` of records whose names are `lines` and cells `cells` ({@link allDataCells}): one
 * row per record, in record (host) order, named header, `-` for empty, each row ending in `\n`.
 */
export function renderAllDataFile(lines: NameLines, cells: AllDataCells): Buffer {
  const header = Buffer.from(ALL_DATA_COLUMNS.join('\t') + '\n');
  const text = new NameLines(cells.values.map((host) => ({ host })));
  const { codes } = cells;
  const n = lines.ends.length;
  // Each row: its name's line (the `\n` becomes the first TAB), a TAB after each cell but the last, which ends in `\n`.
  let size = header.length + lines.bytes.length;
  for (let k = 0; k < codes.length; k++) {
    const c = codes[k];
    size += c < 0 ? 2 : text.ends[c] - (c === 0 ? 0 : text.ends[c - 1]); // TAB and text (its line's `\n` counts for the TAB)
  }
  const out = Buffer.allocUnsafe(size);
  let o = header.copy(out, 0);
  const names = lines.bytes;
  const words = text.bytes;
  for (let i = 0; i < n; i++) {
    const end = lines.ends[i] - 1;
    for (let p = i === 0 ? 0 : lines.ends[i - 1]; p < end; p++) out[o++] = names[p];
    for (let k = i * CELLS, last = k + CELLS; k < last; k++) {
      out[o++] = 0x09;
      const c = codes[k];
      if (c < 0) out[o++] = 0x2d;
      else for (let p = c === 0 ? 0 : text.ends[c - 1], e = text.ends[c] - 1; p < e; p++) out[o++] = words[p];
    }
    out[o++] = 0x0a;
  }
  if (o !== size) throw new Error(`all-data.tsv: rendered ${o} bytes of ${size} counted`);
  return out;
}

/** `all-data.tsv` of `fleet`, rendered on this thread. */
export function allDataFile(fleet: Fleet): Buffer {
  return renderAllDataFile(new NameLines(fleet.records), allDataCells(fleet));
}

/** Columns of `budget.tsv`: one row per cluster and action. */
export const BUDGET_COLUMNS = ['cluster', 'action', 'size', 'archetype', 'pct', 'floor', 'ceiling', 'cap', 'in-flight', 'headroom', 'candidates', 'picked', 'reason'] as const;

/** `budget.tsv`. */
export function renderBudgetTsv(budgets: readonly ClusterBudget[]): string {
  const rows = [BUDGET_COLUMNS.join('\t')];
  for (const b of budgets) {
    for (const [action, l] of Object.entries(b.actions)) {
      rows.push([b.cluster, action, b.managed, b.archetype, l.cap.pct, l.cap.floor, l.cap.ceiling, l.cap.cap, l.inFlight, l.headroom, l.candidates, l.picked, dash(l.reason)].join('\t'));
    }
  }
  return rows.join('\n') + '\n';
}

/** Left-aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return cells.map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** The ten-second human summary of a finished pass: counts, budget table, proposal. */
export function renderPassText(dir: string, counts: Record<string, number>, budgets: readonly ClusterBudget[], plan: Plan, maxHosts = 20): string {
  const out: string[] = [];
  const n = (k: string) => counts[k] ?? 0;
  out.push(`pass ${plan.passId} (${plan.dc}) seed ${plan.seed}`);
  out.push(`hosts ${n('all')}  managed ${n('managed')}  in-flight ${n('in-flight')}  unknown ${n('unknown')}  failing ${n('failing')}  unresponsive ${n('unresponsive')}`);
  out.push(`hdfs: live ${n('hdfs-live')}  dead ${n('hdfs-dead')}  decommissioning ${n('hdfs-decommissioning')}  decommissioned ${n('hdfs-decommissioned')}  maintenance ${n('hdfs-maintenance')}`);
  out.push(`candidates: drain ${n('drain-candidates')}  return ${n('return-candidates')}`);
  out.push('');
  out.push(table(
    ['cluster', 'archetype', 'managed', 'cap', 'in-flight', 'headroom', 'cand', 'drain', 'return', 'why not more'],
    budgets.map((b) => [b.cluster, b.archetype, b.managed, b.actions.drain.cap.cap, b.inFlight, b.actions.drain.headroom, b.actions.drain.candidates,
      b.actions.drain.picked, b.actions.recommission.picked, b.actions.drain.reason ?? b.actions.recommission.reason ?? '']),
  ));
  out.push('');
  if (plan.actions.length === 0) out.push(plan.emptyReason ?? 'nothing safe to do');
  else {
    out.push(`proposal ${plan.id}: ${plan.actions.length} hosts (digest ${plan.digest.slice(0, 12)})`);
    for (const a of plan.actions.slice(0, maxHosts)) out.push(`  ${a.action.padEnd(12)} ${a.host}  ${a.cluster}  rack ${a.rack ?? '-'}  group ${a.dataGroup ?? '-'}  — ${a.reason}`);
    if (plan.actions.length > maxHosts) out.push(`  … and ${plan.actions.length - maxHosts} more (plan.json)`);
  }
  out.push('');
  out.push(`files: ${dir}`);
  return out.join('\n');
}
