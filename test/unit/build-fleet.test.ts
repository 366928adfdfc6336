/** buildFleet reads health as rows (a parse for `source inspect`) or per host (what a pass parses): the same fleet either way. */
import { describe, expect, it } from 'vitest';
import { buildDemoFleet } from '../../src/demo/fleet.js';
import { buildFleet, HostIndex, startFleet } from '../../src/pass/sets.js';
import { fleetFiles, randomFleet } from '../helpers/fleet.js';
import { loadPolicy } from '../../src/policy/load.js';
import { shippedPolicyDir } from '../../src/paths.js';
import { parseSource } from '../../src/sources/index.js';

describe('buildFleet', () => {
  it('gives every host the same reachability and failed checks, and every set the same members, from health rows or per-host results', () => {
    const demo = buildDemoFleet('proposals');
    const policy = loadPolicy(shippedPolicyDir());
    const inventory = parseSource('inventory', demo.inventoryTsv, 'inventory.tsv');
    const rows = buildFleet([inventory, parseSource('health', demo.healthTsv, 'health.tsv')], policy.sets);
    const perHost = buildFleet([inventory, parseSource('health', demo.healthTsv, 'health.tsv', undefined, { rows: false })], policy.sets);
    expect([...perHost.hosts.entries()]).toEqual([...rows.hosts.entries()]);
    expect([...perHost.sets.entries()]).toEqual([...rows.sets.entries()]);
    expect([...rows.hosts.values()].filter((h) => (h.failedChecks?.length ?? 0) > 0).length).toBeGreaterThan(0);
    expect([...rows.hosts.values()].filter((h) => h.reachable === false).length).toBeGreaterThan(0);
  });

  it('keeps every host once, in host order in the map and the records, whichever order its sources came in', () => {
    const demo = buildDemoFleet('proposals');
    const policy = loadPolicy(shippedPolicyDir());
    const inventory = parseSource('inventory', demo.inventoryTsv, 'inventory.tsv');
    // Health rows in reverse file order (no longer grouped or sorted), naming one host the inventory lacks.
    const lines = demo.healthTsv.trimEnd().split('\n');
    const shuffled = [lines[0], 'zz-extra.example.com\treachable\tok\t-', ...lines.slice(1).reverse()].join('\n') + '\n';
    const fleet = buildFleet([parseSource('health', shuffled, 'health.tsv'), inventory], policy.sets);
    const names = [...fleet.hosts.keys()];
    expect(names).toEqual([...names].sort());
    expect(fleet.records.map((r) => r.host)).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    expect(fleet.hosts.get('zz-extra.example.com')).toEqual({ host: 'zz-extra.example.com', reachable: true });
    const reference = buildFleet([inventory, parseSource('health', demo.healthTsv, 'health.tsv', undefined, { rows: false })], policy.sets);
    for (const r of reference.records) expect(fleet.hosts.get(r.host)).toEqual(r);
  });

  it('started from some sources and finished with the rest, is the fleet built from all at once', () => {
    const policy = loadPolicy(shippedPolicyDir());
    const files = fleetFiles(randomFleet({ seed: 5, clusters: 3, maxHosts: 300, racks: 6, groups: 3, failRate: 0.1, outRate: 0.05, noGroupRate: 0.1 }));
    // Every tenth inventory row dropped: those hosts are named by health and the NameNode only.
    const inventoryText = files['inventory.tsv'].split('\n').filter((_, i) => i === 0 || i % 10 !== 5).join('\n');
    const inventory = parseSource('inventory', inventoryText, 'inventory.tsv');
    const health = parseSource('health', files['health.tsv'], 'health.tsv', undefined, { rows: false });
    const hdfs = parseSource('hdfs-jmx', files['nn-jmx.json'], 'nn-jmx.json');
    const whole = buildFleet([inventory, health, hdfs], policy.sets);
    const inTwo = buildFleet([hdfs], policy.sets, startFleet([inventory, health]));
    expect(inTwo.records).toEqual(whole.records);
    expect([...inTwo.hosts.entries()]).toEqual([...whole.hosts.entries()]);
    expect([...inTwo.sets.entries()]).toEqual([...whole.sets.entries()]);
    expect(inTwo.blocks).toEqual(whole.blocks);
    expect(whole.records.some((r) => r.hdfs && !r.inventory)).toBe(true); // hosts only the control plane names
  });

  it('gives every record the same fields in the same order (one hidden class), whichever sources name its host', () => {
    const policy = loadPolicy(shippedPolicyDir());
    const files = fleetFiles(randomFleet({ seed: 7, clusters: 2, maxHosts: 200, racks: 4, groups: 2, failRate: 0.2, outRate: 0.1, noGroupRate: 0.1 }));
    // Some hosts only in health, some only in the NameNode's list, some in the inventory only.
    const inventoryText = files['inventory.tsv'].split('\n').filter((_, i) => i === 0 || i % 7 !== 3).join('\n');
    const inventory = parseSource('inventory', inventoryText, 'inventory.tsv');
    const health = parseSource('health', files['health.tsv'] + 'zz-health-only.example.com\treachable\tfail\t-\n', 'health.tsv', undefined, { rows: false });
    const hdfs = parseSource('hdfs-jmx', files['nn-jmx.json'], 'nn-jmx.json');
    for (const fleet of [buildFleet([inventory, health, hdfs], policy.sets), buildFleet([hdfs], policy.sets, startFleet([health, inventory]))]) {
      const shapes = new Set(fleet.records.map((r) => Object.keys(r).join()));
      expect([...shapes]).toEqual(['host,inventory,hdfs,yarn,failedChecks,reachable']);
      expect(fleet.records.some((r) => r.inventory === undefined)).toBe(true);
      expect(fleet.records.some((r) => r.hdfs === undefined)).toBe(true);
    }
  });

  it('has every set also as record indexes naming the same hosts, however its sources were read and merged', () => {
    const policy = loadPolicy(shippedPolicyDir());
    const demo = buildDemoFleet('proposals');
    const inventory = parseSource('inventory', demo.inventoryTsv, 'inventory.tsv');
    const lines = demo.healthTsv.trimEnd().split('\n');
    const shuffled = [lines[0], 'zz-extra.example.com\treachable\tok\t-', '0-first.example.com\tdisk\tfail\t-', ...lines.slice(1).reverse()].join('\n') + '\n';
    const files = fleetFiles(randomFleet({ seed: 9, clusters: 3, maxHosts: 200, racks: 5, groups: 3, failRate: 0.2, outRate: 0.1, noGroupRate: 0.1 }));
    // Every tenth host dropped from the inventory and health: the NameNode alone names them, so
    // merging it in moves every record after them.
    const gone = new Set(files['inventory.tsv'].split('\n').filter((_, i) => i % 10 === 5).map((l) => l.split('\t')[0]));
    const without = (text: string) => text.split('\n').filter((l, i) => i === 0 || !gone.has(l.split('\t')[0])).join('\n');
    const random = [
      parseSource('inventory', without(files['inventory.tsv']), 'inventory.tsv'),
      parseSource('health', without(files['health.tsv']), 'health.tsv', undefined, { rows: false }),
      parseSource('hdfs-jmx', files['nn-jmx.json'], 'nn-jmx.json'),
    ];
    const fleets = {
      'per-host health (a pass)': buildFleet([inventory, parseSource('health', demo.healthTsv, 'health.tsv', undefined, { rows: false })], policy.sets),
      // Rows in another order fill in through the map; two hosts only health names go in between.
      'health rows out of order': buildFleet([parseSource('health', shuffled, 'health.tsv'), inventory], policy.sets),
      'started, then finished with the control plane': buildFleet([random[2]], policy.sets, startFleet([random[0], random[1]])),
    };
    for (const [what, fleet] of Object.entries(fleets)) {
      expect([...fleet.indexes.keys()].sort(), what).toEqual([...fleet.sets.keys()].sort());
      for (const [name, idx] of fleet.indexes) {
        expect([...idx].map((i) => fleet.records[i].host), `${what}: ${name}`).toEqual(fleet.sets.get(name));
      }
    }
    expect(fleets['health rows out of order'].sets.get('failing')).toContain('0-first.example.com');
    expect(fleets['started, then finished with the control plane'].records.filter((r) => r.hdfs && !r.inventory).length).toBeGreaterThan(5);
  });

  it('a source without row indexes has its sets found by name; a set naming a host no record has is a parser bug, refused', () => {
    const inventory = parseSource('inventory', buildDemoFleet('proposals').inventoryTsv, 'inventory.tsv');
    const { setIndexes: _, ...byName } = inventory;
    const fleet = buildFleet([byName], []);
    expect([...fleet.indexes.get('managed')!].map((i) => fleet.records[i].host)).toEqual(inventory.sets.managed);
    const wrong = { ...byName, sets: { ...byName.sets, excluded: ['nobody.example.com'] } };
    expect(() => buildFleet([wrong], [])).toThrow(/set excluded names nobody\.example\.com, which none of the fleet's records has/);
  });

  it('finds every record of the fleet by host and no other name, and iterates in host order', () => {
    const fleet = buildFleet([parseSource('inventory', buildDemoFleet('proposals').inventoryTsv, 'inventory.tsv')], []);
    const index = new HostIndex(fleet.records);
    expect(index.size).toBe(fleet.records.length);
    for (const r of fleet.records) expect(index.get(r.host)).toBe(r);
    const first = fleet.records[0].host;
    const last = fleet.records[fleet.records.length - 1].host;
    // Names before the first, after the last and between two neighbours are absent.
    for (const missing of ['', 'a', first.slice(0, -1), `${first}0`, `${last}z`, 'zzzz.example.com']) {
      expect(index.get(missing)).toBeUndefined();
      expect(index.has(missing)).toBe(false);
    }
    expect([...index.keys()]).toEqual(fleet.records.map((r) => r.host));
    expect([...index].map(([h, r]) => [h, r.host])).toEqual(fleet.records.map((r) => [r.host, r.host]));
    const seen: string[] = [];
    index.forEach((r, h) => seen.push(`${h}=${r.host}`));
    expect(seen).toEqual(fleet.records.map((r) => `${r.host}=${r.host}`));
    expect(new HostIndex([]).get(first)).toBeUndefined();
  });

  it('seeks, from any start, the first record whose host does not sort below a name (as a linear scan would)', () => {
    const fleet = buildFleet([parseSource('inventory', buildDemoFleet('proposals').inventoryTsv, 'inventory.tsv')], []);
    const index = new HostIndex(fleet.records);
    const hosts = fleet.records.map((r) => r.host);
    const linear = (name: string, from: number) => {
      let i = from;
      while (i < hosts.length && hosts[i] < name) i++;
      return i;
    };
    const names = ['', 'zzzz', ...hosts.filter((_, i) => i % 97 === 0).flatMap((h) => [h, `${h}0`, h.slice(0, -1)])];
    const starts = [0, 1, 5, 100, hosts.length >> 1, hosts.length - 1, hosts.length];
    for (const name of names) for (const from of starts) expect(index.seek(name, from)).toBe(linear(name, from));
    // Walking a sorted subset from each found place meets every one of its hosts.
    const subset = hosts.filter((_, i) => i % 13 === 0);
    let at = 0;
    for (const h of subset) {
      at = index.seek(h, at);
      expect(hosts[at]).toBe(h);
    }
  });
});
