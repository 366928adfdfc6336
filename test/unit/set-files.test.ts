/**
 * The set files of a pass (src/pass/passdir.ts): written several at a time on a disk (a file
 * create waits on the disk far more than it uses a core) or one after the other in memory, into a
 * temporary directory put in place whole, or not at all when a write fails.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SET_FILE_WRITES, SetFiles, writeFiles } from '../../src/pass/passdir.js';
import { NameLines } from '../../src/sets/indexset.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bf-setfiles-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (s: string) => Buffer.from(s);

describe.each([
  ['several at a time', true],
  ['one after the other', false],
])('files written %s', (_, concurrent) => {
  it('writes every file with its bytes', async () => {
    const names = Array.from({ length: 50 }, (_, k) => `f${k}`);
    expect(await writeFiles(dir, names, (k) => bytes(`file ${k}\n`), concurrent)).toBe(50);
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    expect(readFileSync(join(dir, 'f37'), 'utf8')).toBe('file 37\n');
  });

  it('a write that fails rejects with its error once the writes under way are done, and no write starts after it', async () => {
    const names = Array.from({ length: 200 }, (_, k) => (k === 3 ? 'missing-dir/f3' : `f${k}`));
    const started: number[] = [];
    const error = await writeFiles(
      dir,
      names,
      (k) => {
        started.push(k);
        return bytes('x');
      },
      concurrent,
    ).catch((e: NodeJS.ErrnoException) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((error as Error).message).toContain('missing-dir/f3');
    // At most the writes already under way when f3 failed, none after.
    if (concurrent) expect(started.length).toBeLessThanOrEqual(3 + SET_FILE_WRITES + 1);
    else expect(started).toEqual([0, 1, 2, 3]);
    expect(readdirSync(dir).length).toBe(started.length - 1);
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
