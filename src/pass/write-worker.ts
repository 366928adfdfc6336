/**
 * Worker thread entry (compiled: `dist/src/pass/write-worker.js`): writes the set files and
 * `all-data.tsv` of one pass (src/pass/write-thread.ts).
 *
 * Messages in: {@link WriteRequest}s, the sets first (they bring the names). Messages out: one
 * {@link WriteAnswer} per request, in order. The pass's thread stops the worker when it is done.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { NameLines } from '../sets/indexset.js';
import { writeAtomic } from './passdir.js';
import { renderAllDataFile } from './report.js';
import type { WriteAnswer, WriteRequest } from './write-thread.js';

if (!parentPort) throw new Error('write-worker.js runs as a worker thread (src/pass/write-thread.ts starts it)');
const port = parentPort;

/** The names the sets came with, for all-data. */
let lines: NameLines | undefined;

port.on('message', (m: WriteRequest) => {
  let answer: WriteAnswer;
  try {
    if (m.type === 'sets') {
      lines = new NameLines(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length), m.ends);
      let from = 0;
      m.names.forEach((name, k) => {
        const to = m.setEnds[k];
        writeFileSync(join(m.dir, name), lines!.fileOf(m.members.subarray(from, to)));
        from = to;
      });
      answer = { type: 'written', files: m.names.length };
    } else {
      if (!lines) throw new Error('all-data before the sets: no names to render it with');
      writeAtomic(m.path, renderAllDataFile(lines, m.cells));
      answer = { type: 'written', files: 1 };
    }
  } catch (e) {
    answer = { type: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer);
});
