/**
 * One snapshot parsed in a worker thread while the pass's own thread parses the others.
 *
 * A pass's sources are independent until their sets are merged, and the largest one (a
 * 100,000-DataNode `hdfs dfsadmin -report` is 60 MB, ~0.45 s to read, hash and parse) took as
 * long as the inventory and health together. On a machine with a second core it now runs beside
 * them. The worker (`dist/src/pass/parse-worker.js`) is started before the pass needs it, so it
 * has loaded its modules by the time the snapshot is on disk; its answer comes back packed
 * (src/sources/transfer.ts).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import { unpackParsed, type PackedSource } from '../sources/transfer.js';
import type { ParseJob, ParseOutcome } from './parse-snapshot.js';

/** The worker's answer: a {@link ParseOutcome} with the parse packed, or only `fatal` when something other than bad input went wrong (a bug, an unreadable file). */
export type ParseAnswer = Partial<Omit<ParseOutcome, 'parsed'>> & { parsed?: PackedSource; fatal?: string };

/** Snapshots smaller than this are parsed on the pass's thread: starting a worker (~40 ms) would cost more than it saves. */
export const PARSE_THREAD_MIN_BYTES = 4 * 1024 * 1024;

/** The compiled worker entry; absent when breakfix runs from its TypeScript sources without a build. */
function workerFile(): string {
  return join(packageRoot(), 'dist', 'src', 'pass', 'parse-worker.js');
}

/**
 * A worker thread started ahead of its job. {@link ParseThread.start} returns null when a second
 * thread would not help (one core) or the compiled worker is missing; the caller then parses on
 * its own thread.
 */
export class ParseThread {
  private used = false;

  private constructor(private readonly worker: Worker) {
    // Until it has a job, an idle worker must not keep the process alive.
    worker.unref();
  }

  /** A worker thread loading its modules now; null with one core or without the compiled worker. */
  static start(): ParseThread | null {
    if (availableParallelism() < 2) return null;
    const file = workerFile();
    if (!existsSync(file)) return null;
    return new ParseThread(new Worker(file));
  }

  /**
   * Read, hash and parse one snapshot in the worker. Resolves with the outcome (bad input is an
   * outcome: `inputError`). @throws Error when the worker failed otherwise (its stack in the message).
   * One job per thread.
   */
  parse(job: ParseJob): Promise<ParseOutcome> {
    if (this.used) throw new Error('a ParseThread parses one snapshot');
    this.used = true;
    const w = this.worker;
    w.ref();
    return new Promise<ParseOutcome>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`parsing ${job.path} in a worker thread failed: ${why}`));
      w.once('error', (e) => fail(e.stack ?? e.message));
      w.once('exit', (code) => fail(`the worker exited (code ${code}) without an answer`));
      w.once('message', (a: ParseAnswer) => {
        w.removeAllListeners('exit');
        void w.terminate();
        if (a.fatal !== undefined || a.sha256 === undefined || a.bytes === undefined) return fail(a.fatal ?? 'an answer without the snapshot digest');
        const out: ParseOutcome = { sha256: a.sha256, bytes: a.bytes };
        if (a.changed) out.changed = true;
        if (a.inputError !== undefined) out.inputError = a.inputError;
        if (a.parsed) out.parsed = unpackParsed(a.parsed);
        resolve(out);
      });
      w.postMessage(job);
    });
  }

  /** Stop the worker without a job (the pass stopped early, or had nothing large enough). */
  close(): void {
    if (!this.used) void this.worker.terminate();
  }
}
