/**
 * Worker thread entry (compiled: `dist/src/pass/parse-worker.js`): reads, hashes and parses one
 * snapshot of a pass directory while the pass's own thread parses the others
 * (src/pass/parse-thread.ts).
 *
 * Message in: one {@link ParseRequest}. Messages out: one {@link ParseAnswer} (the parse packed,
 * src/sources/transfer.ts) and, for a job with `hash: false`, one {@link DigestAnswer} after it;
 * then the worker closes its port and exits.
 */
import { statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { packParsed } from '../sources/transfer.js';
import { parseSnapshot, sha256OfFile, type ParseJob } from './parse-snapshot.js';
import type { DigestAnswer, ParseAnswer, ParseRequest } from './parse-thread.js';

const noParser = (): never => {
  throw new Error('an hdfs-report is parsed in chunks, not through parseSource');
};

if (!parentPort) throw new Error('parse-worker.js runs as a worker thread (src/pass/parse-thread.ts starts it)');
const port = parentPort;

port.once('message', (m: ParseRequest) => {
  // Closing the port ends the worker; what it posted still reaches the pass's thread.
  void parseAndDigest(m.job).finally(() => port.close());
});

async function parseAndDigest(job: ParseJob): Promise<void> {
  let answer: ParseAnswer;
  let transfer: ArrayBuffer[] = [];
  // A digest taken after the parse is of the bytes parsed only if the file did not change between.
  let before: string | undefined;
  try {
    if (job.hash === false) before = fileState(job.path);
    // A report is read by its own chunked parser; only other kinds need the parser table (and zod).
    const parse = job.kind === 'hdfs-report' ? noParser : (await import('../sources/index.js')).parseSource;
    const { parsed, ...rest } = parseSnapshot(job, parse);
    answer = { type: 'parsed', ...rest };
    if (parsed) {
      const p = packParsed(parsed);
      answer.parsed = p.packed;
      transfer = p.transfer;
    }
  } catch (e) {
    answer = { type: 'parsed', fatal: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(answer, transfer);
  if (before !== undefined && answer.fatal === undefined) {
    let digest: DigestAnswer;
    try {
      const d = sha256OfFile(job.path);
      digest = fileState(job.path) === before ? { type: 'digest', ...d } : { type: 'digest', error: `${job.path}: the snapshot changed while it was parsed (size or modification time differ); a pass directory is a record, not a work area` };
    } catch (e) {
      digest = { type: 'digest', error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(digest);
  }
}

/** Size and modification time (ns) of a file, as one comparable string. */
function fileState(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.size}:${st.mtimeNs}`;
}
