/**
 * The bot killed for real: a child process running the compiled drain executor is sent SIGKILL
 * in the middle of a drain, then `breakfix plan resume` (the compiled CLI, with a breakfix.yml
 * giving the datacenter the hadoop executor over the local shell) finishes it from the journal.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { compiledBuild, moduleUrl } from '../helpers/build.js';
import { OPERATOR_EXCLUDE, fastPolicies, hadoopCluster, host, linesOf, type TestCluster } from '../helpers/hadoop.js';

let build: string;
beforeAll(() => {
  build = compiledBuild();
}, 180_000);

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Run the compiled CLI; resolve with its exit code and output. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(build, 'src/cli.js'), ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('a bot killed with SIGKILL mid-drain, then resumed by breakfix plan resume', () => {
  it('no host lost, none duplicated, every host Decommissioned, one resume in the journal', async () => {
    // Real time: 1,000 blocks at 250 blocks/s, four seconds per DataNode.
    const c = (cluster = await hadoopCluster({ clock: systemClock, blocksPerSecond: 250 }));
    const policies = fastPolicies();
    const config = join(c.dir, 'breakfix.yml');
    writeFileSync(config, JSON.stringify({
      state: c.stateDir,
      policies,
      datacenters: {
        dc1: {
          sources: { inventory: { path: '/nonexistent/inv.tsv' }, health: { path: '/nonexistent/health.tsv' }, hdfs: { url: c.urls.hdfsJmxUrl } },
          drain: { executor: 'hadoop', transport: 'local', allowLocalTransport: { value: true, reason: 'the simulator runs on this machine' }, clusters: { c1: c.control } },
        },
      },
    }, null, 2));
    const plan = await c.approved([1, 2, 3].map((n) => ({ action: 'drain' as const, host: host(n) })));

    const script = join(mkdtempSync(join(tmpdir(), 'bf-bot-')), 'bot.mjs');
    writeFileSync(script, `
      import { loadConfig } from ${JSON.stringify(moduleUrl(build, 'src/config/config.js'))};
      import { PlanStore } from ${JSON.stringify(moduleUrl(build, 'src/plan/store.js'))};
      import { executePlan } from ${JSON.stringify(moduleUrl(build, 'src/exec/executor.js'))};
      import { hadoopExecutorFor } from ${JSON.stringify(moduleUrl(build, 'src/exec/hadoop-setup.js'))};
      const [configPath, planId] = process.argv.slice(2);
      const config = loadConfig(configPath);
      const setup = hadoopExecutorFor(config, 'dc1', config.stateDir, config.policyDir);
      await executePlan(new PlanStore(config.stateDir), planId, setup.executor, 'alice');
      process.stdout.write('finished\\n');
    `);
    const child = spawn(process.execPath, [script, config, plan.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (_code, signal) => r(signal === 'SIGKILL' ? -9 : _code)));
    // Kill it once it follows the decommission: the hosts are excluded and the daemons refreshed.
    const deadline = Date.now() + 20_000;
    while (!c.store.journal(plan.id).some((j) => j.kind === 'event' && j.phase === 'decommissioning')) {
      if (Date.now() > deadline) throw new Error(`the child never reached the follow-up: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);
    expect(c.store.get(plan.id)!.state.state).toBe('executing');
    expect(existsSync(join(c.stateDir, 'locks', 'drain-dc1-c1.json'))).toBe(true);

    // Not spawnSync: the simulated NameNode answers from this process's event loop.
    const r = await cli(['plan', 'resume', plan.id, '--config', config]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`resuming plan ${plan.id} from its journal with the hadoop executor over local`));
    expect(r.stdout).toMatch(/completed: c1: 3 of 3 decommissioned; drained 3 hosts; replication verified/);
    for (const n of [1, 2, 3]) {
      expect(linesOf(c.hdfsText(), host(n))).toBe(1);
      expect(c.sim.controlPlane.dataNode(host(n))!.adminState).toBe('Decommissioned');
    }
    expect(c.hdfsText().startsWith(OPERATOR_EXCLUDE)).toBe(true);
    expect(c.store.get(plan.id)!.state.state).toBe('completed');
    expect(c.store.journal(plan.id).filter((j) => j.kind === 'resume')).toHaveLength(1);
    expect(existsSync(join(c.stateDir, 'locks', 'drain-dc1-c1.json'))).toBe(false);

    const show = await cli(['plan', 'show', plan.id, '--config', config]);
    expect(show.stdout).toMatch(/substep-end {2}drain c1 write \(hdfs\) ok {2}host=nn1\.c1\.test path=\S+dfs\.exclude hosts=\["dn1\.c1\.test","dn2\.c1\.test","dn3\.c1\.test"\]/);
    expect(show.stdout).toMatch(/resume {2}by=\S+ executor=hadoop after=/);
  }, 90_000);
});
