/**
 * How breakfix runs a command on a remote host. The command is an argv, never a shell string:
 * an implementation quotes each argument for the remote shell (POSIX single quotes), so no
 * argument can inject shell syntax. Implementations: SshShell (ssh2, host keys verified against
 * known_hosts) and LocalShell (runs argv on this machine; for tests and the demo).
 */
export interface RemoteCommandResult {
  /** Exit status, or null when the command was killed by a signal or timed out. */
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: Buffer;
  /** True when timeoutMs passed before the command ended. */
  timedOut: boolean;
  /** True when the connection dropped after the command started and before it reported an exit status (its outcome is unknown). */
  connectionLost?: boolean;
}

/** Options for one remote command. */
export interface RemoteExecOptions {
  /** Bytes written to the command's stdin, then closed. */
  stdin?: Buffer | string;
  /** Command timeout in ms (connect time not included). */
  timeoutMs?: number;
}

/** A transport to run argv commands on named hosts. */
export interface RemoteShell {
  /** @throws RemoteError (kind: unreachable | auth-failed | hostkey-mismatch | hostkey-unknown | invalid-host | connect-timeout | channel-refused) when no command could be started. */
  exec(host: string, argv: readonly string[], opts?: RemoteExecOptions): Promise<RemoteCommandResult>;
  /** Close every connection. */
  close(): Promise<void>;
}

/**
 * Why a command could not be started on a host. `channel-refused`: the SSH session is up but the
 * server would not open a command channel (sshd's MaxSessions reached or 0, a forced-command
 * policy); nothing ran.
 */
export type RemoteErrorKind = 'unreachable' | 'auth-failed' | 'hostkey-mismatch' | 'hostkey-unknown' | 'invalid-host' | 'connect-timeout' | 'channel-refused';

/** A command could not be started on `host`; `kind` says why. */
export class RemoteError extends Error {
  constructor(readonly host: string, readonly kind: RemoteErrorKind, message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}
