/**
 * Worker thread entry (compiled: `dist/src/pass/write-worker.js`): writes the set files of one
 * pass (src/pass/write-thread.ts).
 *
 * Message in: one {@link WriteSetsRequest}. Message out: one {@link WriteSetsAnswer}; then the
 * worker closes its port and exits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { NameLines } from '../sets/indexset.js';
import type { WriteSetsAnswer, WriteSetsRequest } from './write-thread.js';

if (!parentPort) throw new Error('write-worker.js runs as a worker thread (src/pass/write-thread.ts starts it)');
const port = parentPort;

port.once('message', (m: WriteSetsRequest) => {
  let answer: WriteSetsAnswer;
  try {
    const lines = new NameLines(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length), m.ends);
    let from = 0;
    m.names.forEach((name, k) => {
      const to = m.setEnds[k];
      writeFileSync(join(m.dir, name), lines.fileOf(m.members.subarray(from, to)));
      from = to;
    });
    answer = { type: 'written', files: m.names.length };
  } catch (e) {
    answer = { type: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer);
  port.close();
});
