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
 * A fresh pass asks for the parse first (`hash: false`): the worker answers with it and then
 * digests the snapshot (sha256 of 60 MB, ~50 ms) while the pass's thread builds the sets, instead
 * of that thread waiting for the digest or taking it itself. After its last answer the worker
 * exits on its own: its heap (the parse's garbage, 25–40 MB at 100,000 hosts) is gone before the
 * pass's thread, busy with the sets, would get round to closing it.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import { unpackParsed, type PackedSource } from '../sources/transfer.js';
import type { ParseJob, ParseOutcome } from './parse-snapshot.js';

/** The worker's first answer: a {@link ParseOutcome} with the parse packed, or only `fatal` when something other than bad input went wrong (a bug, an unreadable file). */
export type ParseAnswer = { type: 'parsed' } & Partial<Omit<ParseOutcome, 'parsed'>> & { parsed?: PackedSource; fatal?: string };

/** The worker's second answer, for a job with `hash: false`: the snapshot's sha256 and size, or why there is none. */
export type DigestAnswer = { type: 'digest' } & ({ sha256: string; bytes: number } | { error: string });

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
 * its own thread. It parses one snapshot, answers (twice with `hash: false`) and exits; it never
 * keeps the process alive while it has nothing to do.
 */
export class ParseThread {
  private used = false;
  private closed = false;
  /** Why the worker is gone (it crashed, exited or was closed); calls still waiting fail with it. */
  private failure: Error | undefined;
  private parsed: Waiter<ParseAnswer> | undefined;
  private digested: Waiter<DigestAnswer> | undefined;
  private digestAnswer: Promise<DigestAnswer> | undefined;

  private constructor(private readonly worker: Worker) {
    // Until it has a job, an idle worker must not keep the process alive.
    worker.unref();
    worker.on('message', (a: ParseAnswer | DigestAnswer) => {
      if (a.type === 'parsed') {
        this.parsed?.resolve(a);
        this.parsed = undefined;
      } else {
        this.digested?.resolve(a);
        this.digested = undefined;
      }
      if (!this.parsed && !this.digested) worker.unref();
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
   * outcome: `inputError`). With `job.hash` false the outcome's `sha256` is '' and
   * {@link ParseThread.digest} gives it once the worker has read the file again.
   * @throws Error when the worker failed otherwise (its stack in the message). One job per thread.
   */
  async parse(job: ParseJob): Promise<ParseOutcome> {
    if (this.used) throw new Error('a ParseThread parses one snapshot');
    this.used = true;
    const answer = this.ask<ParseAnswer>((w) => (this.parsed = w), { type: 'parse', job } satisfies ParseRequest);
    if (job.hash === false) this.digestAnswer = this.ask<DigestAnswer>((w) => (this.digested = w));
    this.digestAnswer?.catch(() => {}); // awaited by digest(); a crash is reported by parse() too
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

  /**
   * The sha256 (hex) and size (bytes) of the snapshot parsed with `hash: false`, taken after the
   * parse, or `error` when the file changed meanwhile or could not be read again.
   * @throws Error when there was no such parse or the worker failed.
   */
  async digest(): Promise<{ sha256: string; bytes: number } | { error: string }> {
    if (!this.digestAnswer) throw new Error('digest() follows a parse with hash: false');
    const { type: _, ...d } = await this.digestAnswer;
    return d;
  }

  /** Stop the worker: its job is done, or the pass stopped early. Calls still waiting fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  /** Register a waiter (with `keep`), post `message` when given, and keep the process alive until answered. */
  private ask<T>(keep: (w: Waiter<T>) => void, message?: unknown): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<T>((resolve, reject) => keep({ resolve, reject }));
    this.worker.ref();
    if (message !== undefined) this.worker.postMessage(message);
    return p;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of [this.parsed, this.digested]) w?.reject(this.failure);
    this.parsed = this.digested = undefined;
  }
}

interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}
