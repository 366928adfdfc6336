/**
 * `breakfix plan …` as an operator at a terminal uses it: the commands adopt the newest pass's
 * plan, approve and reject through the same decision as Slack, and execute only demo plans.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { runPlanDecide, runPlanList, runPlanShow, type PlanEnv } from '../../commands/plan.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { PlanStore } from '../../src/plan/store.js';
import { passWithPlan } from '../helpers/pass.js';

const policyDir = join(import.meta.dirname, '../../policies');


const env = (o: Partial<PlanEnv> = {}): PlanEnv => ({ user: 'alice', now: new Date(), ...o });

describe('breakfix plan from a terminal', () => {
  it('list registers the newest pass\'s plan as proposed; an empty store says so', async () => {
    const empty = await runPlanList({ state: mkdtempSync(join(tmpdir(), 'bf-state-')), policies: policyDir });
    expect(empty).toMatchObject({ exitCode: 0 });
    expect(empty.text).toMatch(/^no plans in /);
    const { plan, common } = await passWithPlan();
    const out = await runPlanList(common);
    expect(out.exitCode).toBe(0);
    expect(out.text).toMatch(new RegExp(`${plan.id}\\s+dc1\\s+proposed\\s+unknown`));
  });

  it('without BREAKFIX_APPROVERS the local user may approve, and is told why', async () => {
    const { plan, common } = await passWithPlan();
    const out = await runPlanDecide({ ...common, id: plan.id, action: 'approve' }, env());
    expect(out.exitCode).toBe(0);
    expect(out.text).toMatch(/note: BREAKFIX_APPROVERS is not set, so the local user alice is authorized/);
    expect(out.text).toMatch(/note: no --digest given, approving the stored plan as it is/);
    expect(out.text).toMatch(new RegExp(`plan ${plan.id} approved: approved by alice`));
    expect(out.text).toMatch(/nothing executed: the plan stays approved/);
  });

  it('someone not in BREAKFIX_APPROVERS is refused with exit 1 and the reason', async () => {
    const { plan, common } = await passWithPlan();
    const out = await runPlanDecide({ ...common, id: plan.id, action: 'approve' }, env({ user: 'mallory', approvers: 'alice, bob' }));
    expect(out.exitCode).toBe(1);
    expect(out.text).toMatch(/refused \(not_authorized\): mallory is not an approver for dc1/);
  });

  it('a digest other than the stored plan\'s is refused', async () => {
    const { plan, common } = await passWithPlan();
    const out = await runPlanDecide({ ...common, id: plan.id, action: 'approve', digest: '0'.repeat(64) }, env());
    expect(out.exitCode).toBe(1);
    expect(out.text).toMatch(/refused \(digest_mismatch\)/);
  });

  it('the two-person rule from the environment stops the requester; a bad value is an error', async () => {
    const { state, dir, plan, common } = await passWithPlan();
    // As runPass will once it registers its plan: the requester is recorded with it.
    await new PlanStore(state).register(plan, dir, { requestedBy: 'alice' });
    const out = await runPlanDecide({ ...common, id: plan.id, action: 'approve' }, env({ user: 'alice', twoPersonMinHosts: '1' }));
    expect(out.exitCode).toBe(1);
    expect(out.text).toMatch(/refused \(two_person_rule\): two-person rule: alice requested this plan of \d+ hosts \(≥ 1\), so someone else must approve it/);
    expect((await runPlanDecide({ ...common, id: plan.id, action: 'approve' }, env({ twoPersonMinHosts: 'two' }))).text).toMatch(/BREAKFIX_TWO_PERSON_MIN_HOSTS: expected a whole number/);
    expect((await runPlanDecide({ ...common, id: plan.id, action: 'approve' }, env({ user: 'bob', twoPersonMinHosts: '1' }))).exitCode).toBe(0);
  });

  it('reject exits 0; show then has the history, the decision and an empty journal', async () => {
    const { plan, common } = await passWithPlan();
    expect((await runPlanDecide({ ...common, id: plan.id, action: 'reject' }, env({ user: 'bob' }))).exitCode).toBe(0);
    const shown = await runPlanShow({ ...common, id: plan.id });
    expect(shown.text).toMatch(/state rejected \(by bob at /);
    expect(shown.text).toMatch(/- → proposed {2}by unknown/);
    expect(shown.text).toMatch(/proposed → rejected {2}by bob/);
    expect(shown.text).toMatch(/bob reject → rejected: rejected by bob/);
    expect(shown.text).toMatch(/journal \(0 entries\)/);
    expect((await runPlanShow({ ...common, id: 'dc1-nothere' })).exitCode).toBe(1);
  });

  it('--execute on a datacenter without a drain: block approves but executes nothing', async () => {
    const { state, plan, common } = await passWithPlan();
    const out = await runPlanDecide({ ...common, id: plan.id, action: 'approve', execute: true }, env());
    expect(out.exitCode).toBe(0);
    expect(out.text).toMatch(/not executed: \S+ has no drain: block with executor: hadoop in breakfix\.yml/);
    expect(new PlanStore(state).get(plan.id)!.state.state).toBe('approved');
    expect(new PlanStore(state).journal(plan.id)).toEqual([]);
  });

  it('--execute on the demo datacenter serves the pass\'s own control-plane snapshot again, re-validates against it and drains the picked hosts to completion', async () => {
    const state = mkdtempSync(join(tmpdir(), 'bf-demo-'));
    expect((await runDemo({ scenario: 'proposals', stateDir: state, seed: 42 })).exitCode).toBe(0);
    const listed = (await runPlanList({ state, policies: policyDir })).json as { id: string; dc: string; state: string; actions: number }[];
    const demo = listed.find((p) => p.dc === DEMO_DC)!;
    expect(demo).toMatchObject({ state: 'proposed' });
    const out = await runPlanDecide({ state, policies: policyDir, id: demo.id, action: 'approve', execute: true }, env());
    expect(out.text).toMatch(/its control plane was started again in this process/);
    expect(out.exitCode, out.text).toBe(0);
    expect(out.text).toMatch(/completed: drained \d+ hosts in \d+ polls; replication verified/);
    const store = new PlanStore(state);
    expect(store.get(demo.id)!.state.state).toBe('completed');
    const drained = store.get(demo.id)!.plan.actions.filter((a) => a.action === 'drain').map((a) => a.host).sort();
    const decommissioned = store.journal(demo.id).filter((j) => j.kind === 'event' && j.phase === 'decommissioned').map((j) => j.host as string).sort();
    expect(decommissioned).toEqual(drained);
  });
});
