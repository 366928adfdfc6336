/**
 * `npm run bench:metrics`: what one `/metrics` scrape costs on a state directory as retention
 * leaves it (default 14 days) for a loop every 15 minutes: 2 datacenters × 1,344 finished passes
 * and 500 plans. Each synthetic pass holds the `summary.json`, `sources/manifest.json` and
 * `transcript.log` of a real demo pass (the files a scrape reads; set files are not read).
 *
 * Side by side in the same run, medians of 5: the baseline (prom-client rendering the Node.js
 * process metrics alone, what any exporter pays), the first scrape of a new bot (reads every
 * pass once) and a steady scrape (lists passes, reads the newest summary and the plan states).
 *
 * Last line: `metrics-scrape passes=<n> plans=<n> baseline_ms=<x> cold_ms=<y> warm_ms=<z>`.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { runDemo } from '../commands/demo.js';
import { DEMO_DC } from '../src/demo/fleet.js';
import { BotMetrics } from '../src/obs/metrics.js';
import { LoopTracker } from '../src/obs/health.js';
import { listPasses } from '../src/pass/passdir.js';
import { readPassSummary } from '../src/pass/summary.js';
import { PLAN_STATES } from '../src/plan/store.js';

const PASSES_PER_DC = 14 * 96;
const DCS = ['dc1', 'dc2'];
const PLANS = 500;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const root = resolve('bench/out/metrics');
  rmSync(root, { recursive: true, force: true });
  const seed = join(root, 'seed');
  process.stderr.write('a real demo pass to copy …\n');
  await runDemo({ scenario: 'proposals', stateDir: seed, seed: 42 });
  const [demo] = listPasses(seed, DEMO_DC);
  const state = join(root, 'state');
  const start = Date.parse('2026-11-01T00:00:00Z');
  process.stderr.write(`writing ${DCS.length} × ${PASSES_PER_DC} passes and ${PLANS} plans …\n`);
  for (const dc of DCS) {
    for (let i = 0; i < PASSES_PER_DC; i++) {
      const iso = new Date(start + i * 15 * 60_000).toISOString();
      const dir = join(state, 'passes', dc, iso.slice(0, 10), `${iso.slice(11, 19).replace(/:/g, '')}-${i.toString(16).padStart(8, '0')}`);
      mkdirSync(join(dir, 'sources'), { recursive: true });
      cpSync(join(demo, 'sources', 'manifest.json'), join(dir, 'sources', 'manifest.json'));
      cpSync(join(demo, 'transcript.log'), join(dir, 'transcript.log'));
      const s = readPassSummary(demo);
      writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...s, dc, startedAt: iso }, null, 2));
    }
  }
  for (let i = 0; i < PLANS; i++) {
    const id = `dc1-${i.toString(16).padStart(8, '0')}`;
    const at = new Date(start + i * 60_000).toISOString();
    const state1 = PLAN_STATES[i % PLAN_STATES.length];
    mkdirSync(join(state, 'plans', id), { recursive: true });
    writeFileSync(join(state, 'plans', id, 'state.json'), JSON.stringify({
      planId: id, dc: 'dc1', passDir: demo, requestedBy: 'bench', state: state1, version: 2, updatedAt: at, by: 'bench',
      history: [{ from: null, to: 'proposed', at, by: 'bench', note: '' }, { from: 'proposed', to: state1, at, by: 'bench', note: '' }],
    }));
  }

  const baseline: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const reg = new Registry();
    collectDefaultMetrics({ register: reg, prefix: 'breakfix_' });
    baseline.push(await time(() => reg.metrics()));
    const m = new BotMetrics({ stateDir: state, datacenters: DCS, tracker: new LoopTracker() });
    cold.push(await time(() => m.render()));
    warm.push(await time(() => m.render()));
  }
  const passes = DCS.length * PASSES_PER_DC;
  const f = (x: number) => x.toFixed(1);
  process.stdout.write(`${'what'.padEnd(28)} median ms (${RUNS} runs)\n`);
  process.stdout.write(`${'baseline (process metrics)'.padEnd(28)} ${f(median(baseline))}\n`);
  process.stdout.write(`${'first scrape (cold)'.padEnd(28)} ${f(median(cold))}\n`);
  process.stdout.write(`${'steady scrape'.padEnd(28)} ${f(median(warm))}\n`);
  process.stdout.write(`metrics-scrape passes=${passes} plans=${PLANS} baseline_ms=${f(median(baseline))} cold_ms=${f(median(cold))} warm_ms=${f(median(warm))}\n`);
  if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
}

await main();
