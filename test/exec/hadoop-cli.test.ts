/**
 * `breakfix plan approve --execute` on a datacenter whose breakfix.yml gives it the hadoop
 * executor: the click is decided (re-validated against the pass's sources), then the approved
 * hosts are drained through the exclude file of a simulated cluster and followed to the end.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runPlanDecide, runPlanShow } from '../../commands/plan.js';
import { HadoopSimulator } from '../../src/demo/hadoop-sim.js';
import { adoptLatestPlans, PlanStore } from '../../src/plan/store.js';
import { parseHdfsJmx } from '../../src/sources/hdfs-jmx.js';
import { fastPolicies } from '../helpers/hadoop.js';
import { describeSshd, startSshd, type TestSshd } from '../helpers/sshd-suite.js';
import { passWithPlan } from '../helpers/pass.js';
import { pino } from 'pino';
import type { SlackMessage } from '../../src/slack/messages.js';
import { BreakfixService, type SlackPort } from '../../src/slack/service.js';

let sim: HadoopSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A pass with a plan, and a breakfix.yml whose dc1 drains through the simulator's exclude file. */
async function configuredDatacenter(transport: Record<string, unknown> = { transport: 'local', allowLocalTransport: { value: true, reason: 'the simulator runs on this machine' } }) {
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
        drain: { executor: 'hadoop', ...transport, clusters },
      },
    },
  }));
  const drained = plan.actions.filter((a) => a.action === 'drain').map((a) => a.host);
  return { state, plan, exclude, config, policies: fastPolicies(), sim, drained };
}

describe('an approved plan from the CLI or Slack drains real exclude files', () => {
  it('approve --execute runs the hadoop executor for a datacenter configured with it', async () => {
    const { state, plan, exclude, config, policies, drained } = await configuredDatacenter();
    const out = await runPlanDecide({ config, policies, id: plan.id, action: 'approve', execute: true }, { user: 'alice', now: new Date() });
    expect(out.exitCode, out.text).toBe(0);
    expect(out.text).toMatch(/executing with the hadoop executor over local/);
    expect(readFileSync(exclude, 'utf8')).toBe(`# hosts out for good\n${drained.map((h) => `${h}\n`).join('')}`);
    for (const h of drained) expect(sim!.controlPlane.dataNode(h)!.adminState).toBe('Decommissioned');
    expect(new PlanStore(state).get(plan.id)!.state.state).toBe('completed');
    const show = await runPlanShow({ config, policies, id: plan.id });
    expect(show.text).toMatch(/substep-end {2}drain \S+ verify \(hdfs\) ok/);
  });

  it('an Approve click in Slack executes at once on such a datacenter, and the thread gets the outcome', async () => {
    const { state, plan, exclude, config, policies, drained } = await configuredDatacenter();
    await adoptLatestPlans(new PlanStore(state)); // as when the bot posted the proposal
    const sent: { kind: string; msg: SlackMessage }[] = [];
    const port: SlackPort = {
      postMessage: async (_c, msg) => { sent.push({ kind: 'post', msg }); return { ts: '1.2' }; },
      updateMessage: async (_c, _ts, msg) => { sent.push({ kind: 'update', msg }); },
      postEphemeral: async (_c, _u, msg) => { sent.push({ kind: 'ephemeral', msg }); },
    };
    const service = new BreakfixService(port, {
      settings: { channel: 'C0OPS0001', approvers: { dc1: ['U0APPROVER'] } }, common: { config, policies }, demo: false, datacenters: ['dc1'],
      runPass: async () => ({ exitCode: 1, output: 'not in this test' }), log: pino({ level: 'silent' }),
    });
    const r = await service.click({ action: 'approve', planId: plan.id, digest: plan.digest, user: 'U0APPROVER', channel: 'C0OPS0001', messageTs: '1.1', message: { text: '', blocks: [] } });
    expect(r, JSON.stringify(sent)).toEqual({ outcome: 'approved', executed: true });
    expect(sent.map((s) => s.kind)).toEqual(['update', 'post']);
    expect(sent[1].msg.text).toMatch(/execution: completed/);
    expect(readFileSync(exclude, 'utf8').split('\n').filter((l) => drained.includes(l))).toEqual(drained);
    expect(new PlanStore(state).get(plan.id)!.state).toMatchObject({ state: 'completed', by: 'U0APPROVER' });
  });
});

let sshd: TestSshd | undefined;
afterAll(async () => {
  await sshd?.stop();
});

describeSshd('the same over real SSH, configured in breakfix.yml', () => {
  it('approve --execute reaches the NameNode host through sshd with its verified host key', async () => {
    sshd = await startSshd();
    const ssh = { knownHosts: sshd.writeKnownHosts(['nn1.dc1.test']), identityFiles: [sshd.userKeyPath], agent: false, port: sshd.port, hostMap: { '*.dc1.test': { hostname: '127.0.0.1' } } };
    const { state, plan, exclude, config, policies, drained } = await configuredDatacenter({ transport: 'ssh', ssh });
    const out = await runPlanDecide({ config, policies, id: plan.id, action: 'approve', execute: true }, { user: 'alice', now: new Date() });
    expect(out.exitCode, out.text).toBe(0);
    expect(out.text).toMatch(/executing with the hadoop executor over ssh/);
    expect(readFileSync(exclude, 'utf8')).toBe(`# hosts out for good\n${drained.map((h) => `${h}\n`).join('')}`);
    expect(new PlanStore(state).get(plan.id)!.state.state).toBe('completed');
  });
});
