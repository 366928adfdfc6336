import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { RAW_SET_NAMES } from '../../src/sets/names.js';
import type { YarnNodeRow } from '../../src/sources/types.js';
import { parseYarnJmx, RMNM_INFO_BEAN } from '../../src/sources/yarn-jmx.js';
import { parseYarnList } from '../../src/sources/yarn-list.js';
import { parseYarnNodes, YARN_SET_NAMES, yarnSets } from '../../src/sources/yarn-nodes.js';
import { inputError } from '../helpers/errors.js';

const real = join(import.meta.dirname, '../fixtures/real/yarn-rm');
const bad = join(import.meta.dirname, '../fixtures/bad');
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');


/** The nine YARN sets with only the named ones non-empty. */
function yarnSetsWith(nonEmpty: Partial<Record<(typeof YARN_SET_NAMES)[number], string[]>>): Record<string, string[]> {
  return Object.fromEntries(YARN_SET_NAMES.map((name) => [name, nonEmpty[name] ?? []]));
}

const running = (host: string): YarnNodeRow => ({ host, state: 'RUNNING', rack: null, healthReport: null });

/** A Hadoop 3.x `/ws/v1/cluster/nodes` node entry with the fields the RM sends. */
function restNode(host: string, state: string, more: object = {}): object {
  return {
    rack: '/dc1/rack1', state, id: `${host}:45454`, nodeHostName: host, nodeHTTPAddress: `${host}:8042`,
    lastHealthUpdate: 1714640000000, version: '3.3.6', healthReport: '', numContainers: 0, usedMemoryMB: 0,
    availMemoryMB: 8192, usedVirtualCores: 0, availableVirtualCores: 8, ...more,
  };
}

/** A ResourceManager `/jmx` response whose RMNMInfo lists `entries`, plus `extraBeans`. */
function rmJmx(entries: object[], extraBeans: object[] = []): string {
  const bean = { name: RMNM_INFO_BEAN, modelerType: 'org.apache.hadoop.yarn.server.resourcemanager.RMNMInfo', LiveNodeManagers: JSON.stringify(entries) };
  return JSON.stringify({ beans: [...extraBeans, bean] });
}

/** `yarn node -list -all` output as Hadoop 3.x prints it (`%16s\t%15s\t%17s\t%28s`). */
function nodeList(rows: [string, string][], total = rows.length): string {
  const pad = (s: string, n: number) => s.padStart(n);
  const line = (a: string, b: string, c: string, d: string) => `${pad(a, 16)}\t${pad(b, 15)}\t${pad(c, 17)}\t${pad(d, 28)}`;
  return [
    '2024-05-02 09:14:03,120 INFO client.DefaultNoHARMFailoverProxyProvider: Connecting to ResourceManager at rm1.example.com/10.0.1.79:8032',
    `Total Nodes:${total}`,
    line('Node-Id', 'Node-State', 'Node-Http-Address', 'Number-of-Running-Containers'),
    ...rows.map(([id, state]) => line(id, state, `${id.split(':')[0]}:8042`, '0')),
  ].join('\n') + '\n';
}

describe('reading NodeManagers from a real ResourceManager REST /ws/v1/cluster/nodes', () => {
  it('the Knox HDP 2.1 (Hadoop 2.4.0) single-node sandbox has localhost RUNNING on /default-rack', () => {
    const file = 'ws-v1-cluster-nodes-hadoop-2.4.0-hdp-2.1-single-node-knox.json';
    const r = parseYarnNodes(read(real, file), file);
    expect(r.kind).toBe('yarn-nodes');
    expect(r.origin).toBe(file);
    // rack "/default-rack" means no rack configured; healthReport "" means healthy.
    expect(r.rows).toEqual([{ host: 'localhost', state: 'RUNNING', rack: null, healthReport: null }]);
    expect(r.sets).toEqual(yarnSetsWith({ 'yarn-all': ['localhost'], 'yarn-running': ['localhost'] }));
    expect(r.notes).toEqual([]);
  });

  it('the OpenPAI 2.9.0 GPU node, keyed by its IP 10.151.40.4, is read past the vendor GPU fields', () => {
    const file = 'ws-v1-cluster-nodes-hadoop-2.9.0-openpai-gpu-fields.json';
    const r = parseYarnNodes(read(real, file), file);
    expect(r.rows).toEqual([{ host: '10.151.40.4', state: 'RUNNING', rack: null, healthReport: null }]);
    expect(r.sets['yarn-running']).toEqual(['10.151.40.4']);
    expect(r.sets['yarn-unhealthy']).toEqual([]);
  });
});

describe('reading NodeManagers from a real ResourceManager /jmx', () => {
  const file = 'rm-jmx-hadoop-2.1.0-beta-hdp-2.0.3-full-dump-with-LiveNodeManagers.json';

  it('the Ambari HDP 2.0.3 full dump (35 beans) has one RUNNING NodeManager in its RMNMInfo string', () => {
    const r = parseYarnJmx(read(real, file), file);
    expect(r.kind).toBe('yarn-jmx');
    expect(r.rows).toEqual([{ host: 'ip-10-147-212-220.ec2.internal', state: 'RUNNING', rack: null, healthReport: null }]);
    expect(r.sets).toEqual(yarnSetsWith({ 'yarn-all': ['ip-10-147-212-220.ec2.internal'], 'yarn-running': ['ip-10-147-212-220.ec2.internal'] }));
    // Its ClusterMetrics bean counts 0 lost / decommissioned / rebooted: nothing unlisted to warn about.
    expect(r.notes).toEqual([]);
  });

  it('the same NodeManager seen through /ws/v1/cluster/nodes and /jmx gives the same sets', () => {
    const viaJmx = parseYarnJmx(read(real, file), file);
    const viaRest = parseYarnNodes(JSON.stringify({ nodes: { node: [restNode('ip-10-147-212-220.ec2.internal', 'RUNNING', { rack: '/default-rack' })] } }), 'rest.json');
    expect(viaRest.sets).toEqual(viaJmx.sets);
    expect(viaRest.rows).toEqual(viaJmx.rows);
  });
});

describe('reading NodeManagers from real `yarn node -list` captures (TABs and spaces mixed)', () => {
  it('`-list -all` of the 2015 hadoopcluster79 RM: four NodeManagers hadoopcluster80, 82, 83, 84, all RUNNING', () => {
    const file = 'yarn-node-list-all-hadoop-2.x-2015-mixed-tabs-mykubernetes.txt';
    const r = parseYarnList(read(real, file), file);
    expect(r.kind).toBe('yarn-list');
    const hosts = ['hadoopcluster80', 'hadoopcluster82', 'hadoopcluster83', 'hadoopcluster84'];
    // The RMProxy INFO line before `Total Nodes:4` is skipped; ports (48622, 43818, …) are dropped.
    expect(r.rows).toEqual(hosts.map(running));
    expect(r.sets).toEqual(yarnSetsWith({ 'yarn-all': hosts, 'yarn-running': hosts }));
    expect(r.notes).toEqual([]);
  });

  it('`-list -states RUNNING` of the same cluster, where one row has a space instead of a TAB, reads the same four', () => {
    const file = 'yarn-node-list-states-RUNNING-hadoop-2.x-2015-mixed-tabs-mykubernetes.txt';
    const r = parseYarnList(read(real, file), file);
    expect(r.rows.map((row) => [row.host, row.state])).toEqual([
      ['hadoopcluster80', 'RUNNING'], ['hadoopcluster82', 'RUNNING'], ['hadoopcluster83', 'RUNNING'], ['hadoopcluster84', 'RUNNING'],
    ]);
    expect(r.sets).toEqual(parseYarnList(read(real, 'yarn-node-list-all-hadoop-2.x-2015-mixed-tabs-mykubernetes.txt'), 'x').sets);
  });

  it('a `yarn node -status` report saved where the list belongs is refused: it has no Total Nodes line', () => {
    const file = 'yarn-node-status-hadoop-2.x-2015-mykubernetes.txt';
    const err = inputError(() => parseYarnList(read(real, file), file));
    expect(err.location).toEqual({ origin: file, field: '(document)' });
    expect(err.message).toContain(`${file}: (document): expected the output of \`yarn node -list -all\``);
  });
});

describe('NodeManager states, from every YARN source', () => {
  const states = [
    ['nm1.example.com', 'NEW'], ['nm2.example.com', 'RUNNING'], ['nm3.example.com', 'UNHEALTHY'], ['nm4.example.com', 'DECOMMISSIONING'],
    ['nm5.example.com', 'DECOMMISSIONED'], ['nm6.example.com', 'LOST'], ['nm7.example.com', 'REBOOTED'], ['nm8.example.com', 'SHUTDOWN'],
  ] as const;
  const expected = yarnSetsWith({
    'yarn-all': states.map(([h]) => h),
    'yarn-new': ['nm1.example.com'], 'yarn-running': ['nm2.example.com'], 'yarn-unhealthy': ['nm3.example.com'],
    'yarn-decommissioning': ['nm4.example.com'], 'yarn-decommissioned': ['nm5.example.com'], 'yarn-lost': ['nm6.example.com'],
    'yarn-rebooted': ['nm7.example.com'], 'yarn-shutdown': ['nm8.example.com'],
  });

  it('each of the eight NodeStates from /ws/v1/cluster/nodes lands in its own yarn-<state> set', () => {
    const r = parseYarnNodes(JSON.stringify({ nodes: { node: states.map(([h, s]) => restNode(h, s)) } }), 'rest.json');
    expect(r.sets).toEqual(expected);
  });
  it('the same eight from RMNMInfo give the same sets', () => {
    const entries = states.map(([h, s]) => ({ HostName: h, Rack: '/dc1/rack1', State: s, NodeId: `${h}:45454`, NodeHTTPAddress: `${h}:8042`, HealthReport: '' }));
    expect(parseYarnJmx(rmJmx(entries), 'jmx.json').sets).toEqual(expected);
  });
  it('the same eight from `yarn node -list -all` give the same sets', () => {
    expect(parseYarnList(nodeList(states.map(([h, s]) => [`${h}:45454`, s])), 'list.txt').sets).toEqual(expected);
  });
  it('the set names are exactly the YARN raw set names every pass knows', () => {
    expect([...YARN_SET_NAMES].sort()).toEqual(RAW_SET_NAMES.filter((n) => n.startsWith('yarn-')).sort());
    expect(Object.keys(yarnSets([]))).toEqual([...YARN_SET_NAMES]);
  });
});

describe('what the ResourceManager REST answer says about each NodeManager', () => {
  it('an UNHEALTHY NodeManager keeps its rack and health report; sets are sorted in byte order', () => {
    const r = parseYarnNodes(
      JSON.stringify({ nodes: { node: [
        restNode('nm10.example.com', 'RUNNING'),
        restNode('NM9.Example.com', 'UNHEALTHY', { rack: '/dc1/rack7', healthReport: '1/1 local-dirs usable space is below configured utilization percentage/no more usable space' }),
        restNode('nm1.example.com', 'RUNNING', { rack: '/dc1/rack2' }),
      ] } }),
      'http://rm1:8088/ws/v1/cluster/nodes',
    );
    expect(r.rows).toEqual([
      { host: 'nm1.example.com', state: 'RUNNING', rack: '/dc1/rack2', healthReport: null },
      { host: 'nm10.example.com', state: 'RUNNING', rack: '/dc1/rack1', healthReport: null },
      { host: 'nm9.example.com', state: 'UNHEALTHY', rack: '/dc1/rack7', healthReport: '1/1 local-dirs usable space is below configured utilization percentage/no more usable space' },
    ]);
    expect(r.sets['yarn-running']).toEqual(['nm1.example.com', 'nm10.example.com']);
  });

  it('a host only in the RM exclude file (id host:-1, never registered) is DECOMMISSIONED under its name', () => {
    const node = { rack: '/default-rack', state: 'DECOMMISSIONED', id: 'nm5.example.com:-1', nodeHostName: 'nm5.example.com', nodeHTTPAddress: 'nm5.example.com:-1', healthReport: '' };
    expect(parseYarnNodes(JSON.stringify({ nodes: { node: [node] } }), 'rest.json').sets['yarn-decommissioned']).toEqual(['nm5.example.com']);
    // Without nodeHostName the id names it, the port -1 dropped.
    const { nodeHostName: _, ...noHostName } = node;
    expect(parseYarnNodes(JSON.stringify({ nodes: { node: [noHostName] } }), 'rest.json').rows[0].host).toBe('nm5.example.com');
  });

  it('a node with neither nodeHostName nor id is named by its HTTP address', () => {
    const r = parseYarnNodes(JSON.stringify({ nodes: { node: [{ state: 'LOST', nodeHTTPAddress: 'nm6.example.com:8042' }] } }), 'rest.json');
    expect(r.rows).toEqual([{ host: 'nm6.example.com', state: 'LOST', rack: null, healthReport: null }]);
  });

  it('a cluster with no NodeManagers ({"nodes":null}) is an empty source, with a note', () => {
    const r = parseYarnNodes('{"nodes":null}', 'rest.json');
    expect(r.rows).toEqual([]);
    expect(r.sets).toEqual(yarnSetsWith({}));
    expect(r.notes).toEqual(['the ResourceManager lists no NodeManagers']);
  });

  it('a NodeManager restarted on a new port (old id LOST, new id RUNNING) keeps the first entry and says so', () => {
    const r = parseYarnNodes(
      JSON.stringify({ nodes: { node: [
        restNode('nm2.example.com', 'LOST', { id: 'nm2.example.com:41234' }),
        restNode('nm1.example.com', 'RUNNING'),
        restNode('nm2.example.com', 'RUNNING', { id: 'nm2.example.com:45454' }),
      ] } }),
      'rest.json',
    );
    expect(r.rows.map((row) => [row.host, row.state])).toEqual([['nm1.example.com', 'RUNNING'], ['nm2.example.com', 'LOST']]);
    expect(r.sets['yarn-lost']).toEqual(['nm2.example.com']);
    expect(r.sets['yarn-running']).toEqual(['nm1.example.com']);
    expect(r.notes).toEqual([
      '1 host listed twice (several NodeManagers on one host, or one restarted on a new port?); kept the first entry: nm2.example.com (kept LOST, dropped RUNNING)',
    ]);
  });
});

describe('what RMNMInfo cannot see', () => {
  it('lost and decommissioned NodeManagers counted by ClusterMetrics are named in a note', () => {
    const metrics = { name: 'Hadoop:service=ResourceManager,name=ClusterMetrics', NumActiveNMs: 1, NumDecommissionedNMs: 1, NumLostNMs: 2, NumUnhealthyNMs: 0, NumRebootedNMs: 0 };
    const r = parseYarnJmx(rmJmx([{ HostName: 'nm1.example.com', Rack: '/dc1/rack1', State: 'RUNNING', NodeId: 'nm1.example.com:45454', HealthReport: '' }], [metrics]), 'jmx.json');
    expect(r.rows).toEqual([{ host: 'nm1.example.com', state: 'RUNNING', rack: '/dc1/rack1', healthReport: null }]);
    expect(r.notes).toEqual([
      'ClusterMetrics counts 2 lost, 1 decommissioned NodeManagers that RMNMInfo does not list (it lists active ones only); read /ws/v1/cluster/nodes to name them',
    ]);
  });
  it('an RMNMInfo with an empty list is an empty source, with a note', () => {
    const r = parseYarnJmx(rmJmx([]), 'jmx.json');
    expect(r.rows).toEqual([]);
    expect(r.notes).toEqual(['RMNMInfo lists no active NodeManagers']);
  });
});

describe('`yarn node -list` layouts', () => {
  it('a Hadoop 3.x `-list -all -showDetails` skips the Detailed Node Information blocks', () => {
    const text = [
      'Total Nodes:2',
      '         Node-Id\t     Node-State\tNode-Http-Address\tNumber-of-Running-Containers',
      '         nm1.example.com:45454\t        RUNNING\t       nm1.example.com:8042\t                           0',
      'Detailed Node Information :',
      '\tConfigured Resources : <memory:8192, vCores:8>',
      '\tAllocated Resources : <memory:0, vCores:0>',
      '\tResource Utilization by Node : PMem:2048 MB, VMem:4096 MB, VCores:8.0',
      '\tResource Utilization by Containers : PMem:1024 MB, VMem:2048 MB, VCores:4.0',
      '\tNode-Labels : ',
      '         nm2.example.com:45454\t      UNHEALTHY\t       nm2.example.com:8042\t                           0',
      'Detailed Node Information :',
      '\tConfigured Resources : <memory:8192, vCores:8>',
      '\tNode-Labels : ',
    ].join('\n');
    const r = parseYarnList(text, 'list.txt');
    expect(r.rows.map((row) => [row.host, row.state])).toEqual([['nm1.example.com', 'RUNNING'], ['nm2.example.com', 'UNHEALTHY']]);
  });

  it('an early 2.x header (`Running-Containers`) and CRLF line ends read the same', () => {
    const text = 'Total Nodes:1\r\n         Node-Id\tNode-State\tNode-Http-Address\tRunning-Containers\r\nnm1.example.com:45454\t   RUNNING\tnm1.example.com:8042\t                 0\r\n';
    expect(parseYarnList(text, 'list.txt').rows).toEqual([running('nm1.example.com')]);
  });

  it('a host only in the RM exclude file shows as host:-1 DECOMMISSIONED and is named without the port', () => {
    const r = parseYarnList(nodeList([['nm1.example.com:45454', 'RUNNING'], ['nm9.example.com:-1', 'DECOMMISSIONED']]), 'list.txt');
    expect(r.sets['yarn-decommissioned']).toEqual(['nm9.example.com']);
  });

  it('log lines in the middle of the table (stderr captured with stdout) are skipped', () => {
    const text = nodeList([['nm1.example.com:45454', 'RUNNING'], ['nm2.example.com:45454', 'LOST']]).replace(
      /(nm1[^\n]*\n)/,
      '$124/05/02 09:14:04 WARN ipc.Client: Failed to connect to server: rm2.example.com/10.0.1.80:8032: retries get failed\n',
    );
    expect(parseYarnList(text, 'list.txt').sets['yarn-lost']).toEqual(['nm2.example.com']);
  });

  it('`Total Nodes:0` with its header is an empty cluster, with a note', () => {
    const r = parseYarnList(nodeList([]), 'list.txt');
    expect(r.rows).toEqual([]);
    expect(r.sets['yarn-all']).toEqual([]);
    expect(r.notes).toEqual(['the ResourceManager lists no NodeManagers (Total Nodes:0)']);
  });
});

describe('a ResourceManager answer that must stop the pass', () => {
  it('a nodeHostName with shell metacharacters (web1;reboot) is refused, naming the node and field', () => {
    const file = 'yarn-nodes-shell-metacharacters-in-nodeHostName.json';
    const err = inputError(() => parseYarnNodes(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'nodes.node[1].nodeHostName' });
    expect(err.message).toContain(`${file}: nodes.node[1].nodeHostName: expected a DNS host name`);
    expect(err.problem).toContain('"web1;reboot"');
  });
  it('an RMNMInfo HostName with a space is refused, naming the bean, the entry and the field', () => {
    const file = 'yarn-jmx-space-in-HostName.json';
    const err = inputError(() => parseYarnJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans[0].LiveNodeManagers[1].HostName' });
    expect(err.message).toContain(`${file}: beans[0].LiveNodeManagers[1].HostName: expected a DNS host name`);
    expect(err.problem).toContain('"web 2.example.com"');
  });
  it('a Node-Id with shell metacharacters in `yarn node -list` is refused with its line', () => {
    const file = 'yarn-list-shell-metacharacters-in-node-id.txt';
    const err = inputError(() => parseYarnList(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 4, field: 'Node-Id' });
    expect(err.message).toContain(`${file}:4: Node-Id: expected a DNS host name`);
    expect(err.problem).toContain('web1;reboot');
  });

  it('a state YARN does not have (ACTIVE) on the fourth node is refused, naming nodes.node[3].state', () => {
    const file = 'yarn-nodes-unknown-state.json';
    const err = inputError(() => parseYarnNodes(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'nodes.node[3].state' });
    expect(err.message).toContain(`${file}: nodes.node[3].state: expected a YARN NodeState`);
    expect(err.problem).toContain('DECOMMISSIONING');
    expect(err.problem).toContain('got "ACTIVE"');
  });
  it('an RMNMInfo State in the wrong case (Running) is refused, naming the entry', () => {
    const file = 'yarn-jmx-unknown-state.json';
    const err = inputError(() => parseYarnJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans[0].LiveNodeManagers[0].State' });
    expect(err.message).toContain(file);
    expect(err.problem).toContain('got "Running"');
  });
  it('a Node-State YARN does not have (STOPPED) is refused as line 7: Node-State', () => {
    const file = 'yarn-list-unknown-state.txt';
    const err = inputError(() => parseYarnList(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 7, field: 'Node-State' });
    expect(err.message).toContain(`${file}:7: Node-State: expected a YARN NodeState`);
    expect(err.problem).toContain('got "STOPPED"');
  });

  it('a `yarn node -list` cut short (Total Nodes says 4, 3 rows follow) is refused: a truncated capture must not pass as a smaller cluster', () => {
    const file = 'yarn-list-total-4-but-3-rows.txt';
    const err = inputError(() => parseYarnList(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 2, field: 'Total Nodes' });
    expect(err.message).toContain(`${file}:2: Total Nodes: says 4 NodeManager(s) but 3 row(s) follow`);
  });
  it('a capture with the header but no rows under Total Nodes:2 is refused the same way', () => {
    const err = inputError(() => parseYarnList('Total Nodes:2\n         Node-Id\t     Node-State\tNode-Http-Address\tNumber-of-Running-Containers\n', 'list.txt'));
    expect(err.message).toContain('list.txt:1: Total Nodes: says 2 NodeManager(s) but 0 row(s) follow');
    expect(err.location).toEqual({ origin: 'list.txt', line: 1, field: 'Total Nodes' });
  });
  it('a capture that ends right after Total Nodes is refused for its missing header', () => {
    const err = inputError(() => parseYarnList('Total Nodes:0\n', 'list.txt'));
    expect(err.message).toContain('list.txt:1: header: expected the header Node-Id');
    expect(err.location).toEqual({ origin: 'list.txt', line: 1, field: 'header' });
    expect(err.problem).toContain('cut short');
  });
  it('two captures pasted into one file are refused at the second Total Nodes', () => {
    const one = nodeList([['nm1.example.com:45454', 'RUNNING']]);
    const err = inputError(() => parseYarnList(one + one, 'list.txt'));
    expect(err.message).toContain('list.txt:6: Total Nodes: a second `Total Nodes` line (the first is on line 2)');
    expect(err.location).toEqual({ origin: 'list.txt', line: 6, field: 'Total Nodes' });
  });
  it('a line after the table that is not a row is refused with its line', () => {
    const err = inputError(() => parseYarnList(nodeList([['nm1.example.com:45454', 'RUNNING']]) + 'Exception in thread "main" java.net.ConnectException: Connection refused\n', 'list.txt'));
    expect(err.message).toContain('list.txt:5: row: expected Node-Id, Node-State');
    expect(err.location).toEqual({ origin: 'list.txt', line: 5, field: 'row' });
  });
  it('something other than the header after Total Nodes is refused', () => {
    const err = inputError(() => parseYarnList('Total Nodes:1\nnm1.example.com:45454 RUNNING nm1.example.com:8042 0\n', 'list.txt'));
    expect(err.message).toContain('list.txt:2: header: expected the header Node-Id');
    expect(err.location).toEqual({ origin: 'list.txt', line: 2, field: 'header' });
  });

  it('a /ws/v1/cluster/nodes response cut off mid-node is refused as invalid JSON with its position', () => {
    const file = 'yarn-nodes-cut-short.json';
    const text = read(bad, file);
    const err = inputError(() => parseYarnNodes(text, file));
    expect(err.location).toEqual({ origin: file, field: '(document)', line: 1, column: text.length + 1 });
    expect(err.message).toContain(`${file}:1:${text.length + 1}: (document): expected JSON`);
    expect(err.problem).toContain(`parse error at position ${text.length}`);
  });
  it('an HTML page (a standby RM redirect) where JSON belongs is refused at position 0', () => {
    const err = inputError(() => parseYarnNodes('<html><body>This is standby RM. The redirect url is: http://rm2:8088/</body></html>', 'http://rm1:8088/ws/v1/cluster/nodes'));
    expect(err.message).toContain('http://rm1:8088/ws/v1/cluster/nodes:1:1: (document): expected JSON');
    expect(err.location).toEqual({ origin: 'http://rm1:8088/ws/v1/cluster/nodes', field: '(document)', line: 1, column: 1 });
    expect(err.problem).toContain('at position 0');
  });
  it('a parse error on a later line gives that line and column', () => {
    const err = inputError(() => parseYarnNodes('{\n  "nodes": {\n    "node": [,]\n  }\n}', 'rest.json'));
    expect(err.message).toContain('rest.json:3:14: (document): expected JSON');
    expect(err.location).toMatchObject({ line: 3, column: 14 });
  });
  it('a LiveNodeManagers string that is not whole JSON names the field and where it breaks', () => {
    const file = 'yarn-jmx-livenodemanagers-string-cut-short.json';
    const err = inputError(() => parseYarnJmx(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, field: 'beans[0].LiveNodeManagers' });
    expect(err.message).toContain(file);
    expect(err.problem).toMatch(/parse error at position \d+/);
  });
  it('an empty file is refused by each JSON parser', () => {
    const file = 'yarn-nodes-empty.json';
    for (const parse of [parseYarnNodes, parseYarnJmx]) {
      const err = inputError(() => parse(read(bad, file), file));
      expect(err.message).toContain(`${file}: (document): expected`);
      expect(err.location).toEqual({ origin: file, field: '(document)' });
      expect(err.problem).toContain('empty input');
    }
  });
  it('an empty `yarn node -list` capture is refused', () => {
    const err = inputError(() => parseYarnList('', 'list.txt'));
    expect(err.message).toContain('list.txt: (document): expected the output of `yarn node -list -all`');
    expect(err.location).toEqual({ origin: 'list.txt', field: '(document)' });
    expect(err.problem).toContain('empty input');
  });

  it('a NameNode /jmx dump given as the ResourceManager /jmx is refused, naming the bean it needs', () => {
    const file = 'hadoop-1.0.0-yahoo-full-jmx-dump.json';
    const err = inputError(() => parseYarnJmx(read(join(real, '../hdfs-namenode-jmx'), file), file));
    expect(err.message).toContain(`${file}: beans: expected a ${RMNM_INFO_BEAN} bean, found 27 bean(s)`);
    expect(err.location).toEqual({ origin: file, field: 'beans' });
    expect(err.problem).toContain(RMNM_INFO_BEAN);
  });
  it('JSON that is not a Cluster Nodes response names the nodes field', () => {
    const err = inputError(() => parseYarnNodes('{"apps":{"app":[]}}', 'rest.json'));
    expect(err.message).toContain('rest.json: nodes: expected an object {"node":[…]} or null');
    expect(err.location).toEqual({ origin: 'rest.json', field: 'nodes' });
  });
  it('an RM error answer (RemoteException) is quoted', () => {
    const err = inputError(() => parseYarnNodes('{"RemoteException":{"exception":"BadRequestException","message":"java.lang.Exception: Invalid state: ACTIVE","javaClassName":"org.apache.hadoop.yarn.webapp.BadRequestException"}}', 'rest.json'));
    expect(err.message).toContain('rest.json: RemoteException: the ResourceManager answered with an error instead of nodes');
    expect(err.location).toEqual({ origin: 'rest.json', field: 'RemoteException' });
    expect(err.problem).toContain('BadRequestException: java.lang.Exception: Invalid state: ACTIVE');
  });
  it('a node with no host at all is refused, naming the node', () => {
    const err = inputError(() => parseYarnNodes('{"nodes":{"node":[{"state":"RUNNING","rack":"/r1"}]}}', 'rest.json'));
    expect(err.message).toContain('rest.json: nodes.node[0]: expected a host name in nodeHostName, id or nodeHTTPAddress');
    expect(err.location).toEqual({ origin: 'rest.json', field: 'nodes.node[0]' });
  });
  it('a rack that is not a string is refused, naming the field', () => {
    const err = inputError(() => parseYarnNodes(JSON.stringify({ nodes: { node: [restNode('nm1.example.com', 'RUNNING', { rack: 7 })] } }), 'rest.json'));
    expect(err.message).toContain('rest.json: nodes.node[0].rack: ');
    expect(err.location).toEqual({ origin: 'rest.json', field: 'nodes.node[0].rack' });
  });
});

describe('a 20,000-NodeManager ResourceManager', () => {
  it('lists every NodeManager in its state from each source', () => {
    const states = ['RUNNING', 'RUNNING', 'RUNNING', 'UNHEALTHY', 'LOST'] as const;
    const hosts = Array.from({ length: 20_000 }, (_, i) => [`nm${i}.dc1.example.com`, states[i % states.length]] as const);
    const rest = parseYarnNodes(JSON.stringify({ nodes: { node: hosts.map(([h, s]) => restNode(h, s)) } }), 'rest.json');
    const list = parseYarnList(nodeList(hosts.map(([h, s]) => [`${h}:45454`, s])), 'list.txt');
    for (const r of [rest, list]) {
      expect(r.rows).toHaveLength(20_000);
      expect(r.sets['yarn-running']).toHaveLength(12_000);
      expect(r.sets['yarn-lost']).toHaveLength(4_000);
    }
  });
});
