/**
 * {@link LocalShell}: a {@link RemoteShell} that runs the argv on this machine, whatever host is
 * named (no shell: `child_process.spawn` with the argv as given). For tests and the demo, where
 * "the NameNode host" is this machine; production uses the ssh2 transport.
 */
import { spawn } from 'node:child_process';
import { hostKeyProblem } from '../hosts.js';
import { RemoteError, type RemoteCommandResult, type RemoteExecOptions, type RemoteShell } from './remote.js';

/** Options of {@link LocalShell}. */
export interface LocalShellOptions {
  /** Environment of every command (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Hosts this shell pretends to reach; others are `unreachable` (default: every valid host name). */
  hosts?: readonly string[];
}

/** Runs argv commands locally. The host name is still validated, as a real transport would. */
export class LocalShell implements RemoteShell {
  private readonly running = new Set<ReturnType<typeof spawn>>();

  constructor(private readonly opts: LocalShellOptions = {}) {}

  /**
   * Run `argv` here. Resolves with the exit status (null and `signal` when killed; `timedOut`
   * when `timeoutMs` passed, after which the command is sent SIGKILL).
   * @throws RemoteError `invalid-host` for a name that is not a DNS host name, `unreachable` for a
   *   host outside `hosts` or when the program cannot be started (ENOENT, EACCES).
   */
  exec(host: string, argv: readonly string[], opts: RemoteExecOptions = {}): Promise<RemoteCommandResult> {
    const problem = hostKeyProblem(host);
    if (problem) return Promise.reject(new RemoteError(host, 'invalid-host', `${JSON.stringify(host)} is not a valid host name: ${problem}`));
    if (this.opts.hosts && !this.opts.hosts.includes(host)) return Promise.reject(new RemoteError(host, 'unreachable', `${host} is not reachable from the local shell`));
    if (argv.length === 0) return Promise.reject(new Error('empty argv'));
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { env: this.opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      this.running.add(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => undefined); // a command that exits without reading its stdin
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        this.running.delete(child);
        reject(new RemoteError(host, 'unreachable', `cannot start ${argv[0]} on ${host}: ${e.code ?? e.message}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        this.running.delete(child);
        resolve({ code: timedOut ? null : code, ...(signal ? { signal } : {}), stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
      });
      child.stdin.end(opts.stdin ?? '');
    });
  }

  /** Kill every command still running. */
  async close(): Promise<void> {
    for (const c of this.running) c.kill('SIGKILL');
    this.running.clear();
  }
}
