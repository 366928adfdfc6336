/**
 * HDFS control plane, JMX flavour: the NameNode's `/jmx` servlet (full dump or a `?qry=` subset).
 *
 * Format reference (Apache Hadoop):
 * - `Hadoop:service=NameNode,name=NameNodeInfo` is the `NameNodeMXBean` implemented by
 *   `FSNamesystem` (`getLiveNodes`, `getDeadNodes`, `getDecomNodes`, `getEnteringMaintenanceNodes`).
 *   Each of those attributes is a JSON object serialised INTO A STRING, keyed by DataNode:
 *   bare host name in 1.x/early 2.x, `host:xferPort` in later 2.x and 3.x.
 *   Live entries: 1.x `{usedSpace, lastContact}`; 2.x/3.x add `adminState` (the `toString()` of
 *   `DatanodeInfo.AdminStates`), `xferaddr`, `infoAddr`, capacity fields, and in 3.x
 *   `upgradeDomain` when one is set. Dead entries: `{lastContact, decommissioned}` (1.x often only
 *   `lastContact`), 3.x adds `adminState` and `xferaddr`. Decommissioning / entering-maintenance
 *   entries carry per-node block counts, not a state.
 * - `Hadoop:service=NameNode,name=FSNamesystem` (2.x/3.x metrics), `…,name=FSNamesystemState`
 *   (`FSNamesystemMBean`) and `…,name=FSNamesystemMetrics` (1.x) carry the block counters
 *   `UnderReplicatedBlocks` (3.x also `LowRedundancyBlocks`, the same counter renamed) and
 *   `MissingBlocks`; NameNodeInfo itself has `NumberOfMissingBlocks` from 2.x on.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { hdfsSets, sample } from './common.js';
import { nameSetsOnRead } from '../sets/indexset.js';
import { normalizeHost } from '../hosts.js';
import { parseJsonDocument, readJmxBeans, zodInputError, type JmxBean } from './json.js';
import { HDFS_ADMIN_STATES, type HdfsAdminState, type HdfsBlockCounts, type HdfsNodeRow, type ParsedSource } from './types.js';

/** JMX bean names this parser reads (identical in Hadoop 1.x, 2.x and 3.x). */
export const NAMENODE_INFO_BEAN = 'Hadoop:service=NameNode,name=NameNodeInfo';
const COUNTER_BEANS = new Set([
  'Hadoop:service=NameNode,name=FSNamesystem',
  'Hadoop:service=NameNode,name=FSNamesystemState',
  'Hadoop:service=NameNode,name=FSNamesystemMetrics',
]);


/**
 * Parse a NameNode `/jmx` response (`{"beans":[…]}`) into one {@link HdfsNodeRow} per DataNode
 * listed in the NameNodeInfo bean, the seven HDFS raw sets (see {@link hdfsSets}) and, when an
 * FSNamesystem / FSNamesystemState bean (or NameNodeInfo's `NumberOfMissingBlocks`) is present,
 * the block counters in `blocks` (counts of blocks; `null` where the payload has no such counter).
 *
 * Per DataNode: `live` = listed in `LiveNodes` (else in `DeadNodes`); `adminState` = the entry's
 * `adminState` when present, otherwise derived: in `DecomNodes` → `Decommission In Progress`,
 * dead with `decommissioned: true` → `Decommissioned`, in `EnteringMaintenanceNodes` →
 * `Entering Maintenance`, else `In Service`; `rack` from a `location` field, `upgradeDomain` from
 * `upgradeDomain`, else `null`. Keys are normalised with `normalizeHost` (port dropped).
 * A host listed both live and dead keeps its live entry (a note says so). Rows are sorted by host.
 *
 * A payload with FSNamesystem counters but no NameNodeInfo is valid: no rows, a note.
 *
 * @throws InputError (with `origin` and `field`) when the text is not JSON (`(document)`, with
 *   line, column and character position), has no `beans` array, has neither bean, a node list is
 *   not a JSON object in a string, a key is not a DNS host name (`beans[i].LiveNodes["key"]`),
 *   an `adminState` is not one of `DatanodeInfo.AdminStates`, or a counter is not a whole number.
 */
export function parseHdfsJmx(text: string, origin: string): ParsedSource<HdfsNodeRow> {
  const notes: string[] = [];
  const { beans, index: infoIndex } = readJmxBeans(text, origin, 'NameNode', NAMENODE_INFO_BEAN, notes);
  const blocks = readBlockCounters(beans, infoIndex, origin);

  if (infoIndex < 0 && blocks === undefined) {
    throw new InputError(
      { origin, field: 'beans' },
      `expected a ${NAMENODE_INFO_BEAN} bean (DataNodes) or an FSNamesystem / FSNamesystemState bean (block counters), ` +
        `found ${beans.length} bean(s)${beans.length ? `: ${beans.slice(0, 5).map((b) => b.name).join(', ')}${beans.length > 5 ? ', …' : ''}` : ''}; ` +
        `query the NameNode's /jmx (or /jmx?qry=${NAMENODE_INFO_BEAN})`,
    );
  }

  let rows: HdfsNodeRow[] = [];
  if (infoIndex < 0) {
    notes.push('no NameNodeInfo bean: no DataNodes listed');
  } else {
    rows = readNameNodeInfo(beans[infoIndex], `beans[${infoIndex}]`, origin, notes);
  }

  const out = nameSetsOnRead<ParsedSource<HdfsNodeRow>>({ kind: 'hdfs-jmx', origin, rows, setIndexes: hdfsSets(rows), notes }, rows);
  if (blocks) out.blocks = blocks;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schemas: only the fields this parser reads are checked. Unknown fields are allowed everywhere
// (each Hadoop release adds some); node entries use zod's default strip mode rather than
// passthrough because copying ~20 unread fields of 100,000 entries costs more than the parse.


/** A NameNodeInfo node list: a JSON object serialised into a string. */
const NodeList = z.string();
const NameNodeInfoBean = z.object({
  LiveNodes: NodeList,
  DeadNodes: NodeList,
  DecomNodes: NodeList.optional(),
  EnteringMaintenanceNodes: NodeList.optional(),
  Safemode: z.string().nullish(),
});

const optionalText = z.string().nullish();
const LiveEntry = z.object({ adminState: optionalText, upgradeDomain: optionalText, location: optionalText });
const DeadEntry = z.object({
  adminState: optionalText,
  upgradeDomain: optionalText,
  location: optionalText,
  decommissioned: z.boolean().nullish(),
});
/** DecomNodes / EnteringMaintenanceNodes entries: only membership is read. */
const OtherEntry = z.object({});
const Entries = <T extends z.ZodType>(entry: T) => z.record(z.string(), entry);

const Counter = z.number().int().nonnegative().nullish();

type LiveEntryT = z.infer<typeof LiveEntry>;
type DeadEntryT = z.infer<typeof DeadEntry>;

// ---------------------------------------------------------------------------------------------

interface NodeDraft {
  host: string;
  live: boolean;
  /** The key and list it came from, for error messages. */
  field: string;
  entry: LiveEntryT | DeadEntryT;
}

/** Hadoop's `NetworkTopology.DEFAULT_RACK`: no rack configured (dfsadmin -report omits it too). */
const DEFAULT_RACK = '/default-rack';

const ADMIN_STATES: ReadonlyMap<string, HdfsAdminState> = new Map(HDFS_ADMIN_STATES.map((s) => [s, s]));

function readNameNodeInfo(bean: unknown, beanPath: string, origin: string, notes: string[]): HdfsNodeRow[] {
  const info = NameNodeInfoBean.safeParse(bean);
  if (!info.success) throw zodInputError(origin, beanPath, info.error);
  const { LiveNodes, DeadNodes, DecomNodes, EnteringMaintenanceNodes, Safemode } = info.data;
  if (Safemode) notes.push(`NameNode reports safe mode: ${JSON.stringify(Safemode)}`);

  const live = parseNodeList(LiveNodes, LiveEntry, `${beanPath}.LiveNodes`, origin);
  const dead = parseNodeList(DeadNodes, DeadEntry, `${beanPath}.DeadNodes`, origin);
  const decom = DecomNodes === undefined ? [] : parseNodeList(DecomNodes, OtherEntry, `${beanPath}.DecomNodes`, origin);
  const entering =
    EnteringMaintenanceNodes === undefined
      ? []
      : parseNodeList(EnteringMaintenanceNodes, OtherEntry, `${beanPath}.EnteringMaintenanceNodes`, origin);

  const byHost = new Map<string, NodeDraft>();
  const twiceLive: string[] = [];
  const liveAndDead: string[] = [];
  const twiceDead: string[] = [];
  for (const n of live) {
    if (byHost.has(n.host)) twiceLive.push(n.host);
    else byHost.set(n.host, { host: n.host, live: true, field: n.field, entry: n.entry });
  }
  for (const n of dead) {
    const seen = byHost.get(n.host);
    if (!seen) byHost.set(n.host, { host: n.host, live: false, field: n.field, entry: n.entry });
    else if (seen.live) liveAndDead.push(n.host);
    else twiceDead.push(n.host);
  }
  if (twiceLive.length) notes.push(`${countHosts(twiceLive)} listed twice in LiveNodes (several DataNode ports on one host?); kept the first entry: ${sample(twiceLive)}`);
  if (liveAndDead.length) notes.push(`${countHosts(liveAndDead)} listed in both LiveNodes and DeadNodes; kept the live entry: ${sample(liveAndDead)}`);
  if (twiceDead.length) notes.push(`${countHosts(twiceDead)} listed twice in DeadNodes; kept the first entry: ${sample(twiceDead)}`);

  const decommissioning = new Set<string>();
  const enteringMaintenance = new Set<string>();
  const orphans: string[] = [];
  for (const [list, into] of [[decom, decommissioning], [entering, enteringMaintenance]] as const) {
    for (const n of list) {
      into.add(n.host);
      if (!byHost.has(n.host)) {
        byHost.set(n.host, { host: n.host, live: true, field: n.field, entry: {} });
        orphans.push(n.host);
      }
    }
  }
  if (orphans.length) {
    notes.push(`${countHosts(orphans)} listed as decommissioning or entering maintenance but in neither LiveNodes nor DeadNodes; counted as live: ${sample(orphans)}`);
  }

  const rows: HdfsNodeRow[] = [];
  for (const d of byHost.values()) {
    rows.push({
      host: d.host,
      live: d.live,
      adminState: adminStateOf(d, decommissioning, enteringMaintenance, origin),
      rack: d.entry.location && d.entry.location !== DEFAULT_RACK ? d.entry.location : null,
      upgradeDomain: d.entry.upgradeDomain || null,
    });
  }
  rows.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return rows;
}

function adminStateOf(d: NodeDraft, decommissioning: Set<string>, enteringMaintenance: Set<string>, origin: string): HdfsAdminState {
  const raw = d.entry.adminState;
  if (raw !== undefined && raw !== null) {
    const state = ADMIN_STATES.get(raw);
    if (!state) {
      throw new InputError(
        { origin, field: `${d.field}.adminState` },
        `expected one of ${HDFS_ADMIN_STATES.map((s) => JSON.stringify(s)).join(', ')} (Hadoop DatanodeInfo.AdminStates), got ${JSON.stringify(raw)}`,
      );
    }
    return state;
  }
  if (decommissioning.has(d.host)) return 'Decommission In Progress';
  if (!d.live && (d.entry as DeadEntryT).decommissioned === true) return 'Decommissioned';
  if (enteringMaintenance.has(d.host)) return 'Entering Maintenance';
  return 'In Service';
}

/** One entry of a NameNodeInfo node list, keyed by its normalised host. */
interface ListedNode<E> {
  host: string;
  field: string;
  entry: E;
}

function parseNodeList<T extends z.ZodType>(text: string, entry: T, field: string, origin: string): ListedNode<z.infer<T>>[] {
  const value = parseJsonDocument(text, origin, 'a JSON object (keyed by DataNode) inside the string', field);
  const parsed = Entries(entry).safeParse(value);
  if (!parsed.success) throw zodInputError(origin, field, parsed.error, true);
  const out: ListedNode<z.infer<T>>[] = [];
  for (const [key, e] of Object.entries(parsed.data as Record<string, z.infer<T>>)) {
    const keyField = `${field}[${JSON.stringify(key)}]`;
    const h = normalizeHost(key);
    if (!h.ok) throw new InputError({ origin, field: keyField }, h.problem);
    out.push({ host: h.host, field: keyField, entry: e });
  }
  return out;
}

function readBlockCounters(beans: readonly JmxBean[], infoIndex: number, origin: string): HdfsBlockCounts | undefined {
  let found = false;
  let under: number | null = null;
  let lowRedundancy: number | null = null;
  let missing: number | null = null;
  const counter = (bean: Record<string, unknown>, i: number, name: string): number | null => {
    if (!(name in bean)) return null;
    const r = Counter.safeParse(bean[name]);
    if (!r.success) throw new InputError({ origin, field: `beans[${i}].${name}` }, `expected a whole number of blocks, got ${JSON.stringify(bean[name])}`);
    return r.data ?? null;
  };
  for (let i = 0; i < beans.length; i++) {
    if (!COUNTER_BEANS.has(beans[i].name)) continue;
    found = true;
    under ??= counter(beans[i], i, 'UnderReplicatedBlocks');
    lowRedundancy ??= counter(beans[i], i, 'LowRedundancyBlocks');
    missing ??= counter(beans[i], i, 'MissingBlocks');
  }
  if (infoIndex >= 0) {
    const fromInfo = counter(beans[infoIndex], infoIndex, 'NumberOfMissingBlocks');
    if (fromInfo !== null) found = true;
    missing ??= fromInfo;
  }
  if (!found) return undefined;
  return { underReplicatedBlocks: under ?? lowRedundancy, missingBlocks: missing };
}

function countHosts(hosts: readonly string[]): string {
  return hosts.length === 1 ? '1 host' : `${hosts.length} hosts`;
}


// ---------------------------------------------------------------------------------------------
// JSON and zod errors as InputErrors.

const DecomEntry = z.object({ underReplicatedBlocks: Counter });

/**
 * Blocks each decommissioning DataNode still waits on, from NameNodeInfo's `DecomNodes`
 * (`underReplicatedBlocks` of each entry, `DatanodeDescriptor.LeavingServiceStatus` in Hadoop
 * 2.x/3.x), keyed by normalised host. A host absent from the map is not decommissioning, or its
 * entry has no count (Hadoop 1.x lists membership only). Read alongside {@link parseHdfsJmx} on
 * the same text by the drain executor's follow-up.
 * @throws InputError as {@link parseHdfsJmx} does for a malformed `DecomNodes`.
 */
export function decommissioningBlocks(text: string, origin: string): Map<string, number> {
  const { beans, index } = readJmxBeans(text, origin, 'NameNode', NAMENODE_INFO_BEAN, []);
  const out = new Map<string, number>();
  const list = index < 0 ? undefined : beans[index].DecomNodes;
  if (typeof list !== 'string') return out;
  for (const n of parseNodeList(list, DecomEntry, `beans[${index}].DecomNodes`, origin)) {
    if (n.entry.underReplicatedBlocks !== undefined && n.entry.underReplicatedBlocks !== null) out.set(n.host, n.entry.underReplicatedBlocks);
  }
  return out;
}
