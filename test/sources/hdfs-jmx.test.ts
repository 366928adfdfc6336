import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { hdfsSets } from '../../src/sources/common.js';
import { NAMENODE_INFO_BEAN, parseHdfsJmx } from '../../src/sources/hdfs-jmx.js';
import type { HdfsNodeRow } from '../../src/sources/types.js';
import { inputError } from '../helpers/errors.js';

const real = join(import.meta.dirname, '../fixtures/real/hdfs-namenode-jmx');
const bad = join(import.meta.dirname, '../fixtures/bad');
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

const HDFS_SETS = ['hdfs-all', 'hdfs-live', 'hdfs-dead', 'hdfs-in-service', 'hdfs-decommissioning', 'hdfs-decommissioned', 'hdfs-maintenance'];


/** A `/jmx` response with one NameNodeInfo bean whose node lists are given as objects. */
function nameNodeInfo(lists: { live?: object; dead?: object; decom?: object; entering?: object }, extraBeans: object[] = []): string {
  const bean: Record<string, unknown> = {
    name: NAMENODE_INFO_BEAN,
    modelerType: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem',
    LiveNodes: JSON.stringify(lists.live ?? {}),
    DeadNodes: JSON.stringify(lists.dead ?? {}),
    DecomNodes: JSON.stringify(lists.decom ?? {}),
  };
  if (lists.entering) bean.EnteringMaintenanceNodes = JSON.stringify(lists.entering);
  return JSON.stringify({ beans: [bean, ...extraBeans] });
}

/** A Hadoop 3.x LiveNodes entry (FSNamesystem#getLiveNodes), with the fields a NameNode sends. */
function live3x(adminState: string, more: object = {}): object {
  return {
    infoAddr: '10.0.0.1:9864', infoSecureAddr: '10.0.0.1:0', xferaddr: '10.0.0.1:9866', lastContact: 1,
    usedSpace: 24576, adminState, nonDfsUsedSpace: 0, capacity: 62725623808, numBlocks: 3, version: '3.3.6',
    used: 24576, remaining: 55830482944, blockScheduled: 0, blockPoolUsed: 24576, blockPoolUsedPercent: 0.1,
    volfails: 0, lastBlockReport: 12, ...more,
  };
}

describe('reading DataNodes from a real NameNode /jmx', () => {
  it('a Hadoop 1.0.0 full dump in safe mode lists 10 live DataNodes in service and hrt18n14 dead', () => {
    const file = 'hadoop-1.0.0-yahoo-full-jmx-dump.json';
    const r = parseHdfsJmx(read(real, file), file);
    expect(r.kind).toBe('hdfs-jmx');
    expect(r.origin).toBe(file);
    expect(r.rows).toHaveLength(11);
    expect(r.sets['hdfs-dead']).toEqual(['hrt18n14.cc1.ygridcore.net']);
    expect(r.sets['hdfs-live']).toHaveLength(10);
    expect(r.sets['hdfs-live'][0]).toBe('hrt18n07.cc1.ygridcore.net');
    expect(r.sets['hdfs-live']).not.toContain('hrt18n15.cc1.ygridcore.net');
    // 1.x entries carry no adminState and no DataNode is decommissioning: all In Service.
    expect(r.rows.every((row) => row.adminState === 'In Service' && row.rack === null && row.upgradeDomain === null)).toBe(true);
    // A dead node is not serving, whatever its admin state.
    expect(r.sets['hdfs-in-service']).toEqual(r.sets['hdfs-live']);
    expect(r.rows.find((row) => row.host === 'hrt18n14.cc1.ygridcore.net')).toEqual({
      host: 'hrt18n14.cc1.ygridcore.net', live: false, adminState: 'In Service', rack: null, upgradeDomain: null,
    });
    // FSNamesystemState has UnderReplicatedBlocks, the 1.x FSNamesystemMetrics bean MissingBlocks.
    expect(r.blocks).toEqual({ underReplicatedBlocks: 0, missingBlocks: 0 });
    expect(r.notes).toEqual(['NameNode reports safe mode: "Safemode is ON"']);
  });

  it('a Hadoop 2.7.1 NameNodeInfo query keyed host:port names the one DataNode by its host', () => {
    const file = 'hadoop-2.7.1-nninfo-datadog-single-dn.json';
    const r = parseHdfsJmx(read(real, file), file);
    expect(r.rows).toEqual([{ host: 'c68ae3949d7f', live: true, adminState: 'In Service', rack: null, upgradeDomain: null }]);
    expect(r.sets['hdfs-in-service']).toEqual(['c68ae3949d7f']);
    expect(r.sets['hdfs-dead']).toEqual([]);
    // No FSNamesystem bean in this query; NameNodeInfo's NumberOfMissingBlocks still counts.
    expect(r.blocks).toEqual({ underReplicatedBlocks: null, missingBlocks: 0 });
    expect(r.notes).toEqual([]);
  });

  it('the same response saved with a byte-order mark reads the same', () => {
    const file = 'hadoop-2.7.1-nninfo-datadog-single-dn.json';
    expect(parseHdfsJmx('\uFEFF' + read(real, file), file).rows).toEqual(parseHdfsJmx(read(real, file), file).rows);
  });

  it('a Hadoop 3.x subset with FSNamesystem but no NameNodeInfo gives block counters and no DataNodes', () => {
    const file = 'hadoop-3.x-fsnamesystem-and-jvm-netdata.json';
    const r = parseHdfsJmx(read(real, file), file);
    expect(r.rows).toEqual([]);
    expect(Object.keys(r.sets).sort()).toEqual([...HDFS_SETS].sort());
    for (const name of HDFS_SETS) expect(r.sets[name]).toEqual([]);
    expect(r.blocks).toEqual({ underReplicatedBlocks: 0, missingBlocks: 0 });
    expect(r.notes).toEqual(['no NameNodeInfo bean: no DataNodes listed']);
  });

  it('the Datadog FSNamesystem sample (UnderReplicatedBlocks 27689) that lost its leading {" stops the pass at position 0', () => {
    const file = 'hadoop-2.x-fsnamesystem-underreplicated-TRUNCATED-datadog.json';
    const err = inputError(() => parseHdfsJmx(read(real, file), file));
    expect(err.location).toEqual({ origin: file, field: '(document)', line: 1, column: 1 });
    expect(err.message).toContain(file);
    expect(err.message).toContain('(document)');
    expect(err.problem).toMatch(/^expected JSON .*got a parse error at position 0: /);
  });
  it('the same counters, once the document is whole again, read UnderReplicatedBlocks 27689', () => {
    // Only to show the counter path on this real bean; the sample itself stays malformed.
    const repaired = '{"' + read(real, 'hadoop-2.x-fsnamesystem-underreplicated-TRUNCATED-datadog.json');
    const r = parseHdfsJmx(repaired, 'repaired');
    expect(r.blocks).toEqual({ underReplicatedBlocks: 27689, missingBlocks: 0 });
    expect(r.rows).toEqual([]);
  });
});

describe('admin states of a Hadoop 3.x NameNode', () => {
  const payload = nameNodeInfo(
    {
      live: {
        'dn1.example.com:9866': live3x('In Service', { upgradeDomain: 'ud1', location: '/dc1/rack1' }),
        'dn2.example.com:9866': live3x('Decommission In Progress', { upgradeDomain: 'ud2', location: '/default-rack' }),
        'dn3.example.com:9866': live3x('Entering Maintenance'),
        'DN4.Example.com:9866': live3x('In Maintenance'),
        'dn5.example.com:9866': live3x('Decommissioned'),
      },
      dead: {
        'dn6.example.com:9866': { lastContact: 86400, decommissioned: true, adminState: 'Decommissioned', xferaddr: '10.0.0.6:9866' },
        'dn7.example.com:9866': { lastContact: 700, decommissioned: false, adminState: 'In Service', xferaddr: '10.0.0.7:9866' },
      },
      decom: { 'dn2.example.com:9866': { xferaddr: '10.0.0.2:9866', underReplicatedBlocks: 4, decommissionOnlyReplicas: 0, underReplicateInOpenFiles: 0 } },
      entering: { 'dn3.example.com:9866': { xferaddr: '10.0.0.3:9866', underReplicatedBlocks: 0, maintenanceOnlyReplicas: 0, underReplicateInOpenFiles: 0 } },
    },
    [{ name: 'Hadoop:service=NameNode,name=FSNamesystem', UnderReplicatedBlocks: 12, LowRedundancyBlocks: 12, MissingBlocks: 1 }],
  );
  const r = parseHdfsJmx(payload, 'http://nn1:9870/jmx');

  it('puts each DataNode in the set its adminState names', () => {
    expect(r.sets).toEqual({
      'hdfs-all': ['dn1.example.com', 'dn2.example.com', 'dn3.example.com', 'dn4.example.com', 'dn5.example.com', 'dn6.example.com', 'dn7.example.com'],
      'hdfs-live': ['dn1.example.com', 'dn2.example.com', 'dn3.example.com', 'dn4.example.com', 'dn5.example.com'],
      'hdfs-dead': ['dn6.example.com', 'dn7.example.com'],
      'hdfs-in-service': ['dn1.example.com'],
      'hdfs-decommissioning': ['dn2.example.com'],
      'hdfs-decommissioned': ['dn5.example.com', 'dn6.example.com'],
      'hdfs-maintenance': ['dn3.example.com', 'dn4.example.com'],
    });
  });
  it('keeps the upgrade domain and the rack, but not /default-rack', () => {
    expect(r.rows[0]).toEqual({ host: 'dn1.example.com', live: true, adminState: 'In Service', rack: '/dc1/rack1', upgradeDomain: 'ud1' });
    expect(r.rows[1]).toMatchObject({ host: 'dn2.example.com', rack: null, upgradeDomain: 'ud2' });
  });
  it('reads UnderReplicatedBlocks and MissingBlocks from the FSNamesystem bean', () => {
    expect(r.blocks).toEqual({ underReplicatedBlocks: 12, missingBlocks: 1 });
    expect(r.notes).toEqual([]);
  });
  it('takes 3.x LowRedundancyBlocks when it is the only under-replication counter', () => {
    const only = nameNodeInfo({}, [{ name: 'Hadoop:service=NameNode,name=FSNamesystem', LowRedundancyBlocks: 7, MissingBlocks: 0 }]);
    expect(parseHdfsJmx(only, 'x').blocks).toEqual({ underReplicatedBlocks: 7, missingBlocks: 0 });
  });
});

describe('admin states of a NameNode that sends no adminState (1.x / early 2.x)', () => {
  const r = parseHdfsJmx(
    nameNodeInfo({
      live: { 'dn1.example.com': { usedSpace: 1, lastContact: 0 }, 'dn2.example.com': { usedSpace: 1, lastContact: 1 }, 'dn4.example.com': { usedSpace: 1, lastContact: 2 } },
      dead: { 'dn3.example.com': { lastContact: 9000, decommissioned: true }, 'dn5.example.com': { lastContact: 9000, decommissioned: false } },
      decom: { 'dn2.example.com': { underReplicatedBlocks: 3, decommissionOnlyReplicas: 0, underReplicateInOpenFiles: 0 } },
      entering: { 'dn4.example.com': { underReplicatedBlocks: 0 } },
    }),
    'nn.json',
  );
  it('derives Decommission In Progress from DecomNodes, Decommissioned from a dead decommissioned:true, maintenance from EnteringMaintenanceNodes', () => {
    expect(r.rows.map((row) => [row.host, row.live, row.adminState])).toEqual([
      ['dn1.example.com', true, 'In Service'],
      ['dn2.example.com', true, 'Decommission In Progress'],
      ['dn3.example.com', false, 'Decommissioned'],
      ['dn4.example.com', true, 'Entering Maintenance'],
      ['dn5.example.com', false, 'In Service'],
    ]);
    expect(r.sets['hdfs-in-service']).toEqual(['dn1.example.com']);
    expect(r.blocks).toBeUndefined();
  });
});

describe('a DataNode the NameNode lists twice', () => {
  it('listed live and dead keeps the live entry and says so in the notes', () => {
    const r = parseHdfsJmx(
      nameNodeInfo({
        live: { 'dn1.example.com:9866': live3x('In Service') },
        dead: { 'dn1.example.com:9866': { lastContact: 1200, decommissioned: false, adminState: 'In Service' } },
      }),
      'nn.json',
    );
    expect(r.rows).toEqual([{ host: 'dn1.example.com', live: true, adminState: 'In Service', rack: null, upgradeDomain: null }]);
    expect(r.sets['hdfs-dead']).toEqual([]);
    expect(r.notes).toEqual(['1 host listed in both LiveNodes and DeadNodes; kept the live entry: dn1.example.com']);
  });
  it('decommissioning but in neither LiveNodes nor DeadNodes is counted live, with a note', () => {
    const r = parseHdfsJmx(nameNodeInfo({ decom: { 'dn9.example.com:9866': { underReplicatedBlocks: 1 } } }), 'nn.json');
    expect(r.rows).toEqual([{ host: 'dn9.example.com', live: true, adminState: 'Decommission In Progress', rack: null, upgradeDomain: null }]);
    expect(r.notes[0]).toContain('dn9.example.com');
  });
});

describe('a NameNode payload that must stop the pass', () => {
  it('a DataNode key with shell metacharacters (dn1;rm -rf /:50010) is refused, naming the key', () => {
    const file = 'hdfs-jmx-shell-metacharacters-in-datanode-key.json';
    const err = inputError(() => parseHdfsJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans[0].LiveNodes["dn1;rm -rf /:50010"]' });
    expect(err.message).toContain(`${file}: beans[0].LiveNodes["dn1;rm -rf /:50010"]: expected a DNS host name`);
  });
  it('a dead DataNode key with a space is refused, naming DeadNodes and the key', () => {
    const file = 'hdfs-jmx-space-in-datanode-key.json';
    const err = inputError(() => parseHdfsJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans[0].DeadNodes["dn 2.example.com:9866"]' });
    expect(err.message).toContain(file);
    expect(err.problem).toContain('"dn 2.example.com:9866"');
  });
  it('an adminState Hadoop does not have is refused, naming the field and the states it expected', () => {
    const file = 'hdfs-jmx-unknown-admin-state.json';
    const err = inputError(() => parseHdfsJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans[0].LiveNodes["dn1.example.com:9866"].adminState' });
    expect(err.message).toContain(file);
    expect(err.problem).toContain('"Decommission In Progress"');
    expect(err.problem).toContain('got "Retired"');
  });
  it('a LiveNodes string that is not whole JSON names LiveNodes and where it breaks', () => {
    const file = 'hdfs-jmx-livenodes-string-cut-short.json';
    const err = inputError(() => parseHdfsJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans[0].LiveNodes' });
    expect(err.message).toContain(file);
    expect(err.problem).toMatch(/parse error at position \d+/);
  });
  it('a /jmx answer with neither NameNodeInfo nor FSNamesystem names the beans it found', () => {
    const file = 'hdfs-jmx-no-namenode-beans.json';
    const err = inputError(() => parseHdfsJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans' });
    expect(err.message).toContain(file);
    expect(err.problem).toContain('Hadoop:service=NameNode,name=JvmMetrics');
    expect(err.problem).toContain(NAMENODE_INFO_BEAN);
  });
  it('an empty beans list is refused the same way', () => {
    const err = inputError(() => parseHdfsJmx('{"beans":[]}', 'http://nn1:9870/jmx?qry=x'));
    expect(err.location).toEqual({ origin: 'http://nn1:9870/jmx?qry=x', field: 'beans' });
  });
  it('an empty file is refused as not JSON', () => {
    const file = 'hdfs-jmx-empty.json';
    const err = inputError(() => parseHdfsJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: '(document)' });
    expect(err.message).toContain(`${file}: (document): expected`);
    expect(err.problem).toContain('empty');
  });
  it('JSON without a beans array names the beans field', () => {
    const err = inputError(() => parseHdfsJmx('{"Beans":[]}', 'nn.json'));
    expect(err.location).toEqual({ origin: 'nn.json', field: 'beans' });
  });
  it('a NameNodeInfo bean without LiveNodes names the missing field', () => {
    const err = inputError(() => parseHdfsJmx(JSON.stringify({ beans: [{ name: NAMENODE_INFO_BEAN, DeadNodes: '{}' }] }), 'nn.json'));
    expect(err.location).toEqual({ origin: 'nn.json', field: 'beans[0].LiveNodes' });
  });
  it('a block counter that is not a whole number names the bean field', () => {
    const err = inputError(() => parseHdfsJmx(JSON.stringify({ beans: [{ name: 'Hadoop:service=NameNode,name=FSNamesystem', MissingBlocks: 'many' }] }), 'nn.json'));
    expect(err.location).toEqual({ origin: 'nn.json', field: 'beans[0].MissingBlocks' });
  });
  it('a parse error deep in the document gives its line and column', () => {
    const err = inputError(() => parseHdfsJmx('{\n  "beans": [\n    {"name": "x",}\n  ]\n}', 'nn.json'));
    expect(err.location).toMatchObject({ line: 3, column: 18 });
    expect(err.problem).toContain('at position 32:');
  });
  it.each([
    ['{"beans": [x]}', 11],
    ['{"beans": [nul]}', 14],
    ['{"beans": [1, 2', 15],
  ])('where V8 does not say the position of %j, it is found (%i)', (text, position) => {
    const err = inputError(() => parseHdfsJmx(text, 'nn.json'));
    expect(err.problem).toContain(`at position ${position}:`);
    expect(err.location).toMatchObject({ line: 1, column: position + 1 });
  });
});

describe('the HDFS raw sets', () => {
  it('are always the seven names, as indexes of rows sorted by host (so in byte order)', () => {
    const rows: HdfsNodeRow[] = [
      { host: 'dn1', live: true, adminState: 'In Service', rack: null, upgradeDomain: null },
      { host: 'dn10', live: true, adminState: 'In Service', rack: null, upgradeDomain: null },
      { host: 'dn2', live: false, adminState: 'In Service', rack: null, upgradeDomain: null },
      { host: 'dn9', live: false, adminState: 'In Maintenance', rack: null, upgradeDomain: null },
    ];
    const setIndexes = hdfsSets(rows);
    expect(Object.keys(setIndexes)).toEqual(HDFS_SETS);
    const names = (name: string) => [...setIndexes[name as keyof typeof setIndexes]].map((i) => rows[i].host);
    expect(names('hdfs-all')).toEqual(['dn1', 'dn10', 'dn2', 'dn9']);
    expect(names('hdfs-in-service')).toEqual(['dn1', 'dn10']); // dn2 is dead: not serving, whatever its admin state
    expect(names('hdfs-maintenance')).toEqual(['dn9']);
    expect(names('hdfs-dead')).toEqual(['dn2', 'dn9']);
    expect(hdfsSets([])['hdfs-decommissioned']).toEqual(new Int32Array(0));
  });
});

describe('a 100,000-DataNode NameNode', () => {
  it('lists every node with its state (speed is measured in npm run bench, not here)', () => {
    const liveNodes: Record<string, object> = {};
    const deadNodes: Record<string, object> = {};
    for (let i = 0; i < 99_000; i++) liveNodes[`dn${i}.dc1.example.com:9866`] = live3x(i % 100 === 0 ? 'Decommission In Progress' : 'In Service', { upgradeDomain: `ud${i % 5}` });
    for (let i = 99_000; i < 100_000; i++) deadNodes[`dn${i}.dc1.example.com:9866`] = { lastContact: 900, decommissioned: false, adminState: 'In Service' };
    const payload = nameNodeInfo({ live: liveNodes, dead: deadNodes });
    const r = parseHdfsJmx(payload, 'big.json');
    expect(r.rows).toHaveLength(100_000);
    expect(r.sets['hdfs-dead']).toHaveLength(1000);
    expect(r.sets['hdfs-decommissioning']).toHaveLength(990);
  });
});
