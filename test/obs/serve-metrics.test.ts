/**
 * `/metrics` and `/healthz` as Prometheus and a probe see them, in both modes of the bot:
 * HTTP mode as the operator runs it (the compiled CLI, `serve --http --demo`, the pass in a
 * child process, the fake Slack API at the network edge), and Socket Mode in process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../commands/demo.js';
import { DEMO_DC } from '../../src/demo/fleet.js';
import { recordLoopEvent } from '../../src/obs/loop-events.js';
import { Observability } from '../../src/obs/observability.js';
import { listPasses } from '../../src/pass/passdir.js';
import { packageRoot } from '../../src/paths.js';
import { FakeSlackApi } from '../slack/fake-slack-api.js';
import { OPS, postSigned, slashBody } from '../slack/slack-requests.js';
import { parseExposition, valueOf } from './prom-text.js';
import { startSocketBot, type SocketBot } from '../slack/socket-bot.js';

const cli = join(packageRoot(), 'dist', 'src', 'cli.js');
const SECRET = 'metrics-test-secret-31';

async function until<T>(check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('breakfix serve --http --demo: /metrics shows the pass a Slack command ran in a child process', () => {
  let fake: FakeSlackApi;
  let state: string;
  let proc: ChildProcess;
  let stderr = '';
  let base = '';

  beforeAll(async () => {
    fake = new FakeSlackApi();
    await fake.start();
    state = mkdtempSync(join(tmpdir(), 'breakfix-serve-metrics-'));
    proc = spawn(process.execPath, [cli, 'serve', '--http', '--port', '0', '--demo', '--state', state], {
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-metrics-test', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, BREAKFIX_CHANNEL: OPS, BREAKFIX_APPROVERS: 'U0APPROVER', BREAKFIX_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await until(async () => (/"port":\d+/.test(stderr) ? true : undefined), 15_000);
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

  it('before any pass: the demo datacenter at zero; after `/breakfix pass`: the pass, its sets and its proposed plan', async () => {
    const first = await fetch(`${base}/metrics`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/plain');
    let e = parseExposition(await first.text());
    expect(valueOf(e, 'breakfix_plans', { dc: DEMO_DC, state: 'proposed' })).toBe(0);
    expect(valueOf(e, 'breakfix_loop_ticks_skipped_total', { dc: DEMO_DC })).toBe(0);
    expect(e.samples.some((s) => s.name === 'breakfix_passes_total')).toBe(false);
    expect(valueOf(e, 'breakfix_process_resident_memory_bytes')).toBeGreaterThan(0);

    expect((await postSigned(base, SECRET, slashBody(fake, 'pass'))).status).toBe(200);
    e = await until(async () => {
      const x = parseExposition(await (await fetch(`${base}/metrics`)).text());
      return x.samples.some((s) => s.name === 'breakfix_passes_total') ? x : undefined;
    }, 60_000);
    const [dir] = listPasses(state, DEMO_DC);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { counts: Record<string, number> };
    expect(valueOf(e, 'breakfix_passes_total', { dc: DEMO_DC, result: 'ok' })).toBe(1);
    expect(valueOf(e, 'breakfix_set_hosts', { dc: DEMO_DC, set: 'drain-candidates' })).toBe(summary.counts['drain-candidates']);
    expect(valueOf(e, 'breakfix_source_fetch_seconds_count', { dc: DEMO_DC, source: 'hdfs' })).toBe(1);
    expect(valueOf(e, 'breakfix_plans', { dc: DEMO_DC, state: 'proposed' })).toBe(1);

    const h = await fetch(`${base}/healthz`);
    expect(h.status).toBe(200);
    const body = (await h.json()) as { ok: boolean; mode: string; datacenters: Record<string, { lastPass: { result: string; dir: string }; overdue: null; paused: null }> };
    expect(body).toMatchObject({ ok: true, mode: 'http' });
    expect(body.datacenters[DEMO_DC]).toMatchObject({ lastPass: { result: 'ok', dir }, overdue: null, paused: null });
  }, 90_000);
});

describe('Socket Mode: /metrics and /healthz on the health port, with the loop reporting', () => {
  let served: SocketBot;
  let port: number;
  let state: string;

  beforeAll(async () => {
    served = await startSocketBot({
      prefix: 'breakfix-socket-metrics-',
      approver: 'U0APPROVER',
      datacenters: [DEMO_DC],
      prepare: (dir) => runDemo({ scenario: 'both', stateDir: dir, seed: 7 }),
      runPass: () => async () => ({ exitCode: 0, output: '' }),
    });
    ({ port, state } = served);
  }, 60_000);

  afterAll(async () => {
    await served?.stop();
  });

  it('serves the passes of the state directory and the loop\'s skipped ticks', async () => {
    recordLoopEvent({ type: 'scheduled', dc: DEMO_DC, at: new Date(), nextRunAt: new Date(Date.now() + 60_000), intervalMs: 900_000 });
    recordLoopEvent({ type: 'tick-skipped', dc: DEMO_DC, at: new Date(), reason: 'the previous pass is still running' });
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(r.status).toBe(200);
    const e = parseExposition(await r.text());
    expect(valueOf(e, 'breakfix_passes_total', { dc: DEMO_DC, result: 'ok' })).toBe(1);
    expect(valueOf(e, 'breakfix_passes_total', { dc: DEMO_DC, result: 'empty' })).toBe(1);
    expect(valueOf(e, 'breakfix_loop_ticks_skipped_total', { dc: DEMO_DC })).toBe(1);
    expect(valueOf(e, 'breakfix_loop_overdue', { dc: DEMO_DC })).toBe(0);
    const h = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { ok: boolean; datacenters: Record<string, { lastPass: { result: string }; overdue: boolean; ticksSkipped: number; nextRunAt: string }> };
    expect(h).toMatchObject({ ok: true, mode: 'socket' });
    expect(h.datacenters[DEMO_DC]).toMatchObject({ lastPass: { result: 'empty' }, overdue: false, ticksSkipped: 1 });
  });

  it('/healthz answers 503 only when the state directory cannot be read (here: it is a file)', async () => {
    const file = join(state, 'not-a-dir');
    writeFileSync(file, 'x');
    const obs = new Observability({ stateDir: file, datacenters: [DEMO_DC], processMetrics: false });
    try {
      const { status, body } = obs.healthz();
      expect(status).toBe(503);
      expect(body).toMatchObject({ ok: false, error: `state directory ${file} is not a directory` });
      // An overdue or paused datacenter is no reason for 503: the bot above still answers 200.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      obs.close();
    }
  });
});
