/**
 * SSH settings as an operator writes them (the `ssh` health source in breakfix.yml, or
 * `breakfix fleet run` flags), and the {@link SshShell} they make.
 *
 *     knownHosts: ~/.ssh/known_hosts     # required in effect: no accept-any mode exists
 *     identityFiles: [~/.ssh/id_ed25519] # optional; ssh-agent (SSH_AUTH_SOCK) is tried first
 *     user: breakfix                     # default: the current user
 *     port: 22
 *     connectTimeoutMs: 10000
 *     concurrency: 64
 *     hostMap:                           # ssh_config-like: fleet name pattern -> where to connect
 *       "*.dc1.example.com": { user: hdfs }
 *       "dn1.lab": { hostname: 127.0.1.1, port: 2222 }
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { normalizeHost } from '../hosts.js';
import { DEFAULT_CONCURRENCY } from './fanout.js';
import { SshShell } from './ssh-shell.js';

const port = z.number().int().min(1).max(65535);

/** Schema of the SSH settings (see the module comment). */
export const SshSettingsSchema = z
  .object({
    knownHosts: z.string().min(1).optional(),
    identityFiles: z.array(z.string().min(1)).optional(),
    agent: z.boolean().default(true),
    user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, 'expected a login name').optional(),
    port: port.optional(),
    connectTimeoutMs: z.number().int().positive().max(600_000).default(10_000),
    concurrency: z.number().int().min(1).max(4096).default(DEFAULT_CONCURRENCY),
    hostMap: z
      .record(
        z.string().regex(/^[a-z0-9*?.,-]+$/, 'expected a host name pattern (letters, digits, - . and * ? wildcards)'),
        z.object({ hostname: z.string().min(1).optional(), port: port.optional(), user: z.string().min(1).optional(), hostKeyAlias: z.string().min(1).optional() }).strict(),
      )
      .optional(),
  })
  .strict();
export type SshSettings = z.output<typeof SshSettingsSchema>;

/** `~/x` → the home directory's x; a relative path against `baseDir`. */
export function expandPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return join(os.homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/**
 * The shell for `s`; relative paths resolve against `baseDir` (the config file's directory).
 * known_hosts defaults to `~/.ssh/known_hosts`.
 * @throws InputError as {@link SshShell}'s constructor (unreadable known_hosts or key, no key and no agent).
 */
export function sshShellFrom(s: SshSettings, baseDir: string): SshShell {
  return new SshShell({
    knownHosts: expandPath(s.knownHosts ?? '~/.ssh/known_hosts', baseDir),
    identityFiles: (s.identityFiles ?? []).map((f) => expandPath(f, baseDir)),
    agent: s.agent ? undefined : false,
    user: s.user,
    port: s.port,
    hosts: s.hostMap,
    connectTimeoutMs: s.connectTimeoutMs,
  });
}

/**
 * Read a hosts file: one host per line, blank lines and `#` comments skipped, names through
 * `normalizeHost`; a repeated host is kept once.
 * @throws InputError naming the file and line of the first name that is not a DNS host name, or when the file cannot be read.
 */
export function readHostsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError({ origin: file }, `cannot read the hosts file: ${(e as Error).message}`);
  }
  const hosts = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/#.*/, '').trim();
    if (l === '') return;
    const k = normalizeHost(l);
    if (!k.ok) throw new InputError({ origin: file, line: i + 1, field: 'host' }, k.problem);
    hosts.add(k.host);
  });
  return [...hosts];
}
