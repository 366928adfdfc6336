/**
 * `breakfix demo --drain`, the compiled command as a new user runs it: a pass on the demo fleet,
 * approved with --execute, drained by the hadoop executor through the simulator's real exclude
 * files; and `--crash-at` killing it mid-drain, then `--resume` finishing it from the journal.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoDir } from '../src/demo/fleet.js';
import { SUBSTEPS } from '../src/exec/hadoop.js';
import { shippedPolicyDir } from '../src/paths.js';
import type { Plan } from '../src/pass/reconcile.js';
import { PlanStore, type JournalEntry } from '../src/plan/store.js';
import { compiledBuild } from './helpers/build.js';
import { describeSshd } from './helpers/sshd-suite.js';

let build: string;
beforeAll(() => {
  build = compiledBuild();
}, 180_000);

/** Run the compiled CLI; resolve with its exit code (or signal) and output. */
async function cli(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(build, 'src/cli.js'), ...args], { timeout: 90_000 });
    return { code: 0, signal: null, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; signal?: string; stdout?: string; stderr?: string };
    return { code: err.code ?? null, signal: err.signal ?? null, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const hostLines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));
const actionHosts = (plan: Plan, action: 'drain' | 'recommission') => plan.actions.filter((a) => a.action === action).map((a) => a.host);

/** What the demo must have done to plan `id` in `state`, whatever happened in between. */
function expectDrained(state: string, id: string, stdout: string) {
  const store = new PlanStore(state);
  const stored = store.get(id)!;
  expect(stored.state).toMatchObject({ state: 'completed', requestedBy: 'demo' });
  const plan = stored.plan;
  const drained = actionHosts(plan, 'drain');
  const returned = actionHosts(plan, 'recommission');
  expect(drained.length).toBeGreaterThan(0);
  expect(returned.length).toBeGreaterThan(0);
  const journal = store.journal(id);

  // The exclude files: the original (the executor's first backup) less the returned hosts, plus
  // the drained ones appended in plan order; every comment and other host kept as it was.
  for (const file of ['hdfs', 'yarn'] as const) {
    const path = join(state, 'lab', file === 'hdfs' ? 'namenode/dfs.exclude' : 'resourcemanager/yarn.exclude');
    const firstBackup = journal.find((j) => j.kind === 'substep-end' && j.substep === 'backup' && j.file === file && j.ok === true)!.backup as string;
    const before = readFileSync(firstBackup, 'utf8');
    const after = readFileSync(path, 'utf8');
    for (const h of returned) expect(hostLines(before)).toContain(h);
    const kept = before.split('\n').filter((l) => !returned.includes(l.trim()));
    expect(after).toBe(`${kept.join('\n').replace(/\n$/, '')}\n${drained.map((h) => `${h}\n`).join('')}`);
  }

  // Per cluster, the sub-steps of its last run ended in the executor's order (both exclude files
  // read before either is written); a run resumed
  // after the exclude files were written finds its hosts there and skips the writes.
  const ends = (step: string, cluster: string) => journal.filter((j) => j.kind === 'substep-end' && j.step === step && j.cluster === cluster && j.ok === true).map((j) => `${j.substep}${j.file ? `:${j.file}` : ''}${j.skipped ? ' skipped' : ''}`);
  const written = ['lock', 'baseline', 'read:hdfs', 'read:yarn', 'backup:hdfs', 'write:hdfs', 'verify:hdfs', 'backup:yarn', 'write:yarn', 'verify:yarn', 'refresh-hdfs', 'refresh-yarn', 'follow', 'release'];
  const found = ['lock', 'baseline', 'read:hdfs', 'read:yarn', 'write:hdfs skipped', 'write:yarn skipped', 'refresh-hdfs', 'refresh-yarn', 'follow', 'release'];
  let resumedClusters = 0;
  for (const cluster of new Set(plan.actions.filter((a) => a.action === 'drain').map((a) => a.cluster))) {
    const got = ends('drain', cluster);
    const last = got.slice(got.lastIndexOf('lock'));
    if (last.includes('write:hdfs skipped')) resumedClusters++;
    expect(last).toEqual(last.includes('write:hdfs skipped') ? found : written);
    for (const s of got) expect(SUBSTEPS).toContain(s.split(/[: ]/)[0]);
  }
  expect(resumedClusters).toBe(journal.some((j) => j.kind === 'resume') ? 1 : 0);
  const phases = (phase: string) => journal.filter((j) => j.kind === 'event' && j.phase === phase).map((j) => j.host as string);
  expect(new Set(phases('decommissioned'))).toEqual(new Set(drained));
  expect(new Set(phases('recommissioned'))).toEqual(new Set(returned));
  expect(journal.filter((j: JournalEntry) => j.kind === 'end').map((j) => j.state)).toEqual(['completed']);

  // The screen: the diff of the exclude file and the way to read the journal.
  for (const h of drained) expect(stdout).toContain(`     +${h}\n`);
  for (const h of returned) expect(stdout).toContain(`     -${h}\n`);
  expect(stdout).toContain(`Read the journal: npx breakfix plan show ${id} --state ${state}`);
  return { plan, journal };
}

describe('breakfix demo --drain', () => {
  it('approves the demo plan as the local user, drains the exclude files with the hadoop executor, prints the journal as it goes', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'bf-demo-drain-')), 'state');
    const shipped = readFileSync(join(shippedPolicyDir(), 'drain.yml'), 'utf8');
    const r = await cli(['demo', '--drain', '--state', state]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The demo's own timing is in the lab's copy of the policies, never in the shipped ones.
    expect(readFileSync(join(shippedPolicyDir(), 'drain.yml'), 'utf8')).toBe(shipped);
    expect(readFileSync(join(state, 'lab/policies/drain.yml'), 'utf8')).toBe(readFileSync(join(demoDir(), 'drain.yml'), 'utf8'));
    const id = /plan (demo-dc1-[0-9a-f]+) \(requested by demo\)/.exec(r.stdout)![1];
    expectDrained(state, id, r.stdout);
    expect(new PlanStore(state).decisions(id)).toMatchObject([{ user: userInfo().username, action: 'approve', outcome: 'approved' }]);
    expect(r.stdout).toMatch(/transport: local/);
    expect(r.stdout).toMatch(/decision: \S+ approve → approved/);
    expect(r.stdout).toMatch(/✓ drain hdp-prod-a write \(hdfs\) {2}hosts=\S+ \S+ /);
    expect(r.stdout).toMatch(/✓ drain hdp-prod-a follow {2}hosts=.* replication=verified/);
    expect(r.stdout).toMatch(/4\. completed: plan \S+ is completed/);

    const show = await cli(['plan', 'show', id, '--state', state]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/substep-end {2}drain hdp-exp verify \(hdfs\) ok/);
    expect(show.stdout).toMatch(/end {2}state=completed/);
  }, 90_000);

  it('refuses --ssh without --drain, and an unknown --crash-at, with what is expected', async () => {
    const a = await cli(['demo', '--ssh']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--ssh goes with --drain/);
    const b = await cli(['demo', '--drain', '--crash-at', 'nap', '--state', mkdtempSync(join(tmpdir(), 'bf-demo-drain-'))]);
    expect(b.code).toBe(1);
    expect(b.stdout).toMatch(/--crash-at nap: expected a sub-step of the drain executor, one of lock, baseline, read/);
  });
});

describeSshd('breakfix demo --drain --ssh, killed mid-drain and resumed', () => {
  it('over a throwaway sshd with verified host keys: SIGKILL after refresh-hdfs, then --resume finishes from the journal, no host twice', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'bf-demo-drain-')), 'state');
    const crash = await cli(['demo', '--drain', '--ssh', '--crash-at', 'refresh-hdfs', '--state', state]);
    expect(crash.signal, crash.stdout + crash.stderr).toBe('SIGKILL');
    expect(crash.stdout).toMatch(/transport: ssh: a throwaway OpenSSH sshd on 127\.0\.0\.1:\d+, host keys verified/);
    const [, id] = /Finish it from the journal: npx breakfix demo --drain --resume (\S+) --state \S+ --ssh/.exec(crash.stdout)!;
    const store = new PlanStore(state);
    expect(store.get(id)!.state.state).toBe('executing');
    expect(store.journal(id).at(-1)).toMatchObject({ kind: 'substep-end', substep: 'refresh-hdfs', ok: true });

    const resumed = await cli(['demo', '--drain', '--ssh', '--resume', id, '--state', state]);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const { journal } = expectDrained(state, id, resumed.stdout);
    expect(journal.filter((j) => j.kind === 'resume')).toHaveLength(1);
    // The cluster killed after its refresh was not written again (its hosts were already there), nor any host twice.
    expect(journal.filter((j) => j.kind === 'substep-end' && j.substep === 'write' && j.skipped === true)).toHaveLength(2);
  }, 120_000);
});
