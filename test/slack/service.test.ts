/**
 * The bot's service without Bolt: a recording SlackPort, the demo fleet, the real plan store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { runStatus } from '../../commands/status.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { PlanStore } from '../../src/plan/store.js';
import type { SlackMessage } from '../../src/slack/messages.js';
import { BreakfixService, type ServiceOptions, type SlackPort } from '../../src/slack/service.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(over: Partial<ServiceOptions> = {}) {
  const state = mkdtempSync(join(tmpdir(), 'breakfix-service-'));
  dirs.push(state);
  const sent: { kind: string; channel: string; msg: SlackMessage; user?: string }[] = [];
  const port: SlackPort = {
    postMessage: async (channel, msg) => { sent.push({ kind: 'post', channel, msg }); return { ts: '1.1' }; },
    updateMessage: async (channel, _ts, msg) => { sent.push({ kind: 'update', channel, msg }); },
    postEphemeral: async (channel, user, msg) => { sent.push({ kind: 'ephemeral', channel, msg, user }); },
  };
  const service = new BreakfixService(port, {
    settings: { channel: 'C0OPS0001', approvers: { [DEMO_DC]: ['U0APPROVER'] } },
    common: { state }, demo: true, defaultDc: DEMO_DC, datacenters: [DEMO_DC],
    runPass: async () => ({ exitCode: (await runDemo({ scenario: 'proposals', stateDir: state, seed: 7 })).exitCode, output: '' }),
    log: pino({ level: 'silent' }),
    ...over,
  });
  return { state, sent, service };
}

describe('the bot service, headless', () => {
  it('one pass per datacenter at a time: a second /breakfix pass while one runs is told so and runs nothing', async () => {
    let release!: () => void;
    let runs = 0;
    const { service } = setup({ runPass: async () => { runs++; await new Promise<void>((r) => (release = r)); return { exitCode: 1, output: 'stopped' }; } });
    const first = service.command({ text: 'pass', user: 'U0APPROVER', channel: 'C0OPS0001' });
    const working = first.work!();
    const second = service.command({ text: 'pass', user: 'U0APPROVER', channel: 'C0OPS0001' });
    expect(second.ack).toContain(`a pass for ${DEMO_DC} is already running`);
    expect(second.work).toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    release();
    await working;
    expect(runs).toBe(1);
    expect(service.command({ text: 'pass', user: 'U0APPROVER', channel: 'C0OPS0001' }).work).toBeDefined();
  });

  it('/breakfix status before any pass says to run `/breakfix pass demo-dc1`, the slash command (the CLI\'s status names the CLI command)', async () => {
    const { service, state, sent } = setup();
    await service.command({ text: 'status', user: 'U0APPROVER', channel: 'C0OPS0001' }).work!();
    expect(sent.map((s) => s.kind)).toEqual(['ephemeral']);
    expect(sent[0].msg.text).toContain(`no pass for ${DEMO_DC} yet: run \`/breakfix pass ${DEMO_DC}\` first`);
    expect(sent[0].msg.text).not.toContain('--dc');
    expect(runStatus({ state, dc: DEMO_DC }).text).toContain(`run \`breakfix pass --dc ${DEMO_DC}\` first`);
  });

  it('a datacenter without approvers refuses every click: nobody, not even the local user, can approve from Slack', async () => {
    const { service, state, sent } = setup({ settings: { channel: 'C0OPS0001', approvers: { 'other-dc': ['U0APPROVER'] } } });
    await runDemo({ scenario: 'proposals', stateDir: state, seed: 7 });
    const [stored] = new PlanStore(state).list({ dc: DEMO_DC });
    const r = await service.click({ action: 'approve', planId: stored.plan.id, digest: stored.plan.digest, user: 'U0APPROVER', channel: 'C0OPS0001', messageTs: '1.1', message: { text: '', blocks: [] } });
    expect(r).toEqual({ outcome: 'not_authorized', executed: false });
    expect(sent.map((s) => s.kind)).toEqual(['ephemeral']);
    expect(new PlanStore(state).get(stored.plan.id)!.state.state).toBe('proposed');
  });

  it('a click with a digest other than the stored plan\'s is refused and explained', async () => {
    const { service, state, sent } = setup();
    await runDemo({ scenario: 'proposals', stateDir: state, seed: 7 });
    const [stored] = new PlanStore(state).list({ dc: DEMO_DC });
    const r = await service.click({ action: 'approve', planId: stored.plan.id, digest: 'f'.repeat(64), user: 'U0APPROVER', channel: 'C0OPS0001', messageTs: '1.1', message: { text: '', blocks: [] } });
    expect(r.outcome).toBe('digest_mismatch');
    expect(sent.at(-1)!.kind).toBe('ephemeral');
    expect(sent.at(-1)!.msg.text).toContain('is not the stored plan');
    expect(new PlanStore(state).get(stored.plan.id)!.state.state).toBe('proposed');
  });
});
