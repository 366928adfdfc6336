/**
 * SshShell: {@link RemoteShell} over SSH with the ssh2 library, one connection per command.
 *
 * - Host names are validated (`hostKeyProblem`, RFC 1123) before anything connects.
 * - Host keys are checked against a known_hosts file ({@link KnownHosts}); an unknown or changed
 *   key fails that host (`hostkey-unknown` / `hostkey-mismatch`), it is never accepted.
 *   As OpenSSH does, the name looked up is the host (or its `hostKeyAlias`) as `[host]:port` when
 *   the port is not 22, and the server is asked only for key types known_hosts lists for it.
 * - Authentication: ssh-agent (SSH_AUTH_SOCK) first when there is one, then each identity file.
 * - `hosts` maps fleet names to an address, port and user like ssh_config's `Host` blocks: every
 *   pattern (`*`, `?` wildcards) matching the name contributes the fields it sets, first match
 *   wins per field; so many fleet hosts can share one sshd on loopback addresses.
 * - Commands are argv, quoted by {@link shellCommand}; the remote login shell must be POSIX.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import type { Client, AgentAuthMethod, ClientChannel, ConnectConfig, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import { InputError } from '../errors.js';
import { hostKeyProblem } from '../hosts.js';
import { globMatch, KnownHosts, knownHostsName } from './known-hosts.js';
import { shellCommand } from './quote.js';
import { RemoteError, type RemoteCommandResult, type RemoteExecOptions, type RemoteShell } from './remote.js';

/**
 * The ssh2 module (CommonJS), loaded on first use: every `breakfix pass` imports this file through
 * the config schema, and loading ssh2 costs ~45 ms of start-up that a pass without SSH never needs.
 */
let ssh2: typeof import('ssh2') | undefined;
function ssh2Module(): typeof import('ssh2') {
  return (ssh2 ??= createRequire(import.meta.url)('ssh2') as typeof import('ssh2'));
}

/** Where and as whom to reach a fleet host (an ssh_config `Host` block's fields). */
export interface SshHostEntry {
  /** Address or DNS name to connect to (ssh_config HostName). Default: the fleet name. */
  hostname?: string;
  /** TCP port. Default: {@link SshShellOptions.port}. */
  port?: number;
  /** Login user. Default: {@link SshShellOptions.user}. */
  user?: string;
  /** Name to look the host key up under in known_hosts (ssh_config HostKeyAlias). Default: the fleet name. */
  hostKeyAlias?: string;
}

/** Options for {@link SshShell}. */
export interface SshShellOptions {
  /** known_hosts file path, or already parsed entries. Required: there is no accept-any mode. */
  knownHosts: string | KnownHosts;
  /** Private key files (OpenSSH or PEM format, unencrypted or with `passphrase`). */
  identityFiles?: readonly string[];
  /** Passphrase for encrypted identity files. */
  passphrase?: string;
  /** ssh-agent socket; default `SSH_AUTH_SOCK`; `false` for none. */
  agent?: string | false;
  /** Default login user; default the current user. */
  user?: string;
  /** Default port; default 22. */
  port?: number;
  /** Fleet name pattern → where to connect (see the module comment). */
  hosts?: Readonly<Record<string, SshHostEntry>>;
  /** Time to connect, exchange keys and authenticate, in ms. Default 10,000. */
  connectTimeoutMs?: number;
  /**
   * Command timeout in ms when exec() is given none. Default 60,000. Past it the command is sent
   * SIGKILL over the channel (RFC 4254 §6.9; sshd may ignore it) and the connection is closed, so
   * the result comes back at once; a command that never reads stdin nor writes its output may go
   * on running on the host.
   */
  commandTimeoutMs?: number;
  /** Bytes kept of each of stdout and stderr; the rest is dropped. Default 8 MiB. */
  maxOutputBytes?: number;
}

interface Target {
  host: string;
  address: string;
  port: number;
  user: string;
  keyName: string;
}

/** ssh2 algorithm names for each known_hosts key type (RSA keys sign with SHA-2 where the server can). */
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** {@link RemoteShell} over SSH (see the module comment). */
export class SshShell implements RemoteShell {
  private readonly knownHosts: KnownHosts;
  private readonly keys: { file: string; key: ParsedKey }[];
  private readonly agent: string | undefined;
  private readonly open = new Set<Client>();

  /**
   * Reads the known_hosts file and the identity files once.
   * @throws InputError naming the file when known_hosts or an identity file cannot be read or
   *   parsed (an encrypted key without `passphrase`), or when there is no identity and no agent.
   */
  constructor(private readonly opts: SshShellOptions) {
    this.knownHosts = typeof opts.knownHosts === 'string' ? KnownHosts.load(opts.knownHosts) : opts.knownHosts;
    this.keys = (opts.identityFiles ?? []).map((file) => ({ file, key: loadKey(file, opts.passphrase) }));
    this.agent = opts.agent === false ? undefined : (opts.agent ?? process.env.SSH_AUTH_SOCK) || undefined;
    if (this.keys.length === 0 && !this.agent) {
      throw new InputError({ origin: 'ssh', field: 'identity' }, 'no identity file and no ssh-agent (SSH_AUTH_SOCK unset): give a key with --identity or ssh.identity_files');
    }
  }

  /** Where `host` is reached: address, port, user and known_hosts name. @throws RemoteError `invalid-host`. */
  target(host: string): Target {
    const problem = hostKeyProblem(host);
    if (problem) throw new RemoteError(host, 'invalid-host', `refusing to connect to ${JSON.stringify(host)}: ${problem}`);
    const merged: SshHostEntry = {};
    for (const [pattern, entry] of Object.entries(this.opts.hosts ?? {})) {
      if (!pattern.split(',').some((p) => globMatch(p.trim().toLowerCase(), host))) continue;
      merged.hostname ??= entry.hostname;
      merged.port ??= entry.port;
      merged.user ??= entry.user;
      merged.hostKeyAlias ??= entry.hostKeyAlias;
    }
    const port = merged.port ?? this.opts.port ?? 22;
    return {
      host,
      address: merged.hostname ?? host,
      port,
      user: merged.user ?? this.opts.user ?? os.userInfo().username,
      keyName: knownHostsName(merged.hostKeyAlias ?? host, port),
    };
  }

  /** Run `argv` on `host` (see {@link RemoteShell.exec}); the connection is closed after. */
  async exec(host: string, argv: readonly string[], opts: RemoteExecOptions = {}): Promise<RemoteCommandResult> {
    const target = this.target(host);
    const command = shellCommand(argv);
    const client = await this.connect(target);
    try {
      return await this.run(target, client, command, opts);
    } finally {
      client.end();
      this.open.delete(client);
    }
  }

  /** End every open connection (commands running on them resolve with `connectionLost`). */
  async close(): Promise<void> {
    for (const c of this.open) c.end();
    this.open.clear();
  }

  private connect(t: Target): Promise<Client> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    const keyTypes = this.knownHosts.keyTypesFor(t.keyName);
    return new Promise((resolve, reject) => {
      const client = new (ssh2Module().Client)();
      let hostKeyFailure: RemoteError | undefined;
      let settled = false;
      const fail = (e: RemoteError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.destroy();
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new RemoteError(t.host, 'connect-timeout', `${t.host} (${t.address}:${t.port}): no SSH session within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.on('ready', () => {
        if (settled) return void client.end();
        settled = true;
        clearTimeout(timer);
        this.open.add(client);
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string }) => fail(hostKeyFailure ?? classify(t, err, keyTypes)));
      client.on('close', () => fail(hostKeyFailure ?? new RemoteError(t.host, 'unreachable', `${t.host} (${t.address}:${t.port}): connection closed during the SSH handshake`)));
      const auth: (AgentAuthMethod | PublicKeyAuthMethod)[] = [];
      if (this.agent) auth.push({ type: 'agent', username: t.user, agent: this.agent });
      for (const k of this.keys) auth.push({ type: 'publickey', username: t.user, key: k.key });
      const config: ConnectConfig = {
        host: t.address,
        port: t.port,
        username: t.user,
        readyTimeout: timeoutMs + 1000, // our own timer fires first, with a clearer message
        authHandler: auth,
        hostVerifier: (key: Buffer) => {
          const verdict = this.knownHosts.verify(t.keyName, key);
          if (verdict.ok) return true;
          hostKeyFailure = new RemoteError(t.host, verdict.kind, verdict.problem);
          return false;
        },
      };
      if (keyTypes.length) config.algorithms = { serverHostKey: keyTypes.flatMap((k) => HOST_KEY_ALGORITHMS[k] ?? [k]) as never };
      client.connect(config);
    });
  }

  private run(t: Target, client: Client, command: string, opts: RemoteExecOptions): Promise<RemoteCommandResult> {
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 60_000;
    const limit = this.opts.maxOutputBytes ?? 8 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      client.exec(command, (err, stream: ClientChannel) => {
        if (err) {
          const why = `${t.host} (${t.address}:${t.port}): the SSH server refused a command channel (${err.message}): check sshd's MaxSessions on the host`;
          return reject(new RemoteError(t.host, 'channel-refused', why));
        }
        const out = new Capture(limit);
        const errOut = new Capture(limit);
        let code: number | null = null;
        let signal: string | undefined;
        let exited = false;
        let done = false;
        const finish = (extra: Partial<RemoteCommandResult>) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ code, ...(signal ? { signal } : {}), stdout: out.buffer(), stderr: errOut.buffer(), timedOut: false, ...extra });
        };
        const timer = setTimeout(() => {
          try {
            stream.signal('KILL');
          } catch {
            // the channel may already be closing
          }
          finish({ code: null, timedOut: true });
          client.end();
        }, timeoutMs);
        stream.on('data', (b: Buffer) => out.push(b));
        stream.stderr.on('data', (b: Buffer) => errOut.push(b));
        stream.on('exit', (c: number | null, sig?: string) => {
          exited = true;
          code = typeof c === 'number' ? c : null;
          if (sig) signal = sig;
        });
        stream.on('close', () => finish(exited ? {} : { code: null, connectionLost: true }));
        client.on('close', () => finish(exited ? {} : { code: null, connectionLost: true }));
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        else stream.end();
      });
    });
  }
}

/** Bytes of one output stream, up to a limit. */
class Capture {
  private readonly parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(b: Buffer): void {
    if (this.size >= this.limit) return;
    const keep = b.length <= this.limit - this.size ? b : b.subarray(0, this.limit - this.size);
    this.parts.push(keep);
    this.size += keep.length;
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

function classify(t: Target, err: Error & { level?: string; code?: string }, keyTypes: readonly string[]): RemoteError {
  const where = `${t.host} (${t.address}:${t.port})`;
  if (err.level === 'client-authentication') {
    return new RemoteError(t.host, 'auth-failed', `${where}: authentication as ${t.user} failed (${err.message}): check the key is in the user's authorized_keys`);
  }
  if (err.level === 'client-timeout') return new RemoteError(t.host, 'connect-timeout', `${where}: ${err.message}`);
  if (keyTypes.length && /host key/i.test(err.message)) {
    return new RemoteError(t.host, 'hostkey-mismatch', `${where}: the server offers none of the host key types known_hosts lists for it (${keyTypes.join(', ')}): ${err.message}`);
  }
  return new RemoteError(t.host, 'unreachable', `${where}: ${err.code && !err.message.includes(err.code) ? `${err.code} ` : ''}${err.message}`);
}

function loadKey(file: string, passphrase: string | undefined): ParsedKey {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    throw new InputError({ origin: file }, `cannot read the identity file (${(e as Error).message})`);
  }
  const parsed = ssh2Module().utils.parseKey(data, passphrase);
  if (parsed instanceof Error) throw new InputError({ origin: file }, `not a usable private key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) throw new InputError({ origin: file }, 'expected a private key, got a public key or nothing');
  return key;
}
