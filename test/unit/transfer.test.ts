import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { buildDemoFleet } from '../../src/demo/fleet.js';
import { parseSource } from '../../src/sources/index.js';
import { isKnownRowShape, packParsed, unpackParsed } from '../../src/sources/transfer.js';
import type { ParsedSource, SourceKind } from '../../src/sources/types.js';

const real = join(import.meta.dirname, '../fixtures/real');

/** `p` packed, posted through a real MessagePort (structured clone, buffers transferred) and unpacked. */
function roundTrip(p: ParsedSource<unknown>): ParsedSource<unknown> {
  const { port1, port2 } = new MessageChannel();
  const { packed, transfer } = packParsed(p);
  port1.postMessage(packed, transfer);
  const got = receiveMessageOnPort(port2);
  port1.close();
  if (!got) throw new Error('nothing arrived on the port');
  return unpackParsed(got.message);
}

/** Rows, sets and every other field equal, and each row's keys in the same order. */
function expectSame(a: ParsedSource<unknown>, b: ParsedSource<unknown>): void {
  expect(b).toEqual(a);
  expect(Object.keys(b.sets)).toEqual(Object.keys(a.sets));
  (a.rows as object[]).forEach((row, i) => expect(Object.keys((b.rows as object[])[i])).toEqual(Object.keys(row)));
}

const demo = buildDemoFleet('proposals');
const samples: [string, SourceKind, string | Buffer][] = [
  ['the demo inventory (4,034 Alibaba machines, rows sorted by host)', 'inventory', demo.inventoryTsv],
  ['the demo health results (rows in file order, a host per check)', 'health', demo.healthTsv],
  // (The HDInsight sample's redacted host name is refused by the parser: it has no parse to send.)
  ...readdirSync(join(real, 'hdfs-dfsadmin-report')).filter((f) => !f.includes('hdinsight')).map((f): [string, SourceKind, Buffer] => [f, 'hdfs-report', readFileSync(join(real, 'hdfs-dfsadmin-report', f))]),
  ...['hadoop-1.0.0-yahoo-full-jmx-dump.json', 'hadoop-2.7.1-nninfo-datadog-single-dn.json'].map((f): [string, SourceKind, Buffer] => [f, 'hdfs-jmx', readFileSync(join(real, 'hdfs-namenode-jmx', f))]),
  ['ws-v1-cluster-nodes-hadoop-2.9.0-openpai-gpu-fields.json', 'yarn-nodes', readFileSync(join(real, 'yarn-rm', 'ws-v1-cluster-nodes-hadoop-2.9.0-openpai-gpu-fields.json'))],
  ['yarn-node-list-all-hadoop-2.x-2015-mixed-tabs-mykubernetes.txt', 'yarn-list', readFileSync(join(real, 'yarn-rm', 'yarn-node-list-all-hadoop-2.x-2015-mixed-tabs-mykubernetes.txt'))],
];

describe('a parse packed for another thread and unpacked', () => {
  it.each(samples)('%s (%s) arrives equal', (_name, kind, data) => {
    const p = parseSource(kind, data, 'sample');
    expectSame(p, roundTrip(p));
  });

  it('every parser gives rows of a shape that is rebuilt by an object literal', () => {
    const shapes = new Set<string>();
    for (const [, kind, data] of samples) {
      for (const row of parseSource(kind, data, 'sample').rows as object[]) shapes.add(Object.keys(row).join());
    }
    // inventory, health rows, HDFS nodes (report and JMX), YARN nodes (REST and node -list)
    expect(shapes.size).toBe(4);
    for (const keys of shapes) expect(isKnownRowShape(keys.split(',')), keys).toBe(true);
    expect(isKnownRowShape(['host', 'live'])).toBe(false);
  });

  it('the demo health results per host (rows: false, as a pass reads them) arrive equal', () => {
    const p = parseSource('health', demo.healthTsv, 'health.tsv', undefined, { rows: false });
    expect(p.health!.some((h) => h.failedChecks !== null && h.failedChecks.length > 0)).toBe(true);
    expect(p.health!.some((h) => h.reachable === false)).toBe(true);
    expectSame(p, roundTrip(p));
  });

  it('sends each distinct string once: the demo inventory packs its 4,034 hosts first, in row order, and its sets as row indexes', () => {
    const p = parseSource('inventory', demo.inventoryTsv, 'inventory.tsv');
    const { packed } = packParsed(p);
    const hosts = (p.rows as { host: string }[]).map((r) => r.host);
    expect(packed.strings.slice(0, hosts.length)).toEqual(hosts);
    expect(new Set(packed.strings).size).toBe(packed.strings.length);
    expect(packed.sets).toEqual([]); // named by the receiver from the rows
    const all = packed.setIndexes!.find(([name]) => name === 'all')![1];
    expect(Array.from(all)).toEqual(hosts.map((_, i) => i));
    expect(p.setIndexes!.all.length).toBe(hosts.length); // the parse's own arrays are not given away
  });

  it('a parse without row indexes has each set coded name by name, and arrives equal', () => {
    const p = parseSource('inventory', demo.inventoryTsv, 'inventory.tsv');
    const { setIndexes: _, ...withoutIndexes } = p;
    const { packed } = packParsed(withoutIndexes);
    expect(packed.setIndexes).toBeUndefined();
    expectSame(withoutIndexes, roundTrip(withoutIndexes));
  });

  it('keeps null, undefined, booleans and numbers, and a set naming hosts no row has', () => {
    const p: ParsedSource<unknown> = {
      kind: 'hdfs-jmx', origin: 'o', notes: ['n'], hosts: 3, blocks: { underReplicatedBlocks: 7, missingBlocks: null },
      rows: [
        { host: 'a.x', live: true, n: 1.5, rack: null, ud: undefined },
        { host: 'b.x', live: false, n: -2, rack: 'r1', ud: 'u' },
        { host: 'c.x', live: true, n: 0, rack: 'r1', ud: null },
      ],
      sets: { 'hdfs-live': ['a.x', 'c.x'], other: ['a.x', 'b.y', 'z.x'], empty: [] },
    };
    expectSame(p, roundTrip(p));
  });

  it('sends rows of another shape as they are', () => {
    const mixed: ParsedSource<unknown> = {
      kind: 'health', origin: 'o', notes: [], sets: {},
      rows: [{ host: 'b.x', check: 'disk' }, { host: 'a.x', check: 'disk', extra: 1 }, { check: 'disk', host: 'c.x' }, { host: 'd.x', nested: { a: 1 } }],
    };
    for (const rows of [mixed.rows.slice(0, 2), mixed.rows.slice(2, 3).concat(mixed.rows.slice(0, 1)), mixed.rows.slice(3)]) {
      const p = { ...mixed, rows };
      const { packed } = packParsed(p);
      expect(packed.columns).toBeNull();
      expectSame(p, roundTrip(p));
    }
  });
});
