/**
 * The demo's control plane: a NameNode and a ResourceManager served over loopback HTTP in the
 * formats real Hadoop 3.x serves, so `breakfix demo` reads them through the production adapters
 * (`parseHdfsJmx`, `parseYarnNodes`) exactly as a pass reads a real cluster.
 *
 * - NameNode `GET /jmx`: Hadoop's JMXJsonServlet. `?qry=<ObjectName pattern>` selects beans
 *   (`Hadoop:service=NameNode,name=NameNodeInfo`, `…,name=FSNamesystem`, `*` wildcards); without
 *   `qry` both beans. NameNodeInfo's `LiveNodes` / `DeadNodes` / `DecomNodes` /
 *   `EnteringMaintenanceNodes` are JSON objects serialised into strings, keyed `host:9866`, with
 *   the per-node fields of `FSNamesystem.getLiveNodes()` and friends; the body is pretty-printed
 *   the way Jackson's default printer does it.
 * - ResourceManager `GET /ws/v1/cluster/nodes`: `{"nodes":{"node":[…]}}` with the NodeInfo
 *   fields of RMWebServices (rack, state, id, nodeHostName, nodeHTTPAddress, lastHealthUpdate,
 *   healthReport, numContainers, usedMemoryMB, …).
 *
 * State is mutable so a simulated executor can move hosts through decommissioning while the
 * servers run; every response is rendered from the state at the moment of the request.
 * Both servers bind 127.0.0.1 only: this is a demo, nothing off the machine may reach it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hash32 } from '../pass/pick.js';
import type { HdfsAdminState, YarnNodeState } from '../sources/types.js';

/** One DataNode as the demo NameNode knows it. */
export interface DemoDataNode {
  host: string;
  /** Heartbeating (listed in `LiveNodes`) or not (`DeadNodes`). */
  live: boolean;
  adminState: HdfsAdminState;
  /** Hadoop network location, e.g. `/219` (served as `location` of live nodes). */
  rack: string;
  /** HDFS upgrade domain: the data group. */
  upgradeDomain: string | null;
  /** Seconds since the last heartbeat when dead (default 4 h). Ignored while live. */
  lastContactSeconds?: number;
  /** While decommissioning or entering maintenance: blocks still waiting for another replica. */
  underReplicatedBlocks?: number;
}

/** One NodeManager as the demo ResourceManager knows it. */
export interface DemoNodeManager {
  host: string;
  state: YarnNodeState;
  /** Hadoop network location, e.g. `/219`. */
  rack: string;
  /** Empty when healthy; the disk checker's or health script's message otherwise. */
  healthReport: string;
}

/** Namesystem block counters (FSNamesystem bean). */
export interface DemoBlockCounts {
  underReplicatedBlocks: number;
  missingBlocks: number;
}

/** Everything the demo control plane serves. */
export interface DemoControlPlaneState {
  dataNodes: DemoDataNode[];
  nodeManagers: DemoNodeManager[];
  blocks: DemoBlockCounts;
}

/** Where the running servers answer. */
export interface DemoControlPlaneUrls {
  /** `http://127.0.0.1:<port>` of the NameNode web server. */
  nameNodeUrl: string;
  /** `http://127.0.0.1:<port>` of the ResourceManager web server. */
  resourceManagerUrl: string;
  /** `${nameNodeUrl}/jmx`: NameNodeInfo and FSNamesystem (DataNodes and block counters). */
  hdfsJmxUrl: string;
  /** `${resourceManagerUrl}/ws/v1/cluster/nodes`. */
  yarnNodesUrl: string;
}

/** Options of {@link DemoControlPlane}. */
export interface DemoControlPlaneOptions {
  /** Clock in ms (for `lastContact`, `lastHealthUpdate`); default `Date.now`. */
  now?: () => number;
  /** Called before each request is answered (a simulator brings the state up to its clock). */
  beforeRequest?: () => void;
}

/** Bean names the demo NameNode serves. */
export const NAMENODE_INFO = 'Hadoop:service=NameNode,name=NameNodeInfo';
export const FS_NAMESYSTEM = 'Hadoop:service=NameNode,name=FSNamesystem';

const HADOOP_VERSION = '3.3.6';
const XFER_PORT = 9866;
const DN_HTTP_PORT = 9864;
const NM_RPC_PORT = 8041;
const NM_HTTP_PORT = 8042;
/** A DataNode counts as dead after 10.5 min without a heartbeat (2 × recheck 5 min + 10 × 3 s). */
const DEAD_AFTER_SECONDS = 630;
const DEFAULT_DEAD_SECONDS = 4 * 3600;
const TiB = 1024 ** 4;

/**
 * A NameNode and a ResourceManager over mutable demo state. Construct with the fleet's state
 * (copied; the caller's arrays are not changed), `start()`, read the URLs, change state with the
 * setters, `close()`.
 */
export class DemoControlPlane {
  private readonly dataNodeByHost = new Map<string, DemoDataNode>();
  private readonly nodeManagerByHost = new Map<string, DemoNodeManager>();
  private readonly deadSince = new Map<string, number>();
  private blocks: DemoBlockCounts;
  private readonly now: () => number;
  private readonly beforeRequest: () => void;
  private readonly startedAt: number;
  private servers: Server[] = [];
  private starting: Promise<DemoControlPlaneUrls> | undefined;

  constructor(state: DemoControlPlaneState, opts: DemoControlPlaneOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.beforeRequest = opts.beforeRequest ?? (() => undefined);
    this.startedAt = this.now();
    for (const dn of state.dataNodes) {
      if (this.dataNodeByHost.has(dn.host)) throw new Error(`DataNode ${dn.host} is listed twice in the demo state`);
      this.dataNodeByHost.set(dn.host, { ...dn });
      if (!dn.live) this.deadSince.set(dn.host, this.startedAt - (dn.lastContactSeconds ?? DEFAULT_DEAD_SECONDS) * 1000);
    }
    for (const nm of state.nodeManagers) {
      if (this.nodeManagerByHost.has(nm.host)) throw new Error(`NodeManager ${nm.host} is listed twice in the demo state`);
      this.nodeManagerByHost.set(nm.host, { ...nm });
    }
    this.blocks = { ...state.blocks };
  }

  // ---- state --------------------------------------------------------------------------------

  /** The current state (copies), DataNodes and NodeManagers sorted by host. */
  state(): DemoControlPlaneState {
    const byHost = <T extends { host: string }>(a: T, b: T) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);
    return {
      dataNodes: [...this.dataNodeByHost.values()].map((d) => ({ ...d })).sort(byHost),
      nodeManagers: [...this.nodeManagerByHost.values()].map((n) => ({ ...n })).sort(byHost),
      blocks: { ...this.blocks },
    };
  }

  /** A copy of one DataNode's state, or undefined when the NameNode does not know the host. */
  dataNode(host: string): DemoDataNode | undefined {
    const d = this.dataNodeByHost.get(host);
    return d && { ...d };
  }

  /** A copy of one NodeManager's state, or undefined when the ResourceManager does not know the host. */
  nodeManager(host: string): DemoNodeManager | undefined {
    const n = this.nodeManagerByHost.get(host);
    return n && { ...n };
  }

  /**
   * Set a DataNode's admin state (what `dfsadmin -refreshNodes` and the decommission monitor do).
   * `underReplicatedBlocks` is the per-node count shown in `DecomNodes` / `EnteringMaintenanceNodes`.
   * @throws Error when the NameNode does not know the host.
   */
  setDataNodeAdminState(host: string, adminState: HdfsAdminState, underReplicatedBlocks?: number): void {
    const d = this.requireDataNode(host);
    d.adminState = adminState;
    if (underReplicatedBlocks !== undefined) d.underReplicatedBlocks = underReplicatedBlocks;
    else if (adminState === 'In Service' || adminState === 'Decommissioned' || adminState === 'In Maintenance') d.underReplicatedBlocks = 0;
  }

  /**
   * Set whether a DataNode heartbeats. A node going dead reports a `lastContact` just past the
   * NameNode's 10.5 min expiry, growing with the clock. @throws Error when the host is unknown.
   */
  setDataNodeLive(host: string, live: boolean): void {
    const d = this.requireDataNode(host);
    if (d.live === live) return;
    d.live = live;
    if (live) this.deadSince.delete(host);
    else this.deadSince.set(host, this.now() - DEAD_AFTER_SECONDS * 1000);
  }

  /** Set a NodeManager's state and health report. @throws Error when the ResourceManager does not know the host. */
  setNodeManagerState(host: string, state: YarnNodeState, healthReport?: string): void {
    const n = this.nodeManagerByHost.get(host);
    if (!n) throw new Error(`the demo ResourceManager has no NodeManager ${host}`);
    n.state = state;
    if (healthReport !== undefined) n.healthReport = healthReport;
    else if (state === 'RUNNING') n.healthReport = '';
  }

  /** Set the namesystem block counters (FSNamesystem `UnderReplicatedBlocks`, `MissingBlocks`). */
  setBlockCounts(counts: Partial<DemoBlockCounts>): void {
    this.blocks = { ...this.blocks, ...counts };
  }

  /** The block counters now. */
  blockCounts(): DemoBlockCounts {
    return { ...this.blocks };
  }

  private requireDataNode(host: string): DemoDataNode {
    const d = this.dataNodeByHost.get(host);
    if (!d) throw new Error(`the demo NameNode has no DataNode ${host}`);
    return d;
  }

  // ---- servers ------------------------------------------------------------------------------

  /**
   * Start the NameNode and ResourceManager web servers on 127.0.0.1, each on a free port.
   * Calling it again returns the same URLs. @throws Error when a server cannot listen.
   */
  start(): Promise<DemoControlPlaneUrls> {
    this.starting ??= this.listen();
    return this.starting;
  }

  private async listen(): Promise<DemoControlPlaneUrls> {
    const nn = await listenOnLoopback((req, res) => {
      this.beforeRequest();
      this.serveNameNode(req, res);
    });
    let rm: Server;
    try {
      rm = await listenOnLoopback((req, res) => {
        this.beforeRequest();
        this.serveResourceManager(req, res);
      });
    } catch (e) {
      await closeServer(nn);
      throw e;
    }
    this.servers = [nn, rm];
    const nameNodeUrl = `http://127.0.0.1:${(nn.address() as AddressInfo).port}`;
    const resourceManagerUrl = `http://127.0.0.1:${(rm.address() as AddressInfo).port}`;
    return { nameNodeUrl, resourceManagerUrl, hdfsJmxUrl: `${nameNodeUrl}/jmx`, yarnNodesUrl: `${resourceManagerUrl}/ws/v1/cluster/nodes` };
  }

  /** The addresses the servers are bound to (NameNode, then ResourceManager); empty when stopped. */
  boundAddresses(): AddressInfo[] {
    return this.servers.map((s) => s.address() as AddressInfo);
  }

  /** Stop both servers, dropping open keep-alive connections. Safe to call twice; `start()` again listens anew. */
  async close(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    if (starting) await starting.catch(() => undefined);
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map(closeServer));
  }

  private serveNameNode(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/jmx') return notFound(res, url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
    const beans = [{ name: NAMENODE_INFO, render: () => this.nameNodeInfoBean() }, { name: FS_NAMESYSTEM, render: () => this.fsNamesystemBean() }];
    const qry = url.searchParams.get('qry');
    const match = qry === null ? () => true : objectNamePattern(qry);
    sendJson(res, req, jacksonPretty({ beans: beans.filter((b) => match(b.name)).map((b) => b.render()) }));
  }

  private serveResourceManager(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.replace(/\/+$/, '') !== '/ws/v1/cluster/nodes') return notFound(res, url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
    const states = url.searchParams.get('states');
    const wanted = states ? new Set(states.toUpperCase().split(',').map((s) => s.trim())) : null;
    const nodes = [...this.nodeManagerByHost.values()].filter((n) => !wanted || wanted.has(n.state)).map((n) => this.nodeInfo(n));
    // Jersey renders an empty node list as null.
    sendJson(res, req, JSON.stringify({ nodes: nodes.length ? { node: nodes } : null }));
  }

  // ---- bodies -------------------------------------------------------------------------------

  private nameNodeInfoBean(): Record<string, unknown> {
    const live: Record<string, unknown> = {};
    const dead: Record<string, unknown> = {};
    const decom: Record<string, unknown> = {};
    const entering: Record<string, unknown> = {};
    const versions = new Map<string, number>();
    for (const d of this.sortedDataNodes()) {
      const key = `${d.host}:${XFER_PORT}`;
      const m = dataNodeMetrics(d.host);
      const ip = ipOf(d.host);
      const xferaddr = `${ip}:${XFER_PORT}`;
      const ud = d.upgradeDomain !== null ? { upgradeDomain: d.upgradeDomain } : {};
      if (d.live) {
        versions.set(HADOOP_VERSION, (versions.get(HADOOP_VERSION) ?? 0) + 1);
        live[key] = {
          infoAddr: `${ip}:${DN_HTTP_PORT}`, infoSecureAddr: `${ip}:0`, xferaddr, location: d.rack, uuid: m.uuid,
          lastContact: m.heartbeatAge, usedSpace: m.used, adminState: d.adminState, nonDfsUsedSpace: m.nonDfsUsed,
          capacity: m.capacity, numBlocks: m.numBlocks, version: HADOOP_VERSION, used: m.used, remaining: m.capacity - m.used - m.nonDfsUsed,
          blockScheduled: 0, blockPoolUsed: m.used, blockPoolUsedPercent: round5((m.used * 100) / m.capacity), volfails: 0,
          lastBlockReport: m.lastBlockReportMinutes, ...ud, blockPoolUsedPercentStdDev: m.usedStdDev,
        };
      } else {
        const since = this.deadSince.get(d.host) ?? this.startedAt - DEFAULT_DEAD_SECONDS * 1000;
        dead[key] = {
          lastContact: Math.max(DEAD_AFTER_SECONDS, Math.floor((this.now() - since) / 1000)),
          decommissioned: d.adminState === 'Decommissioned', adminState: d.adminState, xferaddr, ...ud,
        };
      }
      const pending = d.underReplicatedBlocks ?? 0;
      if (d.adminState === 'Decommission In Progress') {
        decom[key] = { xferaddr, underReplicatedBlocks: pending, decommissionOnlyReplicas: Math.floor(pending / 20), underReplicateInOpenFiles: 0, ...ud };
      } else if (d.adminState === 'Entering Maintenance') {
        entering[key] = { xferaddr, underReplicatedBlocks: pending, maintenanceOnlyReplicas: Math.floor(pending / 20), underReplicateInOpenFiles: 0 };
      }
    }
    const t = this.liveTotals();
    return {
      name: NAMENODE_INFO,
      modelerType: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem',
      Threads: 214,
      Total: t.capacity,
      ClusterId: 'CID-6d3f1b2a-5e0c-4c1e-9b7a-b4e4f1c0de01',
      UpgradeFinalized: true,
      Version: `${HADOOP_VERSION}, r1be78238728da9266a4f88195058f08fd012bf9c`,
      Used: t.used,
      Free: t.remaining,
      Safemode: '',
      NonDfsUsedSpace: t.nonDfsUsed,
      PercentUsed: percent(t.used, t.capacity),
      BlockPoolUsedSpace: t.used,
      PercentBlockPoolUsed: percent(t.used, t.capacity),
      PercentRemaining: percent(t.remaining, t.capacity),
      CacheCapacity: 0,
      CacheUsed: 0,
      TotalBlocks: t.blocks,
      TotalFiles: Math.floor(t.blocks * 0.6),
      NumberOfMissingBlocks: this.blocks.missingBlocks,
      NumberOfMissingBlocksWithReplicationFactorOne: 0,
      HighestPriorityLowRedundancyReplicatedBlocks: 0,
      HighestPriorityLowRedundancyECBlocks: 0,
      LiveNodes: JSON.stringify(live),
      DeadNodes: JSON.stringify(dead),
      DecomNodes: JSON.stringify(decom),
      EnteringMaintenanceNodes: JSON.stringify(entering),
      BlockPoolId: 'BP-1187432561-127.0.0.1-1546300800000',
      NameDirStatuses: JSON.stringify({ active: { '/data/1/dfs/nn': 'IMAGE_AND_EDITS' }, failed: {} }),
      NodeUsage: JSON.stringify({ nodeUsage: { min: '61.02%', median: '68.40%', max: '74.95%', stdDev: '3.12%' } }),
      NameJournalStatus: '[]',
      JournalTransactionInfo: JSON.stringify({ MostRecentCheckpointTxId: '48213377', LastAppliedOrWrittenTxId: '48219020' }),
      NNStartedTimeInMillis: this.startedAt - 12 * 86_400_000,
      CompileInfo: '2023-06-18T08:22Z by ubuntu from (HEAD detached at release-3.3.6-RC1)',
      CorruptFiles: '[]',
      CorruptFilesCount: 0,
      DistinctVersionCount: versions.size,
      DistinctVersions: [...versions].map(([key, value]) => ({ key, value })),
      SoftwareVersion: HADOOP_VERSION,
      NameDirSize: JSON.stringify({ '/data/1/dfs/nn': 12_884_901_888 }),
      RollingUpgradeStatus: null,
    };
  }

  private fsNamesystemBean(): Record<string, unknown> {
    let liveN = 0, deadN = 0, decomLive = 0, decomDead = 0, decommissioning = 0, maintLive = 0, maintDead = 0, entering = 0;
    for (const d of this.dataNodeByHost.values()) {
      if (d.live) liveN++;
      else deadN++;
      switch (d.adminState) {
        case 'Decommissioned': if (d.live) decomLive++; else decomDead++; break;
        case 'Decommission In Progress': decommissioning++; break;
        case 'In Maintenance': if (d.live) maintLive++; else maintDead++; break;
        case 'Entering Maintenance': entering++; break;
        case 'In Service': break;
      }
    }
    const { underReplicatedBlocks, missingBlocks } = this.blocks;
    const t = this.liveTotals();
    const GiB = 1024n ** 3n;
    return {
      name: FS_NAMESYSTEM,
      modelerType: 'FSNamesystem',
      'tag.Context': 'dfs',
      'tag.HAState': 'active',
      'tag.TotalSyncTimes': '12 ',
      'tag.Hostname': 'nn1.demo.breakfix.test',
      MissingBlocks: missingBlocks,
      MissingReplOneBlocks: 0,
      ExpiredHeartbeats: deadN,
      TransactionsSinceLastCheckpoint: 5643,
      TransactionsSinceLastLogRoll: 17,
      LastWrittenTransactionId: 48219020,
      LastCheckpointTime: this.startedAt - 3_600_000,
      CapacityTotal: t.capacity,
      CapacityTotalGB: t.capacity / GiB,
      CapacityUsed: t.used,
      CapacityUsedGB: t.used / GiB,
      CapacityRemaining: t.remaining,
      ProvidedCapacityTotal: 0,
      CapacityRemainingGB: t.remaining / GiB,
      CapacityUsedNonDFS: t.nonDfsUsed,
      TotalLoad: liveN * 18,
      SnapshottableDirectories: 0,
      Snapshots: 0,
      NumEncryptionZones: 0,
      LockQueueLength: 0,
      BlocksTotal: t.blocks,
      NumFilesUnderConstruction: 41,
      NumActiveClients: 27,
      FilesTotal: Math.floor(t.blocks * 0.6),
      PendingReplicationBlocks: 0,
      PendingReconstructionBlocks: 0,
      UnderReplicatedBlocks: underReplicatedBlocks,
      LowRedundancyBlocks: underReplicatedBlocks,
      CorruptBlocks: 0,
      ScheduledReplicationBlocks: 0,
      PendingDeletionBlocks: 0,
      LowRedundancyReplicatedBlocks: underReplicatedBlocks,
      CorruptReplicatedBlocks: 0,
      MissingReplicatedBlocks: missingBlocks,
      MissingReplicationOneBlocks: 0,
      HighestPriorityLowRedundancyReplicatedBlocks: 0,
      HighestPriorityLowRedundancyECBlocks: 0,
      BytesInFutureReplicatedBlocks: 0,
      PendingDeletionReplicatedBlocks: 0,
      TotalReplicatedBlocks: t.blocks,
      LowRedundancyECBlockGroups: 0,
      CorruptECBlockGroups: 0,
      MissingECBlockGroups: 0,
      BytesInFutureECBlockGroups: 0,
      PendingDeletionECBlocks: 0,
      TotalECBlockGroups: 0,
      ExcessBlocks: 0,
      NumTimedOutPendingReconstructions: 0,
      PostponedMisreplicatedBlocks: 0,
      PendingDataNodeMessageCount: 0,
      MillisSinceLastLoadedEdits: 0,
      BlockCapacity: 67_108_864,
      NumLiveDataNodes: liveN,
      NumDeadDataNodes: deadN,
      NumDecomLiveDataNodes: decomLive,
      NumDecomDeadDataNodes: decomDead,
      VolumeFailuresTotal: 0,
      EstimatedCapacityLostTotal: 0,
      NumDecommissioningDataNodes: decommissioning,
      StaleDataNodes: 0,
      NumStaleStorages: 0,
      TotalSyncCount: 5660,
      NumInMaintenanceLiveDataNodes: maintLive,
      NumInMaintenanceDeadDataNodes: maintDead,
      NumEnteringMaintenanceDataNodes: entering,
    };
  }

  /**
   * Capacity of the live DataNodes in bytes, as BigInt: a few thousand 96 TiB nodes are past
   * 2^53, where JavaScript numbers stop being exact (Java's longs are not). Blocks are counted
   * once (each is stored `replication` = 3 times).
   */
  private liveTotals(): { capacity: bigint; used: bigint; nonDfsUsed: bigint; remaining: bigint; blocks: number } {
    let capacity = 0n;
    let used = 0n;
    let nonDfsUsed = 0n;
    let replicas = 0;
    for (const d of this.dataNodeByHost.values()) {
      if (!d.live) continue;
      const m = dataNodeMetrics(d.host);
      capacity += BigInt(m.capacity);
      used += BigInt(m.used);
      nonDfsUsed += BigInt(m.nonDfsUsed);
      replicas += m.numBlocks;
    }
    return { capacity, used, nonDfsUsed, remaining: capacity - used - nonDfsUsed, blocks: Math.floor(replicas / 3) };
  }

  private nodeInfo(n: DemoNodeManager): Record<string, unknown> {
    const h = hash32(`nm:${n.host}`);
    const running = n.state === 'RUNNING' || n.state === 'DECOMMISSIONING';
    const totalMemoryMB = 368_640;
    const totalVcores = 88;
    const containers = running ? 6 + (h % 30) : 0;
    const usedMemoryMB = running ? containers * 8192 : 0;
    const usedVcores = running ? containers * 2 : 0;
    return {
      rack: n.rack,
      state: n.state,
      id: `${n.host}:${NM_RPC_PORT}`,
      nodeHostName: n.host,
      nodeHTTPAddress: `${n.host}:${NM_HTTP_PORT}`,
      lastHealthUpdate: this.now() - (h % 600_000),
      version: HADOOP_VERSION,
      healthReport: n.healthReport,
      numContainers: containers,
      usedMemoryMB,
      availMemoryMB: totalMemoryMB - usedMemoryMB,
      usedVirtualCores: usedVcores,
      availableVirtualCores: totalVcores - usedVcores,
      numRunningOpportContainers: 0,
      usedMemoryOpportGB: 0,
      usedVirtualCoresOpport: 0,
      numQueuedContainers: 0,
      resourceUtilization: {
        nodePhysicalMemoryMB: running ? Math.floor(usedMemoryMB * 0.8) + 6144 : 0,
        nodeVirtualMemoryMB: running ? Math.floor(usedMemoryMB * 0.8) + 6144 : 0,
        nodeCPUUsage: running ? round5(usedVcores * 0.6) : 0,
        aggregatedContainersPhysicalMemoryMB: running ? Math.floor(usedMemoryMB * 0.8) : 0,
        aggregatedContainersVirtualMemoryMB: running ? Math.floor(usedMemoryMB * 1.7) : 0,
        containersCPUUsage: running ? round5(usedVcores * 0.55) : 0,
      },
    };
  }

  private sortedDataNodes(): DemoDataNode[] {
    return [...this.dataNodeByHost.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }
}

// ---- helpers --------------------------------------------------------------------------------

/** Deterministic per-host numbers, so two responses differ only where the state changed. */
function dataNodeMetrics(host: string) {
  const h = hash32(`dn:${host}`);
  const capacity = 12 * 8 * TiB; // 12 × 8 TiB disks
  const used = Math.floor(capacity * (0.6 + (h % 1500) / 10_000));
  const hex = (n: number) => (hash32(`${n}:${host}`) >>> 0).toString(16).padStart(8, '0');
  return {
    capacity,
    used,
    nonDfsUsed: Math.floor(capacity * 0.02),
    numBlocks: Math.floor(used / (128 * 1024 * 1024) / 1.4),
    heartbeatAge: h % 3,
    lastBlockReportMinutes: (h >>> 8) % 360,
    usedStdDev: round5(((h >>> 4) % 400) / 100),
    uuid: `${hex(1)}-${hex(2).slice(0, 4)}-4${hex(3).slice(0, 3)}-8${hex(4).slice(0, 3)}-${hex(5)}${hex(6).slice(0, 4)}`,
  };
}

/** A stable private address for a host: `m-2739.…` → 10.20.10.240; other names by hash. */
function ipOf(host: string): string {
  const m = /^m-(\d+)\./.exec(host);
  const n = m ? Number(m[1]) : 60_000 + (hash32(host) % 2_000);
  return `10.20.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** `part / whole` in percent, as a float (Java's `float` fields), 0 for an empty cluster. */
function percent(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : Number((part * 10_000_000n) / whole) / 100_000;
}

function round5(x: number): number {
  return Math.round(x * 100_000) / 100_000;
}

/**
 * A JMX ObjectName pattern as JMXJsonServlet's `qry` takes it: `*` and `?` wildcards, otherwise
 * exact. Property order matters in this approximation (`Hadoop:service=NameNode,name=*` matches,
 * `Hadoop:name=*,service=NameNode` does not), which is enough for the queries tools send.
 */
function objectNamePattern(qry: string): (name: string) => boolean {
  const re = new RegExp(`^${qry.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return (name) => re.test(name);
}

/**
 * JSON as Jackson's DefaultPrettyPrinter writes it (Hadoop's JMX servlet): two-space indent,
 * `"key" : value`, arrays on one line as `[ a, b ]` with objects opening in place. BigInts are
 * written as exact integers (as Java writes a `long`).
 */
export function jacksonPretty(value: unknown, indent = ''): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((v) => jacksonPretty(v, indent)).join(', ')} ]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{ }';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${jacksonPretty(v, inner)}`).join(',\n')}\n${indent}}`;
}

function sendJson(res: ServerResponse, req: IncomingMessage, body: string): void {
  const bytes = Buffer.from(body + '\n', 'utf8');
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function notFound(res: ServerResponse, path: string): void {
  const body = Buffer.from(`${JSON.stringify({ error: 'not found', path })}\n`, 'utf8');
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}

function methodNotAllowed(res: ServerResponse): void {
  res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
  res.end();
}

/** An HTTP server on 127.0.0.1, on a free port. */
export function listenOnLoopback(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Stop a server, dropping keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
