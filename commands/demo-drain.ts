/**
 * `breakfix demo --drain`: the real drain executor on a fresh clone, with no cluster. It starts
 * the Hadoop control-plane simulator (src/demo/hadoop-sim.ts) for the demo fleet — NameNode JMX
 * and ResourceManager REST on 127.0.0.1, real exclude files and the `hdfs` / `yarn` shims under
 * `<state>/lab/` — writes a breakfix.yml whose demo datacenter has
 * `drain: { executor: hadoop, transport: local }` (or `ssh` to a throwaway sshd with `--ssh`),
 * runs a pass, and approves its plan with `--execute` through exactly the code of
 * `breakfix plan approve <id> --execute` ({@link runPlanDecide}). Every journaled sub-step and
 * host event is printed as it is journaled; at the end, the exclude file's diff against the
 * executor's first backup, and where everything is.
 *
 * The demo fleet's clusters share the one simulated NameNode and ResourceManager (the demo
 * control plane serves the whole datacenter), so each cluster's `drain:` entry names the same
 * hosts and files; the executor still takes them one cluster at a time, each under its own lock.
 * Simulated time is the wall clock plus {@link DEMO_STEP_MS} for every wait of the executor
 * between two NameNode reads, so each read shows the blocks left falling however loaded the
 * machine is; the executor's waits and timeouts come from `demo/drain.yml`.
 *
 * `--crash-at <sub-step>` kills the process (SIGKILL) right after the journal records that
 * sub-step; `--resume <plan>` then starts the simulated NameNode and ResourceManager again (they
 * read their exclude files on start, as the daemons do) and finishes the plan from its journal
 * through `breakfix plan resume` ({@link runPlanResume}).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { buildDemoFleet, demoDir, type DemoFleet } from '../src/demo/fleet.js';
import { HadoopSimulator, type HadoopSimulatorUrls } from '../src/demo/hadoop-sim.js';
import { loadConfig } from '../src/config/config.js';
import { SUBSTEPS, type HadoopExecutorOptions } from '../src/exec/hadoop.js';
import { systemClock, type Clock } from '../src/clock.js';
import { runPass } from '../src/pass/run.js';
import { shippedPolicyDir } from '../src/paths.js';
import { PlanStore, type JournalEntry } from '../src/plan/store.js';
import { sshdMissing, startSshd, type TestSshd } from '../src/ssh/lab-sshd.js';
import { eventText, journalText, runPlanDecide, runPlanResume } from './plan.js';
import { failure, type CommandOutput } from './common.js';

/**
 * How far the simulated cluster moves ahead while the executor waits between two NameNode reads:
 * 90 s, three decommission-monitor intervals, 900 blocks of a DataNode at the simulator's 10 blocks/s
 * (a demo DataNode has 500–2,999 blocks to re-replicate, so it shows one to four reads of blocks left).
 */
export const DEMO_STEP_MS = 90_000;

/** The simulated control-plane hosts every demo cluster's `drain:` entry names. */
export const DEMO_NAMENODE = 'namenode.demo.breakfix.test';
export const DEMO_RESOURCEMANAGER = 'resourcemanager.demo.breakfix.test';

/** Arguments of `demo --drain`. */
export interface DemoDrainArgs {
  /** Where the pass, the plan store and the lab (`<state>/lab/`: config, exclude files, policies) go. */
  stateDir: string;
  seed: number;
  /** Run the commands over SSH to a throwaway sshd on 127.0.0.1 (needs /usr/sbin/sshd). */
  ssh?: boolean;
  /** Each line as it happens (the CLI writes them to stdout). */
  print: (line: string) => void;
  /** The approver recorded (default: the local user). */
  user?: string;
  /** Recorded as the plan's requester (default `demo`, so the local user approving is a second person). */
  requestedBy?: string;
  /**
   * Kill this process with SIGKILL right after the journal records the end of this sub-step (one
   * of {@link SUBSTEPS}) in the first cluster that reaches it; the plan is left `executing`.
   */
  crashAt?: string;
  /** Instead of a new pass: resume this plan, left executing by `crashAt`, from its journal. */
  resume?: string;
}

/** Where the lab's files are. */
interface Lab {
  dir: string;
  config: string;
  policies: string;
  hdfsExclude: string;
  yarnExclude: string;
  inventory: string;
  health: string;
}

/**
 * Run the drain demo. Lines go to `args.print` as they happen; the returned text is the closing
 * summary, the JSON has the plan id, outcome and paths. Exit 0 when the plan completed.
 */
export async function runDemoDrain(args: DemoDrainArgs): Promise<CommandOutput> {
  if (args.ssh) {
    const missing = sshdMissing();
    if (missing) return failure(`--ssh needs a local OpenSSH server to start a throwaway sshd on 127.0.0.1: ${missing}. Run without --ssh for the local transport.`);
  }
  if (args.crashAt !== undefined && !(SUBSTEPS as readonly string[]).includes(args.crashAt)) {
    return failure(`--crash-at ${args.crashAt}: expected a sub-step of the drain executor, one of ${SUBSTEPS.join(', ')}`);
  }
  if (args.crashAt !== undefined && args.resume) return failure('--crash-at goes with a new run of the demo, not with --resume');
  const print = args.print;
  const stateDir = resolve(args.stateDir);
  const user = args.user ?? userInfo().username;
  const requestedBy = args.requestedBy ?? 'demo';
  const store = new PlanStore(stateDir);
  const fleet = buildDemoFleet('proposals');
  const lab = labPaths(stateDir);
  if (args.resume) {
    const stored = store.get(args.resume);
    if (!stored || !existsSync(lab.config)) return failure(`no plan ${args.resume} of a drain demo in ${stateDir}: run \`breakfix demo --drain --crash-at <sub-step> --state ${args.stateDir}\` first`);
    if (stored.state.state !== 'executing') return failure(`plan ${args.resume} is ${stored.state.state} (by ${stored.state.by} at ${stored.state.updatedAt}): only a plan left executing is resumed; its journal: npx breakfix plan show ${args.resume} --state ${args.stateDir}`);
  } else {
    writeLab(lab, fleet);
  }

  let ahead = 0;
  const sim = new HadoopSimulator({
    state: fleet,
    hdfsExclude: { path: lab.hdfsExclude, format: 'plain' },
    yarnExclude: { path: lab.yarnExclude, format: 'plain' },
    now: () => Date.now() + ahead,
  });
  const clock: Clock = { now: () => Date.now(), sleep: (ms) => ((ahead += DEMO_STEP_MS), systemClock.sleep(ms)), setTimer: (fn, ms) => systemClock.setTimer(fn, ms) };
  let sshd: TestSshd | undefined;
  try {
    const urls = await sim.start();
    // The NameNode and ResourceManager outlive a killed bot; here they died with the demo, so on
    // a resume they start again and read their exclude files, as the daemons do on start.
    if (args.resume) for (const service of ['hdfs', 'yarn'] as const) sim.refresh(service);
    let transport = `local: commands run by this process's shell`;
    let ssh: Record<string, unknown> | undefined;
    if (args.ssh) {
      sshd = await startSshd();
      const knownHosts = sshd.writeKnownHosts([DEMO_NAMENODE, DEMO_RESOURCEMANAGER]);
      ssh = { knownHosts, identityFiles: [sshd.userKeyPath], agent: false, user: sshd.user, port: sshd.port, hostMap: { '*.demo.breakfix.test': { hostname: '127.0.0.1' } } };
      transport = `ssh: a throwaway OpenSSH sshd on 127.0.0.1:${sshd.port}, host keys verified against ${knownHosts}`;
    }
    writeConfig(lab, stateDir, fleet, urls, ssh);

    print(`━━ breakfix demo --drain${args.resume ? ` --resume ${args.resume}` : ''} — the real drain executor on a simulated Hadoop control plane`);
    print(`fleet: ${fleet.description}`);
    print(`NameNode ${urls.hdfsJmxUrl} and ResourceManager ${urls.yarnNodesUrl} (simulated, this process; ${DEMO_STEP_MS / 1000} s pass there per wait of the executor${args.resume ? '; started again, they read their exclude files' : ''});`);
    print(`  their hdfs / yarn shims: ${urls.binDir}`);
    print(`transport: ${transport}`);
    print(`config: ${lab.config}  (drain: { executor: hadoop, transport: ${args.ssh ? 'ssh' : 'local'} })`);
    print('');

    let planId: string;
    let tail: () => void;
    let out: CommandOutput;
    if (args.resume) {
      planId = args.resume;
      const prior = store.journal(planId);
      const last = prior[prior.length - 1];
      print(`breakfix plan resume ${planId} --config ${lab.config}`);
      print(`   the journal has ${prior.length} entries, the last: ${last ? `${last.at.slice(11, 23)}  ${entryLine(last).trim()}` : 'none'}. From there, as it is written:`);
      tail = journalTail(store, planId, print, prior.length, store.decisions(planId).length);
      out = await whileTailing(tail, () => runPlanResume({ config: lab.config, id: planId, executorOptions: { clock } }, { user, now: new Date() }));
    } else {
      const dc = fleet.dc;
      const config = loadConfig(lab.config);
      const pass = await runPass({ dc, sources: config.datacenters[dc].sources, policyDir: lab.policies, stateDir, seed: args.seed, register: { requestedBy } });
      if (pass.summary.result !== 'ok' || !pass.plan || pass.plan.actions.length === 0) {
        return failure(`the demo pass proposed nothing to drain (${pass.summary.result}: ${pass.summary.reasons.join('; ') || pass.plan?.emptyReason}); files: ${pass.dir}`);
      }
      const plan = pass.plan;
      planId = plan.id;
      print(`1. pass ${pass.dir}`);
      print(`   plan ${plan.id} (requested by ${requestedBy}): ${plan.actions.length} actions`);
      for (const a of plan.actions) print(`     ${a.action.padEnd(12)} ${a.host}  ${a.cluster}, group ${a.dataGroup ?? '-'}: ${a.reason}`);
      const before = readFileSync(lab.hdfsExclude, 'utf8');
      print(`2. HDFS exclude file before: ${lab.hdfsExclude} (${hostLines(before).length} hosts already out)`);
      print('');
      print(`3. breakfix plan approve ${plan.id} --execute --config ${lab.config}`);
      print(`   approver ${user}: the local user, authorized because the demo sets no BREAKFIX_APPROVERS; the requester is "${requestedBy}"`);
      print('   (the two-person rule is off, as in `npm run demo`). Journal, as it is written:');
      const tailer = journalTail(store, plan.id, print);
      tail = tailer;
      const crashPoint: HadoopExecutorOptions['crashPoint'] = args.crashAt === undefined ? undefined : async (at) => {
        if (at.substep !== args.crashAt || at.when !== 'end') return;
        tailer();
        print(`   ✗ killed (SIGKILL) right after the journal recorded: ${at.step} ${at.cluster} ${at.substep} ok. The plan stays executing.`);
        print(`Finish it from the journal: npx breakfix demo --drain --resume ${plan.id} --state ${args.stateDir}${args.ssh ? ' --ssh' : ''}`);
        print('  (it starts the simulated NameNode and ResourceManager again and runs `breakfix plan resume` on the same config)');
        await sshd?.stop();
        await sim.close();
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      };
      out = await whileTailing(tail, () => runPlanDecide({ config: lab.config, id: plan.id, action: 'approve', execute: true, executorOptions: { clock, crashPoint } }, { user, now: new Date() }));
    }
    tail();

    const json = out.json as { execution?: { outcome: string } } | undefined;
    const outcome = json?.execution?.outcome ?? 'not executed';
    print('');
    if (outcome !== 'completed') print(out.text);
    print(`4. ${outcome}: plan ${planId} is ${store.get(planId)?.state.state}`);
    const backups = store.journal(planId).filter((j) => j.kind === 'substep-end' && j.substep === 'backup' && j.ok === true && j.file === 'hdfs').map((j) => String(j.backup));
    const first = backups[0];
    if (first && existsSync(first)) {
      print(`   HDFS exclude file after, against the executor's first backup (diff -u):`);
      for (const l of unifiedDiff(first, lab.hdfsExclude)) print(`     ${l}`);
    }
    print(`   the executor's backups of it, one per write (${backups.length}):`);
    for (const b of backups) print(`     ${b}`);
    print('');
    const planDir = store.dir(planId);
    const text = [
      'Where it is:',
      `  journal        ${join(planDir, 'journal.jsonl')}`,
      `  plan           ${join(planDir, 'plan.json')}   (decisions.jsonl, state.json beside it)`,
      `  exclude files  ${lab.hdfsExclude}, ${lab.yarnExclude}`,
      `  config         ${lab.config}`,
      `Read the journal: npx breakfix plan show ${planId} --state ${args.stateDir}`,
    ].join('\n');
    return {
      text,
      json: { planId, outcome, stateDir, planDir, journal: join(planDir, 'journal.jsonl'), hdfsExclude: lab.hdfsExclude, yarnExclude: lab.yarnExclude, backups, config: lab.config, transport: args.ssh ? 'ssh' : 'local' },
      exitCode: outcome === 'completed' ? 0 : 1,
    };
  } finally {
    await sshd?.stop();
    await sim.close();
  }
}

/** Run `work`, printing the journal every 50 ms meanwhile. */
async function whileTailing<T>(tail: () => void, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(tail, 50);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function labPaths(stateDir: string): Lab {
  const dir = join(stateDir, 'lab');
  return {
    dir, config: join(dir, 'breakfix.yml'), policies: join(dir, 'policies'),
    hdfsExclude: join(dir, 'namenode', 'dfs.exclude'), yarnExclude: join(dir, 'resourcemanager', 'yarn.exclude'),
    inventory: join(dir, 'sources', 'inventory.tsv'), health: join(dir, 'sources', 'health.tsv'),
  };
}

/**
 * The lab: the demo fleet's sources, the exclude files as a real cluster has them (every host
 * the NameNode shows out of service is in dfs.exclude, every NodeManager decommissioned in
 * yarn.exclude, or the first refresh would return them all to service), and the shipped
 * policies with demo/drain.yml as drain.yml.
 */
function writeLab(lab: Lab, fleet: DemoFleet): void {
  for (const d of ['namenode', 'resourcemanager', 'sources']) mkdirSync(join(lab.dir, d), { recursive: true });
  writeFileSync(lab.inventory, fleet.inventoryTsv);
  writeFileSync(lab.health, fleet.healthTsv);
  const outHdfs = fleet.dataNodes.filter((d) => d.adminState !== 'In Service').map((d) => d.host);
  const outYarn = fleet.nodeManagers.filter((n) => n.state === 'DECOMMISSIONED' || n.state === 'DECOMMISSIONING').map((n) => n.host);
  writeFileSync(lab.hdfsExclude, `# dfs.hosts.exclude of the demo datacenter (written by breakfix demo --drain)\n# hosts out of service before the demo:\n${outHdfs.map((h) => `${h}\n`).join('')}`);
  writeFileSync(lab.yarnExclude, `# yarn.resourcemanager.nodes.exclude-path of the demo datacenter\n${outYarn.map((h) => `${h}\n`).join('')}`);
  // A copy of files, never of links: drain.yml is replaced in the copy, not where it came from.
  rmSync(lab.policies, { recursive: true, force: true });
  cpSync(shippedPolicyDir(), lab.policies, { recursive: true, dereference: true });
  rmSync(join(lab.policies, 'drain.yml'));
  copyFileSync(join(demoDir(), 'drain.yml'), join(lab.policies, 'drain.yml'));
}

/** breakfix.yml for the demo datacenter (JSON, which is YAML): its sources and its `drain:` block. */
function writeConfig(lab: Lab, stateDir: string, fleet: DemoFleet, urls: HadoopSimulatorUrls, ssh: Record<string, unknown> | undefined): void {
  const control = {
    namenode: { host: DEMO_NAMENODE, jmx: urls.hdfsJmxUrl, exclude: { path: lab.hdfsExclude, format: 'plain' }, refresh: [join(urls.binDir, 'hdfs'), 'dfsadmin', '-refreshNodes'] },
    resourcemanager: {
      host: DEMO_RESOURCEMANAGER, exclude: { path: lab.yarnExclude, format: 'plain' },
      refresh: [join(urls.binDir, 'yarn'), 'rmadmin', '-refreshNodes', '-g', '{timeout}', '-client'],
      recommission: [join(urls.binDir, 'yarn'), 'rmadmin', '-refreshNodes'],
    },
  };
  const config = {
    state: stateDir,
    policies: lab.policies,
    datacenters: {
      [fleet.dc]: {
        sources: { inventory: { path: lab.inventory }, health: { path: lab.health }, hdfs: { kind: 'hdfs-jmx', url: urls.hdfsJmxUrl }, yarn: { kind: 'yarn-nodes', url: urls.yarnNodesUrl } },
        drain: { executor: 'hadoop', transport: ssh ? 'ssh' : 'local', ...(ssh ? { ssh } : { allowLocalTransport: { value: true, reason: 'the demo\'s simulated NameNode and ResourceManager run in this process, their exclude files in the lab directory' } }), clusters: Object.fromEntries(fleet.clusters.map((c) => [c.name, control])) },
      },
    },
  };
  writeFileSync(lab.config, `# breakfix demo --drain: the demo datacenter, drained by the hadoop executor\n${JSON.stringify(config, null, 2)}\n`);
}

/** A function that prints the decisions and journal entries written since it last ran (decommissioning ticks included). */
function journalTail(store: PlanStore, planId: string, print: (line: string) => void, seenEntries = 0, seenDecisions = 0): () => void {
  let seen = seenEntries;
  let decided = seenDecisions;
  return () => {
    const decisions = store.decisions(planId);
    for (const d of decisions.slice(decided)) print(`   ${d.at.slice(11, 23)}  decision: ${d.user} ${d.action} → ${d.outcome}: ${d.detail.split('\n')[0]}`);
    decided = decisions.length;
    const entries = store.journal(planId);
    for (const j of entries.slice(seen)) print(`   ${j.at.slice(11, 23)}  ${entryLine(j)}`);
    seen = entries.length;
  };
}

function entryLine(j: JournalEntry): string {
  const e = j as Record<string, unknown>;
  switch (j.kind) {
    case 'event': return `    ${eventText(e as unknown as Parameters<typeof eventText>[0])}`;
    case 'substep-begin':
    case 'substep-end': return `  ${substepLine(e)}`;
    case 'step-begin': return `step-begin ${String(e.step)}: ${(e.hosts as string[]).join(' ')}`;
    case 'step-end': return `step-end ${String(e.step)} ok=${String(e.ok)}: ${String(e.summary)}`;
    case 'start': return `start by ${String(e.by)}, executor ${String(e.executor)}, digest ${String(e.digest).slice(0, 12)}`;
    default: return `${j.kind} ${journalText(e)}`;
  }
}

/**
 * A sub-step in a screen line: `✓ drain hdp-prod-a write (hdfs)  hosts=m-1 m-2 writeSha256=3189a0a7cf2b`.
 * Digests are cut to 12 characters, commands to their program's name; `breakfix plan show` has it all.
 */
function substepLine(e: Record<string, unknown>): string {
  const { at: _at, kind, step, cluster, substep, file, ok, error, host: _host, path: _path, ...more } = e;
  const head = `${String(step)} ${String(cluster)} ${String(substep)}${file ? ` (${String(file)})` : ''}`;
  if (kind === 'substep-begin') return `▸ ${head}`;
  if (ok !== true) return `✗ ${head} FAILED: ${String(error)}`;
  const facts = Object.entries(more).filter(([k, v]) => !(Array.isArray(v) && v.length === 0) && !(substep === 'write' && k === 'backup')).map(([k, v]) => `${k}=${shortValue(k, v)}`);
  return `✓ ${head}${facts.length ? `  ${facts.join(' ')}` : ''}`;
}

function shortValue(key: string, v: unknown): string {
  if (typeof v === 'string') return /^[0-9a-f]{64}$/.test(v) ? v.slice(0, 12) : v;
  if (Array.isArray(v)) return (key === 'argv' ? [basename(String(v[0])), ...v.slice(1)] : v).map(String).join(' ');
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}:${String(x)}`).join(',');
  return String(v);
}

function hostLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** `diff -u a b` (exit 1 means the files differ, which is the point). */
function unifiedDiff(a: string, b: string): string[] {
  try {
    execFileSync('diff', ['-u', a, b], { encoding: 'utf8' });
    return ['(no difference)'];
  } catch (e) {
    const err = e as { status?: number; stdout?: string; message: string };
    if (err.status === 1 && err.stdout) return err.stdout.trimEnd().split('\n');
    return [`(diff -u failed: ${err.message})`];
  }
}
