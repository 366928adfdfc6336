/**
 * The drain executor over real SSH: an OpenSSH sshd on loopback (test/helpers/sshd.ts) stands
 * for the NameNode and ResourceManager hosts; the exclude files, the `hdfs` / `yarn` shims and
 * the simulated daemons are on this machine, reached through it with verified host keys.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { executePlan, type ExecEvent } from '../../src/exec/executor.js';
import { SshShell } from '../../src/ssh/ssh-shell.js';
import { OPERATOR_EXCLUDE, NAMENODE, RESOURCEMANAGER, hadoopCluster, host, linesOf, type TestCluster } from '../helpers/hadoop.js';
import { describeSshd, startSshd, type TestSshd } from '../helpers/sshd-suite.js';

let sshd: TestSshd;
let cluster: TestCluster | undefined;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function ssh(): SshShell {
  return new SshShell({
    knownHosts: sshd.writeKnownHosts([NAMENODE, RESOURCEMANAGER]),
    identityFiles: [sshd.userKeyPath],
    agent: false,
    port: sshd.port,
    hosts: { '*.c1.test': { hostname: '127.0.0.1' } },
    connectTimeoutMs: 5_000,
  });
}

const opts = (c: TestCluster, events: ExecEvent[] = []) => ({ now: () => new Date(c.clock.now()), onEvent: (e: ExecEvent) => events.push(e) });

describeSshd('a drain over real SSH to the NameNode and ResourceManager hosts', () => {
  it('excludes, refreshes and follows to Decommissioned, the files edited through sshd', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }, { action: 'drain', host: host(2) }]);
    const out = await executePlan(c.store, plan.id, c.executor({ shell: ssh() }), 'alice', opts(c));
    expect(out.outcome, JSON.stringify(out)).toBe('completed');
    expect(c.hdfsText()).toBe(`${OPERATOR_EXCLUDE}${host(1)}\n${host(2)}\n`);
    expect(c.sim.controlPlane.dataNode(host(2))!.adminState).toBe('Decommissioned');
  });

  it('the exclude file changed by someone else between read and write is detected over SSH, not overwritten', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const ops = `${OPERATOR_EXCLUDE}dn5.c1.test\n`;
    const ex = c.executor({ shell: ssh(), crashPoint: ({ substep, when }) => { if (substep === 'write' && when === 'begin') writeFileSync(c.hdfsPath, ops); } });
    const out = await executePlan(c.store, plan.id, ex, 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    expect(out.outcome === 'failed' && out.results[0].hosts[0].detail).toMatch(/changed since breakfix read it .*not overwritten/);
    expect(c.hdfsText()).toBe(ops);
  });

  it('a host key that does not match stops the drain before anything is read', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const other = await startSshd();
    try {
      const shell = new SshShell({ knownHosts: other.writeKnownHosts([NAMENODE, RESOURCEMANAGER]), identityFiles: [sshd.userKeyPath], agent: false, port: sshd.port, hosts: { '*.c1.test': { hostname: '127.0.0.1' } } });
      const out = await executePlan(c.store, plan.id, c.executor({ shell }), 'alice', opts(c));
      expect(out.outcome).toBe('failed');
      expect(out.outcome === 'failed' && out.results[0].hosts[0].detail).toMatch(/^untouched; stopped: .*(host key|hostkey)/i);
      expect(c.hdfsText()).toBe(OPERATOR_EXCLUDE);
    } finally {
      await other.stop();
    }
  });

  it('sshd killed mid-drain: the run stops at the refresh, the host is reported in the file but not refreshed, nothing retried', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const own = await startSshd();
    const shell = new SshShell({ knownHosts: own.writeKnownHosts([NAMENODE, RESOURCEMANAGER]), identityFiles: [own.userKeyPath], agent: false, port: own.port, hosts: { '*.c1.test': { hostname: '127.0.0.1' } }, connectTimeoutMs: 3_000 });
    const ex = c.executor({ shell, crashPoint: async ({ substep, when }) => { if (substep === 'refresh-hdfs' && when === 'begin') await own.stop(); } });
    const out = await executePlan(c.store, plan.id, ex, 'alice', opts(c));
    expect(out.outcome).toBe('failed');
    const detail = out.outcome === 'failed' ? out.results[0].hosts[0].detail : '';
    expect(detail).toMatch(/^in the HDFS exclude file .* NameNode not refreshed; .*stopped: /);
    expect(c.sim.refreshes).toEqual([]);
    expect(linesOf(c.hdfsText(), host(1))).toBe(1);
    const ends = c.store.journal(plan.id).filter((j) => j.kind === 'substep-end' && j.substep === 'refresh-hdfs');
    expect(ends).toHaveLength(1);
    expect(ends[0].ok).toBe(false);
  });

  it('sshd killed while the refresh runs: reported as possibly run, the host recorded as excluded, nothing retried', async () => {
    const c = (cluster = await hadoopCluster());
    const plan = await c.approved([{ action: 'drain', host: host(1) }]);
    const own = await startSshd();
    const shell = new SshShell({ knownHosts: own.writeKnownHosts([NAMENODE, RESOURCEMANAGER]), identityFiles: [own.userKeyPath], agent: false, port: own.port, hosts: { '*.c1.test': { hostname: '127.0.0.1' } }, connectTimeoutMs: 3_000 });
    let release!: () => void;
    const inFlight = c.sim.holdNextRefresh('hdfs', new Promise<void>((r) => (release = r)));
    const running = executePlan(c.store, plan.id, c.executor({ shell }), 'alice', opts(c));
    // Wait until the shim's call reached the simulator (the refresh runs on the NameNode host), then kill sshd and its sessions.
    await inFlight;
    await own.kill();
    const out = await running;
    release();
    await own.stop();
    expect(out.outcome).toBe('failed');
    const detail = out.outcome === 'failed' ? out.results[0].hosts[0].detail : '';
    expect(detail).toMatch(/^in the HDFS exclude file .*NameNode not refreshed; .*stopped: .*hdfs dfsadmin -refreshNodes on nn1\.c1\.test lost its connection before reporting an exit status \(it may or may not have run\)/);
    expect(c.sim.refreshes.filter((r) => r.service === 'yarn')).toEqual([]);
    expect(linesOf(c.hdfsText(), host(1))).toBe(1);
  });
});
