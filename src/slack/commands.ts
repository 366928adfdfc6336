/**
 * The read-only commands the bot answers (`status`, `show`, `diff`, `why`, `policy`) as plain
 * data, so they can run in a worker thread: a {@link ReadCommand} in, a {@link CommandOutput}
 * out (both structured-clonable). The same command modules as the CLI do the work.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { CommandOutput } from '../../commands/common.js';
import type { DiffArgs } from '../../commands/diff.js';
import type { PolicyArgs } from '../../commands/policy.js';
import type { ShowArgs } from '../../commands/show.js';
import type { WhyArgs } from '../../commands/why.js';
import type { CommonOptions } from '../../commands/common.js';
import { importPackage } from '../import-package.js';
import { packageRoot } from '../paths.js';

/** One read-only command with its arguments (the CLI's argument shapes). */
export type ReadCommand =
  | { name: 'status'; args: CommonOptions }
  | { name: 'show'; args: ShowArgs }
  | { name: 'diff'; args: DiffArgs }
  | { name: 'why'; args: WhyArgs }
  | { name: 'policy'; args: PolicyArgs };

/** Runs a read-only command somewhere (this thread, or a worker thread). Rejects when the command throws. */
export type CommandRunner = (cmd: ReadCommand) => Promise<CommandOutput>;

/** Run `cmd` in this thread (the commands are synchronous: this blocks the event loop while it runs). */
export async function runReadCommand(cmd: ReadCommand): Promise<CommandOutput> {
  switch (cmd.name) {
    case 'status': return (await import('../../commands/status.js')).runStatus(cmd.args);
    case 'show': return (await import('../../commands/show.js')).runShow(cmd.args);
    case 'diff': return (await import('../../commands/diff.js')).runDiff(cmd.args);
    case 'why': return (await import('../../commands/why.js')).runWhy(cmd.args);
    case 'policy': return (await import('../../commands/policy.js')).runPolicy(cmd.args);
  }
}

/**
 * Where a command's answer goes: an ephemeral message to `user` in `channel`, headed `title`;
 * through `responseUrl` (the command's) when Slack refuses to post in `channel` (a DM, a channel
 * without the bot).
 */
export interface ReplyTo {
  channel: string;
  user: string;
  title: string;
  responseUrl?: string;
}

/**
 * Runs a read-only command and posts its answer (or its error) as an ephemeral message, all off
 * the bot's main thread (see {@link ReplyTo} for where). Resolves with the command's exit code,
 * or its error message; rejects when the answer could not be posted.
 */
export type CommandAnswerer = (cmd: ReadCommand, to: ReplyTo) => Promise<{ exitCode: number; error?: string }>;

/** A pool of worker threads running read-only commands, so their file reads and parsing never delay an ack. */
export interface CommandPool {
  run: CommandRunner;
  /** With Slack credentials given to {@link startCommandPool}: run and answer in the worker. */
  answer?: CommandAnswerer;
  close(): Promise<void>;
}

/** What a worker needs to post answers itself (the bot token stays in this process). */
export interface WorkerSlack {
  botToken: string;
  slackApiUrl?: string;
}

/**
 * Start a pool of `threads` worker threads (default: 2, or 1 on a single core) running
 * {@link runReadCommand} (and, given `slack`, posting the answers: `answer`) from the compiled worker (`dist/src/slack/command-worker.js`; `npm run
 * build` makes it). An error thrown by a command rejects `run` with its message (and name, so an
 * `InputError` is still recognised).
 */
export async function startCommandPool(threads?: number, slack?: WorkerSlack): Promise<CommandPool> {
  const { Piscina } = await importPackage<typeof import('piscina')>('piscina');
  const n = threads ?? Math.max(1, Math.min(2, availableParallelism() - 1));
  const pool = new Piscina({ filename: join(packageRoot(), 'dist', 'src', 'slack', 'command-worker.js'), minThreads: n, maxThreads: n, idleTimeout: Infinity, workerData: slack ?? null });
  // Resolves once the threads have started and loaded the command modules.
  await Promise.all(Array.from({ length: n }, () => pool.run('ready')));
  return {
    run: (cmd) => pool.run(cmd) as Promise<CommandOutput>,
    ...(slack ? { answer: ((cmd, to) => pool.run({ answer: cmd, to })) as CommandAnswerer } : {}),
    close: () => pool.destroy(),
  };
}
