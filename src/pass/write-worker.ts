/**
 * Worker thread entry (compiled: `dist/src/pass/write-worker.js`): writes the set files and
 * `all-data.tsv` of one pass (src/pass/write-thread.ts).
 *
 * Messages in: {@link WriteRequest}s, the sets first (they bring the names). Messages out: one
 * {@link WriteAnswer} per request, in order. The pass's thread stops the worker when it is done.
 */
import { parentPort } from 'node:worker_threads';
import { NameLines } from '../sets/indexset.js';
import { writeAtomic, writeSetFiles } from './passdir.js';
import { renderAllDataFile } from './report.js';
import type { WriteAnswer, WriteRequest } from './write-thread.js';

if (!parentPort) throw new Error('write-worker.js runs as a worker thread (src/pass/write-thread.ts starts it)');
const port = parentPort;

/** The names the last sets came with, for all-data. */
let lines: NameLines | undefined;

// Jobs are done one after the other, in the order they came (the sets bring the names all-data needs).
let queue = Promise.resolve();
port.on('message', (m: WriteRequest) => {
  queue = queue.then(async () => {
    let answer: WriteAnswer;
    try {
      if (m.type === 'sets') {
        const names = new NameLines(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length), m.ends);
        lines = names;
        const set = (k: number) => m.members.subarray(k === 0 ? 0 : m.setEnds[k - 1], m.setEnds[k]);
        await writeSetFiles(m.dir, names, m.names, set, m.onDisk);
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
});
