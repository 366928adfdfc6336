import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/config/yaml.js';
import { isSortedUnique } from '../../src/sets/hostset.js';
import { InventoryMappingSchema, parseInventory, type InventoryMapping } from '../../src/sources/inventory.js';
import { inputError } from '../helpers/errors.js';

const fixtures = join(import.meta.dirname, '../fixtures');
const read = (file: string) => readFileSync(join(fixtures, file), 'utf8');
const tsv = (...lines: string[]) => lines.join('\n') + '\n';

const FIXED_SETS = ['all', 'managed', 'allocated', 'repair', 'decommissioned', 'ticketed', 'excluded'];

describe('a canonical inventory export of dc1', () => {
  it('TSV: one row per host, "-" and empty read as none, host names lower-cased, the comment line skipped', () => {
    const r = parseInventory(read('inventory/canonical.tsv'), 'canonical.tsv');
    expect(r.kind).toBe('inventory');
    expect(r.origin).toBe('canonical.tsv');
    expect(r.notes).toEqual([]);
    expect(r.rows).toEqual([
      { host: 'dn01.dc1.example.com', dc: 'dc1', cluster: 'hdp-prod', role: 'worker', rack: '/dc1/r11', dataGroup: 'ud2', lifecycle: 'managed', ticket: 'HW-1', exclude: null },
      { host: 'dn02.dc1.example.com', dc: 'dc1', cluster: 'hdp-prod', role: 'worker', rack: '/dc1/r11', dataGroup: null, lifecycle: 'repair', ticket: null, exclude: 'vendor diag' },
      { host: 'dn03.dc1.example.com', dc: 'dc1', cluster: 'hdp-prod', role: 'worker', rack: '/dc1/r12', dataGroup: 'ud1', lifecycle: 'managed', ticket: null, exclude: null },
      { host: 'dn04.dc1.example.com', dc: 'dc1', cluster: null, role: null, rack: null, dataGroup: null, lifecycle: 'decommissioned', ticket: null, exclude: null },
    ]);
  });

  it('TSV: every raw set is there (allocated too, though empty), per-value sets are named by setNameSuffix, rows keep the original value', () => {
    const r = parseInventory(read('inventory/canonical.tsv'), 'canonical.tsv');
    expect(r.sets).toEqual({
      all: ['dn01.dc1.example.com', 'dn02.dc1.example.com', 'dn03.dc1.example.com', 'dn04.dc1.example.com'],
      managed: ['dn01.dc1.example.com', 'dn03.dc1.example.com'],
      allocated: [],
      repair: ['dn02.dc1.example.com'],
      decommissioned: ['dn04.dc1.example.com'],
      ticketed: ['dn01.dc1.example.com'],
      excluded: ['dn02.dc1.example.com'],
      'cluster-hdp-prod': ['dn01.dc1.example.com', 'dn02.dc1.example.com', 'dn03.dc1.example.com'],
      'rack-dc1_r11': ['dn01.dc1.example.com', 'dn02.dc1.example.com'],
      'rack-dc1_r12': ['dn03.dc1.example.com'],
      'group-ud1': ['dn03.dc1.example.com'],
      'group-ud2': ['dn01.dc1.example.com'],
      'dc-dc1': ['dn01.dc1.example.com', 'dn02.dc1.example.com', 'dn03.dc1.example.com', 'dn04.dc1.example.com'],
    });
    expect(r.rows[0].rack).toBe('/dc1/r11');
  });

  it('CSV from a spreadsheet: CRLF, columns in another order, an extra column, a quoted exclude reason with a comma, a quoted line break', () => {
    const r = parseInventory(read('inventory/canonical.csv'), 'canonical.csv');
    expect(r.rows.map((x) => [x.host, x.lifecycle, x.ticket, x.exclude])).toEqual([
      ['dn01.dc1.example.com', 'managed', null, null],
      ['dn02.dc1.example.com', 'allocated', null, null],
      ['dn03.dc1.example.com', 'repair', 'HW-4711', 'yes, until the PSU swap'],
      ['dn04.dc1.example.com', 'managed', null, null],
    ]);
    expect(r.rows[0]).toMatchObject({ dc: null, role: null, rack: 'r1', dataGroup: 'ud1' });
    expect(r.sets.excluded).toEqual(['dn03.dc1.example.com']);
    expect(r.sets['rack-r2']).toEqual(['dn02.dc1.example.com', 'dn03.dc1.example.com']);
  });

  it('CSV: a row after a quoted line break is still reported at its own line', () => {
    const text = read('inventory/canonical.csv') + 'managed,dn05.dc1.example.com,hdp-prod,r1,ud1,-,-\r\n';
    const err = inputError(() => parseInventory(text, 'canonical.csv'));
    expect(err.location).toEqual({ origin: 'canonical.csv', line: 7, field: 'row' });
  });

  it('JSON: an array of row objects, numbers read as text, null and "-" as none, absent keys as none, other keys ignored', () => {
    const r = parseInventory(read('inventory/rows.json'), 'rows.json');
    expect(r.rows).toEqual([
      { host: 'dn01.dc1.example.com', dc: 'dc1', cluster: 'hdp-prod', role: null, rack: 'r1', dataGroup: '1', lifecycle: 'managed', ticket: null, exclude: null },
      { host: 'dn02.dc1.example.com', dc: 'dc1', cluster: 'hdp-prod', role: null, rack: 'r2', dataGroup: '2', lifecycle: 'repair', ticket: 'HW-9', exclude: null },
      { host: 'dn03.dc1.example.com', dc: null, cluster: 'hdp-prod', role: null, rack: null, dataGroup: null, lifecycle: 'allocated', ticket: null, exclude: null },
    ]);
    expect(r.sets['group-1']).toEqual(['dn01.dc1.example.com']);
    expect(r.sets.ticketed).toEqual(['dn02.dc1.example.com']);
  });

  it('format auto: the extension decides, then the content ([ is JSON, a TAB in the first line is TSV, else CSV)', () => {
    const asTsv = read('inventory/canonical.tsv');
    const asCsv = read('inventory/canonical.csv');
    const asJson = read('inventory/rows.json');
    expect(parseInventory(asTsv, 'https://cmdb.example.com/export?dc=dc1').rows).toHaveLength(4);
    expect(parseInventory(asCsv, 'all-data').rows).toHaveLength(4);
    expect(parseInventory(asJson, 'stdin').rows).toHaveLength(3);
    expect(parseInventory(asTsv, 'https://cmdb.example.com/dc1.TSV?fresh=1').rows).toHaveLength(4);
    // The first line that counts decides, not a comment above the header.
    expect(parseInventory('# export of 2024-06-01, columns: host, lifecycle\nhost\tlifecycle\na.example.com\tmanaged\n', 'export').rows).toHaveLength(1);
    // An explicit format wins over the extension: a .csv that is really TAB-separated.
    expect(parseInventory(asTsv, 'export.csv', { format: 'tsv' }).rows).toHaveLength(4);
    expect(inputError(() => parseInventory(asTsv, 'export.csv')).message).toMatch(/^export\.csv:1: host: missing column "host"/);
  });

  it('a byte-order mark, CRLF line ends, blank and white-space-only lines, and padded cells do not matter', () => {
    const text = '\ufeffhost\tlifecycle\tcluster\r\n\r\n  \r\n dn01.dc1.example.com \t Managed \t hdp-prod \r\n\t\t\r\n';
    const r = parseInventory(text, 'inv.tsv');
    expect(r.rows).toEqual([{ host: 'dn01.dc1.example.com', dc: null, cluster: 'hdp-prod', role: null, rack: null, dataGroup: null, lifecycle: 'managed', ticket: null, exclude: null }]);
  });

  it('a header with no rows (or an empty JSON array) is an empty inventory with every fixed set present: the pass fails closed on it, not the parser', () => {
    for (const r of [parseInventory('host\tlifecycle\n', 'inv.tsv'), parseInventory('[]', 'inv.json')]) {
      expect(r.rows).toEqual([]);
      expect(Object.keys(r.sets)).toEqual(FIXED_SETS);
    }
  });

  it('sets are sorted in byte order whatever the row order, and so are the rows', () => {
    const r = parseInventory(tsv('host\tlifecycle\track', 'b-9.example.com\tmanaged\tR1', 'b-10.example.com\tmanaged\tr1', 'a.example.com\trepair\tR1'), 'inv.tsv');
    expect(r.rows.map((x) => x.host)).toEqual(['a.example.com', 'b-10.example.com', 'b-9.example.com']);
    // R1 and r1 are two values with one set name: the set holds both, still sorted.
    expect(r.sets['rack-r1']).toEqual(['a.example.com', 'b-10.example.com', 'b-9.example.com']);
    expect(r.rows.map((x) => x.rack)).toEqual(['R1', 'r1', 'R1']);
  });
});

describe('a foreign CMDB export read as is through a mapping', () => {
  const cmdb = [
    'Hostname,Status,Pod,Cabinet,Jira,Notes',
    'web01.ams1.example.net,In Use,web,AMS1-C07,,',
    'web02.ams1.example.net,in use,web,AMS1-C07,OPS-12,',
    'web03.ams1.example.net,RMA,web,,OPS-13,',
    'web04.ams1.example.net,Staged,,AMS1-C08,,',
  ].join('\n');
  const mapping: InventoryMapping = {
    columns: { host: 'hostname', lifecycle: 'status', cluster: 'Pod', rack: 'cabinet', ticket: 'jira' },
    values: { lifecycle: { 'In Use': 'managed', RMA: 'repair', Staged: 'allocated' } },
    defaults: { dc: 'ams1', cluster: 'not-used-the-column-exists', role: 'frontend' },
  };

  it('maps its column names and lifecycle words (any case), and fills absent columns from the defaults', () => {
    const r = parseInventory(cmdb, 'cmdb.csv', mapping);
    expect(r.rows.map((x) => [x.host, x.lifecycle, x.cluster, x.rack, x.ticket, x.dc, x.role])).toEqual([
      ['web01.ams1.example.net', 'managed', 'web', 'AMS1-C07', null, 'ams1', 'frontend'],
      ['web02.ams1.example.net', 'managed', 'web', 'AMS1-C07', 'OPS-12', 'ams1', 'frontend'],
      ['web03.ams1.example.net', 'repair', 'web', null, 'OPS-13', 'ams1', 'frontend'],
      // The export has a Pod column: an empty cell is "none", the default is only for a column that is absent.
      ['web04.ams1.example.net', 'allocated', null, 'AMS1-C08', null, 'ams1', 'frontend'],
    ]);
    expect(r.sets['dc-ams1']).toHaveLength(4);
    expect(r.sets['rack-ams1-c07']).toEqual(['web01.ams1.example.net', 'web02.ams1.example.net']);
  });

  it('a lifecycle word the mapping does not know is refused, listing the words it does know', () => {
    const err = inputError(() => parseInventory(cmdb + '\nweb05.ams1.example.net,Burn-in,web,,,', 'cmdb.csv', mapping));
    expect(err.location).toEqual({ origin: 'cmdb.csv', line: 6, field: 'lifecycle' });
    expect(err.message).toContain('or one of the mapping\'s values.lifecycle (In Use, RMA, Staged), got "Burn-in"; if it is this export\'s word for one of them, add it to the mapping values.lifecycle ("Burn-in": <lifecycle>)');
  });

  it('a headerless export: mapping.header names the columns and line 1 is data', () => {
    const r = parseInventory('dn1.example.com,managed\ndn2.example.com,repair\n', 'export.csv', { header: ['host', 'lifecycle'] });
    expect(r.rows.map((x) => [x.host, x.lifecycle])).toEqual([['dn1.example.com', 'managed'], ['dn2.example.com', 'repair']]);
    const err = inputError(() => parseInventory('dn1.example.com,managed\ndn2.example.com\n', 'export.csv', { header: ['host', 'lifecycle'] }));
    expect(err.location).toEqual({ origin: 'export.csv', line: 2, field: 'row' });
  });

  it('a history (several rows per host) keeps each host\'s latest row by latestBy: numbers compared as numbers, 9 before 10', () => {
    const history = tsv('host\tlifecycle\tseq', 'a.example.com\tallocated\t9', 'a.example.com\tmanaged\t10', 'b.example.com\tmanaged\t3', 'a.example.com\trepair\t2');
    const r = parseInventory(history, 'history.tsv', { latestBy: 'seq' });
    expect(r.rows.map((x) => [x.host, x.lifecycle])).toEqual([['a.example.com', 'managed'], ['b.example.com', 'managed']]);
    expect(r.notes).toEqual(['2 older rows of the same hosts dropped (latest by seq)']);
  });

  it('a history stamped with ISO times is compared as text, which orders them', () => {
    const history = tsv('host\tlifecycle\tupdated', 'a.example.com\trepair\t2024-06-01T10:00:00Z', 'a.example.com\tmanaged\t2024-06-03T08:00:00Z', 'a.example.com\tallocated\t2024-05-30T23:59:59Z');
    expect(parseInventory(history, 'history.tsv', { latestBy: 'updated' }).rows[0].lifecycle).toBe('managed');
  });

  it('two rows of a host at the same latest time that disagree are refused: the pass must not guess; identical ones are fine', () => {
    const tie = tsv('host\tlifecycle\tseq', 'a.example.com\tmanaged\t5', 'a.example.com\trepair\t5');
    const err = inputError(() => parseInventory(tie, 'history.tsv', { latestBy: 'seq' }));
    expect(err.location).toEqual({ origin: 'history.tsv', line: 3, field: 'seq' });
    expect(err.problem).toMatch(/a\.example\.com has two different rows with the latest seq "5" \(line 2 and line 3\)/);
    const same = tsv('host\tlifecycle\tseq', 'a.example.com\tmanaged\t5', 'a.example.com\tmanaged\t5');
    expect(parseInventory(same, 'history.tsv', { latestBy: 'seq' }).rows).toHaveLength(1);
  });

  it('hostTransform makes a DNS name of an export id: every replace pair in order, then the suffix', () => {
    const r = parseInventory(tsv('id\tlifecycle', 'm_1\tmanaged', 'M_2_b\tmanaged'), 'ids.tsv', {
      columns: { host: 'id' },
      hostTransform: { replace: [['_', '-'], ['--', '-']], suffix: '.cn.alibaba.test' },
    });
    expect(r.sets.all).toEqual(['m-1.cn.alibaba.test', 'm-2-b.cn.alibaba.test']);
    const err = inputError(() => parseInventory(tsv('id\tlifecycle', 'm1\tmanaged', 'm 3\tmanaged'), 'ids.tsv', { columns: { host: 'id' }, hostTransform: { suffix: '.test' } }));
    expect(err.location).toEqual({ origin: 'ids.tsv', line: 3, field: 'host' });
    expect(err.problem).toContain('got "m 3.test" (the export\'s "m 3" after mapping.hostTransform)');
  });

  it('the mapping is checked where it is written: an unknown key, a lifecycle word mapped to no lifecycle, a default lifecycle that is not one', () => {
    expect(inputError(() => parseYaml('colums: {host: id}\n', 'map.yml', InventoryMappingSchema)).message).toMatch(/^map\.yml:1:1: \(document\): .*colums/);
    expect(inputError(() => parseYaml('values:\n  lifecycle:\n    USING: in-use\n', 'map.yml', InventoryMappingSchema)).message).toMatch(/^map\.yml:3:12: values\.lifecycle\.USING: /);
    expect(inputError(() => parseYaml('defaults: {lifecycle: USING}\n', 'map.yml', InventoryMappingSchema)).message).toMatch(/^map\.yml:1:\d+: defaults\.lifecycle: /);
    expect(inputError(() => parseYaml('columns: {hostname: id}\n', 'map.yml', InventoryMappingSchema)).message).toMatch(/^map\.yml:1:\d+: columns: .*hostname/);
    expect(InventoryMappingSchema.safeParse({}).success).toBe(true);
  });
});

describe('the real Alibaba cluster-trace v2018 machine list (4,034 machines, 17,592 rows), read as is through a mapping', () => {
  const csvPath = join(fixtures, 'real/datasets/alibaba-v2018-machine_meta-full-4034-machines-gohsyi.csv');
  const samplePath = join(fixtures, 'real/datasets/alibaba-v2018-machine_meta-all-rows-of-machines-with-non-USING-status-gohsyi.csv');
  const mappingPath = join(fixtures, 'inventory/alibaba-v2018-machine_meta.mapping.yml');
  const mapping = parseYaml(readFileSync(mappingPath, 'utf8'), mappingPath, InventoryMappingSchema).data;
  const text = readFileSync(csvPath, 'utf8');
  const r = parseInventory(text, csvPath, mapping);

  // An independent reading of the same file: the row with the greatest time_stamp per machine.
  const latest = new Map<string, string[]>();
  for (const line of text.trim().split('\n')) {
    const f = line.split(',');
    const before = latest.get(f[0]);
    if (!before || Number(f[1]) > Number(before[1])) latest.set(f[0], f);
  }
  const current = [...latest.values()];
  const distinct = (i: number) => new Set(current.map((f) => f[i]).filter((v) => v !== '')).size;
  const host = (id: string) => `${id.replace(/_/g, '-')}.cn.alibaba.test`;

  it('yields all 4,034 machines, each at its latest time_stamp: 4,033 managed (USING) and 1 allocated (m_2739, IMPORT_INSTALLING)', () => {
    expect(latest.size).toBe(4034);
    expect(r.rows).toHaveLength(4034);
    expect(r.sets.all).toHaveLength(4034);
    expect(r.sets.managed).toHaveLength(current.filter((f) => f[6] === 'USING').length);
    expect(r.sets.allocated).toHaveLength(current.filter((f) => f[6] === 'IMPORT_INSTALLING').length);
    expect([r.sets.managed.length, r.sets.allocated.length]).toEqual([4033, 1]);
    expect(r.sets.allocated).toEqual(['m-2739.cn.alibaba.test']);
    expect([r.sets.repair, r.sets.decommissioned, r.sets.ticketed, r.sets.excluded]).toEqual([[], [], [], []]);
    expect(text.trim().split('\n')).toHaveLength(17_592); // 17,592 - 4,034 = 13,558 older rows
    expect(r.notes).toEqual(['13558 older rows of the same hosts dropped (latest by time_stamp)']);
  });

  it('has 292 racks (failure_domain_1) and 20 data groups (failure_domain_2); the 21st distinct value in the file is the empty field of some older rows', () => {
    const racks = Object.keys(r.sets).filter((k) => k.startsWith('rack-'));
    const groups = Object.keys(r.sets).filter((k) => k.startsWith('group-'));
    expect(racks).toHaveLength(distinct(2));
    expect(groups).toHaveLength(distinct(3));
    expect([racks.length, groups.length]).toEqual([292, 20]);
    expect(new Set(text.trim().split('\n').map((l) => l.split(',')[3])).size).toBe(21);
    expect(racks.reduce((n, k) => n + r.sets[k].length, 0)).toBe(4034);
    expect(groups.reduce((n, k) => n + r.sets[k].length, 0)).toBe(4034);
    for (const name of Object.keys(r.sets)) expect(isSortedUnique(r.sets[name])).toBe(true);
  });

  it('every machine keeps the rack, data group and state of its latest row (m_1263\'s group was briefly empty; its latest row says 15)', () => {
    const byHost = new Map(r.rows.map((x) => [x.host, x]));
    for (const f of current) {
      expect(byHost.get(host(f[0]))).toEqual({
        host: host(f[0]), dc: 'cn', cluster: 'alibaba', role: null, rack: f[2], dataGroup: f[3], lifecycle: f[6] === 'USING' ? 'managed' : 'allocated', ticket: null, exclude: null,
      });
    }
    expect(r.sets['group-15']).toContain('m-1263.cn.alibaba.test');
  });

  it('the defaults put every machine in cluster-alibaba and dc-cn', () => {
    expect(r.sets['cluster-alibaba']).toEqual(r.sets.all);
    expect(r.sets['dc-cn']).toEqual(r.sets.all);
  });

  it('the sample of every row of the one non-USING machine agrees: m_2739, five IMPORT_INSTALLING rows, rack 6, group 6, allocated', () => {
    const sample = parseInventory(readFileSync(samplePath, 'utf8'), samplePath, mapping);
    expect(sample.rows).toEqual([{ host: 'm-2739.cn.alibaba.test', dc: 'cn', cluster: 'alibaba', role: null, rack: '6', dataGroup: '6', lifecycle: 'allocated', ticket: null, exclude: null }]);
    expect(sample.notes).toEqual(['4 older rows of the same hosts dropped (latest by time_stamp)']);
    expect(r.rows.find((x) => x.host === 'm-2739.cn.alibaba.test')).toEqual(sample.rows[0]);
  });

  it('without a mapping the file is refused: no host column, and line 1 looks like data, so name the columns with mapping.header', () => {
    const err = inputError(() => parseInventory(text, csvPath));
    expect(err.location).toEqual({ origin: csvPath, line: 1, field: 'host' });
    expect(err.problem).toBe(
      'missing column "host" (columns found: m_1, 0, 219, 17, 96, 100, USING); name a column "host" in the export, or map the export\'s column with mapping.columns.host; ' +
        'line 1 looks like data, not a header: if the export has none, give its column names with mapping.header',
    );
  });

  it('without latestBy the history is refused as ambiguous, naming both lines of m_1', () => {
    const { latestBy: _, ...noHistory } = mapping;
    const err = inputError(() => parseInventory(text, csvPath, noHistory));
    expect(err.location).toEqual({ origin: csvPath, line: 2, field: 'host' });
    expect(err.problem).toMatch(/^m-1\.cn\.alibaba\.test is listed twice \(line 1 and line 2\): the inventory is ambiguous/);
  });

  it('without hostTransform, m_1 is refused: an underscore is not allowed in a DNS host name', () => {
    const { hostTransform: _, ...noTransform } = mapping;
    const err = inputError(() => parseInventory(text, csvPath, noTransform));
    expect(err.location).toEqual({ origin: csvPath, line: 1, field: 'host' });
    expect(err.problem).toContain('got "m_1"');
  });
});

describe('100,000 hosts', () => {
  it('a 100,000-row TSV in shuffled order gives every host once, sorted, in its sets (speed: npm run bench)', () => {
    const lifecycles = ['managed', 'managed', 'managed', 'managed', 'allocated', 'repair', 'decommissioned'];
    const lines = ['host\tdc\tcluster\trole\track\tdata_group\tlifecycle\tticket\texclude'];
    for (let i = 0; i < 100_000; i++) {
      const n = (i * 7919) % 100_000; // a permutation of 0..99999: rows out of order, as exports come
      const id = String(n).padStart(6, '0');
      lines.push(`dn${id}.c${n % 25}.dc1.example.com\tdc1\tc${n % 25}\tdatanode\tc${n % 25}-r${Math.floor(n / 1000)}\tud${n % 5}\t${lifecycles[n % 7]}\t${n % 97 ? '-' : `HW-${n}`}\t${n % 199 ? '-' : 'yes'}`);
    }
    const text = lines.join('\n') + '\n';
    const r = parseInventory(text, 'inventory.tsv');
    expect(r.rows).toHaveLength(100_000);
    expect(r.sets.all).toHaveLength(100_000);
    expect(isSortedUnique(r.sets.all)).toBe(true);
    expect(r.sets.managed.length + r.sets.allocated.length + r.sets.repair.length + r.sets.decommissioned.length).toBe(100_000);
    expect(Object.keys(r.sets).filter((k) => k.startsWith('cluster-'))).toHaveLength(25);
  });
});

describe('bad inventory input: one clear error naming the file, the line (or JSON index) and the field', () => {
  const bad = (file: string, mapping?: InventoryMapping) => inputError(() => parseInventory(read(`bad/${file}`), file, mapping));

  it('a lifecycle column named "state" is a missing lifecycle column: the error lists the columns found and the mapping to add', () => {
    const file = 'inventory-missing-lifecycle-column-named-state.tsv';
    const err = bad(file);
    expect(err.message).toBe(
      `${file}:1: lifecycle: missing column "lifecycle" (columns found: host, dc, cluster, role, rack, data_group, state, ticket, exclude); ` +
        'name a column "lifecycle" in the export, or map the export\'s column with mapping.columns.lifecycle',
    );
    expect(parseInventory(read(`bad/${file}`), file, { columns: { lifecycle: 'state' } }).sets.managed).toEqual(['dn01.dc1.example.com']);
  });

  it('a host column named "hostname" is a missing host column, with mapping.columns.host to add', () => {
    const err = bad('inventory-missing-host-column-named-hostname.csv');
    expect(err.message).toMatch(/^inventory-missing-host-column-named-hostname\.csv:1: host: missing column "host" \(columns found: hostname, cluster, lifecycle\); .*mapping\.columns\.host$/);
  });

  it('a mapping that names a column the export does not have is refused, not silently ignored (racks would be lost)', () => {
    const err = inputError(() => parseInventory(tsv('host\tlifecycle\track_id', 'a.example.com\tmanaged\tr1'), 'inv.tsv', { columns: { rack: 'rack-id' } }));
    expect(err.message).toBe('inv.tsv:1: rack: mapping.columns.rack names the column "rack-id", which the export does not have (columns found: host, lifecycle, rack_id)');
    const latest = inputError(() => parseInventory(tsv('host\tlifecycle', 'a.example.com\tmanaged'), 'inv.tsv', { latestBy: 'time_stamp' }));
    expect(latest.location).toEqual({ origin: 'inv.tsv', line: 1, field: 'time_stamp' });
  });

  it('a header naming the host column twice is refused: which one is meant is ambiguous', () => {
    const err = inputError(() => parseInventory(tsv('host\tlifecycle\tHost', 'a.example.com\tmanaged\tb.example.com'), 'inv.tsv'));
    expect(err.message).toBe('inv.tsv:1: host: the header names the column "host" twice (fields 1 and 3); which one is meant is ambiguous: rename or drop one');
  });

  it('an unknown lifecycle ("retired") is refused at its line, with the four lifecycles and the mapping hint', () => {
    const file = 'inventory-unknown-lifecycle-retired.tsv';
    expect(bad(file).message).toBe(
      `${file}:3: lifecycle: expected one of allocated, managed, repair, decommissioned, got "retired"; ` +
        'if it is this export\'s word for one of them, add it to the mapping values.lifecycle ("retired": <lifecycle>)',
    );
  });

  it('an empty lifecycle is refused; a value that is no word (a shifted column) gets no mapping hint', () => {
    expect(inputError(() => parseInventory(tsv('host\tlifecycle', 'a.example.com\t-'), 'inv.tsv')).message).toBe('inv.tsv:2: lifecycle: expected one of allocated, managed, repair, decommissioned, got an empty field');
    expect(inputError(() => parseInventory(tsv('host\tlifecycle', 'a.example.com\t10.1.2.3'), 'inv.tsv')).message).toMatch(/got "10\.1\.2\.3"$/);
  });

  it('a host with shell metacharacters (db1;rm -rf /) is refused at its line, after the comment line', () => {
    const file = 'inventory-shell-metacharacters-in-host.tsv';
    const err = bad(file);
    expect(err.location).toEqual({ origin: file, line: 4, field: 'host' });
    expect(err.message).toBe(`${file}:4: host: expected a DNS host name (letters, digits, '-', '.'), got "db1;rm -rf /"`);
  });

  it('a host with a space in a CSV is refused at its line', () => {
    const file = 'inventory-space-in-host.csv';
    expect(bad(file).message).toBe(`${file}:3: host: expected a DNS host name (letters, digits, '-', '.'), got "dn 02.dc1.example.com"`);
  });

  it('an empty host is refused', () => {
    expect(inputError(() => parseInventory(tsv('host\tlifecycle', '-\tmanaged'), 'inv.tsv')).message).toBe('inv.tsv:2: host: expected a host name, got an empty field');
  });

  it('a host on two rows (in another case, after a blank line) is refused naming both lines: the inventory is ambiguous', () => {
    const file = 'inventory-duplicate-host-in-another-case.tsv';
    const err = bad(file);
    expect(err.location).toEqual({ origin: file, line: 6, field: 'host' });
    expect(err.problem).toBe('dn02.dc1.example.com is listed twice (line 3 and line 6): the inventory is ambiguous and a pass must not guess which row is true; fix the export (or, if it is a history, set mapping.latestBy)');
    // Also when the export is sorted and the two rows are next to each other, even if they agree.
    const sorted = tsv('host\tlifecycle', 'a.example.com\tmanaged', 'b.example.com\tmanaged', 'b.example.com\tmanaged', 'c.example.com\tmanaged');
    expect(inputError(() => parseInventory(sorted, 'inv.tsv')).message).toMatch(/^inv\.tsv:4: host: b\.example\.com is listed twice \(line 3 and line 4\)/);
  });

  it('a row with a field missing is refused at its line', () => {
    const file = 'inventory-row-missing-a-field.tsv';
    expect(bad(file).message).toBe(`${file}:3: row: expected 4 TAB-separated fields as in the header, got 3`);
  });

  it('a CSV exclude reason with an unquoted comma is refused for its field count, with the hint to quote it', () => {
    const file = 'inventory-csv-unquoted-comma-in-exclude.csv';
    expect(bad(file).message).toBe(`${file}:3: row: expected 4 comma-separated fields as in the header, got 5; a value holding a comma must be quoted ("yes, until Monday")`);
  });

  it('a CSV quote that is never closed is refused at the line it opened', () => {
    const err = inputError(() => parseInventory('host,lifecycle,exclude\na.example.com,managed,"yes\nb.example.com,managed,-\n', 'inv.csv'));
    expect(err.location).toEqual({ origin: 'inv.csv', line: 2, field: 'row' });
  });

  it('an empty file is refused: no header', () => {
    expect(inputError(() => parseInventory('', 'inv.tsv')).message).toBe('inv.tsv: (document): expected a header line naming the columns (host, lifecycle, …), got an empty file');
    expect(inputError(() => parseInventory('# nothing yet\n\n', 'inv.tsv')).location.field).toBe('(document)');
  });

  it('JSON cut short is refused as a whole document, with the line and column where it broke off', () => {
    const err = bad('inventory-json-cut-short.json');
    expect(err.location).toMatchObject({ origin: 'inventory-json-cut-short.json', field: '(document)', line: 3 });
    expect(err.message).toMatch(/^inventory-json-cut-short\.json:3:\d+: \(document\): expected JSON \(an array of inventory row objects\)/);
  });

  it('a JSON object instead of an array is refused', () => {
    expect(bad('inventory-json-object-not-array.json').message).toBe('inventory-json-object-not-array.json: (document): expected a JSON array of row objects ([{"host": …, "lifecycle": …}, …]), got an object');
  });

  it('a JSON exclude of true is refused at [1].exclude: write a reason such as "yes", or null', () => {
    expect(bad('inventory-json-boolean-exclude.json').message).toBe('inventory-json-boolean-exclude.json: [1].exclude: expected a string, a number or null (none), got boolean true');
  });

  it('a JSON row with "Host" and "host" is refused: two keys for one column', () => {
    expect(inputError(() => parseInventory('[{"Host": "a.example.com", "host": "b.example.com", "lifecycle": "managed"}]', 'inv.json')).message).toBe(
      'inv.json: [0].host: the keys "Host" and "host" name the same column; keep one',
    );
  });

  it('a JSON row that is not an object is refused at its index', () => {
    expect(inputError(() => parseInventory('[{"host": "a.example.com", "lifecycle": "managed"}, "b.example.com"]', 'inv.json')).message).toBe(
      'inv.json: [1]: expected a row object such as {"host": "dn1.example.com", "lifecycle": "managed"}, got the string "b.example.com"',
    );
  });

  it('a JSON lifecycle "in_use" is refused at [2].lifecycle; a JSON host on two rows names both indexes', () => {
    expect(bad('inventory-json-unknown-lifecycle.json').message).toMatch(/^inventory-json-unknown-lifecycle\.json: \[2\]\.lifecycle: expected one of allocated, managed, repair, decommissioned, got "in_use"; .*values\.lifecycle/);
    const twice = '[{"host": "a.example.com", "lifecycle": "managed"}, {"host": "b.example.com", "lifecycle": "managed"}, {"host": "A.example.com", "lifecycle": "repair"}]';
    expect(inputError(() => parseInventory(twice, 'inv.json')).message).toMatch(/^inv\.json: \[2\]\.host: a\.example\.com is listed twice \(\[0\] and \[2\]\)/);
  });

  it('a history row without a latestBy value is refused: it cannot be ordered', () => {
    const err = inputError(() => parseInventory(tsv('host\tlifecycle\tseq', 'a.example.com\tmanaged\t1', 'a.example.com\trepair\t'), 'history.tsv', { latestBy: 'seq' }));
    expect(err.location).toEqual({ origin: 'history.tsv', line: 3, field: 'seq' });
  });
});
