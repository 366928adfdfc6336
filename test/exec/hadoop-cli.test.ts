/**
 * `breakfix plan approve --execute` on a datacenter whose breakfix.yml gives it the hadoop
 * executor: the click is decided (re-validated against the pass's sources), then the approved
 * hosts are drained through the exclude file of a simulated cluster and followed to the end.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runPlanDecide, runPlanShow } from '../../commands/plan.js';
import { HadoopSimulator } from '../../src/demo/hadoop-sim.js';
import { adoptLatestPlans, PlanStore } from '../../src/plan/store.js';
import { writePause } from '../../src/plan/pause.js';
import { parseHdfsJmx } from '../../src/sources/hdfs-jmx.js';
import { fastPolicies } from '../helpers/hadoop.js';
import { describeSshd, startSshd, type TestSshd } from '../helpers/sshd-suite.js';
import { passWithPlan } from '../helpers/pass.js';
import { pino } from 'pino';
import type { SlackMessage } from '../../src/slack/messages.js';
import { BreakfixService, type SlackPort } from '../../src/slack/service.js';
import { createSlackApp, type SlackBot } from '../../src/slack/app.js';
import { APPROVE_ACTION } from '../../src/slack/messages.js';
import { FakeSlackApi } from '../slack/fake-slack-api.js';
import { until } from '../slack/served-bot.js';
import { APPROVER, clickBody, OPS, postSigned, proposals, slashBody } from '../slack/slack-requests.js';

const SECRET = 'test-signing-secret-hadoop';

let sim: HadoopSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A pass with a plan, and a breakfix.yml whose dc1 drains through the simulator's exclude file. */
async function configuredDatacenter(transport: Record<string, unknown> = { transport: 'local', allowLocalTransport: { value: true, reason: 'the simulator runs on this machine' } }, o: { refreshGate?: string } = {}) {
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
    namenode: {
      host: 'nn1.dc1.test', jmx: urls.hdfsJmxUrl, exclude: { path: exclude },
      // With a gate, the refresh (and so the drain) waits until the test creates that file.
      refresh: [...(o.refreshGate ? ['sh', '-c', 'while [ ! -e "$0" ]; do sleep 0.05; done; exec "$@"', o.refreshGate] : []), join(urls.binDir, 'hdfs'), 'dfsadmin', '-refreshNodes'],
    },
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
    // The approval is shown first, before the drain; the outcome is the thread's last message.
    expect(sent[0].kind).toBe('update');
    expect(sent[0].msg.text).toMatch(/approved/i);
    expect(sent.filter((s) => s.kind === 'post').at(-1)!.msg.text).toMatch(/execution: completed/);
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

describe('a hadoop datacenter served over HTTP: the Slack thread follows the real drain live', () => {
  let fake: FakeSlackApi | undefined;
  let bot: SlackBot | undefined;
  afterEach(async () => {
    await bot?.stop();
    await fake?.stop();
    bot = undefined;
    fake = undefined;
  });

  /** The bot in HTTP mode over `config`, and `/breakfix pass dc1` posted (the pass itself is already written). */
  async function servedWithProposal(config: string, policies: string, state: string) {
    fake = new FakeSlackApi();
    await fake.start();
    bot = createSlackApp({
      settings: { mode: 'http', botToken: 'xoxb-test-token', signingSecret: SECRET, slackApiUrl: fake.url, channel: OPS, approvers: { dc1: [APPROVER] } },
      common: { config, policies }, demo: false, datacenters: ['dc1'], port: 0,
      // The pass of configuredDatacenter() is the newest one; registered as `breakfix pass` registers its plan.
      runPass: async () => (await adoptLatestPlans(new PlanStore(state)), { exitCode: 0, output: '' }),
      log: pino({ level: 'silent' }), progressThrottleMs: 20,
    });
    const base = `http://127.0.0.1:${(await bot.start()).port}`;
    await postSigned(base, SECRET, slashBody(fake, 'pass dc1'));
    await bot.idle();
    const [proposal] = proposals(fake);
    expect(proposal, JSON.stringify(fake.calls.map((c) => c.method))).toBeDefined();
    return { fake, bot, base, proposal };
  }
  const inThread = (f: FakeSlackApi, ts: string) => f.of('chat.postMessage').filter((c) => c.args.thread_ts === ts).map((c) => String(c.args.text));

  it('an Approve click shows "approved" on the message and opens the thread while the drain is still running', async () => {
    const gate = join(mkdtempSync(join(tmpdir(), 'bf-gate-')), 'refresh-may-run');
    const { state, config, policies, plan, drained } = await configuredDatacenter(undefined, { refreshGate: gate });
    const { fake, bot, base, proposal } = await servedWithProposal(config, policies, state);
    await postSigned(base, SECRET, clickBody(fake, APPROVE_ACTION, proposal.call, proposal.ts));
    // The drain is held before its HDFS refresh: all of this must come while it waits.
    await until(() => fake.of('chat.update').some((c) => c.args.ts === proposal.ts && /approved/i.test(String(c.args.text))), 10_000, 'the proposal updated as approved');
    await until(() => inThread(fake, proposal.ts).length > 0, 10_000, 'a progress message in the thread');
    await until(() => new PlanStore(state).journal(plan.id).some((j) => j.kind === 'substep-begin' && j.substep === 'refresh-hdfs'), 10_000, 'the drain to reach its refresh');
    expect(new PlanStore(state).get(plan.id)!.state.state).toBe('executing');
    expect(new PlanStore(state).journal(plan.id).some((j) => j.kind === 'end')).toBe(false);
    writeFileSync(gate, '');
    await bot.idle();
    expect(new PlanStore(state).get(plan.id)!.state.state).toBe('completed');
    const thread = inThread(fake, proposal.ts);
    expect(thread.some((t) => /decommissioned/i.test(t)), thread.join('\n')).toBe(true);
    expect(thread.at(-1)).toMatch(/execution: completed/);
    for (const h of drained) expect(sim!.controlPlane.dataNode(h)!.adminState).toBe('Decommissioned');
  });

  it('a restarted bot resumes an interrupted drain and reports it in the proposal\'s thread', async () => {
    const { state, config, policies, plan, drained } = await configuredDatacenter();
    const { fake, bot, proposal } = await servedWithProposal(config, policies, state);
    // The previous bot approved, started executing and was killed right after journaling the start.
    const store = new PlanStore(state);
    expect((await store.transition(plan.id, ['proposed'], 'approved', APPROVER)).ok).toBe(true);
    expect((await store.transition(plan.id, ['approved'], 'executing', APPROVER)).ok).toBe(true);
    store.appendJournal(plan.id, { at: new Date().toISOString(), kind: 'start', by: APPROVER, executor: 'hadoop', digest: plan.digest, actions: plan.actions.map((a) => `${a.action} ${a.host}`) });
    await bot.service.resumeInterrupted(); // what `breakfix serve` runs on start
    expect(store.get(plan.id)!.state.state).toBe('completed');
    const thread = inThread(fake, proposal.ts);
    expect(thread[0]).toMatch(new RegExp(`resuming execution of ${plan.id}`));
    expect(thread.some((t) => /decommissioned/i.test(t)), thread.join('\n')).toBe(true);
    expect(thread.at(-1)).toMatch(/resumed execution: completed/);
    expect(fake.of('chat.postMessage').filter((c) => !c.args.thread_ts)).toHaveLength(1); // the proposal only
    for (const h of drained) expect(sim!.controlPlane.dataNode(h)!.adminState).toBe('Decommissioned');
  });
});

describe('the kill switch between approval and execution', () => {
  it('a pause set after approve --execute is decided but before the drain starts refuses the execution, and the refusal is recorded', async () => {
    const { state, plan, exclude, config, policies } = await configuredDatacenter();
    const out = await runPlanDecide({ config, policies, id: plan.id, action: 'approve', execute: true }, {
      user: 'alice', now: new Date(),
      // Someone pauses dc1 in the moment between the decision and the execution.
      onDecided: () => writePause(state, 'dc1', { by: 'U0OPS', at: new Date().toISOString(), reason: 'NameNode failover' }),
    });
    expect(out.exitCode, out.text).toBe(1);
    expect(out.text).toMatch(/not executed: dc1 is paused/);
    expect(readFileSync(exclude, 'utf8')).toBe('# hosts out for good\n');
    const store = new PlanStore(state);
    expect(store.get(plan.id)!.state.state).toBe('approved');
    expect(store.journal(plan.id)).toEqual([]);
    expect(store.decisions(plan.id).at(-1)).toMatchObject({ user: 'alice', action: 'approve', outcome: 'not_executed', detail: expect.stringMatching(/dc1 is paused by U0OPS .*NameNode failover/) });
  });
});

describe('a click on a plan the store does not hold', () => {
  it('is refused (fail closed), even when the newest pass has that plan: no one is authorized by default', async () => {
    const { state, plan } = await passWithPlan(); // a pass that registered nothing (as --observe-only)
    const sent: string[] = [];
    const port: SlackPort = {
      postMessage: async () => ({ ts: '1.2' }),
      updateMessage: async () => { sent.push('update'); },
      postEphemeral: async (_c, _u, msg) => { sent.push(`ephemeral ${msg.text}`); },
    };
    const service = new BreakfixService(port, {
      settings: { channel: OPS, approvers: { dc1: [APPROVER] } }, common: { state }, demo: false, datacenters: ['dc1'],
      runPass: async () => ({ exitCode: 1, output: 'not in this test' }), log: pino({ level: 'silent' }),
    });
    const r = await service.click({ action: 'approve', planId: plan.id, digest: plan.digest, user: 'U0STRANGER', channel: OPS, messageTs: '1.1', message: { text: '', blocks: [] } });
    expect(r).toEqual({ outcome: 'not_found', executed: false });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/no plan .* in the plan store/);
    expect(new PlanStore(state).get(plan.id)?.state.state ?? 'not registered').not.toBe('approved');
  });
});
