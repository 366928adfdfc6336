/**
 * The drain executor on a simulated Hadoop control plane, over the LocalShell: real exclude
 * files, the `hdfs` / `yarn` shims, NameNode JMX over loopback HTTP, virtual time.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executePlan, resumeExecution, type ExecEvent } from '../../src/exec/executor.js';
import { LocalShell } from '../../src/ssh/local.js';
import type { RemoteShell } from '../../src/ssh/remote.js';
import { takeLease } from '../../src/exec/lease.js';
import { OPERATOR_EXCLUDE, TEST_POLICY, hadoopCluster, host, linesOf, type TestCluster } from '../helpers/hadoop.js';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const opts = (c: TestCluster, events: ExecEvent[] = []) => ({ now: () => new Date(c.clock.now()), onEvent: (e: ExecEvent) => events.push(e) });
const substeps = (c: TestCluster, id: string) => c.store.journal(id).filter((j) => j.kind === 'substep-begin').map((j) => `${j.substep}${j.file ? `:${j.file}` : ''}`);

describe('a drain through the exclude files, followed on the NameNode to Decommissioned', () => {
  it('adds exactly the plan hosts, keeps the operator file byte for byte with a backup, refreshes both daemons and waits for replication', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }, { action: 'drain', host: host(2) }]);
    const events: ExecEvent[] = [];
    const out = await executePlan(c.store, plan.id, c.executor(), 'alice', opts(c, events));

    expect(out.outcome, JSON.stringify(out)).toBe('completed');
    expect(c.hdfsText()).toBe(`${OPERATOR_EXCLUDE}${host(1)}\n${host(2)}\n`);
    expect(c.yarnText()).toBe(`${host(1)}\n${host(2)}\n`);
    const backups = readdirSync(c.dir).filter((f) => f.startsWith('dfs.exclude.breakfix-'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^dfs\.exclude\.breakfix-20261201T100000Z-dc1-aaaa0001$/);
    expect(readFileSync(join(c.dir, backups[0]), 'utf8')).toBe(OPERATOR_EXCLUDE);
    for (const n of [1, 2]) expect(c.sim.controlPlane.dataNode(host(n))!.adminState).toBe('Decommissioned');
    expect(c.sim.controlPlane.dataNode(host(3))!.adminState).toBe('In Service');
    expect(c.sim.controlPlane.blockCounts().underReplicatedBlocks).toBe(5);
    expect(c.sim.refreshes.map((r) => `${r.service} ${r.args.join(' ')}`)).toEqual(['hdfs dfsadmin -refreshNodes', 'yarn rmadmin -refreshNodes -g 3600 -client']);

    // 1,000 blocks at 10 blocks/s: decommissioning for 100 s, seen at each 30 s poll.
    const mine = events.filter((e) => e.host === host(1)).map((e) => `${e.phase}${e.blocksLeft !== undefined ? ` ${e.blocksLeft}` : ''}`);
    expect(mine).toEqual(['excluded', 'decommissioning 1000', 'decommissioning 700', 'decommissioning 400', 'decommissioning 100', 'decommissioned 0']);
    expect(substeps(c, plan.id)).toEqual(['lock', 'baseline', 'read:hdfs', 'read:yarn', 'backup:hdfs', 'write:hdfs', 'verify:hdfs', 'backup:yarn', 'write:yarn', 'verify:yarn', 'refresh-hdfs', 'refresh-yarn', 'follow', 'release']);
    expect(readdirSync(join(c.stateDir, 'locks'))).toEqual([]);
  });

  it('a host already in the exclude file is not added again, and nothing is written for it', async () => {
    const c = (cluster = await hadoopCluster({ hdfsExclude: `${OPERATOR_EXCLUDE}${host(1)}\n`, yarnExclude: `${host(1)}\n` }));
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const out = await executePlan(c.store, plan.id, c.executor(), 'alice', opts(c));
    expect(out.outcome).toBe('completed');
    expect(c.hdfsText()).toBe(`${OPERATOR_EXCLUDE}${host(1)}\n`);
    expect(readdirSync(c.dir).filter((f) => f.includes('.breakfix-'))).toEqual([]);
    expect(c.store.journal(plan.id).filter((j) => j.substep === 'write').map((j) => j.skipped)).toEqual([true, true]);
    expect(c.sim.controlPlane.dataNode(host(1))!.adminState).toBe('Decommissioned');
  });

  it('a JSON hosts file (CombinedHostFileManager) gets adminState DECOMMISSIONED on the host entry only', async () => {
    const json = readFileSync(join(import.meta.dirname, '../fixtures/real/hdfs-hostfiles/dfs.hosts.json-pretty-example-hadoop-HdfsDataNodeAdminGuide.json'), 'utf8').replace(/"host(\d)"/g, '"dn$1.c1.test"');
    const c = (cluster = await hadoopCluster({ hdfsExclude: json, hdfsFormat: 'hdfs-json', yarnExclude: '<?xml version="1.0"?>\n<hosts>\n</hosts>\n', yarnFormat: 'yarn-xml', states: { [host(3)]: 'Decommissioned', [host(4)]: 'In Maintenance' } }));
    const plan = await c.approved([{ action: 'drain', host: host(2) }]);
    const out = await executePlan(c.store, plan.id, c.executor(), 'alice', opts(c));
    expect(out.outcome, JSON.stringify(out)).toBe('completed');
    expect(c.hdfsText()).toBe(json.replace('"hostName": "dn2.c1.test",\n    "upgradeDomain": "ud0"', '"hostName": "dn2.c1.test",\n    "upgradeDomain": "ud0",\n    "adminState": "DECOMMISSIONED"'));
    expect(c.yarnText()).toBe(`<?xml version="1.0"?>\n<hosts>\n  <host><name>${host(2)}</name><timeout>3600</timeout></host>\n</hosts>\n`);
  });

  it('a host the NameNode does not know, or not In Service, is left untouched and reported', async () => {
    const c = (cluster = await hadoopCluster({ states: { [host(3)]: 'In Maintenance' } }));
    const plan = await c.approved([{ action: 'drain', host: host(1) }, { action: 'drain', host: host(3) }, { action: 'drain', host: 'ghost.c1.test' }]);
    const out = await executePlan(c.store, plan.id, c.executor(), 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    const hosts = out.outcome === 'failed' ? out.results[0].hosts : [];
    expect(hosts.find((h) => h.host === host(1))!.phase).toBe('decommissioned');
    expect(hosts.find((h) => h.host === host(3))!.detail).toMatch(/^untouched: the DataNode is In Maintenance/);
    expect(hosts.find((h) => h.host === 'ghost.c1.test')!.detail).toMatch(/^untouched: the NameNode has no DataNode/);
    expect(c.hdfsText()).toBe(`${OPERATOR_EXCLUDE}${host(1)}\n`);
  });
});

describe('failures stop where they are and say what state each host is in', () => {
  it('the exclude file changed by someone else between read and write is detected, not overwritten', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const ops = `${OPERATOR_EXCLUDE}dn6.c1.test\n`;
    const ex = c.executor({ crashPoint: ({ substep, when }) => { if (substep === 'backup' && when === 'end') writeFileSync(c.hdfsPath, ops); } });
    const out = await executePlan(c.store, plan.id, ex, 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    expect(c.hdfsText()).toBe(ops);
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    expect(h).toMatchObject({ host: host(1), phase: 'failed' });
    expect(h!.detail).toMatch(/^untouched \(.*dfs\.exclude not written\); stopped: .*dfs\.exclude on nn1\.c1\.test changed since breakfix read it/);
    expect(c.sim.refreshes).toEqual([]);
    expect(readdirSync(c.dir).filter((f) => f.includes('breakfix-tmp'))).toEqual([]);
  });

  it('a write whose connection drops after it ran is reported as possibly excluded, never as untouched', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const local = new LocalShell();
    // The NameNode host runs every write script, then the connection drops before its exit status arrives.
    const dropping: RemoteShell = {
      exec: async (h, argv, o) => {
        const r = await local.exec(h, argv, o);
        return argv[0] === 'sh' ? { ...r, code: null, connectionLost: true } : r;
      },
      close: () => local.close(),
    };
    const out = await executePlan(c.store, plan.id, c.executor({ shell: dropping }), 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    expect(h!.detail).toMatch(/^possibly in the HDFS exclude file .*dfs\.exclude on nn1\.c1\.test \(the write did not report back: read the file\) \(the HDFS exclude file .* not confirmed restored \(cannot write .*lost its connection.*\): read it; the backup is .*dfs\.exclude\.breakfix-.*\); stopped: cannot write .* lost its connection/);
    expect(c.sim.refreshes).toEqual([]);
  });

  it('a write whose connection drops after it ran is undone from what was read, when the restore reports back', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const local = new LocalShell();
    let writes = 0;
    // Only the first write script loses its connection after running; the restore reports back.
    const dropping: RemoteShell = {
      exec: async (h, argv, o) => {
        const r = await local.exec(h, argv, o);
        return argv[0] === 'sh' && writes++ === 0 ? { ...r, code: null, connectionLost: true } : r;
      },
      close: () => local.close(),
    };
    const out = await executePlan(c.store, plan.id, c.executor({ shell: dropping }), 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    expect(h!.detail).toMatch(/^untouched \(the HDFS exclude file .*dfs\.exclude on nn1\.c1\.test restored as it was\); stopped: cannot write .* lost its connection/);
    expect(c.hdfsText()).toBe(OPERATOR_EXCLUDE);
    expect(c.store.journal(plan.id).filter((j) => j.kind === 'substep-end' && j.substep === 'restore')).toMatchObject([{ file: 'hdfs', ok: true }]);
    expect(c.sim.refreshes).toEqual([]);
  });

  it('YARN exclude file changed between read and write: nothing refreshed, the HDFS file restored from what was read', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const ops = 'dn6.c1.test\n';
    const ex = c.executor({ crashPoint: ({ substep, when }) => { if (substep === 'write' && when === 'begin' && c.store.journal(plan.id).some((j) => j.substep === 'write' && j.file === 'yarn')) writeFileSync(c.yarnPath, ops); } });
    const out = await executePlan(c.store, plan.id, ex, 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    expect(c.yarnText()).toBe(ops);
    expect(c.hdfsText()).toBe(OPERATOR_EXCLUDE);
    expect(c.sim.refreshes).toEqual([]);
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    expect(h!.detail).toMatch(/^untouched \(.*yarn\.exclude not written\) \(the HDFS exclude file .*dfs\.exclude on nn1\.c1\.test restored as it was\); stopped: .*yarn\.exclude on rm1\.c1\.test changed since breakfix read it/);
    const restore = c.store.journal(plan.id).filter((j) => j.substep === 'restore');
    expect(restore.map((j) => `${j.kind} ${j.file}`)).toEqual(['substep-begin hdfs', 'substep-end hdfs']);
    expect(restore[1]).toMatchObject({ ok: true, path: c.hdfsPath });
    expect(c.sim.controlPlane.dataNode(host(1))!.adminState).toBe('In Service');
  });

  it('a failing refresh stops before YARN and the follow-up; the host is reported in the file, NameNode not refreshed', async () => {
    const c = (cluster = await hadoopCluster());
    c.sim.failNextRefresh('hdfs', 'refreshNodes: Call From bot/10.0.0.9 to nn1.c1.test:8020 failed on connection exception');
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const out = await executePlan(c.store, plan.id, c.executor(), 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    expect(h!.detail).toMatch(/^in the HDFS exclude file .*dfs\.exclude on nn1\.c1\.test, NameNode not refreshed; in the YARN exclude file .*; stopped: .*hdfs dfsadmin -refreshNodes on nn1\.c1\.test exited 255: refreshNodes: Call From/);
    expect(c.sim.refreshes.map((r) => r.service)).toEqual(['hdfs']);
    expect(linesOf(c.hdfsText(), host(1))).toBe(1);
    const write = c.store.journal(c.store.list()[0].plan.id).find((j) => j.kind === 'substep-begin' && j.substep === 'write');
    expect(write).toMatchObject({ hosts: [host(1)], path: c.hdfsPath });
    expect(c.store.get(plan.id)!.state.state).toBe('failed');
    expect(readdirSync(join(c.stateDir, 'locks'))).toEqual([]);
  });

  it('a resume after a crash between a failed step-end and the end records the plan failed and runs nothing again', async () => {
    const c = (cluster = await hadoopCluster());
    c.sim.failNextRefresh('hdfs', 'refreshNodes: Call From bot/10.0.0.9 to nn1.c1.test:8020 failed on connection exception');
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    // The bot dies just as it would journal the `end`: the step-end ok:false is already written.
    const dying = Object.create(c.store) as typeof c.store;
    dying.appendJournal = (id, e) => {
      if (e.kind === 'end') throw new Error('killed');
      c.store.appendJournal(id, e);
    };
    await expect(executePlan(dying, plan.id, c.executor(), 'alice', opts(c))).rejects.toThrow('killed');
    expect(c.store.get(plan.id)!.state.state).toBe('executing');
    expect(c.store.journal(plan.id).filter((j) => j.kind === 'step-end').map((j) => j.ok)).toEqual([false]);

    const again = await resumeExecution(c.store, plan.id, c.executor(), 'breakfix', opts(c));
    expect(again.outcome).toBe('failed');
    expect(again.outcome === 'failed' && again.reason).toMatch(/^drain: .*refreshNodes.*not run again\)$/);
    expect(c.sim.refreshes.map((r) => r.service)).toEqual(['hdfs']);
    expect(c.store.journal(plan.id).filter((j) => j.kind === 'step-begin')).toHaveLength(1);
    expect(c.store.journal(plan.id).at(-1)).toMatchObject({ kind: 'end', state: 'failed' });
    expect(c.store.get(plan.id)!.state.state).toBe('failed');
  });

  it('a host left in the exclude file by a run that stopped before its refresh stops the next plan before anything is written', async () => {
    const c = (cluster = await hadoopCluster({ states: { [host(3)]: 'Decommissioned' }, hdfsExclude: `${OPERATOR_EXCLUDE}${host(3)}\n` }));
    c.sim.failNextRefresh('hdfs', 'refreshNodes: Call From bot/10.0.0.9 to nn1.c1.test:8020 failed on connection exception');
    const first = await c.approved([{ action: 'drain', host: host(1) }], 'aaaa0001');
    expect((await executePlan(c.store, first.id, c.executor(), 'alice', opts(c))).outcome).toBe('failed');
    expect(linesOf(c.hdfsText(), host(1))).toBe(1); // the refresh may have reached a NameNode: the file keeps saying so
    const left = c.hdfsText();

    const next = await c.approved([{ action: 'drain', host: host(2) }], 'bbbb0002');
    const out = await executePlan(c.store, next.id, c.executor(), 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    // Only dn1 is named: old7 is unknown to the NameNode and dn3 already Decommissioned, a refresh changes nothing for them.
    expect(h!.detail).toMatch(new RegExp(`^untouched; stopped: the HDFS exclude file .*dfs\\.exclude on nn1\\.c1\\.test also lists ${host(1).replace(/\./g, '\\.')}, In Service on the NameNode and not in plan dc1-bbbb0002: a refresh would decommission it too.*Remove it from the file`));
    expect(c.hdfsText()).toBe(left);
    expect(c.sim.refreshes.map((r) => `${r.service} ${r.ok}`)).toEqual(['hdfs false']);
    expect(c.sim.controlPlane.dataNode(host(1))!.adminState).toBe('In Service');
    expect(c.sim.controlPlane.dataNode(host(2))!.adminState).toBe('In Service');
  });

  it('a run stopped after both writes, before refresh-hdfs, puts both files back as they were and journals it', async () => {
    const c = (cluster = await hadoopCluster({ yarnExclude: `${host(5)}\n` }));
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const ex = c.executor({ crashPoint: ({ substep, when }) => { if (substep === 'refresh-hdfs' && when === 'begin') throw new Error('unreachable'); if (substep === 'verify' && when === 'end' && c.yarnText().includes(host(1))) throw new Error('ssh: connection reset'); } });
    const out = await executePlan(c.store, plan.id, ex, 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    expect(c.hdfsText()).toBe(OPERATOR_EXCLUDE);
    expect(c.yarnText()).toBe(`${host(5)}\n`);
    expect(c.store.journal(plan.id).filter((j) => j.kind === 'substep-end' && j.substep === 'restore').map((j) => `${j.file} ${j.ok}`)).toEqual(['yarn true', 'hdfs true']);
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    expect(h!.detail).toMatch(/^untouched \(the YARN exclude file .* restored as it was; the HDFS exclude file .* restored as it was\); stopped: ssh: connection reset$/);
    expect(c.sim.refreshes).toEqual([]);
    // The next plan is not stopped by a leftover.
    const next = await c.approved([{ action: 'drain', host: host(2) }], 'bbbb0002');
    expect((await executePlan(c.store, next.id, c.executor(), 'alice', opts(c))).outcome).toBe('completed');
    expect(c.sim.controlPlane.dataNode(host(1))!.adminState).toBe('In Service');
  });

  it('the NameNode JMX going away during the follow-up stops after the set number of failed reads, hosts left excluded', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    let reads = 0;
    const fetchJmx = async (url: string) => {
      if (++reads > 2) await c.sim.controlPlane.close(); // the NameNode web server goes down after two reads
      const res = await fetch(url);
      return res.text();
    };
    const out = await executePlan(c.store, plan.id, c.executor({ fetchJmx }), 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    const h = out.outcome === 'failed' ? out.results[0].hosts[0] : undefined;
    expect(h!.detail).toMatch(/NameNode refreshed; .*ResourceManager refreshed; stopped: decommission progress unknown: 3 NameNode reads in a row failed \(last: NameNode JMX http:\/\/127\.0\.0\.1:\d+\/jmx unreachable: ECONNREFUSED\)/);
    expect(linesOf(c.hdfsText(), host(1))).toBe(1);
  });

  it('a NameNode read failing twice, then answering again, does not stop the drain', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    let reads = 0;
    const fetchJmx = async (url: string) => {
      reads++;
      if (reads === 3 || reads === 4) throw new Error('HTTP 503 Service Unavailable');
      return (await fetch(url)).text();
    };
    const out = await executePlan(c.store, plan.id, c.executor({ fetchJmx }), 'alice', opts(c));
    expect(out.outcome).toBe('completed');
  });

  it('a stale lock of another plan is reported, not stolen; nothing is touched', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const lock = join(c.stateDir, 'locks', 'drain-dc1-c1.json');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(c.stateDir, 'locks'), { recursive: true });
    const stale = JSON.stringify({ owner: 'dc1-old00001', pid: 999_999, host: 'bot-2', at: '2026-11-30T08:00:00.000Z', expiresAt: '2026-11-30T09:00:00.000Z' });
    writeFileSync(lock, stale);
    const out = await executePlan(c.store, plan.id, c.executor(), 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    expect(out.outcome === 'failed' && out.reason).toMatch(/stale drain lock: plan dc1-old00001 took it since 2026-11-30T08:00:00\.000Z .* expired at 2026-11-30T09:00:00\.000Z .*breakfix plan show dc1-old00001/);
    expect(readFileSync(lock, 'utf8')).toBe(stale);
    expect(c.hdfsText()).toBe(OPERATOR_EXCLUDE);
  });
});

describe('the drain lock and the blocking YARN -client refresh', () => {
  it('the lock is renewed while yarn rmadmin -refreshNodes -client blocks, so another plan is told it is busy, not stale', async () => {
    const c = (cluster = await hadoopCluster({ yarnClientBlocks: true, yarnDrainMs: 2 * 3_600_000 }));
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    let atYarn!: () => void;
    const blocking = new Promise<void>((r) => (atYarn = r));
    const ex = c.executor({ leaseRenewMs: 10, crashPoint: ({ substep, when }) => { if (substep === 'refresh-yarn' && when === 'begin') atYarn(); } });
    const running = executePlan(c.store, plan.id, ex, 'alice', opts(c));
    await blocking;
    // The shim runs and its refresh reaches the ResourceManager: the NodeManager starts decommissioning, the command blocks.
    while (c.sim.controlPlane.state().nodeManagers.find((n) => n.host === host(1))!.state !== 'DECOMMISSIONING') await new Promise((r) => setTimeout(r, 10));
    await c.clock.sleep(30 * 60_000); // half an hour of the -client refresh: three times the lock's 10 min
    const lockPath = join(c.stateDir, 'locks', 'drain-dc1-c1.json');
    const expiresAt = () => Date.parse((JSON.parse(readFileSync(lockPath, 'utf8')) as { expiresAt: string }).expiresAt);
    for (let i = 0; i < 200 && expiresAt() <= c.clock.now(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(expiresAt()).toBeGreaterThan(c.clock.now());
    expect(() => takeLease(join(c.stateDir, 'locks'), 'dc1', 'c1', 'dc1-other001', 60_000, () => c.clock.now())).toThrow(/is being drained by plan dc1-aaaa0001 .*one drain per cluster at a time/);
    expect(c.sim.refreshes.map((r) => r.service)).toEqual(['hdfs']); // the yarn refresh is still in flight

    await c.clock.sleep(2 * 3_600_000); // the NodeManager finishes: the refresh returns
    const out = await running;
    expect(out.outcome, JSON.stringify(out)).toBe('completed');
    expect(existsSync(lockPath)).toBe(false);
  });

  it('yarnGracefulTimeoutSeconds -1 with a -client refresh is refused when the executor is set up, naming the field', async () => {
    const c = (cluster = await hadoopCluster());
    expect(() => c.executor({ policy: { ...TEST_POLICY, yarnGracefulTimeoutSeconds: -1 } })).toThrow(/policies\/drain\.yml: yarnGracefulTimeoutSeconds: -1 \(no timeout\) cannot go with the blocking -client refresh of cluster c1 \(datacenters\.dc1\.drain\.clusters\.c1\.resourcemanager\.refresh/);
    const server = { ...c.control, resourcemanager: { ...c.control.resourcemanager!, refresh: c.control.resourcemanager!.refresh.map((a) => (a === '-client' ? '-server' : a)) } };
    expect(() => c.executor({ clusters: { c1: server }, policy: { ...TEST_POLICY, yarnGracefulTimeoutSeconds: -1 } })).not.toThrow();
  });
});

describe('recommission: the reverse, also through the files', () => {
  it('removes the host from both exclude files, refreshes, and follows it back to In Service', async () => {
    const c = (cluster = await hadoopCluster({ hdfsExclude: `${OPERATOR_EXCLUDE}${host(4)}\n${host(5)}\n`, yarnExclude: `${host(4)}\n`, states: { [host(4)]: 'Decommissioned', [host(5)]: 'Decommissioned' } }));
    const plan = await c.approved([{ action: 'recommission', host: host(4) }]);
    const out = await executePlan(c.store, plan.id, c.executor(), 'alice', opts(c));
    expect(out.outcome, JSON.stringify(out)).toBe('completed');
    expect(c.hdfsText()).toBe(`${OPERATOR_EXCLUDE}${host(5)}\n`);
    expect(c.yarnText()).toBe('');
    expect(c.sim.controlPlane.dataNode(host(4))!.adminState).toBe('In Service');
    expect(c.sim.controlPlane.dataNode(host(5))!.adminState).toBe('Decommissioned');
    expect(c.sim.refreshes.map((r) => `${r.service} ${r.args.join(' ')}`)).toEqual(['hdfs dfsadmin -refreshNodes', 'yarn rmadmin -refreshNodes']);
  });
});

describe('killed at any journal step, a resumed run finishes: no host lost, none duplicated', () => {
  /** Every point a crash can hit: each sub-step's begin and end, in the order of a clean run. */
  async function crashPoints(): Promise<string[]> {
    const c = await hadoopCluster();
    try {
      const points: string[] = [];
      const plan = await c.approved([{ action: 'drain', host: host(1) }, { action: 'drain', host: host(2) }]);
      await executePlan(c.store, plan.id, c.executor({ crashPoint: (p) => void points.push(`${p.substep}/${p.when}`) }), 'alice', opts(c));
      return points;
    } finally {
      await c.close();
    }
  }

  it('at each of the 28 crash points', async () => {
    const points = await crashPoints();
    expect(points.length).toBe(28);
    for (let n = 0; n < points.length; n++) {
      const c = await hadoopCluster();
      try {
        const plan = await c.approved([{ action: 'drain', host: host(1) }, { action: 'drain', host: host(2) }]);
        let calls = 0;
        let crashed!: () => void;
        const dead = new Promise<void>((r) => (crashed = r));
        // The bot dies here: this promise never settles, nothing after it runs.
        const crashPoint = () => (calls++ === n ? (crashed(), new Promise<void>(() => undefined)) : undefined);
        const first = executePlan(c.store, plan.id, c.executor({ crashPoint }), 'alice', opts(c));
        await Promise.race([first, dead]);
        expect(c.store.get(plan.id)!.state.state, points[n]).toBe('executing');

        const again = await resumeExecution(c.store, plan.id, c.executor(), 'breakfix', opts(c));
        expect(again.outcome, `${points[n]}: ${JSON.stringify(again)}`).toBe('completed');
        expect(c.hdfsText(), points[n]).toBe(`${OPERATOR_EXCLUDE}${host(1)}\n${host(2)}\n`);
        expect(c.yarnText(), points[n]).toBe(`${host(1)}\n${host(2)}\n`);
        for (const h of [host(1), host(2)]) expect(c.sim.controlPlane.dataNode(h)!.adminState, points[n]).toBe('Decommissioned');
        expect(c.sim.controlPlane.blockCounts().underReplicatedBlocks, points[n]).toBe(5);
        const journal = c.store.journal(plan.id);
        expect(journal.filter((j) => j.kind === 'resume')).toHaveLength(1);
        // Once a baseline is journaled, the resumed run uses it rather than the inflated count after the exclusion.
        const baselines = journal.filter((j) => j.kind === 'substep-end' && j.substep === 'baseline');
        for (const b of baselines) expect(b.blocks, points[n]).toEqual({ underReplicatedBlocks: 5, missingBlocks: 0 });
        expect(existsSync(join(c.stateDir, 'locks', 'drain-dc1-c1.json')), points[n]).toBe(false);
      } finally {
        await c.close();
      }
    }
  }, 120_000);
});

