/**
 * `all-data.tsv` (DESIGN.md §2): one row per host any source named, sorted by host, named header,
 * `-` for empty. The rows an operator greps when asking "why this host?", so every column is
 * pinned here on a small fleet that has each case once.
 */
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../src/pass/sets.js';
import { allDataFile } from '../../src/pass/report.js';
import { parseSource } from '../../src/sources/index.js';

const tsv = (...lines: string[]) => lines.join('\n') + '\n';

const inventory = parseSource('inventory', tsv(
  'host\tdc\tcluster\trole\track\tdata_group\tlifecycle\tticket\texclude',
  'dn1.x\tdc1\thdp-a\tdatanode\tr1\tud1\tmanaged\t-\t-',
  'dn2.x\tdc1\thdp-a\tdatanode\tr1\tud1\tmanaged\tOPS-12\tdisk swap until Monday',
  'dn3.x\tdc1\thdp-a\tdatanode\t-\t-\trepair\t-\t-',
  'dn4.x\tdc1\thdp-a\tdatanode\tr2\tud2\tdecommissioned\t-\t-',
  'dn5.x\tdc1\thdp-a\tdatanode\tr2\tud2\tallocated\t-\t-',
), 'inventory.tsv');
const health = parseSource('health', tsv(
  'host\tcheck\tstatus\tdetail',
  'dn1.x\treachable\tok\t-', 'dn1.x\tdisk\tok\t-',
  'dn2.x\treachable\tok\t-', 'dn2.x\tmemory-ecc\tfail\t-', 'dn2.x\tdisk\tfail\t-',
  'dn3.x\treachable\tfail\ttimeout',
  'dn4.x\tdisk\tok\t-',
  'nn9.x\treachable\tok\t-',
), 'health.tsv', undefined, { rows: false });
const report = parseSource('hdfs-report', tsv(
  'Configured Capacity: 1 (1 B)',
  'Live datanodes (3):',
  '', 'Name: 10.0.0.1:9866 (dn1.x)', 'Hostname: dn1.x', 'Rack: /dc1/r1', 'Decommission Status : Normal',
  '', 'Name: 10.0.0.2:9866 (dn2.x)', 'Hostname: dn2.x', 'Rack: /dc1/r1', 'Decommission Status : Decommission in progress',
  '', 'Name: 10.0.0.7:9866 (dn7.x)', 'Hostname: dn7.x', 'Rack: /dc1/r9', 'Upgrade domain: ud9', 'Decommission Status : Normal',
  'Dead datanodes (1):',
  '', 'Name: 10.0.0.4:9866 (dn4.x)', 'Hostname: dn4.x', 'Rack: /dc1/r2', 'Decommission Status : Decommissioned',
), 'report.txt');
const yarn = parseSource('yarn-list', tsv(
  'Total Nodes:2',
  '         Node-Id\t     Node-State\tNode-Http-Address\tNumber-of-Running-Containers',
  'dn1.x:45454\t        RUNNING\tdn1.x:8042\t0',
  'dn2.x:45454\t      UNHEALTHY\tdn2.x:8042\t0',
), 'yarn.txt');

describe('all-data.tsv', () => {
  it('has a row per host of any source, each column from the source that knows it, `-` where none does', () => {
    const fleet = buildFleet([inventory, health, report, yarn], []);
    expect(allDataFile(fleet).toString('utf8')).toBe(tsv(
      'host\tdc\tcluster\trole\track\tdata_group\tlifecycle\tticket\texclude\thdfs\tyarn\thealth',
      'dn1.x\tdc1\thdp-a\tdatanode\tr1\tud1\tmanaged\t-\t-\tin-service\tRUNNING\tok',
      'dn2.x\tdc1\thdp-a\tdatanode\tr1\tud1\tmanaged\tOPS-12\tdisk swap until Monday\tdecommission-in-progress\tUNHEALTHY\tfail:disk,memory-ecc',
      'dn3.x\tdc1\thdp-a\tdatanode\t-\t-\trepair\t-\t-\t-\t-\tunresponsive',
      'dn4.x\tdc1\thdp-a\tdatanode\tr2\tud2\tdecommissioned\t-\t-\tdead/decommissioned\t-\tok',
      'dn5.x\tdc1\thdp-a\tdatanode\tr2\tud2\tallocated\t-\t-\t-\t-\t-',
      // Only the NameNode knows dn7: its rack and upgrade domain stand in for the inventory's.
      'dn7.x\t-\t-\t-\t/dc1/r9\tud9\t-\t-\t-\tin-service\t-\t-',
      'nn9.x\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tok',
    ));
  });

  it('of a fleet with no host is the header alone', () => {
    expect(allDataFile(buildFleet([], [])).toString('utf8')).toBe('host\tdc\tcluster\trole\track\tdata_group\tlifecycle\tticket\texclude\thdfs\tyarn\thealth\n');
  });
});
