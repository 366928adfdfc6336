/**
 * Worker thread entry (compiled: `dist/src/pass/parse-worker.js`): reads, hashes and parses one
 * snapshot of a pass directory while the pass's own thread parses the others
 * (src/pass/parse-thread.ts). Waits for one {@link ParseJob} message and answers with one
 * {@link ParseAnswer}, the parse packed (src/sources/transfer.ts).
 */
import { parentPort } from 'node:worker_threads';
import { packParsed } from '../sources/transfer.js';
import { parseSnapshot, type ParseJob } from './parse-snapshot.js';
import type { ParseAnswer } from './parse-thread.js';

const noParser = (): never => {
  throw new Error('an hdfs-report is parsed in chunks, not through parseSource');
};

const port = parentPort;
if (!port) throw new Error('parse-worker.js runs as a worker thread (src/pass/parse-thread.ts starts it)');

port.once('message', async (job: ParseJob) => {
  let answer: ParseAnswer;
  let transfer: ArrayBuffer[] = [];
  try {
    // A report is read by its own chunked parser; only other kinds need the parser table (and zod).
    const parse = job.kind === 'hdfs-report' ? noParser : (await import('../sources/index.js')).parseSource;
    const { parsed, ...rest } = parseSnapshot(job, parse);
    answer = rest;
    if (parsed) {
      const p = packParsed(parsed);
      answer.parsed = p.packed;
      transfer = p.transfer;
    }
  } catch (e) {
    answer = { fatal: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(answer, transfer);
});
