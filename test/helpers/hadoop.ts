/**
 * A cluster for drain-executor tests: real exclude files in a temporary directory, the Hadoop
 * control-plane simulator reading them (NameNode JMX and ResourceManager REST on loopback, the
 * `hdfs` / `yarn` shims), a plan store with an approved plan, and the executor's config pointing
 * at all of it. Time is a virtual clock shared by the executor and the simulator.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HadoopSimulator, type HadoopSimulatorUrls } from '../../src/demo/hadoop-sim.js';
import { HadoopExecutor, type HadoopExecutorOptions } from '../../src/exec/hadoop.js';
import type { ClusterControl, DrainPolicy } from '../../src/exec/hadoop-config.js';
import type { ExcludeFormat } from '../../src/exec/hostfiles.js';
import { virtualClock } from '../../src/exec/simulated.js';
import type { Clock } from '../../src/clock.js';
import { planDigest, type Plan } from '../../src/pass/reconcile.js';
import { PlanStore } from '../../src/plan/store.js';
import type { HdfsAdminState } from '../../src/sources/types.js';
import type { RemoteShell } from '../../src/ssh/remote.js';
import { LocalShell } from '../../src/ssh/local.js';

export const host = (n: number) => `dn${n}.c1.test`;
export const NAMENODE = 'nn1.c1.test';
export const RESOURCEMANAGER = 'rm1.c1.test';

/** The policy of the tests: a 30 s poll, 2 h decommission timeout, 3 JMX errors in a row. */
export const TEST_POLICY: DrainPolicy = {
  pollMs: 30_000, decommissionTimeoutMs: 2 * 3_600_000, recommissionTimeoutMs: 15 * 60_000,
  yarnGracefulTimeoutSeconds: 3600, commandTimeoutMs: 20_000, jmxErrorsInARow: 3, leaseTtlMs: 10 * 60_000,
};

/** Options of {@link hadoopCluster}. */
export interface ClusterOptions {
  /** Initial HDFS exclude file text (default: an operator's file with a comment and one host). */
  hdfsExclude?: string;
  hdfsFormat?: ExcludeFormat;
  yarnExclude?: string;
  yarnFormat?: ExcludeFormat;
  /** DataNodes dn1..dnN (default 6); admin states to override. */
  dataNodes?: number;
  states?: Record<string, HdfsAdminState>;
  clock?: Clock;
  /** Re-replication speed of the simulator, blocks per second per DataNode (default 10; 1,000 blocks each). */
  blocksPerSecond?: number;
  /** The simulator's `yarn … -client` refresh blocks as Hadoop's does (default: it returns at once). */
  yarnClientBlocks?: boolean;
  /** How long a decommissioning NodeManager takes on the simulator's clock (default 60 s). */
  yarnDrainMs?: number;
}

export const OPERATOR_EXCLUDE = '# retired by ops, OPS-4411\nold7.c1.test\n\n# keep this line\n';

export type TestCluster = Awaited<ReturnType<typeof hadoopCluster>>;

/** Start a simulated cluster with its exclude files. Call `close()` at the end. */
export async function hadoopCluster(o: ClusterOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bf-drain-'));
  const hdfsPath = join(dir, 'dfs.exclude');
  const yarnPath = join(dir, 'yarn.exclude');
  writeFileSync(hdfsPath, o.hdfsExclude ?? OPERATOR_EXCLUDE);
  writeFileSync(yarnPath, o.yarnExclude ?? '');
  const clock = o.clock ?? virtualClock(Date.parse('2026-12-01T10:00:00Z'));
  const hosts = Array.from({ length: o.dataNodes ?? 6 }, (_, i) => host(i + 1));
  const sim = new HadoopSimulator({
    state: {
      dataNodes: hosts.map((h) => ({ host: h, live: true, adminState: o.states?.[h] ?? 'In Service', rack: '/r1', upgradeDomain: 'ud1' })),
      nodeManagers: hosts.map((h) => ({ host: h, state: 'RUNNING' as const, rack: '/r1', healthReport: '' })),
      blocks: { underReplicatedBlocks: 5, missingBlocks: 0 },
    },
    hdfsExclude: { path: hdfsPath, format: o.hdfsFormat ?? 'plain' },
    yarnExclude: { path: yarnPath, format: o.yarnFormat ?? 'plain' },
    now: () => clock.now(),
    blocksOf: () => 1_000,
    blocksPerSecond: o.blocksPerSecond ?? 10,
    ...(o.yarnClientBlocks ? { yarnClientBlocks: true } : {}),
    ...(o.yarnDrainMs !== undefined ? { yarnDrainMs: o.yarnDrainMs } : {}),
  });
  const urls: HadoopSimulatorUrls = await sim.start();
  const control: ClusterControl = {
    namenode: { host: NAMENODE, jmx: urls.hdfsJmxUrl, exclude: { path: hdfsPath, format: o.hdfsFormat ?? 'plain' }, refresh: [join(urls.binDir, 'hdfs'), 'dfsadmin', '-refreshNodes'] },
    resourcemanager: {
      host: RESOURCEMANAGER, exclude: { path: yarnPath, format: o.yarnFormat ?? 'plain' },
      refresh: [join(urls.binDir, 'yarn'), 'rmadmin', '-refreshNodes', '-g', '{timeout}', '-client'],
      recommission: [join(urls.binDir, 'yarn'), 'rmadmin', '-refreshNodes'],
    },
  };
  const stateDir = mkdtempSync(join(tmpdir(), 'bf-drain-state-'));
  const store = new PlanStore(stateDir, { now: () => new Date(clock.now()) });
  const shells: RemoteShell[] = [];
  return {
    dir, hdfsPath, yarnPath, clock, sim, urls, control, store, stateDir,
    hdfsText: () => readFileSync(hdfsPath, 'utf8'),
    yarnText: () => readFileSync(yarnPath, 'utf8'),
    /** A fresh executor (a fresh "bot"); `shell` defaults to a LocalShell. */
    executor(extra: Partial<HadoopExecutorOptions> = {}) {
      const shell = extra.shell ?? new LocalShell();
      shells.push(shell);
      return new HadoopExecutor({ dc: 'dc1', clusters: { c1: control }, shell, policy: TEST_POLICY, lockDir: join(stateDir, 'locks'), clock, ...extra });
    },
    /** Register and approve a plan of these actions (cluster c1). */
    async approved(actions: { action: 'drain' | 'recommission'; host: string }[], passId = 'aaaa0001'): Promise<Plan> {
      const full = actions.map((a) => ({ ...a, cluster: 'c1', rack: 'r1', dataGroup: 'ud1', reason: 'failing disk' }));
      const core = { id: `dc1-${passId}`, dc: 'dc1', seed: 1, policyDigest: 'p'.repeat(64), sourceDigests: {}, actions: full };
      const plan: Plan = { ...core, passId, createdAt: new Date(clock.now()).toISOString(), digest: planDigest(core), clusters: [], passedOver: [], emptyReason: null };
      await store.register(plan, '/nonexistent/pass');
      expect((await store.transition(plan.id, ['proposed'], 'approved', 'alice')).ok).toBe(true);
      return plan;
    },
    async close() {
      for (const s of shells) await s.close();
      await sim.close();
    },
  };
}

/** How many times `h` appears as an exclude-file line. */
export function linesOf(text: string, h: string): number {
  return text.split('\n').filter((l) => l.trim() === h).length;
}

/** A policy directory like the shipped one, with a 100 ms drain poll, for tests in real time. */
export function fastPolicies(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-policies-'));
  cpSync(join(import.meta.dirname, '../../policies'), dir, { recursive: true });
  writeFileSync(join(dir, 'drain.yml'), [
    'pollSeconds: { value: 0.1, reason: tests run in real time }',
    'decommissionTimeoutMinutes: { value: 2, reason: a test drain takes seconds }',
    'recommissionTimeoutMinutes: { value: 1, reason: same }',
    'yarnGracefulTimeoutSeconds: { value: 60, reason: same }',
    'commandTimeoutSeconds: { value: 20, reason: a loaded CI machine }',
    'jmxErrorsInARow: { value: 3, reason: same }',
    'leaseTtlMinutes: { value: 10, reason: same }',
    '',
  ].join('\n'));
  return dir;
}
