/**
 * The set files of a pass written by a worker thread while the pass's own thread goes on with
 * `all-data.tsv`, the budgets and the plan.
 *
 * A 100,000-host pass writes ~2,700 set files (26 MB): copying each set's lines out of one buffer
 * of names (src/sets/indexset.ts NameLines) and the ~2,700 file creates took the pass's thread
 * ~200 ms, the last part of a pass when the second core had nothing left to do. The pass's thread
 * now only makes the buffer of names and hands it over with every set's record indexes, all as
 * transferred buffers; the worker (`dist/src/pass/write-worker.js`) writes the files into the
 * directory it is given and answers once, and the pass renames that directory into place
 * (src/pass/passdir.ts) before it writes its summary.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import type { IndexSet, NameLines } from '../sets/indexset.js';

/** The message to the worker: every set to write into `dir`. Set k is `members[setEnds[k - 1] .. setEnds[k])` (indexes into the lines). */
export interface WriteSetsRequest {
  type: 'sets';
  dir: string;
  bytes: Uint8Array;
  ends: Int32Array;
  names: string[];
  setEnds: Int32Array;
  members: Int32Array;
}

/** The worker's one answer: how many files it wrote, or why it stopped. */
export type WriteSetsAnswer = { type: 'written'; files: number } | { type: 'error'; message: string };

/** The compiled worker entry; absent when breakfix runs from its TypeScript sources without a build. */
function workerFile(): string {
  return join(packageRoot(), 'dist', 'src', 'pass', 'write-worker.js');
}

/**
 * A worker thread that writes the set files of one pass. {@link WriteThread.start} returns null
 * when a second thread would not help (one core) or the compiled worker is missing: the pass then
 * writes them itself. Until it has its job the worker does not keep the process alive; it exits
 * once it has answered.
 */
export class WriteThread {
  private answer: Promise<WriteSetsAnswer> | undefined;
  private failure: Error | undefined;
  private settle: ((a: WriteSetsAnswer) => void) | undefined;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.once('message', (a: WriteSetsAnswer) => {
      this.settle?.(a);
      this.settle = undefined;
    });
    worker.on('error', (e) => this.fail(`the set-file writer thread failed: ${e.stack ?? e.message}`));
    worker.on('exit', (code) => this.fail(`the set-file writer thread exited (code ${code}) before it answered`));
  }

  /** A worker thread loading its modules now; null with one core or without the compiled worker. */
  static start(): WriteThread | null {
    if (availableParallelism() < 2) return null;
    const file = workerFile();
    if (!existsSync(file)) return null;
    return new WriteThread(new Worker(file));
  }

  /**
   * Hand over every set (`sets`: name and record indexes into `lines`) to be written as
   * `dir/<name>`; `lines`' buffers are given away (the caller must not use them after). Resolves
   * with the number of files written. @throws Error when a file could not be written (the
   * worker's message) or the worker failed. One job per thread.
   */
  writeSets(dir: string, lines: NameLines, sets: readonly (readonly [string, IndexSet])[]): Promise<number> {
    if (this.answer) throw new Error('a WriteThread writes the sets of one pass');
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
    const request: WriteSetsRequest = { type: 'sets', dir, bytes, ends: lines.ends, names: sets.map(([name]) => name), setEnds, members };
    this.answer = new Promise<WriteSetsAnswer>((resolve) => (this.settle = resolve));
    if (this.failure) return Promise.reject(this.failure);
    this.worker.ref();
    this.worker.postMessage(request, [bytes.buffer as ArrayBuffer, lines.ends.buffer as ArrayBuffer, setEnds.buffer as ArrayBuffer, members.buffer as ArrayBuffer]);
    return this.answer.then((a) => {
      this.worker.unref();
      if (a.type === 'error') throw new Error(a.message);
      return a.files;
    });
  }

  /** Stop the worker (the pass stopped early, or is done). */
  close(): void {
    void this.worker.terminate();
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
    this.settle?.({ type: 'error', message });
    this.settle = undefined;
  }
}
