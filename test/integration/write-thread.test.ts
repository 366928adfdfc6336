/**
 * The set files and all-data.tsv of a large pass are written by a worker thread
 * (src/pass/write-thread.ts, the compiled dist/src/pass/write-worker.js that `npm test` builds
 * first) while the pass goes on. The files must be what the pass's own thread writes, and a failed
 * write must leave nothing.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetFiles } from '../../src/pass/passdir.js';
import { WriteThread } from '../../src/pass/write-thread.js';
import { allDataCells, allDataFile } from '../../src/pass/report.js';
import { buildFleet } from '../../src/pass/sets.js';
import { buildDemoFleet } from '../../src/demo/fleet.js';
import { parseSource } from '../../src/sources/index.js';
import { NameLines } from '../../src/sets/indexset.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bf-write-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const records = Array.from({ length: 5000 }, (_, i) => ({ host: `dn${String(i).padStart(5, '0')}.c${i % 7}.test` }));
const indexes = new Map<string, Int32Array>([
  ['all', Int32Array.from(records.keys())],
  ['rack-r1', Int32Array.from([1, 2, 3, 700, 4999])],
  ['unknown', new Int32Array(0)],
]);
const filesOf = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'utf8')]));

describe('set files written by a worker thread', () => {
  it('are the files the pass writes itself, in place once done, with nothing else left', async () => {
    const inline = join(root, 'inline', 'sets');
    expect(new SetFiles(inline, false).write(new NameLines(records), indexes).written).toBe(3);
    const thread = WriteThread.start();
    expect(thread).not.toBeNull(); // two cores and a build: CI has both
    const threaded = join(root, 'threaded', 'sets');
    const out = new SetFiles(threaded, false, thread).write(new NameLines(records), indexes);
    expect(out.written).toBe(3);
    await out.done;
    thread!.close();
    expect(filesOf(threaded)).toEqual(filesOf(inline));
    expect(filesOf(threaded)['rack-r1']).toBe('dn00001.c1.test\ndn00002.c2.test\ndn00003.c3.test\ndn00700.c0.test\ndn04999.c1.test\n');
    expect(readdirSync(join(root, 'threaded'))).toEqual(['sets']);
  });

  it('all-data.tsv rendered by the thread from the names the sets brought is the file the pass renders itself', async () => {
    const demo = buildDemoFleet('proposals');
    const fleet = buildFleet([
      parseSource('inventory', demo.inventoryTsv, 'inventory.tsv'),
      parseSource('health', demo.healthTsv, 'health.tsv', undefined, { rows: false }),
    ], []);
    const thread = WriteThread.start()!;
    await expect(thread.writeAllData(join(root, 'x.tsv'), allDataCells(fleet))).rejects.toThrow(/call that first/);
    await new SetFiles(join(root, 'demo', 'sets'), false, thread).write(new NameLines(fleet.records), fleet.indexes).done;
    const path = join(root, 'demo', 'all-data.tsv');
    await thread.writeAllData(path, allDataCells(fleet));
    thread.close();
    expect(readFileSync(path)).toEqual(allDataFile(fleet));
    expect(readdirSync(join(root, 'demo')).sort()).toEqual(['all-data.tsv', 'sets']);
  });

  it('written on a disk or in memory, are the same files', async () => {
    for (const onDisk of [true, false]) {
      const thread = WriteThread.start()!;
      const sets = join(root, `where-${onDisk}`, 'sets');
      await new SetFiles(sets, false, thread, onDisk).write(new NameLines(records), indexes).done;
      thread.close();
      expect(filesOf(sets)).toEqual(filesOf(join(root, 'inline', 'sets')));
      expect(readdirSync(join(root, `where-${onDisk}`))).toEqual(['sets']);
    }
  });

  // The inventory's sets, written ahead from the inventory's own rows (every other one), then the
  // fleet's from all of its records: rack-r1 has the same members in both, `all` gains hosts
  // another source named, `unknown` comes with the fleet only.
  const inventoryRows = records.filter((_, i) => i % 2 === 0);
  const inventorySets = { all: Int32Array.from(inventoryRows.keys()), 'rack-r1': Int32Array.from([1, 350, 2499]) };
  const fleetSets = new Map<string, Int32Array>([
    ['all', Int32Array.from(records.keys())],
    ['rack-r1', Int32Array.from([2, 700, 4998])],
    ['unknown', Int32Array.from([3])],
  ]);

  it('written ahead from a source\'s rows and then from the fleet\'s records, are the files of one write, each written once', async () => {
    const once = join(root, 'once', 'sets');
    await new SetFiles(once, false).write(new NameLines(records), fleetSets).done;
    const thread = WriteThread.start()!;
    const parent = join(root, 'ahead');
    const files = new SetFiles(join(parent, 'sets'), false, thread, true);
    files.writeAhead(new NameLines(inventoryRows), inventorySets);
    const out = files.write(new NameLines(records), fleetSets);
    expect(out).toMatchObject({ written: 3, ahead: 1 }); // rack-r1: as many members in the fleet as ahead
    await out.done;
    thread.close();
    expect(filesOf(join(parent, 'sets'))).toEqual(filesOf(once));
    expect(readdirSync(parent)).toEqual(['sets']);
  });

  it('a set written ahead that the fleet has as many members of is not written again; one it has more of is', async () => {
    // Members the fleet would name differently, at the same count: only a second write could change the file.
    const thread = WriteThread.start()!;
    const sets = join(root, 'not-twice', 'sets');
    const files = new SetFiles(sets, false, thread, true);
    files.writeAhead(new NameLines(inventoryRows), { ...inventorySets, 'rack-r1': Int32Array.from([0, 1, 2]) });
    await files.write(new NameLines(records), fleetSets).done;
    thread.close();
    expect(readFileSync(join(sets, 'rack-r1'), 'utf8')).toBe('dn00000.c0.test\ndn00002.c2.test\ndn00004.c4.test\n');
    expect(readFileSync(join(sets, 'all'), 'utf8').split('\n')).toHaveLength(records.length + 1);
  });

  it('all-data.tsv after sets in two batches is rendered from the names of the last', async () => {
    const demo = buildDemoFleet('proposals');
    const inventory = parseSource('inventory', demo.inventoryTsv, 'inventory.tsv');
    const fleet = buildFleet([inventory, parseSource('health', demo.healthTsv, 'health.tsv', undefined, { rows: false })], []);
    const thread = WriteThread.start()!;
    const files = new SetFiles(join(root, 'demo-ahead', 'sets'), false, thread, true);
    files.writeAhead(new NameLines(inventory.rows as { host: string }[]), inventory.setIndexes!);
    await files.write(new NameLines(fleet.records), fleet.indexes).done;
    const path = join(root, 'demo-ahead', 'all-data.tsv');
    await thread.writeAllData(path, allDataCells(fleet));
    thread.close();
    expect(readFileSync(path)).toEqual(allDataFile(fleet));
  });

  it('a pass that stops after writing ahead leaves no directory once abandoned, and writeAhead is refused where it cannot be', async () => {
    const thread = WriteThread.start()!;
    const parent = join(root, 'abandoned');
    const files = new SetFiles(join(parent, 'sets'), false, thread, true);
    files.writeAhead(new NameLines(inventoryRows), inventorySets);
    expect(() => files.writeAhead(new NameLines(inventoryRows), inventorySets)).toThrow(/once, before write/);
    await files.abandon();
    thread.close();
    expect(readdirSync(parent)).toEqual([]);
    expect(() => new SetFiles(join(root, 'no-thread', 'sets'), false).writeAhead(new NameLines(inventoryRows), inventorySets)).toThrow(/with a writer thread/);
  });

  it.each([
    ['on a disk', true],
    ['in memory', false],
  ])('a file the worker cannot write fails the pass with its reason and leaves no directory (%s)', async (where, onDisk) => {
    // Refused at once: the directory the worker is given does not exist.
    const once = WriteThread.start()!;
    await expect(once.writeSets(join(root, 'no', 'such', 'dir'), new NameLines(records), [...indexes], onDisk)).rejects.toThrow(/ENOENT/);
    once.close();
    const thread = WriteThread.start()!;
    const parent = join(root, `failing ${where}`);
    const sets = join(parent, 'sets');
    const bad = new Map(indexes).set('no-such-dir/x', new Int32Array([0])); // a name no set has: its directory does not exist
    const out = new SetFiles(sets, false, thread, onDisk).write(new NameLines(records), bad);
    await expect(out.done).rejects.toThrow(/ENOENT/);
    thread.close();
    expect(existsSync(parent) ? readdirSync(parent) : []).toEqual([]);
  });
});
