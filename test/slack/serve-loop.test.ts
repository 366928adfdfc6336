/**
 * `breakfix serve --http --demo --demo-dcs 2` as the operator runs it (the compiled CLI in its
 * own process) against the fake Slack API: with a fast schedule, both demo datacenters post
 * scheduled summaries on their own, with deltas and drift; one is paused and resumed from Slack
 * and its summaries say so. Assertions are on what was posted, not on when.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { APPROVER, OPS, postSigned, slashBody } from './slack-requests.js';

const root = packageRoot();
const cli = join(root, 'dist', 'src', 'cli.js');
const built = join(root, 'dist', 'src', 'loop', 'loop.js');
const newest = (dir: string) => Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));
const fresh = existsSync(built) && statSync(built).mtimeMs >= Math.max(newest(join(root, 'src', 'loop')), newest(join(root, 'src', 'slack')));

const SECRET = 'loop-test-secret-31';

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!fresh)('breakfix serve --demo --demo-dcs 2 (the compiled CLI, scheduled passes)', () => {
  let fake: FakeSlackApi;
  let state: string;
  let proc: ChildProcess;
  let stderr = '';
  let base = '';
  const summaries = (dc: string) => fake.of('chat.postMessage').filter((c) => String(c.args.text).startsWith(`breakfix ${dc}: scheduled pass`));
  const blocks = (c: { args: Record<string, unknown> }) => JSON.stringify(c.args.blocks);

  beforeAll(async () => {
    fake = new FakeSlackApi();
    await fake.start();
    state = mkdtempSync(join(tmpdir(), 'breakfix-serve-loop-'));
    proc = spawn(process.execPath, [cli, 'serve', '--http', '--port', '0', '--demo', '--demo-dcs', '2', '--schedule', '*/2 * * * * *', '--state', state], {
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-loop-test', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, BREAKFIX_CHANNEL: OPS, BREAKFIX_APPROVERS: APPROVER, BREAKFIX_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await until(() => /"port":\d+/.test(stderr), 20_000, 'the bot to start');
    base = `http://127.0.0.1:${/"port":(\d+)/.exec(stderr)![1]}`;
  }, 30_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    await fake?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it('both datacenters post summaries on their own, with deltas from the second pass and drift with the numbers from the third', async () => {
    await until(() => ['demo-dc1', 'demo-dc2'].every((dc) => summaries(dc).some((c) => /growing 3 passes/.test(blocks(c)))), 90_000, 'drift in both datacenters');
    for (const dc of ['demo-dc1', 'demo-dc2']) {
      const all = summaries(dc);
      expect(all.every((c) => c.args.channel === OPS)).toBe(true);
      expect(blocks(all[0])).toContain('first pass: no deltas yet');
      expect(blocks(all[1])).toMatch(/hdfs-dead \*\d+\* ▲/);
      expect(blocks(all.find((c) => /growing 3 passes/.test(blocks(c)))!)).toMatch(/hdfs-dead growing 3 passes: \d+ → \d+ → \d+/);
    }
    // The first pass of each proposes, with the Approve flow's buttons.
    expect(fake.of('chat.postMessage').some((c) => String(c.args.text).startsWith('breakfix demo-dc2: proposal of') && blocks(c).includes('breakfix_approve'))).toBe(true);
  }, 120_000);

  it('pause from Slack shows on the next summaries with who and why; resume lifts it', async () => {
    const ack = await postSigned(base, SECRET, slashBody(fake, 'pause demo-dc2 rack 41 power work'));
    expect(ack.status).toBe(200);
    await until(() => fake.of('chat.postEphemeral').some((c) => String(c.args.text).includes('demo-dc2 paused by')), 20_000, 'the pause reply');
    const before = summaries('demo-dc2').length;
    await until(() => summaries('demo-dc2').slice(before).some((c) => blocks(c).includes(`*PAUSED* by ${APPROVER}`)), 30_000, 'a paused summary');
    const paused = summaries('demo-dc2').slice(before).find((c) => blocks(c).includes('*PAUSED*'))!;
    expect(blocks(paused)).toContain('rack 41 power work');
    expect(summaries('demo-dc1').slice(-1).map(blocks).join()).not.toContain('PAUSED');
    await postSigned(base, SECRET, slashBody(fake, 'resume demo-dc2'));
    await until(() => fake.of('chat.postEphemeral').some((c) => String(c.args.text).includes('demo-dc2 resumed by')), 20_000, 'the resume reply');
    const after = summaries('demo-dc2').length;
    await until(() => summaries('demo-dc2').length > after + 1, 30_000, 'summaries after the resume');
    expect(blocks(summaries('demo-dc2').at(-1)!)).not.toContain('PAUSED');
  }, 120_000);
});
