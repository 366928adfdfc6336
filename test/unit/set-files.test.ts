/**
 * The set files of a pass (src/pass/passdir.ts): written one after the other, and on a disk
 * several at a time once they turn out to wait on it, into a temporary directory put in place
 * whole, or not at all when a write fails.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROBE_FILES, SetFiles, SLOW_FILE_MS, threadSchedMs, WAITED_SHARE, writeFiles } from '../../src/pass/passdir.js';
import { NameLines } from '../../src/sets/indexset.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bf-setfiles-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (s: string) => Buffer.from(s);

/**
 * A clock for files that seem to take `ms` each, `cpuShare` of it on the writing thread's CPU and
 * `readyShare` waiting for one: `now` reads `ms` times the files made so far (counted by wrapping
 * the `bytesOf` given to writeFiles in `counted`), `sched` those times the shares (undefined: this
 * system cannot tell).
 */
function fakeClock(ms: number, cpuShare: number | undefined = 0, readyShare = 0) {
  let files = 0;
  return {
    now: () => files * ms,
    sched: () => (cpuShare === undefined ? undefined : { cpu: files * ms * cpuShare, ready: files * ms * readyShare }),
    counted: <T>(bytesOf: (k: number, shared: boolean) => T) => (k: number, shared: boolean) => {
      files++;
      return bytesOf(k, shared);
    },
  };
}
/** Slow creates that wait on the disk (the thread is off the CPU). */
const slow = () => fakeClock(SLOW_FILE_MS * 2);
const fast = () => fakeClock(SLOW_FILE_MS / 10);

describe.each([
  ['in memory', false],
  ['on a disk', true],
])('files written %s', (_, onDisk) => {
  it('writes every file with its bytes, one after the other in a buffer reused for each', async () => {
    const names = Array.from({ length: PROBE_FILES * 3 }, (_, k) => `f${k}`);
    const shared: boolean[] = [];
    const scratch = Buffer.alloc(32);
    const c = fast();
    const out = await writeFiles(dir, names, c.counted((k, s) => {
      shared.push(s);
      const n = scratch.write(`file ${k}\n`);
      return scratch.subarray(0, n);
    }), onDisk, c.now, c.sched);
    expect(out).toBe(-1); // none several at a time
    expect(shared.every((s) => s)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    expect(readFileSync(join(dir, 'f37'), 'utf8')).toBe('file 37\n');
    expect(readFileSync(join(dir, `f${names.length - 1}`), 'utf8')).toBe(`file ${names.length - 1}\n`);
  });

  it('a write that fails rejects with its error, and no write starts after it', async () => {
    const names = Array.from({ length: 200 }, (_, k) => (k === 3 ? 'missing-dir/f3' : `f${k}`));
    const started: number[] = [];
    const error = await writeFiles(dir, names, (k) => {
      started.push(k);
      return bytes('x');
    }, onDisk).catch((e: NodeJS.ErrnoException) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((error as Error).message).toContain('missing-dir/f3');
    expect(started).toEqual([0, 1, 2, 3]);
    expect(readdirSync(dir).length).toBe(3);
  });
});

describe('files on a disk whose creates wait', () => {
  it('are written several at a time from the first look at the clock on, each in a buffer of its own, all with their bytes', async () => {
    const names = Array.from({ length: PROBE_FILES * 3 + 5 }, (_, k) => `f${k}`);
    const shared: boolean[] = [];
    const c = slow();
    const out = await writeFiles(dir, names, c.counted((k, s) => {
      shared.push(s);
      return bytes(`file ${k}\n`);
    }), true, c.now, c.sched);
    expect(out).toBe(PROBE_FILES); // several at a time from the first look at the clock on
    expect(shared.slice(0, PROBE_FILES).every((s) => s)).toBe(true);
    expect(shared.slice(PROBE_FILES).some((s) => s)).toBe(false);
    expect(readdirSync(dir)).toHaveLength(names.length);
    for (const k of [0, PROBE_FILES - 1, PROBE_FILES, names.length - 1]) expect(readFileSync(join(dir, `f${k}`), 'utf8')).toBe(`file ${k}\n`);
  });

  it('creates that are slow but keep the thread on a CPU or waiting for one (the kernel\'s work, not a wait) stay one after the other', async () => {
    const names = Array.from({ length: PROBE_FILES * 3 }, (_, k) => `f${k}`);
    const shared: boolean[] = [];
    // On a CPU all the time; half on it, half ready for it (two cores, three busy threads); blocked a little under the share.
    for (const [cpuShare, readyShare] of [[1, 0], [0.5, 0.5], [0.3, 1 - WAITED_SHARE - 0.3 + 0.05]]) {
      const c = fakeClock(SLOW_FILE_MS * 2, cpuShare, readyShare);
      const out = await writeFiles(join(dir), names, c.counted((k, s) => {
        shared.push(s);
        return bytes(`file ${k}\n`);
      }), true, c.now, c.sched);
      expect(out).toBe(-1);
    }
    expect(shared.every((s) => s)).toBe(true);
    expect(readFileSync(join(dir, `f${names.length - 1}`), 'utf8')).toBe(`file ${names.length - 1}\n`);
    // Blocked a little over the share, they count as waits.
    const c = fakeClock(SLOW_FILE_MS * 2, 0.3, 1 - WAITED_SHARE - 0.3 - 0.05);
    expect(await writeFiles(dir, names, c.counted(() => bytes('x')), true, c.now, c.sched)).toBe(PROBE_FILES);
  });

  it('where the thread\'s CPU time cannot be read, slow creates count as waits', async () => {
    const names = Array.from({ length: PROBE_FILES * 2 }, (_, k) => `f${k}`);
    const c = fakeClock(SLOW_FILE_MS * 2, undefined);
    expect(await writeFiles(dir, names, c.counted(() => bytes('x')), true, c.now, c.sched)).toBe(PROBE_FILES);
  });

  it('reads this thread\'s CPU time on Linux, in ms, growing with work and not with sleep', async () => {
    const before = threadSchedMs();
    if (process.platform !== 'linux') return expect(before).toBeUndefined();
    // 100 ms of work: on a CPU or waiting for one all along. The kernel brings the figures up to
    // date at its ticks and switches, so only half of it is asked for.
    let x = 0;
    const end = performance.now() + 100;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    const worked = threadSchedMs()!;
    expect(worked.cpu + worked.ready - before!.cpu - before!.ready).toBeGreaterThan(50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const slept = threadSchedMs()!;
    expect(slept.cpu - worked.cpu).toBeLessThan(50);
    expect(slept.ready).toBeGreaterThanOrEqual(worked.ready);
  });

  it('in memory, files that seem slow are still written one after the other', async () => {
    const names = Array.from({ length: PROBE_FILES * 2 }, (_, k) => `f${k}`);
    const c = slow();
    expect(await writeFiles(dir, names, c.counted(() => bytes('x')), false, c.now, c.sched)).toBe(-1);
    expect(readdirSync(dir)).toHaveLength(names.length);
  });

  it('a write that fails once several go at a time rejects once those under way are done, and no write starts after it', async () => {
    const bad = PROBE_FILES + 20;
    const names = Array.from({ length: PROBE_FILES * 16 }, (_, k) => (k === bad ? 'missing-dir/x' : `f${k}`));
    const started: number[] = [];
    const c = slow();
    const error = await writeFiles(dir, names, c.counted((k) => {
      started.push(k);
      return bytes('x');
    }), true, c.now, c.sched).catch((e: NodeJS.ErrnoException) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((error as Error).message).toContain('missing-dir/x');
    // The writes under way when it failed may each finish and take one more file before the
    // failure is seen (how many depends on the thread pool); then none starts: far from all.
    expect(started).toContain(bad);
    expect(started.length).toBeLessThan(names.length / 2);
  });
});

describe('the sets directory of a pass written on its own thread', () => {
  const records = ['a.x', 'b.x', 'c.x'].map((host) => ({ host }));
  const indexes = new Map([['all', Int32Array.from([0, 1, 2])], ['rack-r1', Int32Array.from([1])], ['unknown', new Int32Array(0)]]);

  it('is in place once done, every set a file of its names, nothing else left', async () => {
    const out = new SetFiles(join(dir, 'sets'), false).write(new NameLines(records), indexes);
    expect(out.written).toBe(3);
    await out.done;
    expect(readdirSync(dir)).toEqual(['sets']);
    expect(readFileSync(join(dir, 'sets', 'all'), 'utf8')).toBe('a.x\nb.x\nc.x\n');
    expect(readFileSync(join(dir, 'sets', 'rack-r1'), 'utf8')).toBe('b.x\n');
    expect(readFileSync(join(dir, 'sets', 'unknown'), 'utf8')).toBe('');
  });

  it('a set that cannot be written leaves no directory, finished or temporary', async () => {
    const bad = new Map(indexes).set('no-such-dir/x', Int32Array.from([0]));
    await expect(new SetFiles(join(dir, 'sets'), false).write(new NameLines(records), bad).done).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a re-run writes only the missing files and keeps the others as they are', async () => {
    await new SetFiles(join(dir, 'sets'), false).write(new NameLines(records), new Map([['all', Int32Array.from([0])]])).done;
    const out = new SetFiles(join(dir, 'sets'), true).write(new NameLines(records), indexes);
    expect(out.written).toBe(2);
    await out.done;
    expect(readFileSync(join(dir, 'sets', 'all'), 'utf8')).toBe('a.x\n');
    expect(existsSync(join(dir, 'sets', 'rack-r1'))).toBe(true);
  });
});
