/**
 * What the bot does, knowing nothing of Bolt (STYLE.md: the decision service behind a thin
 * adapter). It talks to Slack through {@link SlackPort} (post, update, ephemeral), runs the same
 * command modules as the CLI, and approves through the same contract (`runPlanDecide` →
 * `decide()`), so a click and `breakfix plan approve` cannot disagree.
 */
import { execFile } from 'node:child_process';
import { setPriority } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { latestPass, resolveContext, resolveDc, type CommandOutput, type CommonOptions } from '../../commands/common.js';
import { packageRoot } from '../paths.js';
import { readPause } from '../plan/pause.js';
import { DC_NAME } from '../config/config.js';
import { runPause, runResume } from '../../commands/pause.js';
import { runReadCommand, type CommandAnswerer, type CommandRunner, type ReadCommand } from './commands.js';
import { PlanStore, readPlanFile } from '../plan/store.js';
import { decisionUpdate, helpText, noteMessage, proposalMessage, textMessage, truncate, type SlackMessage } from './messages.js';
import { approverGroupsOf, approversOf, type SlackSettings } from './settings.js';
import { ThreadProgress } from './progress.js';
import { notInChannelReason, slackErrorCode } from './respond.js';
import type { Decision } from '../plan/approval.js';
import type { Clock } from '../clock.js';

/**
 * A clock made by `make` the first time it is read. The demo's scaled clock runs many times
 * faster than real time: started at the click, the seconds a re-validation takes under load
 * would read as more than the approval's TTL by the time execution checks it.
 */
function startsOnFirstUse(make: () => Clock): Clock {
  let clock: Clock | undefined;
  return { now: () => (clock ??= make()).now(), sleep: (ms) => (clock ??= make()).sleep(ms), setTimer: (fn, ms) => (clock ??= make()).setTimer(fn, ms) };
}

/**
 * The narrow way the service talks to Slack. A Slack refusal rejects with the Web API client's
 * error (its code read by `slackErrorCode`).
 */
export interface SlackPort {
  postMessage(channel: string, msg: SlackMessage, threadTs?: string): Promise<{ ts?: string }>;
  updateMessage(channel: string, ts: string, msg: SlackMessage): Promise<void>;
  postEphemeral(channel: string, user: string, msg: SlackMessage): Promise<void>;
  /**
   * Answer the person who ran a slash command through its `response_url`, ephemerally (see
   * src/slack/respond.ts): where the bot cannot post (a DM, a channel it is not in). Without
   * it such answers are only logged.
   */
  respond?(responseUrl: string, msg: SlackMessage): Promise<void>;
}

/**
 * Runs one pass for `dc` off the event loop; resolves when its pass directory is written. With
 * `{ propose: false }` the pass is written but registers no proposal (the scheduled loop while
 * the datacenter is paused). `onStart` is called when the pass really starts (after waiting for
 * another pass of the datacenter, see `onePassAtATime`); a runner that never waits may not call it.
 */
export type PassRunner = (dc: string, requestedBy: string, opts?: { propose?: boolean; onStart?: () => void }) => Promise<{ exitCode: number; output: string }>;

/** Options of {@link BreakfixService}. */
export interface ServiceOptions {
  settings: Pick<SlackSettings, 'approvers' | 'twoPersonMinHosts' | 'channel'> & Partial<Pick<SlackSettings, 'approverGroups' | 'planTtlMs'>>;
  /** Config, state and policy directories, as the CLI's flags would give them. */
  common: CommonOptions;
  /** Serve the embedded demo fleet: approvals execute with the simulated executor. (Datacenters with `drain: executor: hadoop` always execute on approval.) */
  demo: boolean;
  /** The datacenter meant when a command names none and it cannot be resolved otherwise (the demo's). */
  defaultDc?: string;
  /** The datacenters the bot serves; a command naming another is refused. Default: any well-formed name. */
  datacenters?: readonly string[];
  runPass: PassRunner;
  /**
   * Where read-only commands (`status`, `show`, `diff`, `why`, `policy`) run. Default: this
   * thread; `breakfix serve` uses a worker-thread pool ({@link startCommandPool}) so their reads
   * never delay an acknowledgement.
   */
  runCommand?: CommandRunner;
  /** Runs a read-only command and posts its answer elsewhere (the pool's worker threads); wins over `runCommand`. */
  answerCommand?: CommandAnswerer;
  /** Time of the simulated executor for demo approvals (default: virtual, done at once); `serve --demo` runs it faster than real time. */
  demoClock?: () => Clock;
  /** The time a click is decided at (expiry); default the system clock. Tests move it. */
  now?: () => Date;
  /** Least time between two progress flushes in a thread, ms (default 2,000). */
  progressThrottleMs?: number;
  /** Members of a Slack user group (`usergroups.users.list`); needed when approvers name groups. */
  groupMembers?: (groupId: string) => Promise<readonly string[]>;
  log: Logger;
}

/** A slash command as the service sees it. */
export interface CommandInput {
  text: string;
  user: string;
  channel: string;
  /** The command's `response_url`: answers reach the user through it when the bot cannot post in `channel`. */
  responseUrl?: string;
}

/** What to answer at once (ephemeral), and the work to do after acknowledging. */
export interface CommandPlan {
  ack: string;
  work?: () => Promise<void>;
}

/** A button click. */
export interface ClickInput {
  action: 'approve' | 'reject';
  planId: string;
  digest: string;
  user: string;
  channel: string;
  /** The proposal message's ts and content (to update it in place). */
  messageTs: string;
  message: SlackMessage;
}

/** What a click came to (for logs and tests). */
export interface ClickResult {
  outcome: string;
  executed: boolean;
}


/**
 * What the bot does, without Bolt: a slash command (`command(input)`) returns the immediate ack
 * and posts the rest through the narrow {@link SlackPort}; a button click (`click(input)`) goes
 * through the approval contract (`decide()` via `runPlanDecide`) and updates the message.
 * Errors from commands are answered to the user, never thrown to Bolt.
 */
export class BreakfixService {
  /** Datacenters with a pass running now: one at a time each. */
  private readonly passing = new Set<string>();

  constructor(private readonly slack: SlackPort, private readonly opts: ServiceOptions) {}

  /** Plan the answer to `/breakfix <text>`. Never throws: errors become the reply. */
  command(input: CommandInput): CommandPlan {
    const [sub = 'help', ...args] = input.text.trim().split(/\s+/).filter(Boolean);
    const reply = (title: string, run: () => Promise<CommandOutput> | CommandOutput): CommandPlan => ({
      ack: `working on \`${truncate(input.text.trim(), 100)}\`…`,
      work: async () => {
        const out = await this.guard(run);
        await this.answer(input, textMessage(title, out.text));
      },
    });
    const read = (title: string, cmd: () => ReadCommand): CommandPlan => {
      const answer = this.opts.answerCommand;
      if (!answer) return reply(title, () => (this.opts.runCommand ?? runReadCommand)(cmd()));
      // The worker runs the command and posts the answer: nothing but the ack on this thread.
      return {
        ack: `working on \`${truncate(input.text.trim(), 100)}\`…`,
        work: async () => {
          let c: ReadCommand;
          try {
            c = cmd();
          } catch (e) {
            await this.answer(input, textMessage(title, (e as Error).message));
            return;
          }
          const r = await answer(c, { channel: input.channel, user: input.user, title, ...(input.responseUrl ? { responseUrl: input.responseUrl } : {}) });
          if (r.error) this.opts.log.warn({ err: { message: r.error } }, 'command failed');
        },
      };
    };
    // Hints in the answers ("run … first") name the slash command, not the CLI's.
    const o: CommonOptions = { ...this.opts.common, surface: 'slack' };
    switch (sub) {
      case 'help': return { ack: helpText() };
      case 'pass': return this.pass(input, args[0]);
      // Every datacenter when several are served and none is named.
      case 'status': return read('status', () => ({ name: 'status', args: { ...o, ...(!args[0] && (this.opts.datacenters?.length ?? 0) > 1 ? {} : { dc: this.dc(args[0]) }) } }));
      case 'show':
        if (!args[0]) return { ack: helpText('show (a set name is required)') };
        return read(`show ${args[0]}`, () => ({ name: 'show', args: { ...o, dc: this.dc(args[1]), set: args[0] } }));
      case 'diff': return read('diff', () => ({ name: 'diff', args: { ...o, dc: this.dc(args[1]), ...(args[0] ? { set: args[0] } : {}) } }));
      case 'why':
        if (!args[0]) return { ack: helpText('why (a host name is required)') };
        return read(`why ${args[0]}`, () => ({ name: 'why', args: { ...o, dc: this.dc(undefined), host: args[0] } }));
      case 'policy': return read('policy', () => ({ name: 'policy', args: { ...o, dc: this.dc(undefined), ...(args[0] ? { cluster: args[0] } : {}) } }));
      case 'pause':
      case 'resume': return reply(sub, () => this.pauseOrResume(sub, args, input.user));
      default: return { ack: helpText(sub) };
    }
  }

  /** Approve or reject a proposal through the approval contract; update the message or explain the refusal. */
  async click(input: ClickInput): Promise<ClickResult> {
    const log = this.opts.log.child({ planId: input.planId, user: input.user, action: input.action });
    const store = new PlanStore(this.stateDir());
    const stored = store.get(input.planId);
    if (!stored) {
      // Without the stored plan there are no approvers to check against, and runPlanDecide
      // would authorize the local user when given none: refuse (fail closed).
      await this.slack.postEphemeral(input.channel, input.user, textMessage('not done', `no plan ${input.planId} in the plan store: run a new pass (/breakfix pass)`));
      return { outcome: 'not_found', executed: false };
    }
    const approvers = approversOf(this.opts.settings, stored.plan.dc);
    const groups = await this.groupsOf(stored.plan.dc, input.user);
    if (approvers.length === 0 && groups.approverGroups.length === 0) {
      // runPlanDecide would authorize the local user when given no approvers: never from Slack.
      await this.slack.postEphemeral(input.channel, input.user, textMessage('not approved', `no approver is configured for ${stored.plan.dc}`));
      return { outcome: 'not_authorized', executed: false };
    }
    const { runPlanDecide } = await import('../../commands/plan.js');
    // The CLI's notes and its per-event progress lines ("  <ISO time>  <host> <phase>") are not
    // for Slack: the thread has the progress already.
    const notes = (text: string) => text.split('\n').filter((l) => !l.startsWith('note: ') && !/^ {2}\d{4}-\d\d-\d\dT/.test(l)).join('\n');
    const showDecision = (outcome: 'approved' | 'rejected', at: string) =>
      this.slack.updateMessage(input.channel, input.messageTs, decisionUpdate(input.message, { outcome, by: input.user, at }));
    // Approvals that execute (demo or hadoop executor): the message shows the approval and the
    // thread the progress as soon as the decision is made, not when the drain is done.
    let progress: ThreadProgress | undefined;
    const onDecided = async (d: Decision) => {
      if (d.outcome !== 'approved') return;
      // The approval is recorded; a failed message update must not keep it from executing.
      await showDecision('approved', d.at).catch((e: Error) => log.warn({ err: { name: e.name, message: e.message } }, 'approval not shown on the message'));
      progress = new ThreadProgress({
        slack: this.slack, channel: input.channel, threadTs: input.messageTs, planId: d.plan.id, hosts: d.plan.actions.map((a) => a.host),
        ...(this.opts.progressThrottleMs !== undefined ? { throttleMs: this.opts.progressThrottleMs } : {}),
        onError: (e) => log.warn({ err: { name: e.name, message: e.message } }, 'progress not posted'),
      });
      await progress.start();
    };
    const out = await this.guard(() => runPlanDecide(
      { ...this.opts.common, id: input.planId, action: input.action, digest: input.digest, execute: input.action === 'approve' && (this.opts.demo || this.hasDrainExecutor(stored.plan.dc)) },
      {
        user: input.user, approvers: approvers.join(','), now: this.opts.now?.() ?? new Date(),
        ...(this.opts.settings.twoPersonMinHosts ? { twoPersonMinHosts: String(this.opts.settings.twoPersonMinHosts) } : {}),
        ...(this.opts.settings.planTtlMs ? { ttlMs: this.opts.settings.planTtlMs } : {}),
        ...(groups.approverGroups.length ? groups : {}),
        onDecided, onEvent: (e) => progress?.event(e),
        ...(this.opts.demoClock ? { clock: startsOnFirstUse(this.opts.demoClock) } : {}),
      },
    ));
    const json = out.json as { decision?: { outcome: string; by?: string; at?: string }; execution?: { outcome: string } | null } | undefined;
    const d = json?.decision;
    log.info({ outcome: d?.outcome ?? 'error', execution: json?.execution?.outcome ?? null }, 'click decided');
    if (d && (d.outcome === 'approved' || d.outcome === 'rejected')) {
      if (!progress) await showDecision(d.outcome, d.at ?? new Date().toISOString());
      if (d.outcome === 'approved') {
        const title = json?.execution ? `execution: ${json.execution.outcome}` : 'approved';
        await progress?.finish(json?.execution?.outcome ?? 'not executed');
        await this.slack.postMessage(input.channel, textMessage(title, notes(out.text)), input.messageTs);
      }
      return { outcome: d.outcome, executed: !!json?.execution };
    }
    await this.slack.postEphemeral(input.channel, input.user, textMessage('not done', notes(out.text)));
    return { outcome: d?.outcome ?? 'error', executed: false };
  }

  private pass(input: CommandInput, dcArg: string | undefined): CommandPlan {
    let dc: string;
    try {
      dc = this.dc(dcArg);
    } catch (e) {
      return { ack: (e as Error).message };
    }
    if (this.passing.has(dc)) return { ack: `a pass for ${dc} is already running; its proposal will be posted when it is done` };
    const pause = readPause(this.stateDir(), dc);
    if (pause) return { ack: `${dc} is paused by ${pause.by} at ${pause.at}${pause.reason ? ` (${pause.reason})` : ''}: no new proposals until someone resumes it` };
    const channel = this.opts.settings.channel;
    this.passing.add(dc);
    return {
      ack: `running a pass for ${dc}; the proposal will be posted in <#${channel}>`,
      work: async () => {
        const started = Date.now();
        const run = await this.opts.runPass(dc, input.user).catch((e: Error) => ({ exitCode: 1, output: e.message })).finally(() => this.passing.delete(dc));
        this.opts.log.info({ dc, exitCode: run.exitCode, ms: Date.now() - started }, 'pass finished');
        const { msg, planId } = this.proposalAfterPass(dc, run);
        let posted: { ts?: string };
        try {
          posted = await this.slack.postMessage(channel, msg);
        } catch (e) {
          // The ack promised a post in the channel: say why there is none, and what to do.
          await this.tellNotPosted(input, channel, planId ? 'the proposal' : 'the result of the pass', e);
          return;
        }
        if (planId && posted.ts) this.recordProposalMessage(planId, channel, posted.ts);
      },
    };
  }

  /**
   * Answer `input`'s user ephemerally in the command's channel; where Slack refuses that (a DM, a
   * channel without the bot: `channel_not_found`), through the command's `response_url`.
   * @throws the post's error when there is no `response_url` to fall back on, or that fails too.
   */
  private async answer(input: CommandInput, msg: SlackMessage): Promise<void> {
    try {
      await this.slack.postEphemeral(input.channel, input.user, msg);
    } catch (e) {
      const code = slackErrorCode(e);
      if (!code || !input.responseUrl || !this.slack.respond) throw e;
      this.opts.log.info({ channel: input.channel, code }, 'ephemeral answer refused; answered through response_url');
      await this.slack.respond(input.responseUrl, msg);
    }
  }

  /** Tell the user who ran `input` that `what` could not be posted in `channel`, why, and what to do (through `response_url`). Never throws. */
  private async tellNotPosted(input: CommandInput, channel: string, what: string, e: unknown): Promise<void> {
    const code = slackErrorCode(e);
    const reason = notInChannelReason(code);
    const again = `\`/breakfix ${truncate(input.text.trim(), 100)}\``;
    const text = reason
      ? `I could not post ${what} in <#${channel}>: ${reason} (${code}). Invite it with \`/invite @breakfix\` in <#${channel}> and run ${again} again.`
      : `I could not post ${what} in <#${channel}>: ${code ? `Slack refused it (${code})` : (e as Error).message}. Run ${again} again; if it fails again, the bot's log has the details.`;
    this.opts.log.warn({ channel, code, err: { message: (e as Error).message } }, `${what} not posted`);
    const msg = noteMessage(text);
    try {
      if (input.responseUrl && this.slack.respond) await this.slack.respond(input.responseUrl, msg);
      else await this.slack.postEphemeral(input.channel, input.user, msg);
    } catch (e2) {
      this.opts.log.warn({ err: { message: (e2 as Error).message } }, 'could not tell the user either');
    }
  }

  /** Remember where a plan's proposal is (a restarted bot resumes its execution in that thread); a failure is logged, never thrown. */
  recordProposalMessage(planId: string, channel: string, ts: string): void {
    try {
      new PlanStore(this.stateDir()).recordMessage(planId, { channel, ts });
    } catch (e) {
      this.opts.log.warn({ planId, err: { message: (e as Error).message } }, 'proposal message not recorded');
    }
  }

  /**
   * Resume the executions a previous bot left `executing` (killed mid-drain), from their
   * journals (`resumeInterrupted`), reporting in each proposal's thread like a click does: a
   * progress message updated live, one line per phase reached, the outcome. A plan whose
   * proposal message is not recorded gets a new message in the ops channel, and its thread.
   * Never throws: failures to resume or to post are posted or logged.
   */
  async resumeInterrupted(): Promise<void> {
    const { resumeInterrupted } = await import('../../commands/plan.js');
    const store = new PlanStore(this.stateDir());
    const live = new Map<string, { channel: string; ts: string; progress: ThreadProgress }>();
    const onError = (planId: string) => (e: Error) => this.opts.log.warn({ planId, err: { name: e.name, message: e.message } }, 'resumed execution not posted');
    await resumeInterrupted(this.opts.common, async (planId, out) => {
      const entry = { event: 'resumed', planId, exitCode: out.exitCode };
      if (out.exitCode === 0) this.opts.log.warn(entry, out.text);
      else this.opts.log.error(entry, out.text);
      const where = live.get(planId);
      if (!where) return;
      const execution = (out.json as { execution?: { outcome: string } } | undefined)?.execution?.outcome ?? 'not resumed';
      await where.progress.finish(execution);
      await this.slack.postMessage(where.channel, textMessage(`resumed execution: ${execution}`, out.text), where.ts).catch(onError(planId));
    }, async (p) => {
      try {
        let at = store.message(p.plan.id);
        if (!at) {
          const channel = this.opts.settings.channel;
          const intro = textMessage(`breakfix ${p.plan.dc}: resuming plan ${p.plan.id}`, `a previous bot stopped while executing it (${p.plan.actions.length} actions); resuming from its journal`);
          const ts = (await this.slack.postMessage(channel, intro)).ts;
          if (!ts) return undefined;
          at = { channel, ts };
        }
        const progress = new ThreadProgress({
          slack: this.slack, channel: at.channel, threadTs: at.ts, planId: p.plan.id, hosts: p.plan.actions.map((a) => a.host),
          ...(this.opts.progressThrottleMs !== undefined ? { throttleMs: this.opts.progressThrottleMs } : {}),
          onError: onError(p.plan.id),
        });
        await this.slack.postMessage(at.channel, textMessage(`resuming execution of ${p.plan.id}`, 'the bot restarted mid-execution; resuming from the journal'), at.ts);
        await progress.start();
        live.set(p.plan.id, { ...at, progress });
        return (e) => progress.event(e);
      } catch (e) {
        onError(p.plan.id)(e as Error);
        return undefined;
      }
    });
  }

  /** The proposal of the newest pass of `dc` (and its plan id), or why there is none. */
  private proposalAfterPass(dc: string, run: { exitCode: number; output: string }): { msg: SlackMessage; planId?: string } {
    try {
      const ctx = resolveContext(this.opts.common);
      const { dir, summary } = latestPass(ctx, dc);
      if (summary.result !== 'ok' || !existsSync(join(dir, 'plan.json'))) {
        return { msg: textMessage(`breakfix ${dc}: pass ${summary.passId} ${summary.result}, nothing proposed`, [...summary.reasons.map((r) => `- ${r}`), `files: ${dir}`].join('\n')) };
      }
      const plan = readPlanFile(join(dir, 'plan.json'));
      return { msg: proposalMessage({ plan, summary, passDir: dir }), ...(plan.actions.length ? { planId: plan.id } : {}) };
    } catch (e) {
      return { msg: textMessage(`breakfix ${dc}: the pass did not finish`, `${(e as Error).message}\n${run.output.slice(-1500)}`) };
    }
  }

  /**
   * The kill switch (commands/pause.ts), recorded with the Slack user who pulled it:
   * `pause [dc] [reason…]`. The first word is the datacenter when it is one the bot serves,
   * else it starts the reason.
   */
  private pauseOrResume(sub: 'pause' | 'resume', words: string[], user: string): CommandOutput {
    const known = this.opts.datacenters;
    const named = words[0] !== undefined && (known ? known.includes(words[0]) : words.length === 1);
    const reason = (named ? words.slice(1) : words).join(' ');
    const args = { ...this.opts.common, dc: this.dc(named ? words[0] : undefined), by: user, ...(sub === 'pause' && reason ? { reason } : {}) };
    return sub === 'pause' ? runPause(args) : runResume(args);
  }

  /** The user groups allowed to approve in `dc`, and those of them `user` is in (asked of Slack at click time). */
  private async groupsOf(dc: string, user: string): Promise<{ approverGroups: string[]; userGroups: string[] }> {
    const approverGroups = approverGroupsOf(this.opts.settings, dc);
    const userGroups: string[] = [];
    for (const g of approverGroups) {
      try {
        if ((await this.opts.groupMembers?.(g))?.includes(user)) userGroups.push(g);
      } catch (e) {
        // Fail closed: a group we cannot read authorizes nobody.
        this.opts.log.warn({ group: g, err: { message: (e as Error).message } }, 'user group members not read');
      }
    }
    return { approverGroups, userGroups };
  }

  private dc(arg: string | undefined): string {
    if (arg) {
      const known = this.opts.datacenters;
      if (!DC_NAME.test(arg) || (known && !known.includes(arg))) {
        throw new Error(`${JSON.stringify(truncate(arg, 60))} is not a datacenter this bot serves${known ? ` (${known.join(', ')})` : ''}`);
      }
      return arg;
    }
    if (this.opts.defaultDc) return this.opts.defaultDc;
    if (this.opts.datacenters?.length === 1) return this.opts.datacenters[0];
    return resolveDc(resolveContext(this.opts.common));
  }

  /** True when breakfix.yml gives `dc` the hadoop drain executor: an approval there executes at once. */
  private hasDrainExecutor(dc: string | undefined): boolean {
    return dc !== undefined && resolveContext(this.opts.common).config?.datacenters[dc]?.drain?.executor === 'hadoop';
  }

  private stateDir(): string {
    return resolve(resolveContext(this.opts.common).stateDir);
  }

  private async guard(run: () => Promise<CommandOutput> | CommandOutput): Promise<CommandOutput> {
    try {
      return await run();
    } catch (e) {
      const err = e as Error;
      this.opts.log.warn({ err: { name: err.name, message: err.message } }, 'command failed');
      return { text: err.message, json: { error: err.message }, exitCode: 1 };
    }
  }
}

/** The niceness of a pass's child process: lower priority than the bot that must acknowledge within 3 s. */
const PASS_NICENESS = 10;

/**
 * The production pass runner: the compiled CLI in a child process (`breakfix pass`, or `breakfix
 * demo --scenario proposals` for the demo fleet), so a pass never blocks the bot's event loop.
 * Slack credentials are not handed to the child, and it runs at a lower CPU priority (nice 10).
 */
export function childProcessPassRunner(common: CommonOptions, demo: boolean): PassRunner {
  const cli = join(packageRoot(), 'dist', 'src', 'cli.js');
  return (dc, requestedBy, opts) => new Promise((done) => {
    const flags = (['config', 'state', 'policies'] as const).flatMap((k) => (common[k] ? [`--${k}`, common[k]!] : []));
    const args = demo
      ? [cli, 'demo', '--scenario', 'proposals', '--state', common.state ?? '.breakfix/demo', '--seed', String(Math.floor(Math.random() * 2 ** 31)), '--requested-by', requestedBy]
      // --no-parse-thread: a pass on two cores took the one the bot acknowledges commands on (bench:slack p99 62-140 ms against 53-69).
      : [cli, 'pass', '--dc', dc, '--json', '--quiet', '--no-parse-thread', '--requested-by', requestedBy, ...(opts?.propose === false ? ['--observe-only'] : []), ...flags];
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLACK_')));
    const child = execFile(process.execPath, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ exitCode: code, output: `${stderr}${code ? `\n${stdout.slice(-2000)}` : ''}` });
    });
    // A pass may take a core for seconds; the bot's acknowledgements come first (nice 10).
    try {
      if (child.pid) setPriority(child.pid, PASS_NICENESS);
    } catch {
      // Not allowed here (some containers): the pass runs at the bot's priority.
    }
  });
}
