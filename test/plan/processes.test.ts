/**
 * The store across real processes: the CLI and the bot are separate processes sharing one
 * state directory, so the compare-and-set and the lock are tested between child processes
 * running the compiled code: `dist/` when it is current (`npm test` builds it first), else a
 * build made here into a temporary directory (`dist/` is never written by the tests).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planDigest, type Plan } from '../../src/pass/reconcile.js';
import { PlanStore } from '../../src/plan/store.js';
import { passWithPlan } from '../helpers/pass.js';
import { compiledBuild, moduleUrl } from '../helpers/build.js';

const repo = join(import.meta.dirname, '../..');
const policyDir = join(repo, 'policies');
let build: string;

beforeAll(() => {
  build = compiledBuild();
}, 180_000);

const mod = (path: string) => moduleUrl(build, path);

/** Run `node script args…`; resolve with exit code and output. */
function run(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function makePlan(passId: string): Plan {
  const actions = [1, 2].map((i) => ({ action: 'drain' as const, host: `dn${i}.c1.test`, cluster: 'c1', rack: 'r1', dataGroup: 'g1', reason: 'failing disk' }));
  const core = { id: `dc1-${passId}`, dc: 'dc1', seed: 7, policyDigest: 'p'.repeat(64), sourceDigests: {}, actions };
  return { ...core, passId, createdAt: new Date().toISOString(), digest: planDigest(core), clusters: [], passedOver: [], emptyReason: null };
}

describe('four approvers in four processes click the same plan at the same instant', () => {
  it('exactly one approval; the three others are told who approved; four decisions recorded', async () => {
    const store = new PlanStore(mkdtempSync(join(tmpdir(), 'bf-procs-')));
    const plan = makePlan('aaaa0001');
    await store.register(plan, '/nonexistent/pass');
    const script = join(mkdtempSync(join(tmpdir(), 'bf-script-')), 'click.mjs');
    writeFileSync(script, `
      import { PlanStore } from ${JSON.stringify(mod('src/plan/store.js'))};
      import { decide } from ${JSON.stringify(mod('src/plan/approval.js'))};
      const [stateDir, planId, digest, user, startAt] = process.argv.slice(2);
      const store = new PlanStore(stateDir);
      while (Date.now() < Number(startAt)) {} // every process clicks at the same instant
      const d = await decide(store, {
        planId, digest, user, action: 'approve', now: new Date(),
        approvers: () => ({ users: ['u1', 'u2', 'u3', 'u4'] }), twoPersonRule: { enabled: false, minHosts: 0 }, paused: () => false,
        revalidate: async () => { await new Promise((r) => setTimeout(r, 30)); return { ok: true, passDir: '/fresh/' + user }; },
      });
      process.stdout.write(JSON.stringify(d.outcome === 'approved' ? { outcome: d.outcome, by: d.by } : d));
    `);
    const startAt = String(Date.now() + 1_500);
    const results = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((u) => run(script, [store.stateDir, plan.id, plan.digest, u, startAt])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const outcomes = results.map((r) => JSON.parse(r.stdout) as { outcome: string; by: string; state?: string });
    const approved = outcomes.filter((o) => o.outcome === 'approved');
    expect(approved).toHaveLength(1);
    const winner = approved[0].by;
    for (const o of outcomes.filter((x) => x.outcome !== 'approved')) expect(o).toMatchObject({ outcome: 'already_decided', state: 'approved', by: winner });
    expect(store.get(plan.id)!.state).toMatchObject({ state: 'approved', by: winner, version: 2 });
    expect(store.decisions(plan.id)).toHaveLength(4);
  });

  it('four processes appending 25 decisions each leave 100 whole lines', async () => {
    const store = new PlanStore(mkdtempSync(join(tmpdir(), 'bf-procs-')));
    const plan = makePlan('aaaa0002');
    await store.register(plan, '/nonexistent/pass');
    const script = join(mkdtempSync(join(tmpdir(), 'bf-script-')), 'append.mjs');
    writeFileSync(script, `
      import { PlanStore } from ${JSON.stringify(mod('src/plan/store.js'))};
      const [stateDir, planId, user] = process.argv.slice(2);
      const store = new PlanStore(stateDir);
      for (let i = 0; i < 25; i++) {
        await store.recordDecision(planId, { at: new Date().toISOString(), user, action: 'reject', digest: 'x'.repeat(64), outcome: 'paused', detail: user + ' #' + i + ' ' + 'y'.repeat(2000) });
      }
    `);
    const results = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((u) => run(script, [store.stateDir, plan.id, u])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const decisions = store.decisions(plan.id);
    expect(decisions).toHaveLength(100);
    for (const u of ['u1', 'u2', 'u3', 'u4']) expect(decisions.filter((d) => d.user === u).map((d) => d.detail.split(' ')[1])).toEqual(Array.from({ length: 25 }, (_, i) => `#${i}`));
  });
});

describe('the store lock excludes other processes', () => {
  it('four processes each adding 25 to a counter under the lock, with a slow read-modify-write, reach exactly 100', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-lock-'));
    const counter = join(dir, 'counter');
    writeFileSync(counter, '0');
    const script = join(dir, 'count.mjs');
    writeFileSync(script, `
      import { readFileSync, writeFileSync } from 'node:fs';
      import { withLock } from ${JSON.stringify(mod('src/plan/lock.js'))};
      const [lock, counter, startAt] = process.argv.slice(2);
      while (Date.now() < Number(startAt)) {}
      for (let i = 0; i < 25; i++) {
        await withLock(lock, () => {
          const n = Number(readFileSync(counter, 'utf8'));
          const until = Date.now() + 2;
          while (Date.now() < until) {} // widen the window a lost update would need
          writeFileSync(counter, String(n + 1));
        });
      }
    `);
    const startAt = String(Date.now() + 1_000);
    const results = await Promise.all([1, 2, 3, 4].map(() => run(script, [join(dir, 'lock'), counter, startAt])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('100');
  });
});

describe('the breakfix CLI approves through the same decision', () => {
  it('`breakfix plan approve` exits 0 the first time, 1 with who approved the second time; a stranger is refused', async () => {
    const { state, plan, dir } = await passWithPlan();
    const cli = join(build, 'src/cli.js');
    const flags = ['--state', state, '--policies', policyDir];
    const id = plan.id;

    const listed = await run(cli, ['plan', 'list', ...flags]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+dc1\\s+proposed`));

    const stranger = await run(cli, ['plan', 'approve', id, ...flags], { BREAKFIX_APPROVERS: 'approver-a,approver-b' });
    expect(stranger.code).toBe(1);
    expect(stranger.stdout).toMatch(/refused \(not_authorized\): .* is not an approver for dc1/);

    const me = (await import('node:os')).userInfo().username;
    const first = await run(cli, ['plan', 'approve', id, '--digest', plan.digest, ...flags], { BREAKFIX_APPROVERS: `alice,${me}` });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`plan ${id} approved: approved by ${me}`));
    const second = await run(cli, ['plan', 'approve', id, ...flags], { BREAKFIX_APPROVERS: `alice,${me}` });
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(new RegExp(`refused \\(already_decided\\): already approved by ${me}`));

    const shown = await run(cli, ['plan', 'show', id, '--json', ...flags]);
    const json = JSON.parse(shown.stdout) as { state: { state: string }; decisions: { outcome: string }[] };
    expect(json.state.state).toBe('approved');
    expect(json.decisions.map((d) => d.outcome)).toEqual(['not_authorized', 'approved', 'already_decided']);
    expect(readFileSync(join(state, 'plans', id, 'plan.json'), 'utf8')).toBe(readFileSync(join(dir, 'plan.json'), 'utf8'));
  });
});
