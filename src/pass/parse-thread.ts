/**
 * One snapshot parsed in a worker thread while the pass's own thread parses the others.
 *
 * A pass's sources are independent until their sets are merged, and the largest one (a
 * 100,000-DataNode `hdfs dfsadmin -report` is 60 MB, ~0.45 s to read, hash and parse) took as
 * long as the inventory and health together. On a machine with a second core it now runs beside
 * them. The worker (`dist/src/pass/parse-worker.js`) is started before the pass needs it, so it
 * has loaded its modules by the time the snapshot is on disk; its answer comes back packed
 * (src/sources/transfer.ts).
 *
 * The worker hashes the snapshot as it reads it for the parse (sha256 of 60 MB, ~40 ms), so the
 * digest is of the bytes parsed and the file is read once: a 100k pass's thread has more to do
 * than the worker, and reading the report a second time after the parse, as the worker did, cost
 * ~90 ms of CPU more. After its answer the worker exits on its own: its heap (the parse's garbage,
 * 25–40 MB at 100,000 hosts) is gone before the pass's thread, busy with the sets, would get round
 * to closing it.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import { unpackParsed, type PackedSource } from '../sources/transfer.js';
import type { ParseJob, ParseOutcome } from './parse-snapshot.js';

/** The worker's answer: a {@link ParseOutcome} with the parse packed, or only `fatal` when something other than bad input went wrong (a bug, an unreadable file). */
export type ParseAnswer = { type: 'parsed' } & Partial<Omit<ParseOutcome, 'parsed'>> & { parsed?: PackedSource; fatal?: string };

/** The message to the worker: its one parse job. */
export interface ParseRequest {
  type: 'parse';
  job: ParseJob;
}

/** Snapshots smaller than this are parsed on the pass's thread: starting a worker (~40 ms) would cost more than it saves. */
export const PARSE_THREAD_MIN_BYTES = 4 * 1024 * 1024;

/** The compiled worker entry; absent when breakfix runs from its TypeScript sources without a build. */
function workerFile(): string {
  return join(packageRoot(), 'dist', 'src', 'pass', 'parse-worker.js');
}

/**
 * A worker thread started ahead of its job. {@link ParseThread.start} returns null when a second
 * thread would not help (one core) or the compiled worker is missing; the caller then parses on
 * its own thread. It parses one snapshot, answers and exits; it never keeps the process alive
 * while it has nothing to do.
 */
export class ParseThread {
  private used = false;
  private closed = false;
  /** Why the worker is gone (it crashed, exited or was closed); calls still waiting fail with it. */
  private failure: Error | undefined;
  private parsed: Waiter<ParseAnswer> | undefined;

  private constructor(private readonly worker: Worker) {
    // Until it has a job, an idle worker must not keep the process alive.
    worker.unref();
    worker.on('message', (a: ParseAnswer) => {
      this.parsed?.resolve(a);
      this.parsed = undefined;
      worker.unref();
    });
    worker.on('error', (e) => this.fail(new Error(`the worker thread failed: ${e.stack ?? e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`the worker thread exited (code ${code})${this.closed ? ' (closed)' : ''}`)));
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
   * outcome: `inputError`; a snapshot whose sha256 is not `job.expectSha256`: `changed`).
   * @throws Error when the worker failed otherwise (its stack in the message). One job per thread.
   */
  async parse(job: ParseJob): Promise<ParseOutcome> {
    if (this.used) throw new Error('a ParseThread parses one snapshot');
    this.used = true;
    const answer = this.ask<ParseAnswer>((w) => (this.parsed = w), { type: 'parse', job } satisfies ParseRequest);
    let a: ParseAnswer;
    try {
      a = await answer;
    } catch (e) {
      throw new Error(`parsing ${job.path} in a worker thread failed: ${(e as Error).message}`);
    }
    if (a.fatal !== undefined || a.sha256 === undefined || a.bytes === undefined) {
      throw new Error(`parsing ${job.path} in a worker thread failed: ${a.fatal ?? 'an answer without the snapshot size'}`);
    }
    const out: ParseOutcome = { sha256: a.sha256, bytes: a.bytes };
    if (a.changed) out.changed = true;
    if (a.inputError !== undefined) out.inputError = a.inputError;
    if (a.parsed) out.parsed = unpackParsed(a.parsed);
    return out;
  }

  /** Stop the worker: its job is done, or the pass stopped early. Calls still waiting fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  /** Register a waiter (with `keep`), post `message`, and keep the process alive until answered. */
  private ask<T>(keep: (w: Waiter<T>) => void, message: unknown): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<T>((resolve, reject) => keep({ resolve, reject }));
    this.worker.ref();
    this.worker.postMessage(message);
    return p;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.parsed?.reject(this.failure);
    this.parsed = undefined;
  }
}

interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}
