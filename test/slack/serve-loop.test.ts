/**
 * `breakfix serve --http --demo --demo-dcs 2` as the operator runs it (the compiled CLI in its
 * own process) against the fake Slack API: with a fast schedule, both demo datacenters post
 * scheduled summaries on their own, with deltas and drift; one is paused and resumed from Slack
 * and its summaries say so. Assertions are on what was posted, not on when.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSlackApi } from './fake-slack-api.js';
import { builtFresh, cli, serveWithFakeSlack, until, type ServedWithFake } from './served-bot.js';
import { APPROVER, OPS, postSigned, slashBody } from './slack-requests.js';

const SECRET = 'loop-test-secret-31';

// In CI (`npm test` builds first) a stale build is a failure, not a reason to skip.
describe.skipIf(!builtFresh('slack', 'loop') && !process.env.CI)('breakfix serve --demo --demo-dcs 2 (the compiled CLI, scheduled passes)', () => {
  let fake: FakeSlackApi;
  let served: ServedWithFake;
  let base = '';
  const summaries = (dc: string) => fake.of('chat.postMessage').filter((c) => String(c.args.text).startsWith(`breakfix ${dc}: scheduled pass`));
  const blocks = (c: { args: Record<string, unknown> }) => JSON.stringify(c.args.blocks);

  beforeAll(async () => {
    served = await serveWithFakeSlack(['--demo', '--demo-dcs', '2', '--schedule', '*/2 * * * * *'], { token: 'xoxb-loop-test', secret: SECRET });
    ({ fake, base } = { ...served, base: served.bot.base });
  }, 30_000);

  afterAll(async () => {
    await served?.stop();
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
    // `breakfix status` in another process sees both loops' next pass.
    const status = spawnSync(process.execPath, [cli, 'status', '--state', served.state], { encoding: 'utf8' });
    expect(status.stdout).toMatch(/^demo-dc1\n[\s\S]*next scheduled pass: \S+ \(cron \*\/2 \* \* \* \* \*[\s\S]*\n\ndemo-dc2\n[\s\S]*next scheduled pass: \S+/);
    // The bot's own /healthz and /metrics see both loops (their events reach src/obs through recordLoopEvent).
    const health = (await (await fetch(`${base}/healthz`)).json()) as { datacenters: Record<string, { nextRunAt: string | null; overdue: boolean | null; lastPass: unknown }> };
    for (const dc of ['demo-dc1', 'demo-dc2']) {
      expect(health.datacenters[dc].nextRunAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(health.datacenters[dc].overdue).toBe(false);
      expect(health.datacenters[dc].lastPass).not.toBeNull();
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^breakfix_loop_next_run_timestamp_seconds\{dc="demo-dc2"\} \d+/m);
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
