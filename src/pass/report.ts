/**
 * Step 6 of a pass (DESIGN.md §2): the files a person reads — `all-data.tsv` and `budget.tsv` —
 * and the ten-second text summary the CLI prints.
 */
import type { ClusterBudget, Plan } from './reconcile.js';
import type { Fleet, HostRecord } from './sets.js';
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

/** Rows of `all-data.tsv` per chunk of {@link renderAllData}. */
const ALL_DATA_CHUNK_ROWS = 2000;

/**
 * `all-data.tsv`: one row per host known to any source, sorted by host, named header, `-` for
 * empty. Yields the text in chunks of about 200 KB (each ends with a newline), for
 * `writeAtomic` to write as they come; join them for the whole text.
 */
export function* renderAllData(fleet: Fleet): Generator<string> {
  let rows = [ALL_DATA_COLUMNS.join('\t')];
  for (const r of fleet.records) {
    const h = r.host;
    const i = r.inventory;
    rows.push(`${h}\t${dash(i?.dc)}\t${dash(i?.cluster)}\t${dash(i?.role)}\t${dash(i?.rack ?? r.hdfs?.rack)}\t${dash(i?.dataGroup ?? r.hdfs?.upgradeDomain)}\t` +
      `${dash(i?.lifecycle)}\t${dash(i?.ticket)}\t${dash(i?.exclude)}\t${hdfsState(r)}\t${dash(r.yarn?.state)}\t${healthState(r)}`);
    if (rows.length === ALL_DATA_CHUNK_ROWS) {
      yield rows.join('\n') + '\n';
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('\n') + '\n';
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
