/**
 * Worker thread entry (compiled: `dist/src/pass/parse-worker.js`): reads, hashes and parses one
 * snapshot of a pass directory while the pass's own thread parses the others
 * (src/pass/parse-thread.ts).
 *
 * Message in: one {@link ParseRequest}. Message out: one {@link ParseAnswer} (the parse packed,
 * src/sources/transfer.ts); then the worker closes its port and exits.
 */
import { parentPort } from 'node:worker_threads';
import { packParsed } from '../sources/transfer.js';
import { parseSnapshot, type ParseJob } from './parse-snapshot.js';
import type { ParseAnswer, ParseRequest } from './parse-thread.js';

const noParser = (): never => {
  throw new Error('an hdfs-report is parsed in chunks, not through parseSource');
};

if (!parentPort) throw new Error('parse-worker.js runs as a worker thread (src/pass/parse-thread.ts starts it)');
const port = parentPort;

port.once('message', (m: ParseRequest) => {
  void parse(m.job).finally(() => port.close()); // closing the port ends the worker (its heap with it); what it posted still arrives
});

async function parse(job: ParseJob): Promise<void> {
  let answer: ParseAnswer;
  let transfer: ArrayBuffer[] = [];
  try {
    // A report is read by its own chunked parser; only other kinds need the parser table (and zod).
    const parseSource = job.kind === 'hdfs-report' ? noParser : (await import('../sources/index.js')).parseSource;
    const { parsed, ...rest } = parseSnapshot(job, parseSource);
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
}
