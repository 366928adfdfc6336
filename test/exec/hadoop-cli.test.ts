/**
 * `breakfix plan approve --execute` on a datacenter whose breakfix.yml gives it the hadoop
 * executor: the click is decided (re-validated against the pass's sources), then the approved
 * hosts are drained through the exclude file of a simulated cluster and followed to the end.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPlanDecide, runPlanShow } from '../../commands/plan.js';
import { HadoopSimulator } from '../../src/demo/hadoop-sim.js';
import { PlanStore } from '../../src/plan/store.js';
import { parseHdfsJmx } from '../../src/sources/hdfs-jmx.js';
import { fastPolicies } from '../helpers/hadoop.js';
import { passWithPlan } from '../helpers/pass.js';

let sim: HadoopSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('an approved plan from the CLI drains real exclude files', () => {
  it('approve --execute runs the hadoop executor for a datacenter configured with it', async () => {
    const { src, state, plan } = await passWithPlan();
    const nn = parseHdfsJmx(readFileSync(join(src, 'nn-jmx.json'), 'utf8'), 'nn-jmx.json');
    const exclude = join(src, 'dfs.exclude');
    writeFileSync(exclude, '# hosts out for good\n');
    sim = new HadoopSimulator({
      state: {
        dataNodes: nn.rows.map((r) => ({ host: r.host, live: r.live, adminState: r.adminState, rack: '/r1', upgradeDomain: r.upgradeDomain })),
        nodeManagers: [],
        blocks: { underReplicatedBlocks: 0, missingBlocks: 0 },
      },
      hdfsExclude: { path: exclude, format: 'plain' },
      blocksOf: () => 100,
      blocksPerSecond: 1_000,
    });
    const urls = await sim.start();
    const clusters = Object.fromEntries([...new Set(plan.actions.map((a) => a.cluster))].map((c) => [c, {
      namenode: { host: 'nn1.dc1.test', jmx: urls.hdfsJmxUrl, exclude: { path: exclude }, refresh: [join(urls.binDir, 'hdfs'), 'dfsadmin', '-refreshNodes'] },
    }]));
    const config = join(src, 'breakfix.yml');
    writeFileSync(config, JSON.stringify({
      state,
      datacenters: {
        dc1: {
          sources: { inventory: { path: join(src, 'inventory.tsv') }, health: { path: join(src, 'health.tsv') }, hdfs: { path: join(src, 'nn-jmx.json') } },
          drain: { executor: 'hadoop', transport: 'local', clusters },
        },
      },
    }));
    const policies = fastPolicies();
    const out = await runPlanDecide({ config, policies, id: plan.id, action: 'approve', execute: true }, { user: 'alice', now: new Date() });
    expect(out.exitCode, out.text).toBe(0);
    expect(out.text).toMatch(/executing with the hadoop executor over local/);
    const drained = plan.actions.filter((a) => a.action === 'drain').map((a) => a.host);
    expect(readFileSync(exclude, 'utf8')).toBe(`# hosts out for good\n${drained.map((h) => `${h}\n`).join('')}`);
    for (const h of drained) expect(sim.controlPlane.dataNode(h)!.adminState).toBe('Decommissioned');
    expect(new PlanStore(state).get(plan.id)!.state.state).toBe('completed');
    const show = await runPlanShow({ config, policies, id: plan.id });
    expect(show.text).toMatch(/substep-end {2}drain \S+ verify \(hdfs\) ok/);
  });
});
