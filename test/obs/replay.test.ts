/**
 * `breakfix replay` on a real demo pass (sources served over HTTP on loopback, snapshotted into
 * the pass directory): it reproduces the recorded plan digest from the pass's own files, and it
 * says so clearly when a snapshot or the policy copy was edited after the pass.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { runReplay } from '../../commands/replay.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { listPasses } from '../../src/pass/passdir.js';
import { packageRoot } from '../../src/paths.js';

let state: string;
let dir: string;
let recorded: { digest: string; id: string; actions: { host: string; reason: string }[] };
const copies: string[] = [];

const copyOfPass = () => {
  const c = mkdtempSync(join(tmpdir(), 'bf-replay-copy-'));
  copies.push(c);
  cpSync(dir, c, { recursive: true });
  return c;
};

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'bf-replay-'));
  await runDemo({ scenario: 'proposals', stateDir: state, seed: 42 });
  [dir] = listPasses(state, DEMO_DC);
  recorded = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
}, 60_000);

afterAll(() => {
  rmSync(state, { recursive: true, force: true });
  for (const c of copies) rmSync(c, { recursive: true, force: true });
});

describe('breakfix replay <pass-dir>', () => {
  it('re-runs the pass from its own snapshots and reproduces the recorded digest, step by step', async () => {
    const before = readFileSync(join(dir, 'transcript.log'), 'utf8');
    const out = await runReplay({ dir });
    expect(out.exitCode).toBe(0);
    const j = out.json as { same: boolean; replayedDigest: string; recordedDigest: string };
    expect(j).toMatchObject({ same: true, recordedDigest: recorded.digest, replayedDigest: recorded.digest });
    const steps = ['1. snapshot', '2. sets', '3. budget', '4. picks', '5. plan'].map((s) => out.text.indexOf(s));
    expect(steps.every((i, k) => i >= 0 && (k === 0 || i > steps[k - 1]))).toBe(true);
    for (const a of recorded.actions) expect(out.text).toContain(`${a.host} (`);
    expect(out.text).toContain(recorded.actions[0].reason);
    expect(out.text).toMatch(/cap clamp\(floor\(\d+% × \d+\) = \d+, \d+, \d+\) = \d+; headroom \d+ − \d+ = \d+/);
    expect(out.text).toContain(`REPRODUCED`);
    // The recorded pass is a record: replay does not write into it.
    expect(readFileSync(join(dir, 'transcript.log'), 'utf8')).toBe(before);
  });

  it('a snapshot edited after the pass is reported, and nothing is recomputed from it', async () => {
    const c = copyOfPass();
    const health = join(c, 'sources', 'health.health.tsv');
    writeFileSync(health, readFileSync(health, 'utf8').replace(/\tok\t/, '\tfail\t'));
    const out = await runReplay({ dir: c });
    expect(out.exitCode).toBe(1);
    expect(out.text).toContain('MISMATCH');
    expect(out.text).toContain(`${health}: the snapshot changed since the pass`);
    expect(out.text).toContain(`plan digest: recorded ${recorded.digest}, replayed none`);
  });

  it('a policy copy edited after the pass gives another digest, named as the difference', async () => {
    const c = copyOfPass();
    const budgets = join(c, 'policy', 'budgets.yml');
    writeFileSync(budgets, readFileSync(budgets, 'utf8').replace('pct: 6', 'pct: 7'));
    const out = await runReplay({ dir: c });
    expect(out.exitCode).toBe(1);
    expect((out.json as { differences: string[] }).differences.find((d) => d.startsWith('plan digest'))).toMatch(new RegExp(`^plan digest: recorded ${recorded.digest}, replayed [0-9a-f]{64}$`));
  });

  it('the compiled CLI has --help and refuses a directory that is not a pass', () => {
    const cli = join(packageRoot(), 'dist', 'src', 'cli.js');
    const help = spawnSync(process.execPath, [cli, 'replay', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('re-run a recorded pass');
    const bad = spawnSync(process.execPath, [cli, 'replay', state], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('not a finished pass directory (no summary.json)');
    const ret = spawnSync(process.execPath, [cli, 'retention', '--help'], { encoding: 'utf8' });
    expect(ret.status).toBe(0);
    expect(ret.stdout).toContain('--dry-run');
  });
});
