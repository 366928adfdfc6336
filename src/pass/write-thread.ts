/**
 * The bulk files of a pass — its set files and `all-data.tsv` — written by a worker thread while
 * the pass's own thread goes on with the budgets and the plan.
 *
 * A 100,000-host pass writes ~2,700 set files (26 MB) and a 12 MB `all-data.tsv`: copying each
 * set's lines out of one buffer of names (src/sets/indexset.ts NameLines), rendering the rows and
 * the ~2,700 file creates took the pass's thread ~400 ms, the last part of a pass when the second
 * core had nothing left to do. The pass's thread now only makes the buffer of names, every set's
 * record indexes and all-data's cells as codes (src/pass/report.ts AllDataCells), and hands them
 * over as transferred buffers; the worker (`dist/src/pass/write-worker.js`) writes and answers
 * each job in order. The sets go into the directory it is given, which the pass renames into
 * place (src/pass/passdir.ts); `all-data.tsv` is written atomically.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import type { IndexSet, NameLines } from '../sets/indexset.js';
import type { AllDataCells } from './report.js';

/**
 * A job for the worker. `sets`: every set to write into `dir`, set k being
 * `members[setEnds[k - 1] .. setEnds[k])` (indexes into the lines `bytes`/`ends`), which the worker
 * keeps for later jobs; `onDisk` as `writeFiles` takes it (src/pass/passdir.ts). `all-data`:
 * `all-data.tsv` of those lines and `cells`, written to `path`.
 */
export type WriteRequest =
  | { type: 'sets'; dir: string; bytes: Uint8Array; ends: Int32Array; names: string[]; setEnds: Int32Array; members: Int32Array; onDisk: boolean }
  | { type: 'all-data'; path: string; cells: AllDataCells };

/** The worker's answer to each job, in order: how many files it wrote, or why it stopped. */
export type WriteAnswer = { type: 'written'; files: number } | { type: 'error'; message: string };

/** The compiled worker entry; absent when breakfix runs from its TypeScript sources without a build. */
function workerFile(): string {
  return join(packageRoot(), 'dist', 'src', 'pass', 'write-worker.js');
}

/**
 * A worker thread that writes the bulk files of one pass: its sets ({@link writeSets}, which
 * hands over the names; once, or in batches: see {@link SetFiles.writeAhead} in
 * src/pass/passdir.ts), then `all-data.tsv` ({@link writeAllData}). {@link WriteThread.start}
 * returns null when a second thread would not help (one core) or the compiled worker is missing:
 * the pass then writes them itself. The worker keeps the process alive only while a job is
 * pending; {@link close} stops it.
 */
export class WriteThread {
  private readonly waiting: { resolve: (a: WriteAnswer) => void }[] = [];
  private failure: Error | undefined;
  private sentSets = false;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (a: WriteAnswer) => {
      this.waiting.shift()?.resolve(a);
      if (this.waiting.length === 0) worker.unref();
    });
    worker.on('error', (e) => this.fail(`the file writer thread failed: ${e.stack ?? e.message}`));
    worker.on('exit', (code) => this.fail(`the file writer thread exited (code ${code}) before it answered`));
  }

  /** A worker thread loading its modules now; null with one core or without the compiled worker. */
  static start(): WriteThread | null {
    if (availableParallelism() < 2) return null;
    const file = workerFile();
    if (!existsSync(file)) return null;
    return new WriteThread(new Worker(file));
  }

  /**
   * Write every set (`sets`: name and record indexes into `lines`) as `dir/<name>`, one after the
   * other, and on a disk (`onDisk`) several at a time should they wait on it (`writeFiles` in
   * src/pass/passdir.ts); `lines`' buffers are given away (the caller must not use them after).
   * Resolves with the number of files written. @throws Error when a file could not be written
   * (the worker's message) or the worker failed. Jobs are done in the order they are given; the
   * names of the last call are those {@link writeAllData} renders.
   */
  writeSets(dir: string, lines: NameLines, sets: readonly (readonly [string, IndexSet])[], onDisk: boolean): Promise<number> {
    this.sentSets = true;
    let total = 0;
    for (const [, set] of sets) total += set.length;
    const members = new Int32Array(total);
    const setEnds = new Int32Array(sets.length);
    let at = 0;
    sets.forEach(([, set], k) => {
      members.set(set, at);
      setEnds[k] = at += set.length;
    });
    // A small Buffer may be a slice of Node's shared pool, which must not be given away: copy it.
    const own = lines.bytes.byteOffset === 0 && lines.bytes.buffer.byteLength === lines.bytes.length;
    const bytes = own ? new Uint8Array(lines.bytes.buffer, 0, lines.bytes.length) : new Uint8Array(lines.bytes);
    const ends = lines.ends;
    return this.ask({ type: 'sets', dir, bytes, ends, names: sets.map(([name]) => name), setEnds, members, onDisk }, [bytes.buffer, ends.buffer, setEnds.buffer, members.buffer]);
  }

  /**
   * Write `all-data.tsv` of the lines given with the last sets and `cells` to `path`, atomically;
   * `cells.codes` is given away. @throws Error as {@link writeSets}, or when no sets came first.
   */
  async writeAllData(path: string, cells: AllDataCells): Promise<void> {
    if (!this.sentSets) throw new Error('writeAllData renders the names given with writeSets: call that first');
    await this.ask({ type: 'all-data', path, cells }, [cells.codes.buffer]);
  }

  /** Stop the worker (the pass is done, or stopped early). Jobs still pending fail. */
  close(): void {
    void this.worker.terminate();
  }

  private ask(request: WriteRequest, transfer: ArrayBufferLike[]): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<WriteAnswer>((resolve) => this.waiting.push({ resolve }));
    this.worker.ref();
    this.worker.postMessage(request, transfer as ArrayBuffer[]);
    return answer.then((a) => {
      if (a.type === 'error') throw new Error(a.message);
      return a.files;
    });
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
    for (const w of this.waiting.splice(0)) w.resolve({ type: 'error', message });
  }
}
