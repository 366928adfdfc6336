/**
 * The demo fleet and its control plane: the real Alibaba v2018 inventory split into four
 * clusters with documented faults, served over loopback HTTP in the real Hadoop formats and
 * read back through the production parsers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DemoControlPlane, NAMENODE_INFO, FS_NAMESYSTEM } from '../src/demo/control-plane.js';
import { loadYamlFile } from '../src/config/yaml.js';
import { buildDemoFleet, DEMO_CLUSTERS, demoMappingPath, type DemoFleet } from '../src/demo/fleet.js';
import { runPass } from '../src/pass/run.js';
import { shippedPolicyDir } from '../src/paths.js';
import { parseHdfsJmx } from '../src/sources/hdfs-jmx.js';
import { parseHealth } from '../src/sources/health.js';
import { InventoryMappingSchema, parseInventory } from '../src/sources/inventory.js';
import { parseYarnNodes } from '../src/sources/yarn-nodes.js';
import type { HdfsNodeRow, InventoryRow, YarnNodeRow } from '../src/sources/types.js';

let proposals: DemoFleet;
let consumed: DemoFleet;
beforeAll(() => {
  proposals = buildDemoFleet('proposals');
  consumed = buildDemoFleet('budget-consumed');
});

const running: DemoControlPlane[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cp) => cp.close()));
});

async function startControlPlane(fleet: DemoFleet, now?: () => number) {
  const cp = new DemoControlPlane(fleet, { now });
  running.push(cp);
  return { cp, urls: await cp.start() };
}

async function get(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

const byCluster = (rows: readonly InventoryRow[], cluster: string) => rows.filter((r) => r.cluster === cluster);

describe('the demo fleet is the real Alibaba v2018 machine inventory', () => {
  it('has all 4,034 machines, the one IMPORT_INSTALLING machine allocated, every host a valid DNS name under demo.breakfix.test', () => {
    expect(proposals.inventory).toHaveLength(4034);
    expect(proposals.inventory.filter((r) => r.lifecycle === 'allocated').map((r) => r.host)).toEqual(['m-2739.demo.breakfix.test']);
    for (const r of proposals.inventory) expect(r.host).toMatch(/^m-\d+\.demo\.breakfix\.test$/);
    expect(new Set(proposals.inventory.map((r) => r.dc))).toEqual(new Set(['demo-dc1']));
    expect(new Set(proposals.inventory.map((r) => r.role))).toEqual(new Set(['worker']));
  });

  it('reads the export as is through demo/inventory-mapping.yml: latest row per machine, failure domains as rack and data group', () => {
    const csv = readFileSync(proposals.csvPath, 'utf8');
    const mapping = loadYamlFile(demoMappingPath(), InventoryMappingSchema).data;
    const parsed = parseInventory(csv, proposals.csvPath, mapping);
    expect(parsed.rows).toHaveLength(4034);
    expect(parsed.notes).toEqual(['13558 older rows of the same hosts dropped (latest by time_stamp)']);
    // m_1,658423,219,17,96,100,USING is machine 1's latest row.
    expect(parsed.rows.find((r) => r.host === 'm-1.demo.breakfix.test')).toMatchObject({ rack: '219', dataGroup: '17', lifecycle: 'managed' });
    expect(parsed.rows.find((r) => r.host === 'm-2739.demo.breakfix.test')).toMatchObject({ rack: '6', dataGroup: '6', lifecycle: 'allocated' });
  });

  it('splits the datacenter by rack into three big clusters and one small experimental rack', () => {
    const sizes = Object.fromEntries(proposals.clusters.map((c) => [c.name, { racks: c.racks.length, hosts: c.hosts, managed: c.managed }]));
    expect(sizes).toEqual({
      'hdp-prod-a': { racks: 65, hosts: 1813, managed: 1812 },
      'hdp-dense-b': { racks: 131, hosts: 1404, managed: 1404 },
      'hdp-etl-c': { racks: 95, hosts: 803, managed: 802 }, // one host in repair
      'hdp-exp': { racks: 1, hosts: 14, managed: 14 },
    });
    // Every rack belongs to exactly one cluster, and every host to its rack's cluster.
    const rackCluster = new Map<string, string>();
    for (const c of proposals.clusters) for (const r of c.racks) {
      expect(rackCluster.has(r)).toBe(false);
      rackCluster.set(r, c.name);
    }
    expect(rackCluster.size).toBe(292);
    for (const r of proposals.inventory) expect(r.cluster).toBe(rackCluster.get(r.rack!));
    expect(proposals.clusters.find((c) => c.name === DEMO_CLUSTERS.exp)!.managed).toBeLessThan(20);
  });

  it('is deterministic: two builds of a scenario are equal', () => {
    expect(buildDemoFleet('proposals')).toEqual(proposals);
    expect(buildDemoFleet('budget-consumed')).toEqual(consumed);
  });

  it('writes the canonical inventory TSV, which the inventory parser reads back unchanged', () => {
    const lines = proposals.inventoryTsv.trimEnd().split('\n');
    expect(lines[0]).toBe('host\tdc\tcluster\trole\track\tdata_group\tlifecycle\tticket\texclude');
    expect(lines).toHaveLength(4035);
    const parsed = parseInventory(proposals.inventoryTsv, 'demo inventory.tsv');
    expect(parsed.rows).toEqual(proposals.inventory);
  });

  it('gives every host the three checks, and every unresponsive host a failed reachable check', () => {
    const lines = proposals.healthTsv.trimEnd().split('\n');
    expect(lines[0]).toBe('host\tcheck\tstatus\tdetail');
    expect(lines).toHaveLength(1 + 3 * 4034);
    const checks = new Map<string, string[]>();
    for (const r of proposals.health) checks.set(r.host, [...(checks.get(r.host) ?? []), r.check]);
    for (const r of proposals.inventory) expect(checks.get(r.host)).toEqual(['reachable', 'disk', 'memory-ecc']);
    const parsed = parseHealth(proposals.healthTsv, 'demo health.tsv');
    expect(parsed.rows).toEqual(proposals.health);
    // Dead DataNodes are powered off: ssh cannot reach them either.
    const unreachable = new Set(proposals.health.filter((r) => r.check === 'reachable' && r.status === 'fail').map((r) => r.host));
    for (const d of proposals.dataNodes.filter((d) => !d.live)) expect(unreachable.has(d.host)).toBe(true);
  });
});

describe('the injected faults', () => {
  const outOfService = (f: DemoFleet) => {
    const inv = new Map(f.inventory.map((r) => [r.host, r]));
    return f.dataNodes.filter((d) => inv.get(d.host) && (!d.live || d.adminState !== 'In Service'));
  };

  it('proposals: in each big cluster every host already out is in one data group, and a small cluster has nothing out', () => {
    const inv = new Map(proposals.inventory.map((r) => [r.host, r]));
    for (const c of proposals.clusters) {
      const out = outOfService(proposals).filter((d) => inv.get(d.host)!.cluster === c.name);
      if (c.name === DEMO_CLUSTERS.exp) {
        expect(out).toEqual([]);
        continue;
      }
      expect(out.length).toBeGreaterThanOrEqual(4);
      expect(new Set(out.map((d) => d.upgradeDomain))).toEqual(new Set([c.outGroup]));
    }
  });

  it('proposals: failing or unresponsive hosts stay far below 30 % of every cluster', () => {
    const bad = new Set(proposals.health.filter((r) => r.status === 'fail').map((r) => r.host));
    for (const c of proposals.clusters) {
      const n = byCluster(proposals.inventory, c.name).filter((r) => bad.has(r.host)).length;
      expect(n / c.managed).toBeLessThan(0.3);
      expect(n).toBeGreaterThan(0);
    }
  });

  it('proposals: has the documented filters — a ticket, an exclude, a host in repair, and a host each side of unknown', () => {
    expect(proposals.inventory.filter((r) => r.ticket !== null).map((r) => [r.cluster, r.lifecycle, r.ticket])).toEqual(
      expect.arrayContaining([['hdp-prod-a', 'managed', 'HW-20431'], ['hdp-etl-c', 'repair', 'RMA-58213']]),
    );
    expect(proposals.inventory.filter((r) => r.exclude !== null).map((r) => r.cluster)).toEqual(['hdp-dense-b']);
    const dataNodes = new Set(proposals.dataNodes.map((d) => d.host));
    const known = new Set(proposals.inventory.map((r) => r.host));
    expect(proposals.inventory.filter((r) => r.lifecycle === 'managed' && !dataNodes.has(r.host)).map((r) => r.cluster)).toEqual(['hdp-etl-c']);
    expect([...dataNodes].filter((h) => !known.has(h))).toEqual(['m-4035.demo.breakfix.test']);
    expect(proposals.faults.length).toBeGreaterThan(10);
  });

  it('budget-consumed: the same fleet with at least the drain cap already out in every cluster', () => {
    expect(consumed.inventory.map((r) => r.host)).toEqual(proposals.inventory.map((r) => r.host));
    // Caps of policies/budgets.yml: default 6 %, dense 8 %, small 1.
    const caps: Record<string, number> = { 'hdp-prod-a': 108, 'hdp-dense-b': 112, 'hdp-etl-c': 48, 'hdp-exp': 1 };
    const inv = new Map(consumed.inventory.map((r) => [r.host, r]));
    for (const c of consumed.clusters) {
      const out = outOfService(consumed).filter((d) => inv.get(d.host)!.cluster === c.name && inv.get(d.host)!.lifecycle === 'managed');
      const repair = byCluster(consumed.inventory, c.name).filter((r) => r.lifecycle === 'repair');
      expect(out.length + repair.length).toBeGreaterThanOrEqual(caps[c.name]);
    }
    for (const f of proposals.faults) expect(consumed.faults).toContain(f);
  });
});

describe('the demo control plane serves the real Hadoop formats', () => {
  const hdfsView = (rows: readonly HdfsNodeRow[]) => rows.map((r) => ({ host: r.host, live: r.live, adminState: r.adminState, upgradeDomain: r.upgradeDomain }));
  const yarnView = (rows: readonly YarnNodeRow[]) => rows.map((r) => ({ host: r.host, state: r.state, rack: r.rack }));

  it('the NameNode /jmx parses with the production parser into the fleet DataNodes and block counters', async () => {
    const { urls } = await startControlPlane(proposals);
    const res = await get(urls.hdfsJmxUrl);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    const parsed = parseHdfsJmx(res.body, urls.hdfsJmxUrl);
    const want = proposals.dataNodes;
    expect(hdfsView(parsed.rows)).toEqual(hdfsView(want));
    // Live DataNodes carry their rack (`location`); dead ones do not in Hadoop 3.x.
    for (const r of parsed.rows) expect(r.rack).toBe(r.live ? want.find((d) => d.host === r.host)!.rack : null);
    expect(parsed.blocks).toEqual(proposals.blocks);
    expect(parsed.sets['hdfs-dead'].length).toBe(want.filter((d) => !d.live).length);
    expect(parsed.sets['hdfs-decommissioning'].length).toBe(want.filter((d) => d.adminState === 'Decommission In Progress').length);
  });

  it('answers ?qry= with just the bean asked for, as JMXJsonServlet does', async () => {
    const { urls } = await startControlPlane(proposals);
    const info = JSON.parse((await get(`${urls.nameNodeUrl}/jmx?qry=${NAMENODE_INFO}`)).body);
    expect(info.beans.map((b: { name: string }) => b.name)).toEqual([NAMENODE_INFO]);
    expect(typeof info.beans[0].LiveNodes).toBe('string');
    expect(Object.keys(JSON.parse(info.beans[0].LiveNodes))[0]).toMatch(/^m-\d+\.demo\.breakfix\.test:9866$/);
    const fs = JSON.parse((await get(`${urls.nameNodeUrl}/jmx?qry=${FS_NAMESYSTEM}`)).body);
    expect(fs.beans.map((b: { name: string }) => b.name)).toEqual([FS_NAMESYSTEM]);
    const all = JSON.parse((await get(`${urls.nameNodeUrl}/jmx?qry=Hadoop:service=NameNode,name=*`)).body);
    expect(all.beans).toHaveLength(2);
    expect(JSON.parse((await get(`${urls.nameNodeUrl}/jmx?qry=java.lang:type=Memory`)).body)).toEqual({ beans: [] });
  });

  it('the ResourceManager /ws/v1/cluster/nodes parses with the production parser into the fleet NodeManagers', async () => {
    const { urls } = await startControlPlane(proposals);
    const res = await get(urls.yarnNodesUrl);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    const parsed = parseYarnNodes(res.body, urls.yarnNodesUrl);
    expect(yarnView(parsed.rows)).toEqual(yarnView(proposals.nodeManagers));
    const unhealthy = proposals.nodeManagers.filter((n) => n.state === 'UNHEALTHY');
    expect(unhealthy).toHaveLength(3);
    for (const n of unhealthy) expect(parsed.rows.find((r) => r.host === n.host)!.healthReport).toBe(n.healthReport);
  });

  it('answers 404 on any other path', async () => {
    const { urls } = await startControlPlane(proposals);
    expect((await get(`${urls.nameNodeUrl}/ws/v1/cluster/nodes`)).status).toBe(404);
    expect((await get(`${urls.resourceManagerUrl}/jmx`)).status).toBe(404);
    expect((await get(`${urls.nameNodeUrl}/`)).status).toBe(404);
  });

  it('shows a state change made through the class in the next response', async () => {
    let clock = 1_700_000_000_000;
    const { cp, urls } = await startControlPlane(proposals, () => clock);
    const inService = proposals.dataNodes.filter((d) => d.live && d.adminState === 'In Service');
    const [draining, dying] = [inService[0].host, inService[1].host];

    cp.setDataNodeAdminState(draining, 'Decommission In Progress', 4321);
    cp.setDataNodeLive(dying, false);
    cp.setNodeManagerState(draining, 'DECOMMISSIONING');
    cp.setBlockCounts({ underReplicatedBlocks: 99_999, missingBlocks: 2 });
    clock += 60_000;

    const hdfs = parseHdfsJmx((await get(urls.hdfsJmxUrl)).body, urls.hdfsJmxUrl);
    expect(hdfs.rows.find((r) => r.host === draining)).toMatchObject({ live: true, adminState: 'Decommission In Progress' });
    expect(hdfs.rows.find((r) => r.host === dying)).toMatchObject({ live: false, adminState: 'In Service' });
    expect(hdfs.blocks).toEqual({ underReplicatedBlocks: 99_999, missingBlocks: 2 });
    const info = JSON.parse((await get(`${urls.nameNodeUrl}/jmx?qry=${NAMENODE_INFO}`)).body).beans[0];
    expect(JSON.parse(info.DecomNodes)[`${draining}:9866`].underReplicatedBlocks).toBe(4321);
    expect(JSON.parse(info.DeadNodes)[`${dying}:9866`].lastContact).toBe(630 + 60);

    const yarn = parseYarnNodes((await get(urls.yarnNodesUrl)).body, urls.yarnNodesUrl);
    expect(yarn.rows.find((r) => r.host === draining)!.state).toBe('DECOMMISSIONING');

    cp.setDataNodeAdminState(draining, 'Decommissioned');
    cp.setNodeManagerState(draining, 'DECOMMISSIONED');
    const after = parseHdfsJmx((await get(urls.hdfsJmxUrl)).body, urls.hdfsJmxUrl);
    expect(after.rows.find((r) => r.host === draining)!.adminState).toBe('Decommissioned');
    expect(after.sets['hdfs-decommissioned']).toContain(draining);
    expect(() => cp.setDataNodeLive('no-such-host.demo.breakfix.test', false)).toThrow(/no DataNode no-such-host/);
    // The fleet the control plane was built from is not changed by it.
    expect(proposals.dataNodes.find((d) => d.host === draining)!.adminState).toBe('In Service');
  });

  it('listens on 127.0.0.1 only', async () => {
    const { cp, urls } = await startControlPlane(proposals);
    for (const u of [urls.nameNodeUrl, urls.resourceManagerUrl, urls.hdfsJmxUrl, urls.yarnNodesUrl]) expect(new URL(u).hostname).toBe('127.0.0.1');
    const bound = cp.boundAddresses();
    expect(bound).toHaveLength(2);
    for (const a of bound) expect(a).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    // Where the machine has another address, the ports are closed there.
    const other = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (other) {
      for (const a of bound) await expect(connect(other.address, a.port)).rejects.toThrow(/ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT/);
    }
  });

  it('closes: nothing answers after close()', async () => {
    const { cp, urls } = await startControlPlane(proposals);
    await cp.close();
    await expect(fetch(urls.hdfsJmxUrl)).rejects.toThrow();
    expect(cp.boundAddresses()).toEqual([]);
  });
});

describe('a pass over the demo, read over loopback HTTP like `breakfix demo` does', () => {
  async function pass(fleet: DemoFleet) {
    const dir = mkdtempSync(join(tmpdir(), 'breakfix-demo-'));
    try {
      writeFileSync(join(dir, 'inventory.tsv'), fleet.inventoryTsv);
      writeFileSync(join(dir, 'health.tsv'), fleet.healthTsv);
      const { urls } = await startControlPlane(fleet);
      return await runPass({
        dc: 'demo',
        sources: [
          { kind: 'inventory', location: join(dir, 'inventory.tsv') },
          { kind: 'health', location: join(dir, 'health.tsv') },
          { kind: 'hdfs-jmx', location: urls.hdfsJmxUrl },
          { kind: 'yarn-nodes', location: urls.yarnNodesUrl },
        ],
        policyDir: shippedPolicyDir(),
        stateDir: join(dir, 'state'),
        seed: 7,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('proposals: drains only candidates of the data group already out, one host in the small cluster, and returns the repaired hosts', async () => {
    const result = await pass(proposals);
    expect(result.summary.result).toBe('ok');
    const outGroup = Object.fromEntries(proposals.clusters.map((c) => [c.name, c.outGroup]));
    const drains = result.plan!.actions.filter((a) => a.action === 'drain');
    const perCluster = Object.fromEntries(proposals.clusters.map((c) => [c.name, drains.filter((a) => a.cluster === c.name).length]));
    expect(perCluster).toEqual({ 'hdp-prod-a': 2, 'hdp-dense-b': 2, 'hdp-etl-c': 2, 'hdp-exp': 1 });
    for (const a of drains) if (a.cluster !== DEMO_CLUSTERS.exp) expect(a.dataGroup).toBe(outGroup[a.cluster]);
    expect(result.plan!.actions.filter((a) => a.action === 'recommission').map((a) => a.cluster).sort()).toEqual(['hdp-dense-b', 'hdp-prod-a']);
    expect(result.fleet!.sets.get('drain-candidates')).toHaveLength(26);
    expect(result.fleet!.sets.get('unknown')).toEqual(['m-4035.demo.breakfix.test', proposals.inventory.find((r) => r.cluster === 'hdp-etl-c' && r.lifecycle === 'managed' && !proposals.dataNodes.some((d) => d.host === r.host))!.host]);
    expect(result.plan!.passedOver.filter((p) => p.action === 'drain' && /data group/.test(p.reason))).toHaveLength(18);
  });

  it('budget-consumed: nothing safe to do, every cluster\'s budget consumed', async () => {
    const result = await pass(consumed);
    expect(result.summary.result).toBe('ok');
    expect(result.plan!.actions).toEqual([]);
    expect(result.plan!.emptyReason).toMatch(/^nothing safe to do: /);
    for (const b of result.budgets!) expect(b.actions.drain.headroom).toBe(0);
  });
});

function connect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/jmx', timeout: 2_000 }, (res) => {
      res.resume();
      resolve();
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('ETIMEDOUT'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
