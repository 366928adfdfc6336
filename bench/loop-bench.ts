/**
 * The loop benchmark (`npm run bench:loop`): what a scheduled pass costs beyond the pass itself.
 * On a synthetic datacenter (`bench/gen-fleet.ts`, default 100,000 hosts) it runs `--passes`
 * passes in this process, and after each times the loop's own work on the recorded passes —
 * read the history back (`summary.json`, `sources/manifest.json`, `plan.json`, `budget.tsv`),
 * evaluate drift and the circuit breaker, build the summary message — side by side with the
 * pass itself (the baseline), each as wall time from `process.hrtime`.
 *
 * Output: progress on stderr; per pass a row on stdout, then
 * `loop-overhead median_ms=<loop> pass_median_ms=<pass> share_pct=<loop/pass> hosts=<N>`.
 * Run from the package root after `npm run build`; files go under `bench/out/loop/` (gitignored).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evaluateDrift, loadDriftPolicy, massFailureStreak } from '../src/loop/drift.js';
import { readDrainBudgets, recentPasses } from '../src/loop/history.js';
import { summaryMessage } from '../src/loop/summary.js';
import { runPass } from '../src/pass/run.js';
import { shippedPolicyDir } from '../src/paths.js';
import { BENCH_DC, generateFleet } from './gen-fleet.js';
import { BENCH_OUT } from './pass-bench.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: expected a positive whole number, got ${JSON.stringify(process.argv[i + 1] ?? '')}`);
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function main(): Promise<void> {
  const hosts = arg('--hosts', 100_000);
  const passes = arg('--passes', 5);
  const out = resolve(BENCH_OUT, 'loop');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  process.stderr.write(`generating ${hosts} hosts…\n`);
  const fleet = generateFleet(hosts, join(out, 'fleet'), 1);
  const state = join(out, 'state');
  const policyDir = shippedPolicyDir();
  const drift = loadDriftPolicy(policyDir);
  const passMs: number[] = [];
  const loopMs: number[] = [];
  process.stdout.write('pass\tpass_ms\tloop_ms\tdrift_lines\n');
  for (let i = 1; i <= passes; i++) {
    let t0 = process.hrtime.bigint();
    const r = await runPass({
      dc: BENCH_DC, policyDir, stateDir: state, seed: i,
      sources: [{ kind: 'inventory', location: fleet.files.inventory }, { kind: 'health', location: fleet.files.health }, { kind: 'hdfs-report', location: fleet.files.hdfsReport }],
    });
    passMs.push(ms(t0));
    t0 = process.hrtime.bigint();
    const records = recentPasses(state, BENCH_DC, 8);
    const findings = evaluateDrift(records, drift.rules);
    massFailureStreak(records, drift.circuitBreaker.massFailurePasses.value);
    const current = records[records.length - 1];
    summaryMessage({ dc: BENCH_DC, current, previous: records.at(-2), reasons: r.summary.reasons, budgets: readDrainBudgets(r.dir), plan: r.summary.plan, drift: findings });
    loopMs.push(ms(t0));
    process.stdout.write(`${i}\t${passMs.at(-1)!.toFixed(0)}\t${loopMs.at(-1)!.toFixed(1)}\t${findings.length}\n`);
  }
  const lm = median(loopMs);
  const pm = median(passMs);
  process.stdout.write(`loop-overhead median_ms=${lm.toFixed(1)} pass_median_ms=${pm.toFixed(0)} share_pct=${((lm * 100) / pm).toFixed(2)} hosts=${hosts}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`bench:loop: ${e.message}\n`);
  process.exitCode = 1;
});
