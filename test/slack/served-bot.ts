/** `breakfix serve` as the operator runs it: the compiled CLI in its own process, for the process tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { APPROVER, OPS } from './slack-requests.js';

const root = packageRoot();
/** The compiled CLI. */
export const cli = join(root, 'dist', 'src', 'cli.js');

/** True when `dist/` holds a build at least as new as every file of the given `src/` folders. */
export function builtFresh(...srcDirs: string[]): boolean {
  const newest = (dir: string) => Math.max(...readdirSync(join(root, 'src', dir)).map((f) => statSync(join(root, 'src', dir, f)).mtimeMs));
  return srcDirs.every((d) => {
    const out = join(root, 'dist', 'src', d);
    return existsSync(out) && newest(d) <= Math.min(...readdirSync(out).filter((f) => f.endsWith('.js')).map((f) => statSync(join(out, f)).mtimeMs));
  });
}

/** Poll `check` every 50 ms until it holds; throws naming `what` after `ms`. */
export async function until(check: () => boolean, ms: number, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Run `breakfix serve <args>` with exactly `env` (plus PATH) until it exits by itself (a start-up
 * that must fail); killed after `ms`. Asynchronous, so a fake Slack API in this process can answer.
 */
export async function serveUntilExit(args: string[], env: Record<string, string>, ms = 30_000): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const proc = spawn(process.execPath, [cli, 'serve', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
  const code = await new Promise<number | null>((done) => proc.once('exit', (c) => done(c)));
  clearTimeout(timer);
  return { code, stderr, ms: Date.now() - started };
}

/** A running `breakfix serve`: its process, its base URL, what it wrote on stderr so far. */
export interface ServedBot {
  proc: ChildProcess;
  base: string;
  stderr(): string;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

/** Start `breakfix serve <args>` with exactly `env` (plus PATH), and wait until it logs its port. */
export async function startServedBot(args: string[], env: Record<string, string>): Promise<ServedBot> {
  const proc = spawn(process.execPath, [cli, 'serve', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  await until(() => /"port":\d+/.test(stderr) || proc.exitCode !== null, 20_000, 'the bot to start');
  if (proc.exitCode !== null) throw new Error(`breakfix serve exited ${proc.exitCode}: ${stderr}`);
  return {
    proc,
    base: `http://127.0.0.1:${/"port":(\d+)/.exec(stderr)![1]}`,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** A served bot in HTTP mode against a fresh fake Slack API, with a state directory of its own. */
export interface ServedWithFake {
  fake: FakeSlackApi;
  state: string;
  bot: ServedBot;
  /** Stop the bot and the fake, remove the state directory. */
  stop(): Promise<void>;
}

/** `breakfix serve --http --port 0 --state <tmp> <args>` against a new {@link FakeSlackApi}, approvers `APPROVER`, channel `OPS`. */
export async function serveWithFakeSlack(args: string[], o: { token: string; secret: string }): Promise<ServedWithFake> {
  const fake = new FakeSlackApi();
  await fake.start();
  const state = mkdtempSync(join(tmpdir(), 'breakfix-serve-'));
  const bot = await startServedBot(['--http', '--port', '0', '--state', state, ...args],
    { SLACK_BOT_TOKEN: o.token, SLACK_SIGNING_SECRET: o.secret, SLACK_API_URL: fake.url, BREAKFIX_CHANNEL: OPS, BREAKFIX_APPROVERS: APPROVER, BREAKFIX_LOG_LEVEL: 'info' });
  return {
    fake, state, bot,
    async stop() {
      await bot.stop();
      await fake.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
