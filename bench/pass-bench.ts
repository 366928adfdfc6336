/**
 * The pass benchmark (`npm run bench`): a whole `breakfix pass` process against the same set
 * stage written as a coreutils/awk pipeline (`bench/coreutils-pass.sh`), on synthetic
 * datacenters of 1,000, 10,000 and 100,000 hosts (`bench/gen-fleet.ts`).
 *
 * For each size: generate the fleet into `bench/out/<N>/`, then `--runs` times run both sides,
 * alternating which goes first, each under GNU `time -f '%e %M'` for its peak RSS (wall time is
 * taken around the child with `process.hrtime`, to the millisecond). After every run each set file
 * the pipeline wrote must be byte-identical to the pass's `sets/<name>`; any difference is listed
 * (set, counts, first differing line) and the benchmark exits 1.
 *
 * Output: progress on stderr; a table on stdout, ending with the line
 * `pass-vs-coreutils ratio=<breakfix/coreutils median> rss_mb=<breakfix peak> hosts=<largest N>`.
 * Every sample is also written to `bench/out/results.json`. Run from the package root after
 * `npm run build`. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DC, generateFleet, type GeneratedFleet } from './gen-fleet.js';

/** Where the fleets, the run directories and `results.json` go (gitignored). */
export const BENCH_OUT = join('bench', 'out');

const CLI = join('dist', 'src', 'cli.js');
const PIPELINE = join('bench', 'coreutils-pass.sh');
const GNU_TIME = '/usr/bin/time';

/** Command-line options of the benchmark. */
export interface BenchOptions {
  sizes: number[];
  runs: number;
  /**
   * Where the fleets and the runs' output go (default `bench/out`). `--out /dev/shm/bf` puts both
   * sides' files on a tmpfs: on a disk whose file creates stall (this machine's ext4 `discard`
   * mount after large deletes), writing 2,700 small files takes 0.05 s to 2.7 s depending on what
   * the disk is doing, for either side; the pipeline's temporaries then go there too (TMPDIR).
   */
  out: string;
}

/**
 * Parse `--sizes 1000,10000` and `--runs K` (defaults: 1000,10000,100000 and 5).
 * @throws Error with a usage message on an unknown flag or a value that is not a positive integer.
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const opts: BenchOptions = { sizes: [1000, 10000, 100000], runs: 5, out: BENCH_OUT };
  const positive = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new Error(`${flag}: expected a positive whole number, got ${JSON.stringify(v ?? '')}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--sizes') {
      const list = value();
      opts.sizes = (list ?? '').split(',').filter((s) => s.trim() !== '').map((s) => positive('--sizes', s));
      if (opts.sizes.length === 0) throw new Error('--sizes: expected a comma-separated list of host counts, e.g. 1000,10000');
    } else if (flag === '--runs') {
      opts.runs = positive('--runs', value());
    } else if (flag === '--out') {
      const dir = value();
      if (!dir) throw new Error('--out: expected a directory, e.g. /dev/shm/breakfix-bench');
      opts.out = dir;
    } else {
      throw new Error(`unknown argument ${JSON.stringify(argv[i])}; usage: node dist/bench/pass-bench.js [--sizes 1000,10000,100000] [--runs 5] [--out DIR]`);
    }
  }
  return opts;
}

/** One timed child process. */
export interface Sample {
  /** Wall time around the child (hrtime), ms. */
  wallMs: number;
  /** GNU time's `%e` (elapsed s, 10 ms resolution); null without GNU time. */
  elapsedS: number | null;
  /** GNU time's `%M`: the largest peak RSS of the process or any one descendant, KB; null without GNU time. */
  rssKb: number | null;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** True when GNU time is at /usr/bin/time and understands `-f '%e %M' -o FILE`. */
export function hasGnuTime(): boolean {
  if (!existsSync(GNU_TIME)) return false;
  const probe = join(BENCH_OUT, '.time-probe');
  mkdirSync(BENCH_OUT, { recursive: true });
  const r = spawnSync(GNU_TIME, ['-f', '%e %M', '-o', probe, 'true'], { stdio: 'ignore' });
  const ok = r.status === 0 && existsSync(probe) && /^\d+(\.\d+)? \d+$/m.test(readFileSync(probe, 'utf8'));
  rmSync(probe, { force: true });
  return ok;
}

/**
 * Run `command args` to completion and time it: wall ms with `process.hrtime`, and, when
 * `gnuTime` is true, `%e %M` from `/usr/bin/time -o` (a file, so the child's own stderr stays
 * its own). stdin is closed; stdout and stderr are captured.
 */
export function measure(command: string, args: readonly string[], gnuTime: boolean, env?: NodeJS.ProcessEnv): Sample {
  const timeFile = join(BENCH_OUT, '.time');
  const [cmd, argv] = gnuTime ? [GNU_TIME, ['-f', '%e %M', '-o', timeFile, command, ...args]] : [command, [...args]];
  rmSync(timeFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 << 20, ...(env ? { env } : {}) });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw new Error(`could not run ${command}: ${r.error.message}`);
  let elapsedS: number | null = null;
  let rssKb: number | null = null;
  if (gnuTime && existsSync(timeFile)) {
    // "Command exited with non-zero status N" may come first; the format line is the last.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const m = /^(\d+(?:\.\d+)?) (\d+)$/.exec(last.trim());
    if (m) [elapsedS, rssKb] = [Number(m[1]), Number(m[2])];
  }
  return { wallMs, elapsedS, rssKb, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A set file that differs between the pipeline and the pass. */
export interface SetMismatch {
  set: string;
  coreutilsCount: number;
  /** null when the pass wrote no file of that name. */
  breakfixCount: number | null;
  /** The first differing line, e.g. `line 12: coreutils "a" vs breakfix "b"`. */
  firstDifference: string;
}

/**
 * Compare every set file in `coreutilsDir` byte for byte with the file of the same name in
 * `breakfixSetsDir` (the pass directory's `sets/`). Files only the pass wrote (per-cluster, rack
 * and group sets, yarn-*) are not compared. Returns the mismatches, empty when all are identical.
 */
export function compareSetDirs(coreutilsDir: string, breakfixSetsDir: string): SetMismatch[] {
  const out: SetMismatch[] = [];
  const lines = (b: Buffer) => (b.length === 0 ? [] : b.toString('utf8').replace(/\n$/, '').split('\n'));
  for (const set of readdirSync(coreutilsDir).sort()) {
    const ours = readFileSync(join(coreutilsDir, set));
    const theirsPath = join(breakfixSetsDir, set);
    if (!existsSync(theirsPath)) {
      out.push({ set, coreutilsCount: lines(ours).length, breakfixCount: null, firstDifference: `the pass wrote no sets/${set}` });
      continue;
    }
    const theirs = readFileSync(theirsPath);
    if (ours.equals(theirs)) continue;
    const a = lines(ours);
    const b = lines(theirs);
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    const show = (l: string[]) => (i < l.length ? JSON.stringify(l[i]) : '(end of file)');
    const firstDifference = i === a.length && i === b.length
      ? 'same lines, different bytes (line endings or a missing final newline)'
      : `line ${i + 1}: coreutils ${show(a)} vs breakfix ${show(b)}`;
    out.push({ set, coreutilsCount: a.length, breakfixCount: b.length, firstDifference });
  }
  return out;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Results of one fleet size. */
interface SizeResult {
  hosts: number;
  fleet: Omit<GeneratedFleet, 'files' | 'dir'>;
  breakfix: Sample[];
  coreutils: Sample[];
  mismatches: SetMismatch[];
  setsCompared: number;
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

const mb = (kb: number | null) => (kb === null ? 'n/a' : (kb / 1024).toFixed(1));
const peakKb = (samples: readonly Sample[]): number | null =>
  samples.some((s) => s.rssKb === null) ? null : Math.max(...samples.map((s) => s.rssKb as number));

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function runSize(hosts: number, runs: number, gnuTime: boolean, out: string): SizeResult {
  const dir = join(out, String(hosts));
  const t0 = Date.now();
  log(`[${hosts}] generating the fleet into ${dir}/ …`);
  const { files, dir: _dir, ...fleet } = generateFleet(hosts, dir, 1);
  log(`[${hosts}] ${fleet.clusters} clusters, ${fleet.inventoryRows} inventory rows, ${fleet.healthRows} health rows, ` +
    `${fleet.liveDataNodes} live + ${fleet.deadDataNodes} dead DataNodes, ${(fleet.bytes / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Every run writes into directories of its own, and nothing is deleted until the last run is
  // timed: a deletion of 2,700 files just before a run slowed that run's own file creates by up to
  // a second on this disk (discards), for whichever side came next.
  const runsDir = join(dir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  const runDirs = (i: number) => ({
    passDir: join(runsDir, `${i}`, 'breakfix-pass'),
    stateDir: join(runsDir, `${i}`, 'breakfix-state'),
    setsDir: join(runsDir, `${i}`, 'coreutils-sets'),
  });
  const result: SizeResult = { hosts, fleet, breakfix: [], coreutils: [], mismatches: [], setsCompared: 0 };

  const runBreakfix = (i: number): Sample => {
    const { passDir, stateDir } = runDirs(i);
    settle();
    const s = measure(process.execPath, [
      CLI, 'pass', '--dc', BENCH_DC, '--inventory', files.inventory, '--health', files.health, '--hdfs-report', files.hdfsReport,
      '--pass-dir', passDir, '--state', stateDir, '--seed', '1', '--quiet',
    ], gnuTime);
    if (s.status !== 0) {
      throw new Error(`breakfix pass exited with ${s.status} at ${hosts} hosts:\n${tail(s.stdout)}\n${tail(s.stderr)}`);
    }
    return s;
  };
  const runCoreutils = (i: number): Sample => {
    const { setsDir } = runDirs(i);
    settle();
    // Outside bench/out, the pipeline's temporary files go where its output goes.
    const env = out === BENCH_OUT ? undefined : { ...process.env, TMPDIR: resolve(out) };
    const s = measure('bash', [PIPELINE, files.inventory, files.health, files.hdfsReport, setsDir], gnuTime, env);
    if (s.status !== 0) throw new Error(`${PIPELINE} exited with ${s.status} at ${hosts} hosts:\n${tail(s.stderr)}`);
    return s;
  };

  for (let i = 0; i < runs; i++) {
    // Alternate which side goes first, so neither always runs on the other's warm caches.
    let bf: Sample;
    let cu: Sample;
    if (i % 2 === 0) {
      bf = runBreakfix(i);
      cu = runCoreutils(i);
    } else {
      cu = runCoreutils(i);
      bf = runBreakfix(i);
    }
    const { passDir, setsDir } = runDirs(i);
    result.breakfix.push(bf);
    result.coreutils.push(cu);
    const mismatches = compareSetDirs(setsDir, join(passDir, 'sets'));
    result.setsCompared = readdirSync(setsDir).length;
    for (const m of mismatches) if (!result.mismatches.some((x) => x.set === m.set)) result.mismatches.push(m);
    log(`[${hosts}] run ${i + 1}/${runs}: breakfix ${bf.wallMs.toFixed(0)} ms ${mb(bf.rssKb)} MB, ` +
      `coreutils ${cu.wallMs.toFixed(0)} ms ${mb(cu.rssKb)} MB, ` +
      (mismatches.length ? `${mismatches.length} of ${result.setsCompared} sets DIFFER` : `${result.setsCompared} sets identical`));
  }
  // Keep the last run's directories (runs/<last>/) for diff, ls and grep.
  for (let i = 0; i < runs - 1; i++) rmSync(join(runsDir, `${i}`), { recursive: true, force: true });
  return result;
}

/**
 * Before each timed run, untimed: `sync`, so the filesystem has written back what the previous run
 * wrote (~120 MB of fresh files); without it, whichever side ran next paid for that writeback in
 * its own file creates.
 */
function settle(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

/** Run the benchmark; the process exit code is 1 when any set differs or a side fails. */
export function main(argv: readonly string[]): number {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv);
  } catch (e) {
    log((e as Error).message);
    return 2;
  }
  for (const f of [CLI, PIPELINE, 'package.json']) {
    if (!existsSync(f)) {
      log(`${f} not found in ${resolve('.')}: run the benchmark from the package root with \`npm run bench\` (it builds dist/ first)`);
      return 2;
    }
  }
  const gnuTime = hasGnuTime();
  if (!gnuTime) log(`GNU time not found at ${GNU_TIME} (Debian: apt-get install time): wall time only, peak RSS n/a`);
  log(`pass benchmark: sizes ${opts.sizes.join(', ')}, ${opts.runs} run${opts.runs === 1 ? '' : 's'} each, node ${process.version}, files in ${opts.out}/`);

  const results: SizeResult[] = [];
  try {
    for (const hosts of opts.sizes) results.push(runSize(hosts, opts.runs, gnuTime, opts.out));
  } catch (e) {
    log(`benchmark stopped: ${(e as Error).message}`);
    return 1;
  }

  const header = ['hosts', 'breakfix ms', 'coreutils ms', 'ratio', 'breakfix RSS MB', 'coreutils RSS MB', 'sets identical'];
  const widths = header.map((h) => Math.max(h.length, 7));
  const rows = results.map((r) => {
    const bf = median(r.breakfix.map((s) => s.wallMs));
    const cu = median(r.coreutils.map((s) => s.wallMs));
    return { r, bf, cu, ratio: bf / cu, bfRss: peakKb(r.breakfix), cuRss: peakKb(r.coreutils) };
  });
  const lines = [
    `breakfix pass vs coreutils pipeline: median wall time of ${opts.runs} run${opts.runs === 1 ? '' : 's'}, peak RSS over the runs` +
      (gnuTime ? '' : ' (n/a: no GNU time)'),
    pad(header, widths),
    ...rows.map(({ r, bf, cu, ratio, bfRss, cuRss }) =>
      pad([String(r.hosts), bf.toFixed(0), cu.toFixed(0), ratio.toFixed(2), mb(bfRss), mb(cuRss), r.mismatches.length ? 'NO' : 'yes'], widths)),
  ];
  const bad = results.filter((r) => r.mismatches.length > 0);
  for (const r of bad) {
    lines.push('', `set mismatches at ${r.hosts} hosts (coreutils-pass.sh vs breakfix pass):`);
    for (const m of r.mismatches) {
      lines.push(`  ${m.set}: coreutils ${m.coreutilsCount} hosts, breakfix ${m.breakfixCount ?? 'no file'}; ${m.firstDifference}`);
    }
  }
  const largest = rows.reduce((a, b) => (b.r.hosts > a.r.hosts ? b : a));
  lines.push(`pass-vs-coreutils ratio=${largest.ratio.toFixed(2)} rss_mb=${largest.bfRss === null ? 'n/a' : Math.round(largest.bfRss / 1024)} hosts=${largest.r.hosts}`);
  process.stdout.write(lines.join('\n') + '\n');

  writeFileSync(join(BENCH_OUT, 'results.json'), JSON.stringify({
    node: process.version, gnuTime, runs: opts.runs,
    sizes: rows.map(({ r, bf, cu, ratio, bfRss, cuRss }) => ({
      hosts: r.hosts, fleet: r.fleet, setsCompared: r.setsCompared, mismatches: r.mismatches,
      breakfix: { medianMs: bf, peakRssKb: bfRss, samples: r.breakfix.map(({ wallMs, elapsedS, rssKb }) => ({ wallMs, elapsedS, rssKb })) },
      coreutils: { medianMs: cu, peakRssKb: cuRss, samples: r.coreutils.map(({ wallMs, elapsedS, rssKb }) => ({ wallMs, elapsedS, rssKb })) },
      ratio,
    })),
  }, null, 2) + '\n');
  return bad.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
