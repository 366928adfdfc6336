/**
 * Index sets (src/sets/indexset.ts): host sets as positions in a sorted host list. Whatever a pass
 * computes with them must be what the same algebra on names gives, and a set file copied from the
 * buffer of names must be the set file of DESIGN.md §2: one name per line, each ending in `\n`.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemoFleet } from '../../src/demo/fleet.js';
import { parseSource } from '../../src/sources/index.js';
import type { ParsedSource } from '../../src/sources/types.js';
import { evalSetExpr, parseSetExpr } from '../../src/sets/expr.js';
import { difference, intersect, isSortedByHost, toHostSet, union, type HostSet } from '../../src/sets/hostset.js';
import {
  differenceIndexes, hostsAt, INDEX_SET_ALGEBRA, intersectIndexes, mapIndexes, NameLines, nameSetsOnRead, RowSets, unionIndexes,
} from '../../src/sets/indexset.js';

/** A sorted host list and random subsets of it, as names and as indexes. */
const fleetAndSubsets = fc
  .uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/), { minLength: 1, maxLength: 80 })
  .chain((names) => {
    const list = toHostSet(names).map((host) => ({ host }));
    const subset = fc.array(fc.boolean(), { minLength: list.length, maxLength: list.length }).map((keep) => Int32Array.from(list.keys()).filter((i) => keep[i]));
    return fc.tuple(fc.constant(list), subset, subset);
  });

describe('index sets compute what host sets compute', () => {
  it('union, intersection and difference name the hosts the same operations on names give', () => {
    fc.assert(
      fc.property(fleetAndSubsets, ([list, a, b]) => {
        const A = hostsAt(list, a);
        const B = hostsAt(list, b);
        expect(hostsAt(list, unionIndexes(a, b))).toEqual(union(A, B));
        expect(hostsAt(list, intersectIndexes(a, b))).toEqual(intersect(A, B));
        expect(hostsAt(list, differenceIndexes(a, b))).toEqual(difference(A, B));
      }),
    );
  });

  it('a derived set of the shipped notation evaluates to the same hosts on indexes as on names', () => {
    const expr = parseSetExpr('managed & hdfs-in-service & (failing | unresponsive) - ticketed - unknown');
    const names = ['managed', 'hdfs-in-service', 'failing', 'unresponsive', 'ticketed', 'unknown'];
    fc.assert(
      fc.property(fleetAndSubsets, fc.array(fc.integer(), { minLength: 6, maxLength: 6 }), ([list], seeds) => {
        const sets = new Map(names.map((n, k) => [n, Int32Array.from(list.keys()).filter((i) => ((i * 7919 + seeds[k]) >>> 0) % 3 !== 0)]));
        const onIndexes = evalSetExpr(expr, (n) => sets.get(n)!, INDEX_SET_ALGEBRA);
        expect(hostsAt(list, onIndexes)).toEqual(evalSetExpr(expr, (n) => hostsAt(list, sets.get(n)!)));
      }),
    );
  });

  it('mapped from a source\'s rows to the fleet\'s records, a set names the same hosts', () => {
    const records = ['a.x', 'b.x', 'c.x', 'd.x', 'e.x'].map((host) => ({ host }));
    const rows = [{ host: 'b.x' }, { host: 'd.x' }, { host: 'e.x' }];
    const recordOf = Int32Array.from([1, 3, 4]);
    expect(hostsAt(records, mapIndexes(Int32Array.from([0, 2]), recordOf))).toEqual(hostsAt(rows, Int32Array.from([0, 2])));
  });
});

/** A set file as DESIGN.md §2 has it: one name per line, each line ending in `\n` (empty set: empty file). */
const setFile = (set: HostSet) => set.map((h) => `${h}\n`).join('');

describe('set files copied from one buffer of names', () => {
  it('are byte for byte one name per line, for any subset, names outside ASCII included', () => {
    fc.assert(
      fc.property(fleetAndSubsets, ([list, a]) => {
        const lines = new NameLines(list);
        expect(lines.fileOf(a).toString('utf8')).toBe(setFile(hostsAt(list, a)));
      }),
    );
    const list = ['a.x', 'b-ü.x', 'c.x'].map((host) => ({ host }));
    const lines = new NameLines(list);
    expect(lines.fileOf(Int32Array.from([1, 2])).toString('utf8')).toBe('b-ü.x\nc.x\n');
    expect(lines.fileOf(Int32Array.from([])).length).toBe(0);
  });

  it('a long run of consecutive hosts and scattered ones alike (copied whole, or name by name)', () => {
    const list = Array.from({ length: 3000 }, (_, i) => ({ host: `dn${String(i).padStart(6, '0')}.c01.test` }));
    const lines = new NameLines(list);
    const set = Int32Array.from([3, ...Array.from({ length: 1000 }, (_, i) => 10 + i), 2000, 2002, 2999]);
    expect(lines.fileOf(set).toString('utf8')).toBe(setFile(hostsAt(list, set)));
  });

  it('made in a scratch buffer when it fits (a view of it), in a new one when it does not', () => {
    fc.assert(
      fc.property(fleetAndSubsets, fc.nat(64), ([list, a], room) => {
        const lines = new NameLines(list);
        const scratch = Buffer.alloc(room, 0x7e);
        const file = lines.fileOf(a, scratch);
        expect(file.toString('utf8')).toBe(setFile(hostsAt(list, a)));
        expect(file.buffer === scratch.buffer).toBe(file.length <= room);
      }),
    );
    // One buffer for every file of a list, each read before the next is made.
    const list = ['a.x', 'b.x', 'c.x'].map((host) => ({ host }));
    const lines = new NameLines(list);
    const scratch = Buffer.allocUnsafe(lines.bytes.length);
    expect(lines.fileOf(Int32Array.from([0, 1, 2]), scratch).toString()).toBe('a.x\nb.x\nc.x\n');
    expect(lines.fileOf(Int32Array.from([2]), scratch).toString()).toBe('c.x\n');
  });
});

describe('the raw sets of rows sorted by host', () => {
  it('are filled in row order as row indexes; a row added twice in a row counts once', () => {
    const s = new RowSets();
    const a = s.set('a');
    s.set('empty');
    a.push(0, 2);
    s.set('a').push(2, 5); // a second value with the same set name
    expect(s.result()).toEqual({ a: Int32Array.from([0, 2, 5]), empty: new Int32Array(0) });
  });

  it('are named from their rows when first read, and only then', () => {
    const rows = [{ host: 'a.x' }, { host: 'b.x' }, { host: 'c.x' }];
    let reads = 0;
    const list = new Proxy(rows, { get: (t, k) => (typeof k === 'string' && /^\d+$/.test(k) && reads++, Reflect.get(t, k)) });
    const p = nameSetsOnRead<{ sets: Record<string, string[]>; setIndexes: Record<string, Int32Array> }>({ setIndexes: { x: Int32Array.from([0, 2]) } }, list);
    expect(reads).toBe(0);
    expect(p.sets).toEqual({ x: ['a.x', 'c.x'] });
    expect(p.sets.x).toBe(p.sets.x); // named once, kept
    expect(reads).toBe(2);
  });
});

describe('every parser gives its raw sets as row indexes too', () => {
  const real = join(import.meta.dirname, '../fixtures/real');
  const demo = buildDemoFleet('proposals');
  const read = (dir: string, f: string) => readFileSync(join(real, dir, f));
  const parses: [string, ParsedSource<unknown>][] = [
    ['the demo inventory (Alibaba v2018 through its mapping)', parseSource('inventory', demo.inventoryTsv, 'inventory.tsv')],
    ['the demo health results per host', parseSource('health', demo.healthTsv, 'health.tsv', undefined, { rows: false })],
    ...readdirSync(join(real, 'hdfs-dfsadmin-report')).filter((f) => !f.includes('hdinsight')).map((f): [string, ParsedSource<unknown>] => [f, parseSource('hdfs-report', read('hdfs-dfsadmin-report', f), f)]),
    ...['hadoop-1.0.0-yahoo-full-jmx-dump.json', 'hadoop-2.7.1-nninfo-datadog-single-dn.json'].map((f): [string, ParsedSource<unknown>] => [f, parseSource('hdfs-jmx', read('hdfs-namenode-jmx', f), f)]),
    ...readdirSync(join(real, 'yarn-rm')).filter((f) => !f.includes('node-status')).map((f): [string, ParsedSource<unknown>] => [f, parseSource(f.endsWith('.txt') ? 'yarn-list' : f.startsWith('rm-jmx') ? 'yarn-jmx' : 'yarn-nodes', read('yarn-rm', f), f)]),
  ];
  it.each(parses)('%s', (_name, p) => {
    const list = (p.health ?? p.rows) as { host: string }[];
    expect(isSortedByHost(list)).toBe(true); // what row indexes promise: the fleet merges such a list without checking
    expect(Object.keys(p.setIndexes!).sort()).toEqual(Object.keys(p.sets).sort());
    for (const [name, idx] of Object.entries(p.setIndexes!)) expect(hostsAt(list, idx), name).toEqual(p.sets[name]);
    if (list.length > 0) expect(Object.values(p.sets).some((s) => s.length > 0)).toBe(true);
  });
  it('a health parse with rows (one per result, not per host) has none: a pass finds its sets by name', () => {
    expect(parseSource('health', demo.healthTsv, 'health.tsv').setIndexes).toBeUndefined();
  });
});
