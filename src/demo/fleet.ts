/**
 * The demo fleet: the REAL Alibaba cluster-trace-v2018 machine inventory (4,034 machines, their
 * racks and failure domains, `demo/alibaba-v2018-machine_meta.csv`), read through the production
 * inventory adapter, split into four Hadoop clusters by rack, with deterministic faults injected
 * so a reconciliation pass has something to decide. Only the machines, racks and data groups are
 * real; cluster names, health results and control-plane state are made up here, every fault
 * documented below and listed in `faults` for the demo output.
 *
 * Two scenarios:
 * - `proposals`: each cluster has a little in flight, all in ONE data group, and drain candidates
 *   spread across groups, so the pass proposes drains, and the data-group rule (at most one group
 *   out at once) visibly limits them to the group already out; plus the filters (ticket,
 *   exclude, unknown, in-flight) and return candidates.
 * - `budget-consumed`: the same fleet with enough hosts already out in every cluster that the
 *   drain budget is used up, so the pass must answer "nothing safe to do".
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadYamlFile } from '../config/yaml.js';
import { hash32, prng, shuffled } from '../pass/pick.js';
import { packageRoot, shippedPolicyDir } from '../paths.js';
import { computeCap } from '../policy/budget.js';
import { loadPolicy } from '../policy/load.js';
import { byteCompare } from '../sets/hostset.js';
import { HEALTH_COLUMNS } from '../sources/health.js';
import { INVENTORY_COLUMNS, InventoryMappingSchema, parseInventory } from '../sources/inventory.js';
import type { HdfsAdminState, HealthRow, InventoryRow, YarnNodeState } from '../sources/types.js';
import type { DemoControlPlaneState, DemoDataNode, DemoNodeManager } from './control-plane.js';

/** The demo scenarios `breakfix demo` can run. */
export const DEMO_SCENARIOS = ['proposals', 'budget-consumed'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/** The demo datacenter's name. */
export const DEMO_DC = 'demo-dc1';

/** Seed of the fault injection. Fixed: the demo tells the same story every run. */
export const DEMO_FAULT_SEED = 2018;

/** The health checks every host reports, in this order. */
export const DEMO_CHECKS = ['reachable', 'disk', 'memory-ecc'] as const;

/** One demo cluster: its racks (real failure_domain_1 values) and host counts. */
export interface DemoCluster {
  name: string;
  /** Rack ids, in numeric order. */
  racks: string[];
  /** Inventory hosts (every lifecycle). */
  hosts: number;
  /** Hosts with lifecycle `managed` after the faults (the size budgets use). */
  managed: number;
  /** The data group the scenario's in-flight hosts are in; null when nothing is out. */
  outGroup: string | null;
}

/**
 * What {@link buildDemoFleet} returns: the three observers' data for one datacenter. It is also
 * the control plane's starting state (`dataNodes`, `nodeManagers`, `blocks`):
 * `new DemoControlPlane(fleet)` serves it.
 */
export interface DemoFleet extends DemoControlPlaneState {
  scenario: DemoScenario;
  /** One line for the demo output: where the machines come from and how they were split. */
  description: string;
  dc: string;
  /** The machine inventory file read. */
  csvPath: string;
  clusters: DemoCluster[];
  /** Canonical inventory rows, sorted by host. */
  inventory: InventoryRow[];
  /** The same rows as the canonical inventory TSV (`host dc cluster role rack data_group lifecycle ticket exclude`, `-` for none). */
  inventoryTsv: string;
  /** Health results: every inventory host × {@link DEMO_CHECKS}, sorted by host then check order. */
  health: HealthRow[];
  /** The same rows as TSV (`host check status detail`). */
  healthTsv: string;
  /** What was injected, one human-readable line each (`<cluster>: <what>`), grouped by cluster in the order of `clusters`, datacenter-wide last. */
  faults: string[];
}

/** Options of {@link buildDemoFleet}. */
export interface DemoFleetOptions {
  /** The Alibaba machine_meta export; default `<package>/demo/alibaba-v2018-machine_meta.csv`. */
  csvPath?: string;
  /** Policy whose drain caps `budget-consumed` must use up; default the shipped `policies/`. */
  policyDir?: string;
}

/** `<package root>/demo`: the demo's shipped data (works from `dist/src/demo/` and from `src/demo/`). */
export function demoDir(): string {
  return join(packageRoot(), 'demo');
}

/** The mapping that reads the Alibaba export as is: `<package root>/demo/inventory-mapping.yml`. */
export function demoMappingPath(): string {
  return join(demoDir(), 'inventory-mapping.yml');
}

/** Cluster names, in the order racks are handed out; `hdp-exp` is the one small rack. */
export const DEMO_CLUSTERS = { prod: 'hdp-prod-a', dense: 'hdp-dense-b', etl: 'hdp-etl-c', exp: 'hdp-exp' } as const;

/** Share of the datacenter's hosts (not racks: the real racks hold 1 to 47 machines) up to which racks go to prod, then to dense. */
const PROD_SHARE = 0.45;
const DENSE_SHARE = 0.8;
/** Size of the experimental cluster's single rack: fewer than 20 managed hosts makes it `small`. */
const EXP_RACK_MIN = 12;
const EXP_RACK_MAX = 19;

/**
 * Build the demo fleet for a scenario. Deterministic: same CSV, mapping, policy and scenario ⇒
 * deep-equal result.
 * @throws InputError when the CSV or the mapping does not parse; Error when the inventory is
 *   too small to hold the documented faults.
 */
export function buildDemoFleet(scenario: DemoScenario, opts: DemoFleetOptions = {}): DemoFleet {
  const csvPath = opts.csvPath ?? join(demoDir(), 'alibaba-v2018-machine_meta.csv');
  const mappingPath = demoMappingPath();
  const mapping = loadYamlFile(mappingPath, InventoryMappingSchema).data;
  const parsed = parseInventory(readFileSync(csvPath, 'utf8'), csvPath, mapping);

  const fleet = new FleetBuilder(parsed.rows);
  fleet.splitIntoClusters();
  fleet.injectProposalFaults();
  if (scenario === 'budget-consumed') {
    const policy = loadPolicy(opts.policyDir ?? shippedPolicyDir());
    fleet.consumeBudgets((cluster, managed) => computeCap({ cluster, managed, role: 'worker' }, 'drain', policy.budgets).cap);
  }
  return fleet.result(scenario, csvPath);
}

// ---------------------------------------------------------------------------------------------

/** The mutable state of one host while faults are injected. */
interface HostState {
  inv: InventoryRow;
  /** Hadoop network location of the rack, `/<rack>`. */
  location: string;
  health: Record<(typeof DEMO_CHECKS)[number], { ok: boolean; detail: string }>;
  /** Null: the NameNode does not know the host. */
  dn: DemoDataNode | null;
  /** Null: the ResourceManager does not know the host. */
  nm: DemoNodeManager | null;
  /** Taken by a fault (so no host gets two stories). */
  touched: boolean;
}

class FleetBuilder {
  private readonly hosts = new Map<string, HostState>();
  private readonly clusters: DemoCluster[] = [];
  private readonly members = new Map<string, HostState[]>();
  private readonly extraDataNodes: DemoDataNode[] = [];
  private readonly extraNodeManagers: DemoNodeManager[] = [];
  /** Hosts decommissioned in HDFS and repaired (the return candidates of `proposals`). */
  private readonly returning: HostState[] = [];
  /** Fault lines by cluster (or the datacenter), in injection order. */
  private readonly faults = new Map<string, string[]>();

  constructor(rows: readonly InventoryRow[]) {
    if (rows.length === 0) throw new Error('the demo inventory has no machines');
    for (const row of rows) {
      const rack = row.rack ?? 'unracked';
      const managed = row.lifecycle === 'managed';
      const location = `/${rack}`;
      this.hosts.set(row.host, {
        inv: { ...row, dc: DEMO_DC, role: 'worker', rack, ticket: null, exclude: null },
        location,
        health: {
          reachable: { ok: true, detail: `ssh ok in ${(0.05 + (hash32(`ssh:${row.host}`) % 40) / 100).toFixed(2)} s` },
          disk: { ok: true, detail: '12/12 data disks mounted rw, SMART ok' },
          'memory-ecc': { ok: true, detail: 'EDAC: 0 corrected, 0 uncorrected errors in 24 h' },
        },
        // Only managed machines run a DataNode and a NodeManager; allocated ones are still being installed.
        dn: managed ? { host: row.host, live: true, adminState: 'In Service', rack: location, upgradeDomain: row.dataGroup } : null,
        nm: managed ? { host: row.host, state: 'RUNNING', rack: location, healthReport: '' } : null,
        touched: false,
      });
    }
  }

  // ---- clusters -----------------------------------------------------------------------------

  /**
   * Racks in numeric order. The last rack with 12–19 machines is `hdp-exp` (a one-rack
   * experimental cluster, fewer than 20 hosts, so the policy classifies it `small`); the others
   * are handed out in order, contiguous like rows of a hall: `hdp-prod-a` until it holds 45 % of
   * the hosts, `hdp-dense-b` until 80 % (its name contains `dense`, so the policy classifies it
   * dense), `hdp-etl-c` the rest.
   */
  splitIntoClusters(): void {
    const byRack = new Map<string, HostState[]>();
    for (const h of this.hosts.values()) {
      let list = byRack.get(h.inv.rack!);
      if (!list) byRack.set(h.inv.rack!, (list = []));
      list.push(h);
    }
    const racks = [...byRack.keys()].sort(rackOrder);
    const expRack = [...racks].reverse().find((r) => byRack.get(r)!.length >= EXP_RACK_MIN && byRack.get(r)!.length <= EXP_RACK_MAX);
    if (!expRack) throw new Error(`the demo inventory has no rack of ${EXP_RACK_MIN}–${EXP_RACK_MAX} machines for the small cluster`);
    const rest = racks.filter((r) => r !== expRack);
    const total = rest.reduce((n, r) => n + byRack.get(r)!.length, 0);
    const assignment = new Map<string, string[]>([[DEMO_CLUSTERS.prod, []], [DEMO_CLUSTERS.dense, []], [DEMO_CLUSTERS.etl, []], [DEMO_CLUSTERS.exp, [expRack]]]);
    let seen = 0;
    for (const r of rest) {
      const name = seen < PROD_SHARE * total ? DEMO_CLUSTERS.prod : seen < DENSE_SHARE * total ? DEMO_CLUSTERS.dense : DEMO_CLUSTERS.etl;
      assignment.get(name)!.push(r);
      seen += byRack.get(r)!.length;
    }
    for (const [name, clusterRacks] of assignment) {
      const hosts = clusterRacks.flatMap((r) => byRack.get(r)!).sort((a, b) => byteCompare(a.inv.host, b.inv.host));
      for (const h of hosts) h.inv.cluster = name;
      this.members.set(name, hosts);
      this.clusters.push({ name, racks: clusterRacks, hosts: hosts.length, managed: hosts.filter((h) => h.inv.lifecycle === 'managed').length, outGroup: null });
    }
  }

  // ---- faults: proposals ---------------------------------------------------------------------

  /**
   * The faults of the `proposals` scenario, per cluster (hosts chosen by a seeded shuffle):
   *
   * In each of the three big clusters, data group G = the cluster's largest group is already out:
   * - 2 DataNodes dead in G: powered off (ssh unreachable, NodeManager LOST). In flight.
   * - 1 DataNode `Decommission In Progress` in G: drained yesterday for a failing disk (its
   *   NodeManager already DECOMMISSIONED). In flight and still failing: `- in-flight` keeps it
   *   out of the candidates.
   * - 2 hosts failing a check in G (disk, memory ECC): drain candidates the data-group rule admits.
   * - 4 hosts failing a check in four other groups and racks, 1 host unresponsive to ssh while its
   *   DataNode still heartbeats, 1 NodeManager UNHEALTHY (local dirs full) with passing checks:
   *   drain candidates the data-group rule must pass over (a second group out is not data-safe).
   * Once in the fleet:
   * - hdp-prod-a: 1 failing host with an open ticket, 1 host `Decommissioned` in HDFS but managed
   *   and passing again (a return candidate, in G: decommissioned hosts are out of service too).
   * - hdp-dense-b: 1 failing host the operator excluded, 1 return candidate in G.
   * - hdp-etl-c: 1 host in repair (lifecycle `repair`, ticket, dead and decommissioned in HDFS, in
   *   G), 1 managed host the NameNode has never heard of (its DataNode never registered: `unknown`).
   * - the datacenter: 1 DataNode the inventory does not know (racked and started before its
   *   inventory record was created: `unknown`).
   * - hdp-exp (small, cap 1): 2 hosts failing a check, nothing in flight: one is picked.
   * Every host out of service in a cluster is in G on purpose: the data-group guard counts hosts
   * already out, so in-flight hosts in two groups would stop every drain (that is scenario 2's
   * kind of day). Failing + unresponsive stays far below the 30 % mass-failure limit everywhere.
   */
  injectProposalFaults(): void {
    for (const name of [DEMO_CLUSTERS.prod, DEMO_CLUSTERS.dense, DEMO_CLUSTERS.etl]) {
      const c = this.cluster(name);
      const pick = this.picker(name);
      const g = largestGroup(this.managedOf(name));
      c.outGroup = g;
      const inG = (h: HostState) => h.inv.dataGroup === g;
      const notG = (h: HostState) => h.inv.dataGroup !== g;

      const dead = [pick(inG), pick(inG)];
      for (const h of dead) this.kill(h);
      this.fault(name, `data group ${g} is out: ${hostList(dead)} dead (powered off: ssh unreachable, NodeManager LOST)`);

      const decom = pick(inG);
      this.failCheck(decom, 'disk');
      this.setHdfs(decom, 'Decommission In Progress', 1_000 + (hash32(decom.inv.host) % 8_000));
      this.setYarn(decom, 'DECOMMISSIONED');
      this.fault(name, `data group ${g} is out: ${decom.inv.host} decommission in progress (drained yesterday for a failing disk)`);

      const gFailing = [pick(inG), pick(inG)];
      this.failCheck(gFailing[0], 'disk');
      this.failCheck(gFailing[1], 'memory-ecc');
      this.fault(name, `${hostList(gFailing)} failing disk / memory-ecc in data group ${g}: drain candidates the data-group rule admits`);

      const spread = this.spreadPicker(name, notG);
      const failing = [spread(), spread(), spread(), spread()];
      failing.forEach((h, i) => this.failCheck(h, i % 2 === 0 ? 'disk' : 'memory-ecc'));
      this.fault(name, `${hostList(failing)} failing disk / memory-ecc in data groups ${failing.map((h) => h.inv.dataGroup).join(', ')}: drain candidates in other groups, passed over while group ${g} is out`);

      const unresponsive = spread();
      this.unreachable(unresponsive, 'Connection timed out');
      this.fault(name, `${unresponsive.inv.host} unresponsive (sshd hung; the DataNode still heartbeats), data group ${unresponsive.inv.dataGroup}: drain candidate, passed over`);

      const unhealthy = spread();
      this.setYarn(unhealthy, 'UNHEALTHY', localDirsFull(unhealthy.inv.host));
      this.fault(name, `${unhealthy.inv.host} NodeManager UNHEALTHY (local dirs full) with passing checks, data group ${unhealthy.inv.dataGroup}: drain candidate, passed over`);
    }

    {
      const name = DEMO_CLUSTERS.prod;
      const g = this.cluster(name).outGroup!;
      const spread = this.spreadPicker(name, (h) => h.inv.dataGroup !== g);
      const ticketed = spread();
      this.failCheck(ticketed, 'disk');
      ticketed.inv.ticket = 'HW-20431';
      this.fault(name, `${ticketed.inv.host} failing disk with ticket HW-20431 open: filtered out (someone is on it)`);
      const back = this.picker(name)((h) => h.inv.dataGroup === g);
      this.setHdfs(back, 'Decommissioned');
      this.setYarn(back, 'DECOMMISSIONED');
      this.returning.push(back);
      this.fault(name, `${back.inv.host} decommissioned in HDFS, repaired: managed and passing again in data group ${g}: return candidate`);
    }
    {
      const name = DEMO_CLUSTERS.dense;
      const g = this.cluster(name).outGroup!;
      const spread = this.spreadPicker(name, (h) => h.inv.dataGroup !== g);
      const excluded = spread();
      this.failCheck(excluded, 'memory-ecc');
      excluded.inv.exclude = 'hold: vendor memory diagnostics running';
      this.fault(name, `${excluded.inv.host} failing memory-ecc, excluded by the operator (vendor diagnostics): filtered out`);
      const back = this.picker(name)((h) => h.inv.dataGroup === g);
      this.setHdfs(back, 'Decommissioned');
      this.setYarn(back, 'DECOMMISSIONED');
      this.returning.push(back);
      this.fault(name, `${back.inv.host} decommissioned in HDFS, repaired: managed and passing again in data group ${g}: return candidate`);
    }
    {
      const name = DEMO_CLUSTERS.etl;
      const g = this.cluster(name).outGroup!;
      const repair = this.picker(name)((h) => h.inv.dataGroup === g);
      repair.inv.lifecycle = 'repair';
      repair.inv.ticket = 'RMA-58213';
      this.setHdfs(repair, 'Decommissioned');
      this.kill(repair);
      this.setYarn(repair, 'DECOMMISSIONED');
      this.fault(name, `${repair.inv.host} in repair (RMA-58213, mainboard at the vendor): dead and decommissioned in HDFS, data group ${g}, consumes budget`);
      const ghost = this.spreadPicker(name, (h) => h.inv.dataGroup !== g)();
      ghost.dn = null;
      this.fault(name, `${ghost.inv.host} managed in the inventory but unknown to the NameNode (DataNode never registered after a re-image): unknown, never acted on`);
    }
    {
      let n = this.hosts.size + 1;
      while (this.hosts.has(`m-${n}.demo.breakfix.test`)) n++;
      const stranger = `m-${n}.demo.breakfix.test`;
      const rack = this.cluster(DEMO_CLUSTERS.etl).racks.at(-1)!;
      this.extraDataNodes.push({ host: stranger, live: true, adminState: 'In Service', rack: `/${rack}`, upgradeDomain: null });
      this.extraNodeManagers.push({ host: stranger, state: 'RUNNING', rack: `/${rack}`, healthReport: '' });
      this.fault(DEMO_DC, `${stranger} is a live DataNode (rack ${rack}) the inventory does not know (started before its inventory record existed): unknown, never acted on`);
    }
    {
      const name = DEMO_CLUSTERS.exp;
      const spread = this.spreadPicker(name, () => true);
      const failing = [spread(), spread()];
      this.failCheck(failing[0], 'disk');
      this.failCheck(failing[1], 'memory-ecc');
      this.fault(name, `${hostList(failing)} failing disk / memory-ecc, nothing in flight: a small cluster drains one host at a time (cap 1)`);
    }
  }

  // ---- faults: budget consumed -----------------------------------------------------------------

  /**
   * The extra faults of `budget-consumed`: in each cluster, hosts go out until the in-flight
   * count reaches the drain cap (`capOf`, from the policy). In the big clusters the out group G
   * is being rolled (a disk-firmware refresh by upgrade domain: its healthy hosts are
   * decommissioning); where G alone is smaller than the cap (dense clusters allow 8 %, more than
   * one group holds), a rack lost power (its hosts dead, whatever their group: hosts die where
   * they stand). In `hdp-exp` one host died. The two repaired hosts of `proposals` are not
   * repaired yet (failing disk), so there is no return candidate either: the whole pass has
   * nothing safe to do.
   */
  consumeBudgets(capOf: (cluster: string, managed: number) => number): void {
    for (const back of this.returning) {
      this.failCheck(back, 'disk');
      this.fault(back.inv.cluster!, `${back.inv.host} (decommissioned in HDFS) is not repaired yet: replacement disk on order, still failing disk: no return candidate`);
    }
    for (const c of this.clusters) {
      const cap = capOf(c.name, this.managedOf(c.name).length);
      let inFlight = this.inFlight(c.name);
      if (inFlight >= cap) continue;
      if (c.outGroup !== null) {
        const rolling = this.managedOf(c.name).filter((h) => !h.touched && h.inv.dataGroup === c.outGroup);
        const take = rolling.slice(0, cap - inFlight);
        for (const h of take) {
          this.setHdfs(h, 'Decommission In Progress', 200 + (hash32(h.inv.host) % 4_000));
          this.setYarn(h, 'DECOMMISSIONED');
        }
        inFlight += take.length;
        if (take.length) this.fault(c.name, `data group ${c.outGroup} is being rolled (disk-firmware refresh by upgrade domain): ${take.length} more hosts decommission in progress`);
      }
      if (inFlight < cap && c.outGroup === null) {
        const pick = this.picker(c.name);
        while (inFlight < cap) {
          const h = pick(() => true);
          this.kill(h);
          inFlight++;
          this.fault(c.name, `${h.inv.host} died (power supply), data group ${h.inv.dataGroup}`);
        }
      }
      if (inFlight < cap) {
        // A rack that alone covers what is missing if there is one, else rack after rack.
        const untouchedIn = (rack: string) => this.managedOf(c.name).filter((h) => h.inv.rack === rack && !h.touched);
        const shuffledRacks = shuffled(c.racks, prng(hash32(`${DEMO_FAULT_SEED}:${c.name}:power`)));
        const enough = shuffledRacks.find((r) => untouchedIn(r).length >= cap - inFlight);
        for (const rack of enough ? [enough] : shuffledRacks) {
          if (inFlight >= cap) break;
          const hosts = untouchedIn(rack);
          if (hosts.length === 0) continue;
          for (const h of hosts) this.kill(h);
          inFlight += hosts.length;
          this.fault(c.name, `rack ${rack} lost power: ${hostList(hosts)} dead (data groups ${[...new Set(hosts.map((h) => h.inv.dataGroup ?? '-'))].sort(rackOrder).join(', ')})`);
        }
      }
      this.fault(c.name, `${inFlight} host${inFlight === 1 ? '' : 's'} in flight, drain cap ${cap}: drain budget consumed`);
    }
  }

  // ---- host changes ---------------------------------------------------------------------------

  private kill(h: HostState): void {
    if (h.dn) h.dn = { ...h.dn, live: false, lastContactSeconds: 3_600 + (hash32(`dead:${h.inv.host}`) % 86_400) };
    this.setYarn(h, 'LOST');
    this.unreachable(h, 'No route to host');
  }

  private unreachable(h: HostState, why: string): void {
    h.touched = true;
    h.health.reachable = { ok: false, detail: `ssh: connect to host ${h.inv.host} port 22: ${why}` };
    // The other checks cannot run; they keep their last result (not a new failure).
    for (const check of ['disk', 'memory-ecc'] as const) {
      h.health[check] = { ok: h.health[check].ok, detail: `not run: host unreachable; last result: ${h.health[check].detail}` };
    }
  }

  private failCheck(h: HostState, check: 'disk' | 'memory-ecc'): void {
    h.touched = true;
    const x = hash32(`${check}:${h.inv.host}`);
    h.health[check] = {
      ok: false,
      detail: check === 'disk'
        ? `/data/${(x % 12) + 1} (sd${String.fromCharCode(98 + (x % 12))}): SMART overall-health FAILED, ${8 + (x % 200)} reallocated sectors; filesystem remounted read-only`
        : `EDAC mc${x % 2}: ${120 + (x % 900)} corrected errors on DIMM_${'ABCD'[x % 4]}${(x % 3) + 1} in 24 h (limit 100)`,
    };
  }

  private setHdfs(h: HostState, adminState: HdfsAdminState, underReplicatedBlocks?: number): void {
    h.touched = true;
    if (!h.dn) throw new Error(`demo fault on ${h.inv.host}: the NameNode does not know it`);
    h.dn = { ...h.dn, adminState, ...(underReplicatedBlocks !== undefined ? { underReplicatedBlocks } : {}) };
  }

  private setYarn(h: HostState, state: YarnNodeState, healthReport?: string): void {
    h.touched = true;
    if (h.nm) h.nm = { ...h.nm, state, healthReport: healthReport ?? h.nm.healthReport };
  }

  // ---- choosing hosts -------------------------------------------------------------------------

  private cluster(name: string): DemoCluster {
    return this.clusters.find((c) => c.name === name)!;
  }

  private managedOf(name: string): HostState[] {
    return (this.members.get(name) ?? []).filter((h) => h.inv.lifecycle === 'managed');
  }

  /** Managed hosts of a cluster in (seeded) shuffled order: the same order on every call. */
  private shuffledManaged(name: string): HostState[] {
    return shuffled(this.managedOf(name), prng(hash32(`${DEMO_FAULT_SEED}:${name}`)));
  }

  /** The first untouched managed host (in shuffled order) that satisfies `pred`. */
  private picker(name: string): (pred: (h: HostState) => boolean) => HostState {
    return (pred) => {
      const h = this.shuffledManaged(name).find((x) => !x.touched && pred(x));
      if (!h) throw new Error(`demo fault injection: ${name} has no untouched host left that fits`);
      h.touched = true;
      return h;
    };
  }

  /** Like {@link picker}, each host in a data group and a rack none of the earlier picks used. */
  private spreadPicker(name: string, pred: (h: HostState) => boolean): () => HostState {
    const groups = new Set<string | null>();
    const racks = new Set<string | null>();
    const pick = this.picker(name);
    return () => {
      let h: HostState;
      try {
        h = pick((x) => pred(x) && !groups.has(x.inv.dataGroup) && !racks.has(x.inv.rack));
      } catch {
        h = pick(pred);
      }
      groups.add(h.inv.dataGroup);
      racks.add(h.inv.rack);
      return h;
    };
  }

  /** Hosts of a cluster the policy's `in-flight` set holds: managed and out of service in HDFS or YARN, or in repair. */
  private inFlight(name: string): number {
    return (this.members.get(name) ?? []).filter((h) => {
      if (h.inv.lifecycle === 'repair') return true;
      if (h.inv.lifecycle !== 'managed') return false;
      return (h.dn !== null && (!h.dn.live || h.dn.adminState !== 'In Service')) || h.nm?.state === 'DECOMMISSIONING';
    }).length;
  }

  private fault(cluster: string, what: string): void {
    let list = this.faults.get(cluster);
    if (!list) this.faults.set(cluster, (list = []));
    list.push(`${cluster}: ${what}`);
  }

  // ---- output ----------------------------------------------------------------------------------

  result(scenario: DemoScenario, csvPath: string): DemoFleet {
    const states = [...this.hosts.values()].sort((a, b) => byteCompare(a.inv.host, b.inv.host));
    const inventory = states.map((h) => ({ ...h.inv }));
    const health: HealthRow[] = [];
    for (const h of states) {
      for (const check of DEMO_CHECKS) health.push({ host: h.inv.host, check, status: h.health[check].ok ? 'ok' : 'fail', detail: h.health[check].detail });
    }
    const byHost = <T extends { host: string }>(a: T, b: T) => byteCompare(a.host, b.host);
    const dataNodes = [...states.flatMap((h) => (h.dn ? [{ ...h.dn }] : [])), ...this.extraDataNodes].sort(byHost);
    const nodeManagers = [...states.flatMap((h) => (h.nm ? [{ ...h.nm }] : [])), ...this.extraNodeManagers].sort(byHost);
    const pending = dataNodes.reduce((n, d) => n + (d.adminState === 'Decommission In Progress' ? d.underReplicatedBlocks ?? 0 : 0), 0);
    const clusters = this.clusters.map((c) => ({ ...c, racks: [...c.racks], managed: this.managedOf(c.name).length }));
    const racks = clusters.reduce((n, c) => n + c.racks.length, 0);
    const groups = new Set(inventory.map((r) => r.dataGroup)).size;
    const summary = clusters.map((c) => `${c.name} ${c.managed} managed on ${c.racks.length} rack${c.racks.length === 1 ? '' : 's'}`).join(', ');
    return {
      scenario,
      description:
        `${inventory.length} real machines of the Alibaba cluster-trace v2018 (${racks} racks, ${groups} data groups; ${basename(csvPath)}) ` +
        `as ${DEMO_DC}: ${summary}`,
      dc: DEMO_DC,
      csvPath,
      clusters,
      inventory,
      inventoryTsv: renderTsv(INVENTORY_COLUMNS, inventory.map((r) => [r.host, r.dc, r.cluster, r.role, r.rack, r.dataGroup, r.lifecycle, r.ticket, r.exclude])),
      health,
      healthTsv: renderTsv(HEALTH_COLUMNS, health.map((r) => [r.host, r.check, r.status, r.detail])),
      dataNodes,
      nodeManagers,
      blocks: { underReplicatedBlocks: pending, missingBlocks: 0 },
      faults: [...this.clusters.map((c) => c.name), DEMO_DC].flatMap((k) => this.faults.get(k) ?? []),
    };
  }
}


/** Rows as TSV under `header`: `-` for an empty cell, tabs and newlines inside a cell become spaces. */
export function renderTsv(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const cell = (v: string | null) => (v === null || v === '' ? '-' : v.replace(/[\t\r\n]+/g, ' '));
  return [header.join('\t'), ...rows.map((r) => r.map(cell).join('\t'))].join('\n') + '\n';
}

/** Racks in numeric order when both ids are numbers (the trace's are), else byte order. */
function rackOrder(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b) || byteCompare(a, b);
  return byteCompare(a, b);
}

/** The data group with the most hosts (ties: the lowest id), the one a real rolling upgrade would be slowest to finish. */
function largestGroup(hosts: readonly HostState[]): string {
  const counts = new Map<string, number>();
  for (const h of hosts) if (h.inv.dataGroup !== null) counts.set(h.inv.dataGroup, (counts.get(h.inv.dataGroup) ?? 0) + 1);
  let best: string | null = null;
  let n = -1;
  for (const [g, c] of [...counts].sort(([a], [b]) => rackOrder(a, b))) if (c > n) { best = g; n = c; }
  if (best === null) throw new Error('demo fault injection: a cluster has no data groups');
  return best;
}

function hostList(hosts: readonly HostState[]): string {
  return hosts.map((h) => h.inv.host).join(', ');
}

/** The NodeManager disk checker's report when local and log dirs are over the utilization threshold. */
function localDirsFull(host: string): string {
  const d = (hash32(`yarn:${host}`) % 12) + 1;
  return (
    `1/12 local-dirs usable space is below configured utilization percentage/no more usable space [ /data/${d}/yarn/local : used space above threshold of 90.0% ] ; ` +
    `1/12 log-dirs usable space is below configured utilization percentage/no more usable space [ /data/${d}/yarn/log : used space above threshold of 90.0% ]`
  );
}
