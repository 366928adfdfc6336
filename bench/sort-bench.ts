/**
 * `npm run bench:sort`: what putting 100,000 host names in byte order costs, `sortOrder`
 * (src/sets/hostset.ts, the radix order every source and buildFleet use) against the built-in
 * sorts it replaces, side by side in the same run.
 *
 * A pass sorts each source's hosts once per thread, so the first call in a fresh process (code
 * not yet optimised) is the figure that counts; each cold figure is the median of 5 child
 * processes, each warm figure the median of 5 calls after 3 in one process. Names come in
 * shuffled order, as an export or a NameNode lists them, in two shapes: the bench fleet's
 * (`dn042800.c12.bench.test`) and longer rack-position names (`r12-s04-n3.pod-07.dc1.example.com`).
 *
 * Methods: `sortOrder` (indexes, stable); `index-sort` (the same indexes by the built-in sort
 * with a byte-order comparator, what a caller would write without it); `names-sort` (the
 * built-in sort of the names alone, which finds no row again: a lower bound for any comparison
 * sort). Each checks its order against the others' before timing counts.
 *
 * Last line: `sort hosts=100000 sortOrder_cold_ms=<x> index_sort_cold_ms=<y> names_sort_cold_ms=<z>`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prng } from '../src/pass/pick.js';
import { byteCompare, sortOrder } from '../src/sets/hostset.js';

const HOSTS = 100_000;
const RUNS = 5;
const METHODS = ['sortOrder', 'index-sort', 'names-sort'] as const;
type Method = (typeof METHODS)[number];
const SHAPES = ['bench', 'rack-position'] as const;
type Shape = (typeof SHAPES)[number];

/** `n` distinct names of `shape`, shuffled with a fixed seed. */
function names(shape: Shape, n: number): string[] {
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  const out = Array.from({ length: n }, (_, i) => shape === 'bench'
    ? `dn${pad(i, 6)}.c${pad((i % 30) + 1, 2)}.bench.test`
    : `r${pad(Math.floor(i / 400) % 100, 2)}-s${pad(Math.floor(i / 10) % 40, 2)}-n${i % 10}.pod-${pad(Math.floor(i / 40_000), 2)}.dc1.example.com`);
  const rand = prng(7);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The names in byte order by `method`. */
function sorted(method: Method, keys: string[]): string[] {
  if (method === 'names-sort') return [...keys].sort(byteCompare);
  if (method === 'index-sort') return keys.map((_, i) => i).sort((a, b) => byteCompare(keys[a], keys[b]) || a - b).map((i) => keys[i]);
  const order = sortOrder(keys);
  if (!order) throw new Error('sortOrder gave up on ASCII names');
  return Array.from(order, (i) => keys[i]);
}

/** ms of one call of `method` (the names are made before the clock starts). */
function timeOne(method: Method, keys: string[]): number {
  const t = performance.now();
  sorted(method, keys);
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const [flag, method, shape] = process.argv.slice(2);
  if (flag === '--one') {
    // A child: one cold call.
    process.stdout.write(`${timeOne(method as Method, names(shape as Shape, HOSTS))}\n`);
    return;
  }
  if (flag === '--help' || flag === '-h') {
    process.stdout.write('usage: node dist/bench/sort-bench.js   (sortOrder against the built-in sorts on 100,000 names)\n');
    return;
  }
  process.stdout.write(`sort benchmark: ${HOSTS} shuffled names, ${RUNS} runs each, node ${process.version}\n`);
  const self = fileURLToPath(import.meta.url);
  const cold: Record<Method, number[]> = { sortOrder: [], 'index-sort': [], 'names-sort': [] };
  process.stdout.write('shape           method       cold ms   warm ms\n');
  for (const shape of SHAPES) {
    const keys = names(shape, HOSTS);
    const want = sorted('names-sort', keys);
    for (const method of METHODS) {
      const got = sorted(method, keys);
      if (got.length !== want.length || got.some((h, i) => h !== want[i])) throw new Error(`${method} orders the ${shape} names differently from the built-in sort`);
      const coldRuns = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, [self, '--one', method, shape], { encoding: 'utf8' })));
      for (let i = 0; i < 3; i++) timeOne(method, keys);
      const warmRuns = Array.from({ length: RUNS }, () => timeOne(method, keys));
      if (shape === 'bench') cold[method] = coldRuns;
      process.stdout.write(`${shape.padEnd(15)} ${method.padEnd(12)} ${median(coldRuns).toFixed(1).padStart(7)}   ${median(warmRuns).toFixed(1).padStart(7)}\n`);
    }
  }
  const c = (m: Method) => median(cold[m]).toFixed(1);
  process.stdout.write(`sort hosts=${HOSTS} sortOrder_cold_ms=${c('sortOrder')} index_sort_cold_ms=${c('index-sort')} names_sort_cold_ms=${c('names-sort')}\n`);
}

main();
