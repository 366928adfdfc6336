import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/config/yaml.js';
import { inputError as error } from '../helpers/errors.js';
import { InventoryMappingSchema, parseInventory } from '../../src/sources/inventory.js';

const fixtures = join(import.meta.dirname, '../fixtures');
const read = (p: string) => readFileSync(join(fixtures, p), 'utf8');


describe('a canonical inventory export', () => {
  it('reads TSV with "-" and empty as none, lower-cases hosts, skips comments, and derives the raw sets', () => {
    const r = parseInventory(read('inventory/canonical.tsv'), 'canonical.tsv');
    expect(r.rows.map((x) => x.host)).toEqual(['dn01.dc1.example.com', 'dn02.dc1.example.com', 'dn03.dc1.example.com', 'dn04.dc1.example.com']);
    expect(r.rows[0]).toEqual({ host: 'dn01.dc1.example.com', dc: 'dc1', cluster: 'hdp-prod', role: 'worker', rack: '/dc1/r11', dataGroup: 'ud2', lifecycle: 'managed', ticket: 'HW-1', exclude: null });
    expect(r.sets.managed).toEqual(['dn01.dc1.example.com', 'dn03.dc1.example.com']);
    expect(r.sets.repair).toEqual(['dn02.dc1.example.com']);
    expect(r.sets.ticketed).toEqual(['dn01.dc1.example.com']);
    expect(r.sets.excluded).toEqual(['dn02.dc1.example.com']);
    expect(r.sets['rack-dc1_r11']).toEqual(['dn01.dc1.example.com', 'dn02.dc1.example.com']);
    expect(r.sets['cluster-hdp-prod']).toHaveLength(3);
    expect(r.sets['group-ud1']).toEqual(['dn03.dc1.example.com']);
  });

  it('reads CSV with quoted fields holding commas and quotes, columns in any order', () => {
    const r = parseInventory(read('inventory/canonical.csv'), 'canonical.csv');
    expect(r.rows.map((x) => [x.host, x.lifecycle, x.ticket])).toEqual([['dn01.dc1.example.com', 'managed', null], ['dn02.dc1.example.com', 'allocated', null]]);
  });

  it('reads a JSON array of rows, numbers as text', () => {
    const r = parseInventory(read('inventory/rows.json'), 'rows.json');
    expect(r.rows[1]).toMatchObject({ host: 'dn02.dc1.example.com', dataGroup: '2', lifecycle: 'repair', ticket: 'HW-9', exclude: null });
  });
});

describe('a foreign export read as is through a mapping: the real Alibaba cluster-trace v2018 machine list', () => {
  const csvPath = join(fixtures, 'real/datasets/alibaba-v2018-machine_meta-full-4034-machines-gohsyi.csv');
  const mappingPath = join(import.meta.dirname, '../../demo/inventory-mapping.yml');
  const mapping = parseYaml(readFileSync(mappingPath, 'utf8'), mappingPath, InventoryMappingSchema).data;
  const text = readFileSync(csvPath, 'utf8');

  it('keeps the latest row of each of the 4,034 machines, with its rack, data group and lifecycle', () => {
    // Independent reading of the same file: latest time_stamp per machine.
    const latest = new Map<string, string[]>();
    for (const line of text.trim().split('\n')) {
      const f = line.split(',');
      const before = latest.get(f[0]);
      if (!before || Number(f[1]) >= Number(before[1])) latest.set(f[0], f);
    }
    const rows = [...latest.values()];
    const r = parseInventory(text, csvPath, mapping);
    expect(r.rows).toHaveLength(4034);
    expect(latest.size).toBe(4034);
    expect(r.sets.managed).toHaveLength(rows.filter((f) => f[6].trim() === 'USING').length);
    expect(r.sets.allocated).toHaveLength(rows.filter((f) => f[6].trim() === 'IMPORT_INSTALLING').length);
    expect(r.sets.allocated).toContain('m-2739.demo.breakfix.test');
    expect(Object.keys(r.sets).filter((k) => k.startsWith('rack-'))).toHaveLength(new Set(rows.map((f) => f[2])).size);
    expect(Object.keys(r.sets).filter((k) => k.startsWith('group-'))).toHaveLength(new Set(rows.map((f) => f[3])).size);
    const m1 = latest.get('m_1')!;
    expect(r.rows.find((x) => x.host === 'm-1.demo.breakfix.test')).toMatchObject({ rack: m1[2], dataGroup: m1[3] });
    expect(r.notes[0]).toMatch(/older rows of the same hosts dropped \(latest by time_stamp\)/);
  });

  it('without the mapping, the same file is refused with what to add', () => {
    const e = error(() => parseInventory(text, csvPath));
    expect(e.message).toMatch(/missing column "host".*mapping\.columns\.host/);
  });
});

describe('bad inventory input: one clear error naming the file, the line and the field', () => {
  const head = 'host\tcluster\tlifecycle\n';
  it.each([
    ['a host with shell metacharacters', `${head}db1;rm -rf /\tc1\tmanaged\n`, /inv\.tsv:2: host: expected a DNS host name.*db1;rm -rf/],
    ['a host with a space', `${head}db 1\tc1\tmanaged\n`, /inv\.tsv:2: host:/],
    ['an unknown lifecycle', `${head}db1\tc1\tretired\n`, /inv\.tsv:2: lifecycle: expected one of allocated, managed, repair, decommissioned, got "retired"/],
    ['a foreign lifecycle value', `${head}db1\tc1\tUSING\n`, /add it to the mapping values\.lifecycle/],
    ['a missing lifecycle column', 'host\tcluster\ndb1\tc1\n', /inv\.tsv:1: lifecycle: missing column "lifecycle"/],
    ['a host on two rows', `${head}db1\tc1\tmanaged\nDB1\tc2\tmanaged\n`, /inv\.tsv:3: host: db1 is listed twice \(line 2 and line 3\)/],
    ['a row with a missing field', `${head}db1\tmanaged\n`, /inv\.tsv:2: row: expected 3 TAB-separated fields as in the header, got 2/],
    ['an empty file', '', /inv\.tsv: \(document\): expected a header line/],
  ])('%s', (_, input, message) => {
    expect(error(() => parseInventory(input, 'inv.tsv')).message).toMatch(message);
  });

  it('invalid JSON and a JSON object instead of an array', () => {
    expect(error(() => parseInventory('[{"host": "a",', 'inv.json')).message).toMatch(/inv\.json:1:\d+: \(document\): expected JSON/);
    expect(error(() => parseInventory('{"host": "a"}', 'inv.json')).message).toMatch(/expected a JSON array of row objects, got object/);
    expect(error(() => parseInventory('[{"host": "a", "lifecycle": {"x": 1}}]', 'inv.json')).message).toMatch(/inv\.json: \[0\]\.lifecycle/);
  });

  it('a mapping with an unknown key is refused where it is written', () => {
    expect(() => parseYaml('colums: {host: id}\n', 'map.yml', InventoryMappingSchema)).toThrow(/map\.yml:1:1: \(document\)|colums/);
  });
});
