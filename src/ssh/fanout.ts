/**
 * The fleet fan-out: run one command on many hosts from one process, at most `concurrency` at a
 * time, and classify each host's result. The command per host comes from a template (argv), the
 * transport is any {@link RemoteShell} (SshShell in production).
 */
import { InputError } from '../errors.js';
import { normalizeHost } from '../hosts.js';
import { importPackage } from '../import-package.js';
import { RemoteError, type RemoteCommandResult, type RemoteShell } from './remote.js';

/** How one host's command ended. `hostkey-unknown` is a host-key failure like `hostkey-mismatch`, told apart because the operator's fix differs. */
export const FANOUT_OUTCOMES = ['ok', 'fail', 'timeout', 'unreachable', 'auth-failed', 'hostkey-mismatch', 'hostkey-unknown'] as const;
export type FanOutOutcome = (typeof FANOUT_OUTCOMES)[number];

/** One host's result. */
export interface FanOutResult {
  host: string;
  outcome: FanOutOutcome;
  /** Exit status, or null when there was none (not started, timed out, killed, connection lost). */
  exitCode: number | null;
  /** One line for a report: why it failed, or the judge's detail; empty when there is nothing to say. */
  detail: string;
  /** The first lines of stderr (at most {@link STDERR_HEAD_LINES} lines, 300 characters). */
  stderrHead: string;
  stdout: Buffer;
  stderr: Buffer;
  /** Wall time for this host, connect included, in ms. */
  elapsedMs: number;
}

/** Lines of stderr kept in {@link FanOutResult.stderrHead}. */
export const STDERR_HEAD_LINES = 3;

/** Reads a finished command: ok or not, and a one-line detail. Default: exit 0 is ok. */
export type Judge = (r: RemoteCommandResult) => { ok: boolean; detail: string };

/** Options for {@link fanOut}. */
export interface FanOutOptions {
  /** Hosts in flight at once. Default {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
  /** Command timeout per host in ms (connect not included; the shell has its own connect timeout). */
  timeoutMs?: number;
  judge?: Judge;
  /** Called as each host finishes, with how many are done of how many. */
  onResult?: (r: FanOutResult, done: number, total: number) => void;
  /** Clock for elapsedMs; default Date.now. */
  now?: () => number;
}

/** Default bound on hosts in flight. */
export const DEFAULT_CONCURRENCY = 64;

const exitZero: Judge = (r) => ({ ok: r.code === 0, detail: r.code === 0 ? '' : `exit ${r.code}` });

/**
 * Run `argvFor(host)` on every host of `hosts` over `shell`, at most `concurrency` at once.
 * Results come back in the order of `hosts`. Never throws for a host's failure: a host that
 * cannot be reached, authenticated or verified is a result (`unreachable` — a connect timeout
 * included —, `auth-failed`, `hostkey-mismatch`, `hostkey-unknown`); one past its timeout is
 * `timeout`; one the judge refuses, whose connection dropped mid-command, whose server refused a
 * command channel, or whose transport threw anything unexpected, is `fail` (detail: the error) —
 * one host's exception never rejects the whole fan-out.
 * @throws InputError before anything runs when a host is not a valid DNS name (normalised form)
 *   or appears twice, or when concurrency is not a positive integer.
 */
export async function fanOut(shell: RemoteShell, hosts: readonly string[], argvFor: (host: string) => readonly string[], opts: FanOutOptions = {}): Promise<FanOutResult[]> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new InputError({ origin: 'fan-out', field: 'concurrency' }, `expected a positive integer, got ${concurrency}`);
  const seen = new Set<string>();
  for (const h of hosts) {
    const k = normalizeHost(h);
    if (!k.ok || k.host !== h) throw new InputError({ origin: 'fan-out', field: 'hosts' }, k.ok ? `expected ${k.host}, got ${JSON.stringify(h)}` : k.problem);
    if (seen.has(h)) throw new InputError({ origin: 'fan-out', field: 'hosts' }, `${h} is listed twice`);
    seen.add(h);
  }
  const judge = opts.judge ?? exitZero;
  const now = opts.now ?? Date.now;
  // p-limit is imported here: this module loads with the config schema in every command, SSH or not.
  const { default: pLimit } = await importPackage<typeof import('p-limit')>('p-limit');
  const limit = pLimit(concurrency);
  let done = 0;
  return Promise.all(
    hosts.map((host) =>
      limit(async () => {
        const started = now();
        const r = await runOne(shell, host, argvFor(host), judge, opts.timeoutMs);
        const result = { ...r, host, elapsedMs: now() - started };
        opts.onResult?.(result, ++done, hosts.length);
        return result;
      }),
    ),
  );
}

async function runOne(shell: RemoteShell, host: string, argv: readonly string[], judge: Judge, timeoutMs: number | undefined): Promise<Omit<FanOutResult, 'host' | 'elapsedMs'>> {
  let r: RemoteCommandResult;
  try {
    r = await shell.exec(host, argv, timeoutMs === undefined ? {} : { timeoutMs });
  } catch (e) {
    const none = { exitCode: null, stderrHead: '', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    if (!(e instanceof RemoteError)) return { ...none, outcome: 'fail', detail: `could not run the command: ${e instanceof Error ? e.message : String(e)}` };
    return { ...none, outcome: outcomeOf(e), detail: e.message };
  }
  const stderrHead = headLines(r.stderr);
  const base = { exitCode: r.code, stderrHead, stdout: r.stdout, stderr: r.stderr };
  if (r.timedOut) return { ...base, outcome: 'timeout', detail: `no exit within ${timeoutMs ?? 'the default'} ms` };
  if (r.connectionLost) return { ...base, outcome: 'fail', detail: 'the connection dropped before the command reported an exit status' };
  if (r.code === null) return { ...base, outcome: 'fail', detail: `killed by signal ${r.signal ?? '(unknown)'}` };
  const v = judge(r);
  return { ...base, outcome: v.ok ? 'ok' : 'fail', detail: v.detail || (v.ok ? '' : stderrHead.split('\n')[0]) };
}

function outcomeOf(e: RemoteError): FanOutOutcome {
  switch (e.kind) {
    case 'connect-timeout':
    case 'invalid-host':
      return 'unreachable';
    case 'channel-refused':
      return 'fail';
    default:
      return e.kind;
  }
}

/** The first {@link STDERR_HEAD_LINES} non-empty lines of `b`, at most 300 characters. */
export function headLines(b: Buffer): string {
  const lines = b.subarray(0, 4096).toString('utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const head = lines.slice(0, STDERR_HEAD_LINES).join('\n');
  return head.length > 300 ? `${head.slice(0, 299)}…` : head;
}
