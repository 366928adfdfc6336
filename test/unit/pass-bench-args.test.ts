/** `npm run bench`'s flags (bench/pass-bench.ts). */
import { describe, expect, it } from 'vitest';
import { BENCH_OUT, parseBenchArgs } from '../../bench/pass-bench.js';

describe('pass benchmark flags', () => {
  it('defaults to 1k, 10k and 100k hosts, 5 runs, files under bench/out', () => {
    expect(parseBenchArgs([])).toEqual({ sizes: [1000, 10000, 100000], runs: 5, out: BENCH_OUT });
  });
  it('reads --sizes, --runs and --out, with = or a separate value', () => {
    expect(parseBenchArgs(['--sizes', '1000,10000', '--runs=3', '--out', '/dev/shm/bf'])).toEqual({ sizes: [1000, 10000], runs: 3, out: '/dev/shm/bf' });
    expect(parseBenchArgs(['--out=/tmp/x']).out).toBe('/tmp/x');
  });
  it('refuses a missing --out directory, a bad number and an unknown flag, saying what was expected', () => {
    expect(() => parseBenchArgs(['--out'])).toThrow('--out: expected a directory, e.g. /dev/shm/breakfix-bench');
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow('--runs: expected a positive whole number, got "0"');
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"; usage: .* \[--out DIR\]/);
  });
});
