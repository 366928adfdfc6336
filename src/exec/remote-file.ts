/**
 * A file on a remote host, read and replaced through {@link RemoteShell} argv commands only (so
 * the same code runs over SSH and locally). Paths are positional arguments of fixed scripts,
 * never pasted into a shell string.
 *
 * Replacing is compare-and-set: the new bytes go to a temporary file next to the target (same
 * directory, so `mv` is an atomic `rename(2)`, mode and owner copied from the target), then the
 * target's sha256 is compared with the one it had when read, just before the rename; if anyone
 * changed the file in between, nothing is renamed and {@link RemoteFileChangedError} says so.
 * (The compare and the rename are two commands: a writer landing between them, microseconds
 * apart, is not detected. Hadoop offers no lock on its exclude files to close that gap.)
 */
import { createHash } from 'node:crypto';
import type { RemoteShell } from '../ssh/remote.js';

/** The bytes of a remote file as read, and their sha256 (hex). */
export interface RemoteFileContent {
  text: string;
  sha256: string;
}

/** A remote command for a file step failed; the message names the host, the command and its stderr. */
export class RemoteStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteStepError';
  }
}

/** The file changed between the read and the write; nothing was written. */
export class RemoteFileChangedError extends RemoteStepError {
  constructor(readonly host: string, readonly path: string, readonly expected: string, readonly found: string) {
    super(`${path} on ${host} changed since breakfix read it (sha256 ${found.slice(0, 12)}, read as ${expected.slice(0, 12)}): not overwritten; someone else edited it, read it again and decide`);
    this.name = 'RemoteFileChangedError';
  }
}

/** Exit status of the write script when the target changed (EX_TEMPFAIL). */
const CHANGED = 75;

/**
 * `$1` target, `$2` sha256 it must still have, stdin the new bytes. A constant: arguments are
 * positional, so no path can inject shell syntax.
 */
const WRITE_SCRIPT = [
  'set -eu',
  'f=$1; want=$2; tmp=$f.breakfix-tmp.$$',
  'cp -p -- "$f" "$tmp"',
  'cat > "$tmp"',
  'have=$(sha256sum < "$f" | cut -d " " -f 1)',
  `if [ "$have" != "$want" ]; then rm -f -- "$tmp"; echo "$have" >&2; exit ${CHANGED}; fi`,
  'mv -f -- "$tmp" "$f"',
].join('\n');

/** sha256 hex of text as UTF-8. */
export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Operations on remote files of one host. */
export class RemoteFiles {
  constructor(private readonly shell: RemoteShell, private readonly timeoutMs: number) {}

  /** Read `path` on `host`. @throws RemoteStepError when `cat` fails (missing file, permissions); RemoteError when unreachable. */
  async read(host: string, path: string): Promise<RemoteFileContent> {
    const r = await this.shell.exec(host, ['cat', '--', path], { timeoutMs: this.timeoutMs });
    if (r.code !== 0) throw new RemoteStepError(`cannot read ${path} on ${host}: ${describe(r)}`);
    return { text: r.stdout.toString('utf8'), sha256: sha256Hex(r.stdout) };
  }

  /** Copy `path` to `backupPath` (mode and times kept). @throws RemoteStepError when `cp` fails. */
  async backup(host: string, path: string, backupPath: string): Promise<void> {
    const r = await this.shell.exec(host, ['cp', '-p', '--', path, backupPath], { timeoutMs: this.timeoutMs });
    if (r.code !== 0) throw new RemoteStepError(`cannot back up ${path} to ${backupPath} on ${host}: ${describe(r)}`);
  }

  /**
   * Replace `path` with `text` if it still hashes to `expectedSha256` (see the module comment).
   * @throws RemoteFileChangedError when it does not (nothing written); RemoteStepError when the write fails.
   */
  async replace(host: string, path: string, text: string, expectedSha256: string): Promise<void> {
    const r = await this.shell.exec(host, ['sh', '-c', WRITE_SCRIPT, 'sh', path, expectedSha256], { stdin: text, timeoutMs: this.timeoutMs });
    if (r.code === CHANGED) throw new RemoteFileChangedError(host, path, expectedSha256, r.stderr.toString('utf8').trim());
    if (r.code !== 0) throw new RemoteStepError(`cannot write ${path} on ${host}: ${describe(r)}`);
  }
}

/** `exited 1: <first stderr line>`, or the signal, timeout or lost connection. */
export function describe(r: { code: number | null; signal?: string; timedOut: boolean; connectionLost?: boolean; stderr: Buffer }): string {
  const err = r.stderr.toString('utf8').trim().split('\n').slice(0, 2).join(' / ');
  const how = r.connectionLost ? 'lost its connection before reporting an exit status (it may or may not have run)'
    : r.timedOut ? 'timed out' : r.code === null ? `killed by ${r.signal ?? 'a signal'}` : `exited ${r.code}`;
  return err ? `${how}: ${err}` : how;
}

/** A backup name next to `path`: `<path>.breakfix-<UTC stamp>-<plan id>`. */
export function backupPath(path: string, at: Date, planId: string): string {
  return `${path}.breakfix-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${planId}`;
}
