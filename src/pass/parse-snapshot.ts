/**
 * Read one snapshot of a pass directory, hash it and parse it: the same on the pass's thread and
 * in a worker thread (src/pass/parse-worker.ts).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { InventoryMapping, parseSource } from '../sources/index.js';
import { HdfsReportParser } from '../sources/hdfs-report.js';
import type { ParsedSource, SourceKind } from '../sources/types.js';

/** A snapshot to read: its file and how to parse it. */
export interface ParseJob {
  path: string;
  kind: SourceKind;
  origin: string;
  mapping?: InventoryMapping;
  /** When set (a re-run of a recorded pass): the sha256 the snapshot must still have; its parse is dropped when it differs. */
  expectSha256?: string;
  /** `parseSource`'s `rows` option: false for a pass (health results per host). */
  rows?: boolean;
}

/**
 * What reading a snapshot found: its sha256 and size, and its parse or the parser's InputError
 * message (names the file, line and field). `changed`: the sha256 is not the expected one.
 */
export interface ParseOutcome {
  sha256: string;
  bytes: number;
  changed?: boolean;
  parsed?: ParsedSource<unknown>;
  inputError?: string;
}

/**
 * Read a snapshot kept in a pass directory: its bytes as read, their sha256 and size. Hand `data`
 * to `parseSource`, which decodes it only for the parsers that need text (the `hdfs dfsadmin
 * -report` parser reads bytes, so a 60 MB report is not held twice).
 */
export function readSnapshot(path: string): { data: Buffer; sha256: string; bytes: number } {
  const data = readFileSync(path);
  return { data, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

/** Chunk size for reading a report: large enough that the per-chunk work is noise, small enough to stay in cache. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Read, hash and parse the snapshot at `job.path`. An `hdfs dfsadmin -report` (60 MB at 100,000
 * DataNodes) is read in 4 MiB chunks fed to {@link HdfsReportParser}, so it is never held whole;
 * every other kind is read whole (its parser needs the text) and handed to `parse`: `parseSource`,
 * given by the caller so that a worker thread parsing a report never loads the other parsers and
 * their schema library. Bad input is an outcome, not a throw.
 * @throws Error when the file cannot be read, or the parser fails otherwise than on bad input.
 */
export function parseSnapshot(job: ParseJob, parse: typeof parseSource): ParseOutcome {
  if (job.kind === 'hdfs-report') return parseReportInChunks(job);
  const snap = readSnapshot(job.path);
  const out: ParseOutcome = { sha256: snap.sha256, bytes: snap.bytes };
  if (job.expectSha256 && job.expectSha256 !== snap.sha256) out.changed = true;
  else {
    try {
      out.parsed = parse(job.kind, snap.data, job.origin, job.mapping, { rows: job.rows });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      out.inputError = e.message;
    }
  }
  return out;
}

function parseReportInChunks(job: ParseJob): ParseOutcome {
  const hash = createHash('sha256');
  const parser = new HdfsReportParser(job.origin);
  let inputError: string | undefined;
  const bytes = readChunks(job.path, (piece) => {
    hash.update(piece);
    // After bad input, the rest is still read: the digest is of the whole snapshot.
    if (inputError === undefined) inputError = inputErrorOf(() => parser.feed(piece));
  });
  const out: ParseOutcome = { sha256: hash.digest('hex'), bytes };
  if (job.expectSha256 && job.expectSha256 !== out.sha256) out.changed = true;
  else if (inputError === undefined) {
    let parsed: ParsedSource<unknown> | undefined;
    inputError = inputErrorOf(() => { parsed = parser.end(); });
    if (parsed) out.parsed = parsed;
  }
  if (inputError !== undefined && !out.changed) out.inputError = inputError;
  return out;
}

/**
 * Read `path` in chunks of {@link CHUNK_BYTES}, handing each to `onChunk` (a view of one buffer
 * that the next read overwrites: copy what must outlive the call). Returns the bytes read.
 * @throws Error when the file cannot be opened or read.
 */
function readChunks(path: string, onChunk: (piece: Buffer) => void): number {
  let bytes = 0;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) return bytes;
      bytes += n;
      onChunk(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** Run `f`; its InputError's message, or undefined when it returned. Other errors propagate. */
function inputErrorOf(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return e.message;
  }
}
