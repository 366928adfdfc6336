import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseHdfsJmx } from '../../src/sources/hdfs-jmx.js';
import { HdfsReportParser, parseHdfsReport } from '../../src/sources/hdfs-report.js';
import { inputError } from '../helpers/errors.js';

const real = join(import.meta.dirname, '../fixtures/real/hdfs-dfsadmin-report');
const bad = join(import.meta.dirname, '../fixtures/bad');
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

const HDFS_SETS = ['hdfs-all', 'hdfs-live', 'hdfs-dead', 'hdfs-in-service', 'hdfs-decommissioning', 'hdfs-decommissioned', 'hdfs-maintenance'];


/** One DataNode as `DatanodeInfo#getDatanodeReport()` prints it (Hadoop 3.x). */
function datanode(o: { ip: string; lookup?: string; host?: string; rack?: string; ud?: string; status?: string }): string {
  return [
    `Name: ${o.ip}:9866${o.lookup ? ` (${o.lookup})` : ''}`,
    ...(o.host ? [`Hostname: ${o.host}`] : []),
    ...(o.rack ? [`Rack: ${o.rack}`] : []),
    ...(o.ud ? [`Upgrade domain: ${o.ud}`] : []),
    `Decommission Status : ${o.status ?? 'Normal'}`,
    'Configured Capacity: 8610254848 (8.02 GB)',
    'DFS Used: 32768 (32 KB)',
    'Non DFS Used: 6403076096 (5.96 GB)',
    'DFS Remaining: 1747660800 (1.63 GB)',
    'DFS Used%: 0.00%',
    'DFS Remaining%: 20.30%',
    'Configured Cache Capacity: 0 (0 B)',
    'Cache Used: 0 (0 B)',
    'Cache Remaining: 0 (0 B)',
    'Cache Used%: 100.00%',
    'Cache Remaining%: 0.00%',
    'Xceivers: 2',
    'Last contact: Tue Oct 01 11:13:53 UTC 2024',
    'Last Block Report: Tue Oct 01 10:54:35 UTC 2024',
    'Num of Blocks: 12',
    '',
    '',
  ].join('\n');
}

const HEADER_3X = [
  'Configured Capacity: 17220509696 (16.04 GB)',
  'Present Capacity: 3490349056 (3.25 GB)',
  'DFS Remaining: 3490283520 (3.25 GB)',
  'DFS Used: 65536 (64 KB)',
  'DFS Used%: 0.00%',
  'Replicated Blocks:',
  '\tUnder replicated blocks: 41',
  '\tBlocks with corrupt replicas: 0',
  '\tMissing blocks: 2',
  '\tMissing blocks (with replication factor 1): 9',
  '\tLow redundancy blocks with highest priority to recover: 5',
  '\tPending deletion blocks: 0',
  'Erasure Coded Block Groups: ',
  '\tLow redundancy block groups: 3',
  '\tBlock groups with corrupt internal blocks: 0',
  '\tMissing block groups: 1',
  '\tLow redundancy blocks with highest priority to recover: 0',
  '\tPending deletion blocks: 0',
  '',
  '-------------------------------------------------',
].join('\n');

/** A whole `hdfs dfsadmin -report` of a 3.x cluster with every section DFSAdmin prints. */
const FULL_3X = [
  HEADER_3X,
  'Live datanodes (4):\n',
  datanode({ ip: '10.1.0.1', lookup: 'dn1.dc1.example.com', host: 'dn1.dc1.example.com', rack: '/dc1/rack1', ud: 'ud1' }),
  datanode({ ip: '10.1.0.2', lookup: 'dn2.dc1.example.com', host: 'dn2.dc1.example.com', rack: '/dc1/rack1', ud: 'ud2', status: 'Decommission in progress' }),
  datanode({ ip: '10.1.0.3', lookup: 'dn3.dc1.example.com', host: 'DN3.dc1.example.com', rack: '/dc1/rack2', ud: 'ud3', status: 'Entering maintenance' }),
  datanode({ ip: '10.1.0.4', lookup: 'dn4.dc1.example.com', host: 'dn4.dc1.example.com', rack: '/dc1/rack2', ud: 'ud1', status: 'In maintenance' }),
  'Dead datanodes (2):\n',
  datanode({ ip: '10.1.0.5', lookup: 'dn5.dc1.example.com', host: 'dn5.dc1.example.com', status: 'Decommissioned' }),
  datanode({ ip: '10.1.0.6', host: 'dn6.dc1.example.com' }),
  'Decommissioning datanodes (1):\n',
  datanode({ ip: '10.1.0.2', lookup: 'dn2.dc1.example.com', host: 'dn2.dc1.example.com', rack: '/dc1/rack1', ud: 'ud2', status: 'Decommission in progress' }),
  'Entering maintenance datanodes (1):\n',
  datanode({ ip: '10.1.0.3', lookup: 'dn3.dc1.example.com', host: 'DN3.dc1.example.com', rack: '/dc1/rack2', ud: 'ud3', status: 'Entering maintenance' }),
  'In maintenance datanodes (1):\n',
  datanode({ ip: '10.1.0.4', lookup: 'dn4.dc1.example.com', host: 'dn4.dc1.example.com', rack: '/dc1/rack2', ud: 'ud1', status: 'In maintenance' }),
].join('\n');

describe('reading DataNodes from a real `hdfs dfsadmin -report`', () => {
  it('a 3.x lab report of two DataNodes that both call themselves hdfsnode keeps one host and says why', () => {
    const file = 'hadoop-3.x-report-2-live-nodes-nasri-lab.txt';
    const r = parseHdfsReport(read(real, file), file);
    expect(r.kind).toBe('hdfs-report');
    expect(r.origin).toBe(file);
    // Hostname: wins over the (datanode1) / (datanode2) reverse-DNS names, as the NameNode keys by it.
    expect(r.rows).toEqual([{ host: 'hdfsnode', live: true, adminState: 'In Service', rack: null, upgradeDomain: null }]);
    expect(r.sets['hdfs-in-service']).toEqual(['hdfsnode']);
    expect(r.notes).toEqual([
      '1 host name listed twice in the same section (two DataNodes reporting one host name?); kept the first: hdfsnode (lines 23 and 43)',
    ]);
    // The 3.x `Replicated Blocks:` section, its sub-items indented with 8 spaces in this copy.
    expect(r.blocks).toEqual({ underReplicatedBlocks: 0, missingBlocks: 0 });
  });

  it('a grep-filtered report (Hostname and Decommission Status only) shows hadoop-node1 and 2 decommissioning', () => {
    const file = 'hadoop-3.x-decommission-status-grep-filtered-hadoop-pr6504.txt';
    const r = parseHdfsReport(read(real, file), file);
    expect(r.sets['hdfs-decommissioning']).toEqual(['hadoop-node1', 'hadoop-node2']);
    expect(r.sets['hdfs-in-service']).toEqual(['hadoop-node3']);
    expect(r.sets['hdfs-all']).toEqual(['hadoop-node1', 'hadoop-node2', 'hadoop-node3']);
    // No section headers survived the grep: every node is taken as live, and the notes say so.
    expect(r.sets['hdfs-live']).toEqual(['hadoop-node1', 'hadoop-node2', 'hadoop-node3']);
    expect(r.notes).toEqual([
      '3 DataNodes listed outside a Live or Dead datanodes section (a filtered report?); counted as live: hadoop-node1, hadoop-node2, hadoop-node3',
    ]);
    expect(r.blocks).toBeUndefined();
    expect(parseHdfsReport('\uFEFF' + read(real, file), file).rows).toEqual(r.rows);
  });

  it('the header of a 942 TB cluster gives the block counters, erasure-coded groups included, and no DataNodes', () => {
    const file = 'hadoop-3.x-report-header-only-ec-942TB-hadoop-pr4420.txt';
    const r = parseHdfsReport(read(real, file), file);
    expect(r.rows).toEqual([]);
    expect(Object.keys(r.sets)).toEqual(HDFS_SETS);
    for (const name of HDFS_SETS) expect(r.sets[name]).toEqual([]);
    // 0 replicated blocks under-replicated + 3481 low-redundancy EC block groups, as the
    // NameNode's own UnderReplicatedBlocks (= LowRedundancyBlocks) counter adds them.
    expect(r.blocks).toEqual({ underReplicatedBlocks: 3481, missingBlocks: 0 });
    expect(r.notes).toEqual(['the report lists no DataNodes']);
  });

  describe('a 2.7 HDInsight report pasted on a web page, cut after the first of 3 live DataNodes', () => {
    const file = 'hadoop-2.7-hdinsight-report-header-and-1-node-datacadamia.txt';
    const verbatim = read(real, file);

    it('stops on the hand-redacted Hostname wn2-.ax… (a label ending in "-"), naming line and column', () => {
      const err = inputError(() => parseHdfsReport(verbatim, file));
      expect(err.location).toEqual({ origin: file, field: 'Hostname', line: 15, column: 11 });
      expect(err.message).toContain(`${file}:15:11: Hostname: expected a DNS host name`);
      expect(err.problem).toContain('"wn2-.ax.internal.cloudapp.net"');
    });
    it('with that name mended, stops because "Live datanodes (3)" is followed by one DataNode', () => {
      const err = inputError(() => parseHdfsReport(verbatim.replace('wn2-.ax', 'wn2-ax'), file));
      expect(err.location).toEqual({ origin: file, field: 'Live datanodes', line: 12 });
      expect(err.message).toContain(`${file}:12: Live datanodes: announces 3 DataNode(s) but 1 follow`);
    });
    it('with both mended, reads the flat 2.x header counters and the one live DataNode', () => {
      const mended = verbatim.replace('wn2-.ax', 'wn2-ax').replace('Live datanodes (3):', 'Live datanodes (1):');
      const r = parseHdfsReport(mended, file);
      expect(r.rows).toEqual([{ host: 'wn2-ax.internal.cloudapp.net', live: true, adminState: 'In Service', rack: null, upgradeDomain: null }]);
      expect(r.blocks).toEqual({ underReplicatedBlocks: 0, missingBlocks: 0 });
      expect(r.notes).toEqual([]);
    });
  });
});

describe('a whole 3.x report with every DataNode section', () => {
  const r = parseHdfsReport(FULL_3X, 'dfsadmin-report.txt');

  it('puts each DataNode in the set its Decommission Status names, dead ones in hdfs-dead', () => {
    expect(r.sets).toEqual({
      'hdfs-all': ['dn1.dc1.example.com', 'dn2.dc1.example.com', 'dn3.dc1.example.com', 'dn4.dc1.example.com', 'dn5.dc1.example.com', 'dn6.dc1.example.com'],
      'hdfs-live': ['dn1.dc1.example.com', 'dn2.dc1.example.com', 'dn3.dc1.example.com', 'dn4.dc1.example.com'],
      'hdfs-dead': ['dn5.dc1.example.com', 'dn6.dc1.example.com'],
      'hdfs-in-service': ['dn1.dc1.example.com'],
      'hdfs-decommissioning': ['dn2.dc1.example.com'],
      'hdfs-decommissioned': ['dn5.dc1.example.com'],
      'hdfs-maintenance': ['dn3.dc1.example.com', 'dn4.dc1.example.com'],
    });
  });
  it('keeps rack and upgrade domain, and lists a node repeated under Decommissioning only once, silently', () => {
    expect(r.rows).toHaveLength(6);
    expect(r.rows[1]).toEqual({ host: 'dn2.dc1.example.com', live: true, adminState: 'Decommission In Progress', rack: '/dc1/rack1', upgradeDomain: 'ud2' });
    expect(r.rows[5]).toEqual({ host: 'dn6.dc1.example.com', live: false, adminState: 'In Service', rack: null, upgradeDomain: null });
    expect(r.notes).toEqual([]);
  });
  it('adds replicated and erasure-coded counters from the header', () => {
    expect(r.blocks).toEqual({ underReplicatedBlocks: 44, missingBlocks: 3 });
  });
  it('reads the same with Windows line ends and space-indented lines', () => {
    const crlf = FULL_3X.replace(/\t/g, '    ').replace(/^(Hostname|Rack|Decommission Status)/gm, '  $1').replace(/\n/g, '\r\n');
    const again = parseHdfsReport(crlf, 'copy.txt');
    expect(again.rows).toEqual(r.rows);
    expect(again.blocks).toEqual(r.blocks);
  });
  it('agrees with the NameNode /jmx on the same cluster', () => {
    const entry = (adminState: string, upgradeDomain: string, location: string) => ({ adminState, upgradeDomain, location, xferaddr: '10.1.0.1:9866' });
    const jmx = parseHdfsJmx(
      JSON.stringify({
        beans: [{
          name: 'Hadoop:service=NameNode,name=NameNodeInfo',
          LiveNodes: JSON.stringify({
            'dn1.dc1.example.com:9866': entry('In Service', 'ud1', '/dc1/rack1'),
            'dn2.dc1.example.com:9866': entry('Decommission In Progress', 'ud2', '/dc1/rack1'),
            'dn3.dc1.example.com:9866': entry('Entering Maintenance', 'ud3', '/dc1/rack2'),
            'dn4.dc1.example.com:9866': entry('In Maintenance', 'ud1', '/dc1/rack2'),
          }),
          DeadNodes: JSON.stringify({
            'dn5.dc1.example.com:9866': { lastContact: 90000, decommissioned: true, adminState: 'Decommissioned' },
            'dn6.dc1.example.com:9866': { lastContact: 900, decommissioned: false, adminState: 'In Service' },
          }),
          DecomNodes: '{}',
        }],
      }),
      'jmx.json',
    );
    expect(jmx.sets).toEqual(r.sets);
  });
});

describe('a DataNode listed twice in a report', () => {
  it('as live and as dead keeps the live entry and says so', () => {
    const text = ['Live datanodes (1):', datanode({ ip: '10.0.0.1', host: 'dn1' }), 'Dead datanodes (1):', datanode({ ip: '10.0.0.1', host: 'dn1' })].join('\n');
    const r = parseHdfsReport(text, 'r.txt');
    expect(r.rows).toEqual([{ host: 'dn1', live: true, adminState: 'In Service', rack: null, upgradeDomain: null }]);
    expect(r.notes).toEqual(['1 host listed as both live and dead; kept the live entry: dn1']);
  });
  it('keeps, per host, what its entries say in file order, and names the hosts of each note in file order', () => {
    const dn = (host: string, rack?: string) => datanode({ ip: '10.0.0.9', host, ...(rack ? { rack } : {}) });
    const text = [
      // Outside any section first (a filtered report), then in one: the sectioned entry counts.
      dn('zeta', '/r-unsectioned'), dn('omega'), dn('alpha'),
      'Live datanodes (4):', dn('zeta', '/r-live'), dn('mid'), dn('mid', '/r-second'), dn('beta'),
      'Dead datanodes (3):', dn('beta', '/r-dead'), dn('kappa'), dn('kappa'),
      'Decommissioning datanodes (1):', datanode({ ip: '10.0.0.9', host: 'kappa', status: 'Decommission in progress' }),
    ].join('\n');
    const r = parseHdfsReport(text, 'r.txt');
    expect(r.rows.map((x) => [x.host, x.live, x.rack, x.adminState])).toEqual([
      ['alpha', true, null, 'In Service'],
      ['beta', true, null, 'In Service'], // live and dead: the live entry
      ['kappa', false, null, 'In Service'], // its Decommissioning entry repeats the Dead one
      ['mid', true, null, 'In Service'], // twice in Live: the first
      ['omega', true, null, 'In Service'],
      ['zeta', true, '/r-live', 'In Service'],
    ]);
    expect(r.notes).toEqual([
      '2 host names listed twice in the same section (two DataNodes reporting one host name?); kept the first: mid (lines 84 and 104), kappa (lines 167 and 187)',
      '1 host listed as both live and dead; kept the live entry: beta',
      '2 DataNodes listed outside a Live or Dead datanodes section (a filtered report?); counted as live: omega, alpha',
    ]);
  });
  it('keeps two racks apart whose bytes hash alike (the parser finds a rack it met before by a hash of its bytes)', () => {
    // FNV-1a (32 bits) of both names is 0xba24441b.
    const text = ['Live datanodes (3):', datanode({ ip: '10.0.0.1', host: 'dn1', rack: '/rack-988099' }),
      datanode({ ip: '10.0.0.2', host: 'dn2', rack: '/rack-1604244' }), datanode({ ip: '10.0.0.3', host: 'dn3', rack: '/rack-988099' })].join('\n');
    const rows = parseHdfsReport(text, 'r.txt').rows;
    expect(rows.map((r) => [r.host, r.rack])).toEqual([['dn1', '/rack-988099'], ['dn2', '/rack-1604244'], ['dn3', '/rack-988099']]);
  });
  it('without Hostname: falls back to the reverse-DNS name, then to the address', () => {
    const text = ['Live datanodes (2):', datanode({ ip: '10.0.0.1', lookup: 'DN1.example.com' }), datanode({ ip: '10.0.0.2' })].join('\n');
    expect(parseHdfsReport(text, 'r.txt').sets['hdfs-all']).toEqual(['10.0.0.2', 'dn1.example.com']);
  });
});

describe('a report that must stop the pass', () => {
  it.each([
    ['hdfs-report-shell-metacharacters-in-hostname.txt', 'Hostname', 22, 11, '"dn2;rm -rf /"'],
    ['hdfs-report-space-in-hostname.txt', 'Hostname', 15, 11, '"dn 1.example.com"'],
  ])('%s: a host name no DNS would accept is refused at its line', (file, field, line, column, shown) => {
    const err = inputError(() => parseHdfsReport(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field, line, column });
    expect(err.message).toContain(`${file}:${line}:${column}: ${field}: expected a DNS host name`);
    expect(err.problem).toContain(shown);
  });
  it('a Decommission Status Hadoop does not print is refused, listing the ones it does', () => {
    const file = 'hdfs-report-unknown-decommission-status.txt';
    const err = inputError(() => parseHdfsReport(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'Decommission Status', line: 16, column: 23 });
    expect(err.message).toContain(`${file}:16:23: Decommission Status: expected one of Normal, Decommission in progress`);
    expect(err.problem).toContain('got "Retired"');
  });
  it('a Dead section announcing 2 DataNodes and listing 1 is taken for a cut-short report', () => {
    const file = 'hdfs-report-dead-section-cut-short.txt';
    const err = inputError(() => parseHdfsReport(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'Dead datanodes', line: 21 });
    expect(err.message).toContain(`${file}:21: Dead datanodes: announces 2 DataNode(s) but 1 follow`);
  });
  it('the Hadoop 1.x layout, which does not separate dead DataNodes, is refused', () => {
    const file = 'hdfs-report-hadoop-1x-layout.txt';
    const err = inputError(() => parseHdfsReport(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'Datanodes available', line: 11, column: 1 });
    expect(err.message).toContain(file);
    expect(err.problem).toContain('hdfs-jmx');
  });
  it('an empty file is refused', () => {
    const file = 'hdfs-report-empty.txt';
    const err = inputError(() => parseHdfsReport(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: '(document)' });
    expect(err.message).toContain(`${file}: (document): expected \`hdfs dfsadmin -report\` output, got an empty input`);
  });
  it('text that is not a report (a `yarn node -list`) is refused', () => {
    const file = 'hdfs-report-not-a-report.txt';
    const err = inputError(() => parseHdfsReport(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: '(document)' });
    expect(err.message).toContain(file);
    expect(err.problem).toContain('found neither');
  });
  it('a block counter that is not a number names the counter and its line', () => {
    const err = inputError(() => parseHdfsReport('Configured Capacity: 1 (1 B)\nMissing blocks: lots\n', 'r.txt'));
    expect(err.location).toEqual({ origin: 'r.txt', field: 'Missing blocks', line: 2, column: 17 });
  });
  it('a second Decommission Status for one DataNode (a lost Name: line) is refused', () => {
    const text = 'Live datanodes (1):\n\nName: 10.0.0.1:9866 (dn1)\nHostname: dn1\nDecommission Status : Normal\n\nDecommission Status : Decommissioned\n';
    const err = inputError(() => parseHdfsReport(text, 'r.txt'));
    expect(err.location).toEqual({ origin: 'r.txt', field: 'Decommission Status', line: 7, column: 1 });
  });
});

describe('a 100,000-DataNode report', () => {
  it('lists every node with its state (speed is measured in npm run bench, not here)', () => {
    const parts = [HEADER_3X, 'Live datanodes (99000):\n'];
    for (let i = 0; i < 99_000; i++) {
      parts.push(datanode({ ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, lookup: `dn${i}.dc1.example.com`, host: `dn${i}.dc1.example.com`, rack: `/dc1/rack${i % 400}`, ud: `ud${i % 5}`, status: i % 100 === 0 ? 'Decommission in progress' : 'Normal' }));
    }
    parts.push('Dead datanodes (1000):\n');
    for (let i = 99_000; i < 100_000; i++) parts.push(datanode({ ip: `10.9.${(i >> 8) & 255}.${i & 255}`, host: `dn${i}.dc1.example.com` }));
    const text = parts.join('\n');
    const r = parseHdfsReport(text, 'big.txt');
    expect(r.rows).toHaveLength(100_000);
    expect(r.sets['hdfs-dead']).toHaveLength(1000);
    expect(r.sets['hdfs-decommissioning']).toHaveLength(990);
    expect(r.sets['hdfs-in-service']).toHaveLength(98_010);
  });
});

describe('a report read in chunks (HdfsReportParser), as a pass reads a large snapshot', () => {
  /** The parse of `bytes` fed as the given pieces, or the InputError message it stops with. */
  const outcome = (origin: string, pieces: Buffer[]): unknown => {
    try {
      const p = new HdfsReportParser(origin);
      for (const piece of pieces) p.feed(piece);
      return p.end();
    } catch (e) {
      if (e instanceof InputError) return { error: e.message };
      throw e;
    }
  };
  /** A Name-only DataNode (no Hostname: line) whose reverse-DNS name holds a space: the error's column is past "Name: 10.9.0.9:9866 (". */
  const nameOnlyBadHost = [HEADER_3X, 'Live datanodes (2):\n', datanode({ ip: '10.9.0.8', lookup: 'dn8.dc9.example.com' }), datanode({ ip: '10.9.0.9', lookup: 'dn9 .dc9.example.com' })].join('\n');
  const inputs: [string, Buffer][] = [
    ...readdirSync(real).map((f): [string, Buffer] => [f, readFileSync(join(real, f))]),
    ...readdirSync(bad).filter((f) => f.startsWith('hdfs-report-')).map((f): [string, Buffer] => [f, readFileSync(join(bad, f))]),
    ['FULL_3X', Buffer.from(FULL_3X)],
    ['FULL_3X with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FULL_3X)])],
    ['Name-only entries, one bad host', Buffer.from(nameOnlyBadHost)],
    ['no line break at the end', Buffer.from(FULL_3X.trimEnd())],
  ];

  it.each(inputs)('%s: split in two at every byte, and fed byte by byte, gives the one-piece result', (origin, bytes) => {
    const whole = outcome(origin, [bytes]);
    for (let k = 0; k <= bytes.length; k++) expect(outcome(origin, [bytes.subarray(0, k), bytes.subarray(k)]), `split at byte ${k}`).toEqual(whole);
    const oneByOne = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(outcome(origin, oneByOne)).toEqual(whole);
    // As a file is read: every chunk read into the same buffer, which the next read overwrites.
    for (const size of [7, 64, 500]) {
      const scratch = Buffer.alloc(size);
      const p = new HdfsReportParser(origin);
      let got: unknown;
      try {
        for (let at = 0; at < bytes.length; at += size) {
          const n = bytes.copy(scratch, 0, at, Math.min(at + size, bytes.length));
          p.feed(scratch.subarray(0, n));
        }
        got = p.end();
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        got = { error: e.message };
      }
      expect(got, `read ${size} bytes at a time into one buffer`).toEqual(whole);
    }
  });

  it('the Name-only entry with a bad host is located at its reverse-DNS name, whatever the chunks', () => {
    const bytes = Buffer.from(nameOnlyBadHost);
    const line = nameOnlyBadHost.split('\n').findIndex((l) => l.includes('dn9 .')) + 1;
    const expected = { error: `x:${line}:${'Name: 10.9.0.9:9866 ('.length + 1}: Name: expected a DNS host name (letters, digits, '-', '.'), got "dn9 .dc9.example.com"` };
    expect(outcome('x', [bytes])).toEqual(expected);
    const at = nameOnlyBadHost.indexOf('Name: 10.9.0.9') + 3; // a chunk boundary inside the Name: line
    expect(outcome('x', [bytes.subarray(0, at), bytes.subarray(at)])).toEqual(expected);
  });

  it('an empty input and one of only white space are refused as from one piece', () => {
    expect(outcome('e', [])).toEqual({ error: 'e: (document): expected `hdfs dfsadmin -report` output, got an empty input' });
    expect(outcome('w', [Buffer.from(' \n'), Buffer.from('\t\n')])).toEqual({ error: 'w: (document): expected `hdfs dfsadmin -report` output, got only white space' });
  });
});
