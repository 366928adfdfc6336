/**
 * YARN control plane, REST flavour: the ResourceManager's `/ws/v1/cluster/nodes`, and the pieces
 * the three YARN parsers share (state names, host keys, duplicates, the raw sets).
 *
 * Format reference (Apache Hadoop, "ResourceManager REST API's", Cluster Nodes API;
 * `org.apache.hadoop.yarn.server.resourcemanager.webapp.dao.NodesInfo` / `NodeInfo`):
 *
 * ```
 * {"nodes": {"node": [
 *   {"id": "host:port", "nodeHostName": "host", "nodeHTTPAddress": "host:8042",
 *    "rack": "/default-rack", "state": "RUNNING", "healthReport": "", …}, …]}}
 * ```
 *
 * `state` is the name of `org.apache.hadoop.yarn.api.records.NodeState`: NEW, RUNNING, UNHEALTHY,
 * DECOMMISSIONING (2.8+), DECOMMISSIONED, LOST, REBOOTED, SHUTDOWN (2.8+). With no node at all the
 * RM sends `{"nodes": null}`. Later releases and vendor patches add fields (resource utilisation,
 * GPUs, node attributes); only the fields above are read. Without `?states=` the RM lists every
 * node it tracks, inactive ones (LOST, DECOMMISSIONED, …) included. A host in the RM exclude list
 * that never registered is listed DECOMMISSIONED with port `-1` (`NodesListManager`'s unknown
 * node id), e.g. `"id": "host:-1"`.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { normalizeHost, type HostKey } from '../hosts.js';
import { nameSetsOnRead, RowSets, type IndexSet } from '../sets/indexset.js';
import { sample } from './common.js';
import { parseJsonDocument, zodInputError } from './json.js';
import { YARN_NODE_STATES, type ParsedSource, type YarnNodeRow, type YarnNodeState } from './types.js';

// ---------------------------------------------------------------------------------------------
// Shared by the YARN parsers (yarn-nodes, yarn-jmx, yarn-list).

/** The raw sets a YARN source derives (DESIGN.md §2 step 1): `yarn-all` and one per NodeState. */
export const YARN_SET_NAMES = [
  'yarn-all', 'yarn-running', 'yarn-unhealthy', 'yarn-decommissioning', 'yarn-decommissioned', 'yarn-lost', 'yarn-shutdown',
  'yarn-new', 'yarn-rebooted',
] as const;
/** One of {@link YARN_SET_NAMES}. */
export type YarnSetName = (typeof YARN_SET_NAMES)[number];

/**
 * Derive the nine YARN raw sets from NodeManager rows sorted by unique host (shared by the REST,
 * JMX and CLI parsers so every YARN source means the same thing by each name), as row indexes
 * (every key present, empty when no row): `yarn-all` every NodeManager listed, and `yarn-<state>`
 * (lower case) the NodeManagers in that `NodeState`. The parsers name them with `nameSetsOnRead`.
 */
export function yarnSets(rows: readonly YarnNodeRow[]): Record<YarnSetName, IndexSet> {
  const s = new RowSets();
  for (const name of YARN_SET_NAMES) s.set(name);
  const all = s.set('yarn-all');
  const byState = new Map(YARN_NODE_STATES.map((state) => [state, s.set(`yarn-${state.toLowerCase()}`)]));
  for (let i = 0; i < rows.length; i++) {
    all.push(i);
    byState.get(rows[i].state)!.push(i);
  }
  return s.result() as Record<YarnSetName, IndexSet>;
}

const NODE_STATES: ReadonlySet<string> = new Set(YARN_NODE_STATES);

/**
 * A `NodeState` name as the RM prints it (upper case, exact).
 * @throws InputError at `where` when `raw` is not one of {@link YARN_NODE_STATES}.
 */
export function yarnNodeState(raw: unknown, where: { origin: string; field: string; line?: number }): YarnNodeState {
  if (typeof raw === 'string' && NODE_STATES.has(raw)) return raw as YarnNodeState;
  throw new InputError(
    where,
    `expected a YARN NodeState (${YARN_NODE_STATES.join(', ')}), got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`,
  );
}

/**
 * The host of a YARN node id or address (`host:port`). Like {@link normalizeHost}, and also drops
 * the port `-1` the RM gives hosts it only knows from its exclude list (`NodesListManager`).
 */
export function yarnHost(raw: string): HostKey {
  const m = /^(.*):-1$/.exec(raw.trim());
  return normalizeHost(m ? m[1] : raw);
}

/** Hadoop's `NetworkTopology.DEFAULT_RACK`: no rack configured; kept as `null`, as the HDFS parsers do. */
const DEFAULT_RACK = '/default-rack';

/** A rack as the RM names it, `null` when absent, empty or `/default-rack`. */
export function yarnRack(raw: string | null | undefined): string | null {
  const r = raw?.trim();
  return r && r !== DEFAULT_RACK ? r : null;
}

/** A health report, `null` when absent or empty (a healthy NodeManager reports `""`). */
export function yarnHealthReport(raw: string | null | undefined): string | null {
  const r = raw?.trim();
  return r ? r : null;
}

/**
 * Finish the rows of one YARN source: a host listed twice (several NodeManagers on one host, or
 * one restarted on a new port while the old id is still tracked) keeps its FIRST entry, and a note
 * names the hosts and both states. Returns the rows sorted by host, with the raw sets.
 */
export function finishYarnRows(
  kind: 'yarn-nodes' | 'yarn-jmx' | 'yarn-list',
  origin: string,
  listed: readonly YarnNodeRow[],
  notes: string[],
): ParsedSource<YarnNodeRow> {
  const byHost = new Map<string, YarnNodeRow>();
  const twice: string[] = [];
  for (const row of listed) {
    const first = byHost.get(row.host);
    if (!first) byHost.set(row.host, row);
    else twice.push(`${row.host} (kept ${first.state}, dropped ${row.state})`);
  }
  if (twice.length) {
    notes.push(
      `${twice.length === 1 ? '1 host' : `${twice.length} hosts`} listed twice (several NodeManagers on one host, or one restarted on a new port?); ` +
        `kept the first entry: ${sample(twice)}`,
    );
  }
  const rows = [...byHost.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return nameSetsOnRead<ParsedSource<YarnNodeRow>>({ kind, origin, rows, setIndexes: yarnSets(rows), notes }, rows);
}


// ---------------------------------------------------------------------------------------------
// /ws/v1/cluster/nodes

const optionalText = z.string().nullish();
/** One `node` entry; fields the parser does not read pass through untouched. */
const RestNode = z.looseObject({
  id: optionalText,
  nodeHostName: optionalText,
  nodeHTTPAddress: optionalText,
  rack: optionalText,
  state: z.unknown(),
  healthReport: optionalText,
});
const NodesDocument = z.looseObject({
  nodes: z.union([z.null(), z.looseObject({ node: z.array(z.unknown()).nullish() })], {
    error: 'expected an object {"node":[…]} or null (no nodes)',
  }),
});

/**
 * Parse a ResourceManager `/ws/v1/cluster/nodes` response (JSON, see the module comment) into one
 * {@link YarnNodeRow} per host and the nine YARN raw sets ({@link yarnSets}).
 *
 * Per node: host from `nodeHostName`, else from `id`, else from `nodeHTTPAddress` (port dropped,
 * `normalizeHost`); `state` must be a `NodeState` name; `rack` and `healthReport` are `null` when
 * empty (and `/default-rack` counts as no rack). `{"nodes": null}` (or no `node` list) means no
 * NodeManagers: no rows, a note. A host listed twice keeps its first entry, with a note. Rows are
 * sorted by host.
 *
 * @throws InputError naming `origin` and the field: `(document)` with line, column and position
 *   when the text is empty or not JSON; `nodes` when it is not a Cluster Nodes response (an RM
 *   `RemoteException` is quoted); `nodes.node[i].state` for a state that is not a `NodeState`;
 *   `nodes.node[i].nodeHostName` (or `id`, `nodeHTTPAddress`) for a value that is not a DNS host
 *   name; `nodes.node[i]` when a node names no host at all.
 */
export function parseYarnNodes(text: string, origin: string): ParsedSource<YarnNodeRow> {
  const doc = parseJsonDocument(text, origin, 'a ResourceManager /ws/v1/cluster/nodes response {"nodes":{"node":[…]}}');
  const remote = remoteException(doc);
  if (remote) throw new InputError({ origin, field: 'RemoteException' }, `the ResourceManager answered with an error instead of nodes: ${remote}`);
  const top = NodesDocument.safeParse(doc);
  if (!top.success) throw zodInputError(origin, '', top.error);

  const notes: string[] = [];
  const list = top.data.nodes?.node ?? [];
  if (list.length === 0) notes.push('the ResourceManager lists no NodeManagers');
  const rows: YarnNodeRow[] = [];
  for (let i = 0; i < list.length; i++) {
    const base = `nodes.node[${i}]`;
    const parsed = RestNode.safeParse(list[i]);
    if (!parsed.success) throw zodInputError(origin, base, parsed.error);
    const n = parsed.data;
    rows.push({
      host: restNodeHost(n, base, origin),
      state: yarnNodeState(n.state, { origin, field: `${base}.state` }),
      rack: yarnRack(n.rack),
      healthReport: yarnHealthReport(n.healthReport),
    });
  }
  return finishYarnRows('yarn-nodes', origin, rows, notes);
}

function restNodeHost(n: z.infer<typeof RestNode>, base: string, origin: string): string {
  for (const key of ['nodeHostName', 'id', 'nodeHTTPAddress'] as const) {
    const raw = n[key];
    if (!raw || !raw.trim()) continue;
    const h = yarnHost(raw);
    if (!h.ok) throw new InputError({ origin, field: `${base}.${key}` }, h.problem);
    return h.host;
  }
  throw new InputError({ origin, field: base }, 'expected a host name in nodeHostName, id or nodeHTTPAddress, found none');
}

/** The `exception: message` of a Hadoop web services error (`{"RemoteException":{…}}`), if that is what `doc` is. */
function remoteException(doc: unknown): string | null {
  if (typeof doc !== 'object' || doc === null || !('RemoteException' in doc)) return null;
  const r = (doc as { RemoteException: unknown }).RemoteException;
  if (typeof r !== 'object' || r === null) return JSON.stringify(r);
  const { exception, message } = r as { exception?: unknown; message?: unknown };
  return [exception, message].filter((x) => typeof x === 'string' && x).join(': ') || JSON.stringify(r);
}
