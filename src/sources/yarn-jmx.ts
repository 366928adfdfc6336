/**
 * YARN control plane, JMX flavour: the ResourceManager's `/jmx` servlet (full dump or
 * `?qry=Hadoop:service=ResourceManager,name=RMNMInfo`).
 *
 * Format reference (Apache Hadoop, `org.apache.hadoop.yarn.server.resourcemanager.RMNMInfo`):
 * the bean `Hadoop:service=ResourceManager,name=RMNMInfo` has one attribute, `LiveNodeManagers`,
 * a JSON ARRAY SERIALISED INTO A STRING, one object per NodeManager:
 *
 * ```
 * {"HostName": "host", "Rack": "/default-rack", "State": "RUNNING", "NodeId": "host:45454",
 *  "NodeHTTPAddress": "host:8042", "HealthStatus": "Healthy", "LastHealthUpdate": 1370631907521,
 *  "HealthReport": "", "NumContainers": 0, "UsedMemoryMB": 0, "AvailableMemoryMB": 8192}
 * ```
 *
 * (`HealthStatus` only in early 2.x; `NodeManagerVersion` from 2.x on; the container and memory
 * fields only when the scheduler knows the node.) Despite the name the list holds the RM's
 * ACTIVE nodes (`RMContext#getRMNodes`: NEW, RUNNING, UNHEALTHY, DECOMMISSIONING); nodes that are
 * LOST, DECOMMISSIONED, REBOOTED or SHUTDOWN are only counted, in the
 * `Hadoop:service=ResourceManager,name=ClusterMetrics` bean (`NumLostNMs`, …).
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { ParsedSource, YarnNodeRow } from './types.js';
import { parseJsonDocument, readJmxBeans, zodInputError, type JmxBean } from './json.js';
import { finishYarnRows, yarnHealthReport, yarnHost, yarnNodeState, yarnRack } from './yarn-nodes.js';

/** The JMX bean this parser reads (Hadoop 2.x and 3.x). */
export const RMNM_INFO_BEAN = 'Hadoop:service=ResourceManager,name=RMNMInfo';
const CLUSTER_METRICS_BEAN = 'Hadoop:service=ResourceManager,name=ClusterMetrics';

const RmnmInfoBean = z.looseObject({ LiveNodeManagers: z.string() });

const optionalText = z.string().nullish();
/** One LiveNodeManagers entry; fields the parser does not read pass through untouched. */
const NodeManagerEntry = z.looseObject({
  HostName: optionalText,
  NodeId: z.unknown(),
  NodeHTTPAddress: optionalText,
  Rack: optionalText,
  State: z.unknown(),
  HealthReport: optionalText,
});

/** ClusterMetrics counters of NodeManagers RMNMInfo does not list, with the word for each. */
const INACTIVE_COUNTERS = [
  ['NumLostNMs', 'lost'],
  ['NumDecommissionedNMs', 'decommissioned'],
  ['NumRebootedNMs', 'rebooted'],
  ['NumShutdownNMs', 'shut down'],
] as const;

/**
 * Parse a ResourceManager `/jmx` response (`{"beans":[…]}`) into one {@link YarnNodeRow} per
 * NodeManager of the RMNMInfo bean's `LiveNodeManagers`, and the nine YARN raw sets (see
 * `yarnSets`).
 *
 * Per entry: host from `HostName`, else `NodeId`, else `NodeHTTPAddress` (port dropped,
 * `normalizeHost`); `State` must be a `NodeState` name; `Rack` (`/default-rack` = none) and
 * `HealthReport` are `null` when empty. A host listed twice keeps its first entry, with a note.
 * Rows are sorted by host. When the dump also has a ClusterMetrics bean counting lost,
 * decommissioned, rebooted or shut-down NodeManagers, a note says this source cannot name them.
 * More than one RMNMInfo bean: the first is read, with a note.
 *
 * @throws InputError naming `origin` and the field: `(document)` (line, column, position) when the
 *   text is empty or not JSON; `beans` when there is no beans array or no RMNMInfo bean;
 *   `beans[i].LiveNodeManagers` when it is not a JSON array in a string;
 *   `beans[i].LiveNodeManagers[k].State` for a state that is not a `NodeState`;
 *   `beans[i].LiveNodeManagers[k].HostName` (or `NodeId`, `NodeHTTPAddress`) for a value that is
 *   not a DNS host name; `beans[i].LiveNodeManagers[k]` when an entry names no host.
 */
export function parseYarnJmx(text: string, origin: string): ParsedSource<YarnNodeRow> {
  const notes: string[] = [];
  const { beans, index: infoIndex } = readJmxBeans(text, origin, 'ResourceManager', RMNM_INFO_BEAN, notes);
  if (infoIndex < 0) {
    const names = beans.slice(0, 5).map((b) => b.name).join(', ');
    throw new InputError(
      { origin, field: 'beans' },
      `expected a ${RMNM_INFO_BEAN} bean, found ${beans.length} bean(s)${beans.length ? `: ${names}${beans.length > 5 ? ', …' : ''}` : ''}; ` +
        `query the ResourceManager's /jmx (or /jmx?qry=${RMNM_INFO_BEAN}), not a NameNode's or NodeManager's`,
    );
  }

  const base = `beans[${infoIndex}]`;
  const info = RmnmInfoBean.safeParse(beans[infoIndex]);
  if (!info.success) throw zodInputError(origin, base, info.error);
  const listField = `${base}.LiveNodeManagers`;
  const list = parseJsonDocument(info.data.LiveNodeManagers, origin, 'a JSON array of NodeManagers inside the string', listField);
  if (!Array.isArray(list)) {
    throw new InputError({ origin, field: listField }, `expected a JSON array of NodeManagers inside the string, got ${typeof list === 'object' ? 'an object' : typeof list}`);
  }

  const rows: YarnNodeRow[] = [];
  for (let k = 0; k < list.length; k++) {
    const field = `${listField}[${k}]`;
    const parsed = NodeManagerEntry.safeParse(list[k]);
    if (!parsed.success) throw zodInputError(origin, field, parsed.error);
    const e = parsed.data;
    rows.push({
      host: entryHost(e, field, origin),
      state: yarnNodeState(e.State, { origin, field: `${field}.State` }),
      rack: yarnRack(e.Rack),
      healthReport: yarnHealthReport(e.HealthReport),
    });
  }
  if (rows.length === 0) notes.push('RMNMInfo lists no active NodeManagers');

  const inactive = inactiveCounts(beans);
  if (inactive) {
    notes.push(`ClusterMetrics counts ${inactive} NodeManagers that RMNMInfo does not list (it lists active ones only); read /ws/v1/cluster/nodes to name them`);
  }
  return finishYarnRows('yarn-jmx', origin, rows, notes);
}

function entryHost(e: z.infer<typeof NodeManagerEntry>, field: string, origin: string): string {
  const candidates = [['HostName', e.HostName], ['NodeId', e.NodeId], ['NodeHTTPAddress', e.NodeHTTPAddress]] as const;
  for (const [key, raw] of candidates) {
    if (typeof raw !== 'string' || !raw.trim()) continue;
    const h = yarnHost(raw);
    if (!h.ok) throw new InputError({ origin, field: `${field}.${key}` }, h.problem);
    return h.host;
  }
  throw new InputError({ origin, field }, 'expected a host name in HostName, NodeId or NodeHTTPAddress, found none');
}

/** `2 lost, 1 decommissioned` from the first ClusterMetrics bean, or `null` when none is counted. */
function inactiveCounts(beans: readonly JmxBean[]): string | null {
  const metrics = beans.find((b) => b.name === CLUSTER_METRICS_BEAN) as Record<string, unknown> | undefined;
  if (!metrics) return null;
  const parts: string[] = [];
  for (const [counter, word] of INACTIVE_COUNTERS) {
    const n = metrics[counter];
    if (typeof n === 'number' && n > 0) parts.push(`${n} ${word}`);
  }
  return parts.length ? parts.join(', ') : null;
}
