/**
 * The `breakfix` command line. Each subcommand parses its flags here and calls the command
 * module in `commands/` that the Slack front end uses too; modules are imported when their
 * subcommand runs, so `breakfix --help` starts fast. Started by src/cli.ts, which runs this
 * module bundled (dist/src/cli-main.cjs) with its V8 code cache, or as compiled without one.
 *
 * Exit codes: 0 done (an empty plan is done), 1 error or bad input, 2 usage, 3 refused by safety.
 */
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import type { CommandOutput } from '../commands/common.js';

// `breakfix show all | head`: a reader that stops reading is no error of ours (it took what it
// wanted); without this, the next write's EPIPE is an unhandled 'error' event and a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit();
});

const program = new Command();
program
  .name('breakfix')
  .description('Fleet breakfix: reconciliation passes over inventory, health and control plane; safe, budgeted drains.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const common = (c: Command) =>
  c
    .option('--config <file>', 'config file (default: $BREAKFIX_CONFIG, else ./breakfix.yml if present)')
    .option('--state <dir>', 'state directory with pass directories (default: config state, else ./state)')
    .option('--policies <dir>', 'policy directory (default: config policies, else the shipped policies/)')
    .option('--dc <name>', 'datacenter (default: the only one configured or with passes)')
    .option('--json', 'print JSON instead of text');

/** Whether the running command prints JSON (its `--json`): set by {@link emit}, read by {@link liveProgress}. */
let json = false;

/** A flag holding a whole number from `min` to `max`, given as text (`--seed 42`). */
const wholeNumberFlag = (min: number, max: number) => {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z.string().regex(/^\d+$/, expected).transform(Number).refine((n) => n >= min && n <= max, expected);
};

/** A flag holding a positive number, given as text (`--demo-speed 2.5`). */
const positiveNumberFlag = z.string().regex(/^(\d+\.?\d*|\.\d+)$/, 'expected a positive number').transform(Number).refine((n) => n > 0 && Number.isFinite(n), 'expected a positive number');

/** The largest uint32: the shuffle seed's range (src/pass/pick.ts). */
const MAX_SEED = 2 ** 32 - 1;

/** Flags of `demo` that are not plain strings. */
const DemoFlags = z.object({ seed: wholeNumberFlag(0, MAX_SEED) });

/** Flags of `serve` that are not plain strings. `--port 0` asks for any free port. */
const ServeFlags = z.object({
  port: wholeNumberFlag(0, 65535).optional(),
  demoDcs: wholeNumberFlag(1, 9).optional(),
  demoSpeed: positiveNumberFlag.optional(),
});

/**
 * `o`'s flags through `schema`; a value that does not fit is a usage error (exit 2) naming the
 * flag and what was expected: `--seed: expected a whole number from 0 to 4294967295, got "abc"`.
 */
function parseFlags<S extends z.ZodObject>(cmd: Command, schema: S, o: Record<string, unknown>): z.output<S> {
  const r = schema.safeParse(o);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = String(issue.path[0] ?? '');
  const flag = '--' + key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  throw usage(cmd, `${flag}: ${issue.message}, got ${JSON.stringify(o[key])}`);
}

/** Run a command (`o`: its parsed flags, `--json` among them) and print its output as text or JSON; its exit code becomes the process's. */
async function emit(o: { json?: boolean }, run: () => Promise<CommandOutput> | CommandOutput): Promise<void> {
  json = !!o.json;
  const out = await run();
  process.stdout.write((json ? JSON.stringify(out.json, null, 2) : out.text) + '\n');
  process.exitCode = out.exitCode;
}

common(program.command('pass'))
  .description('run a reconciliation pass now: snapshot sources, compute sets, budget, pick, write the plan')
  .option('--inventory <file|url>', 'inventory export (TSV, CSV or JSON)')
  .option('--inventory-mapping <file>', 'YAML column/value mapping to read a foreign inventory export as is')
  .option('--health <file>', 'health check-results file (host, check, status, detail)')
  .option('--hdfs-jmx <file|url>', 'NameNode JMX (NameNodeInfo, FSNamesystem)')
  .option('--hdfs-report <file>', '`hdfs dfsadmin -report` text')
  .option('--yarn-nodes <file|url>', 'ResourceManager REST /ws/v1/cluster/nodes')
  .option('--yarn-jmx <file|url>', 'ResourceManager JMX (RMNMInfo)')
  .option('--yarn-list <file>', '`yarn node -list -all` text')
  .option('--seed <n>', 'shuffle seed (uint32); random when absent, always recorded in the plan')
  .option('--pass-dir <dir>', 'write the pass into exactly this directory')
  .option('--resume <dir>', 're-run a pass from its own directory, writing only missing files')
  .option('--requested-by <who>', 'recorded as the plan\'s requester for the two-person rule (default: the local user)')
  .option('--observe-only', 'write the pass directory but propose nothing (allowed while paused)')
  .option('--no-parse-thread', 'parse every source on this thread (default: the largest, from 4 MiB, in a worker thread on a second core)')
  .option('-q, --quiet', 'no progress on stderr')
  .addHelpText('after', '\nSources come from the config file (breakfix.yml) or, for one-off use, from the flags above.\nExit codes: 0 plan written (possibly empty), 1 bad input, 3 refused by safety (fail closed).')
  .action(async (o, cmd: Command) => {
    const { runPassCommand, PassArgs } = await import('../commands/pass.js');
    const progress = o.quiet || o.json || !process.stderr.isTTY ? undefined : (l: string) => process.stderr.write(`· ${l}\n`);
    const args = parseFlags(cmd, PassArgs, o);
    await emit(o, () => runPassCommand({ ...o, ...args }, progress));
  });

const show = common(program.command('show'))
  .description('the hosts in a named set of the latest pass')
  .argument('[set]', 'set name, e.g. drain-candidates (omit with --list)')
  .option('--all', 'print every host, not the first 20')
  .option('--list', 'list every set with its count')
  .option('--pass <dir>', 'a specific pass directory');
show.action(async (set: string | undefined, o) => {
  const { runShow, runShowList } = await import('../commands/show.js');
  if (o.list || !set) {
    if (!o.list) throw usage(show, 'a set name is required (or --list)');
    return emit(o, () => runShowList(o));
  }
  await emit(o, () => runShow({ ...o, set }));
});

common(program.command('diff'))
  .description('what changed since the previous pass: every set count, or one set host by host')
  .argument('[set]', 'set name')
  .action(async (set: string | undefined, o) => {
    const { runDiff } = await import('../commands/diff.js');
    await emit(o, () => runDiff({ ...o, set }));
  });

common(program.command('why'))
  .description('the sets a host is in, and why it was or was not picked')
  .argument('<host>', 'host name')
  .option('--pass <dir>', 'a specific pass directory')
  .action(async (host: string, o) => {
    const { runWhy } = await import('../commands/why.js');
    await emit(o, () => runWhy({ ...o, host }));
  });

common(program.command('policy'))
  .description('computed caps per cluster with the arithmetic and reasons')
  .argument('[cluster]', 'one cluster')
  .action(async (cluster: string | undefined, o) => {
    const { runPolicy } = await import('../commands/policy.js');
    await emit(o, () => runPolicy({ ...o, cluster }));
  });

/** Execution progress written to stderr as it happens, on a terminal only (stdout keeps the result). */
function liveProgress(): { progress?: (line: string) => void } {
  return process.stderr.isTTY && !json ? { progress: (line) => process.stderr.write(`${line}\n`) } : {};
}

const plan = program.command('plan').description('proposed plans: list, show, approve, reject (the same decision path as a Slack click)');
common(plan.command('list'))
  .description('every stored plan with its state (the newest pass of each datacenter is registered first)')
  .action(async (o) => {
    const { runPlanList } = await import('../commands/plan.js');
    await emit(o, () => runPlanList(o));
  });
common(plan.command('show'))
  .description('one plan: actions, state, history, decisions, execution journal')
  .argument('<id>', 'plan id (breakfix plan list)')
  .action(async (id: string, o) => {
    const { runPlanShow } = await import('../commands/plan.js');
    await emit(o, () => runPlanShow({ ...o, id }));
  });
common(plan.command('approve'))
  .description('approve a proposed plan after fresh re-validation (approvers: $BREAKFIX_APPROVERS, else the local user)')
  .argument('<id>', 'plan id')
  .option('--digest <sha256>', 'the digest you reviewed (default: the stored plan\'s)')
  .option('--execute', 'run it now: the datacenter\'s drain executor (drain: executor: hadoop in breakfix.yml), or the simulated one for demo-* datacenters')
  .addHelpText('after', '\nProgress is printed to stderr on a terminal; every step is journaled (breakfix plan show <id>).\nExit codes: 0 approved (and executed, with --execute), 1 refused or failed (the reason is printed).')
  .action(async (id: string, o) => {
    const { runPlanDecide } = await import('../commands/plan.js');
    await emit(o, () => runPlanDecide({ ...o, id, action: 'approve', ...liveProgress() }));
  });
common(plan.command('resume'))
  .description('resume a plan left executing by a process that died (the bot killed mid-drain), from its journal')
  .argument('<id>', 'plan id (state executing)')
  .addHelpText('after', '\nHosts already excluded are not added again; the replication baseline is the one journaled before the drain.\nExit codes: 0 completed, 1 failed or not resumable (the reason is printed).')
  .action(async (id: string, o) => {
    const { runPlanResume } = await import('../commands/plan.js');
    await emit(o, () => runPlanResume({ ...o, id, ...liveProgress() }));
  });
common(plan.command('reject'))
  .description('reject a proposed plan')
  .argument('<id>', 'plan id')
  .option('--digest <sha256>', 'the digest you reviewed (default: the stored plan\'s)')
  .action(async (id: string, o) => {
    const { runPlanDecide } = await import('../commands/plan.js');
    await emit(o, () => runPlanDecide({ ...o, id, action: 'reject' }));
  });

common(program.command('status'))
  .description('per datacenter (--dc, else every one): the last pass, plans by state, executions running, pause, and the next scheduled pass while a bot schedules it')
  .action(async (o) => {
    const { runStatus } = await import('../commands/status.js');
    await emit(o, () => runStatus(o));
  });

common(program.command('pause'))
  .description('the kill switch: no proposals, approvals or executions in a datacenter until resumed')
  .option('--reason <text>', 'why (kept with the pause and shown on every refusal)')
  .action(async (o) => {
    const { runPause } = await import('../commands/pause.js');
    await emit(o, () => runPause(o));
  });

common(program.command('resume'))
  .description('lift the pause of a datacenter')
  .action(async (o) => {
    const { runResume } = await import('../commands/pause.js');
    await emit(o, () => runResume(o));
  });

common(program.command('retention'))
  .description('compress and remove old pass directories (breakfix.yml retention:, default keep 14d, compress after 2d)')
  .option('--dry-run', 'only print what would be compressed or removed, with the bytes')
  .addHelpText('after', '\nNever touches the two newest passes of a datacenter, nor the pass of a plan proposed, approved or executing.\nWith --dc, only that datacenter. The bot (breakfix serve) runs this every hour. See README, section Retention.')
  .action(async (o) => {
    const { runRetention } = await import('../commands/retention.js');
    await emit(o, () => runRetention(o));
  });

program.command('replay')
  .description('re-run a recorded pass from its own snapshots and policy copy, step by step with the reason for each decision')
  .argument('<pass-dir>', 'a pass directory (state/passes/<dc>/<day>/<time>-<id>)')
  .option('--json', 'print JSON instead of text')
  .addHelpText('after', '\nThe pass is recomputed in a temporary directory; the recorded one is not touched.\nExit codes: 0 the replayed plan has the recorded digest, 1 it does not (or the snapshots changed).')
  .action(async (dir: string, o) => {
    const { runReplay } = await import('../commands/replay.js');
    await emit(o, () => runReplay({ dir }));
  });

const fleet = program.command('fleet').description('run declared health checks on hosts over SSH');
common(fleet.command('run'))
  .description('run one check of policies/healthchecks.yml on a set of the latest pass, or on a hosts file, over SSH')
  .requiredOption('--hosts <set|file>', 'set:NAME (a set of the latest pass, e.g. set:managed) or file:PATH (one host per line); a bare name is a file if one exists there, else a set, and is refused when it is both')
  .argument('<check>', 'the check name, after -- (e.g. -- reachable)')
  .option('--concurrency <n>', 'hosts in flight at once (default: config, else 64)')
  .option('--timeout <ms>', 'command timeout per host in ms (default: the check\'s timeoutMs)')
  .option('--connect-timeout <ms>', 'connect + handshake + auth timeout per host in ms (default 10000)')
  .option('--known-hosts <file>', 'known_hosts file; unknown or changed host keys fail the host (default: config, else ~/.ssh/known_hosts)')
  .option('--identity <file>', 'private key file, repeatable (default: config; ssh-agent via SSH_AUTH_SOCK is tried first)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--user <name>', 'login user (default: config, else the current user)')
  .option('--port <n>', 'SSH port (default: config, else 22)')
  .option('--out <dir>', 'where to write the result files (default <state>/fleet-runs/<time>-<check>/)')
  .addHelpText('after', '\nExamples: breakfix fleet run --hosts set:managed -- reachable\n          breakfix fleet run --hosts file:hosts.txt -- reachable\nSSH settings default to the datacenter\'s `health: { kind: ssh }` source in breakfix.yml.\nWrites results.tsv, one host list per outcome (ok, fail, timeout, unreachable, auth-failed, hostkey-mismatch, hostkey-unknown) and raw/<host>.stdout|stderr.\nExit codes: 0 every host ok, 1 some host not ok or bad input.')
  .action(async (check: string, o) => {
    const { runFleetRun, FleetRunArgs } = await import('../commands/fleet.js');
    const tty = !o.json && process.stderr.isTTY;
    const counts = new Map<string, number>();
    const progress = tty
      ? (done: number, total: number, last: { outcome: string }) => {
          counts.set(last.outcome, (counts.get(last.outcome) ?? 0) + 1);
          const width = 30;
          const fill = Math.round((done / total) * width);
          const tally = [...counts].map(([k, v]) => `${k} ${v}`).join(', ');
          process.stderr.write(`\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${done}/${total} ${tally}\x1b[K${done === total ? '\n' : ''}`);
        }
      : undefined;
    await emit(o, () => runFleetRun({ ...o, ...FleetRunArgs.parse({ ...o, check }) }, progress));
  });

const source = program.command('source').description('work with one source');
source
  .command('inspect')
  .description('parse one source and print each raw set with its count')
  .addOption(new Option('--kind <kind>', 'source kind').choices(['inventory', 'health', 'hdfs-jmx', 'hdfs-report', 'yarn-nodes', 'yarn-jmx', 'yarn-list']).makeOptionMandatory())
  .option('--mapping <file>', 'inventory mapping (YAML)')
  .option('--json', 'print {"sets": {"<name>": [hosts]}}')
  .argument('<location>', 'file or http(s) URL')
  .action(async (location: string, o) => {
    const { runSourceInspect } = await import('../commands/source-inspect.js');
    await emit(o, () => runSourceInspect({ kind: o.kind, location, mapping: o.mapping }));
  });

const demo = program
  .command('demo')
  .description('run passes on the embedded demo fleet (real Alibaba machine inventory, control plane served on loopback)')
  .addOption(new Option('--scenario <name>', 'which scenario').choices(['proposals', 'budget-consumed', 'both']).default('both'))
  .option('--state <dir>', 'where the demo writes its pass directories (default .breakfix/demo; with --drain, .breakfix/demo-drain)')
  .option('--seed <n>', 'shuffle seed', '42')
  .option('--requested-by <who>', 'recorded as the plans\' requester (default: demo)')
  .option('--drain', 'the proposals scenario, its plan approved and executed by the real hadoop drain executor on a simulated control plane (exclude files, refreshNodes shims, NameNode JMX)')
  .option('--ssh', 'with --drain: run the drain commands over SSH to a throwaway sshd on 127.0.0.1 (needs /usr/sbin/sshd)')
  .option('--crash-at <sub-step>', 'with --drain: kill the process (SIGKILL) once the journal records this sub-step (lock, baseline, read, backup, write, verify, refresh-hdfs, refresh-yarn, follow, release)')
  .option('--resume <plan-id>', 'with --drain: finish a plan left executing by --crash-at, from its journal (breakfix plan resume)')
  .addHelpText('after', '\nWith --drain every journaled sub-step and host event is printed as it happens; see README, The drain executor, Try it.')
  .action(async (o) => {
    const { seed } = parseFlags(demo, DemoFlags, o);
    if (o.drain) {
      const { runDemoDrain } = await import('../commands/demo-drain.js');
      await emit(o, () => runDemoDrain({ stateDir: o.state ?? '.breakfix/demo-drain', seed, ssh: !!o.ssh, crashAt: o.crashAt, resume: o.resume, requestedBy: o.requestedBy, print: (l) => process.stdout.write(l + '\n') }));
      return;
    }
    for (const flag of ['ssh', 'crashAt', 'resume'] as const) if (o[flag] !== undefined) throw usage(program, `--${flag.replace('A', '-a')} goes with --drain`);
    o.state ??= '.breakfix/demo';
    const { runDemo } = await import('../commands/demo.js');
    await emit(o, () => runDemo({ scenario: o.scenario, stateDir: o.state, seed, requestedBy: o.requestedBy }));
  });

const serveCmd = common(program.command('serve'));
serveCmd
  .description('run the Slack bot: Socket Mode by default (SLACK_BOT_TOKEN, SLACK_APP_TOKEN), or HTTP with --http (SLACK_SIGNING_SECRET)')
  .option('--http', 'HTTP mode: Slack posts to /slack/events, requests verified with the signing secret')
  .option('--port <n>', 'HTTP port (Socket Mode: the /healthz port); default $PORT, else 3000')
  .option('--demo', 'serve the embedded demo fleet with the simulated executor')
  .option('--demo-dcs <n>', 'with --demo: serve n demo datacenters (demo-dc1, demo-dc2, …) on scheduled passes whose faults progress')
  .option('--schedule <cron>', 'with --demo: cron expression of the demo\'s scheduled passes (default every minute)')
  .option('--demo-speed <x>', 'with --demo: run the simulated drain this many times faster than real time (default 20)')
  .addHelpText('after', '\nAlso: BREAKFIX_CHANNEL (ops channel id), BREAKFIX_APPROVERS (Slack user ids: U012AB3CD,U045EF6GH or dc1=U012AB3CD;dc2=U045EF6GH), SLACK_API_URL (optional),\nor the slack: block of breakfix.yml (channel, approvers with users and groups, two_person_min_hosts, plan_ttl_minutes).\nScheduled passes: datacenters.<dc>.schedule in breakfix.yml (see README, Scheduled passes).\nSee README, section Slack.')
  .action(async (o) => {
    const flags = parseFlags(serveCmd, ServeFlags, o);
    const { serve } = await import('./slack/serve.js');
    process.exitCode = await serve({ ...o, ...flags });
  });

function usage(cmd: Command, message: string): Error {
  cmd.error(`error: ${message}`, { exitCode: 2, code: 'breakfix.usage' });
  return new Error(message);
}

// No top-level await: the bundle src/cli.ts runs is a CommonJS script (what V8 caches compiled).
program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    const err = e as Error;
    const known = err.name === 'InputError' || err.name === 'SafetyError' || err.name === 'ZodError';
    process.stderr.write(`breakfix: ${known ? err.message : err.stack ?? err.message}\n`);
    process.exitCode = err.name === 'SafetyError' ? 3 : 1;
  }
});
