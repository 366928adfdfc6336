/**
 * OpenSSH known_hosts: which host keys a host may present.
 *
 * Format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): one key per line,
 * `[@marker] hostpatterns keytype base64-key [comment]`. `hostpatterns` is a comma list of
 * names with `*` / `?` wildcards, `!` to negate, `[host]:port` for a port other than 22, or one
 * hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` (HashKnownHosts, `ssh-keygen -H`).
 * Markers: `@revoked` (this key must never be accepted) and `@cert-authority` (host certificates,
 * not supported here: such lines are ignored, so a host only they cover is unknown).
 * Blank lines, `#` comments and lines OpenSSH could not parse either are ignored, as ssh does:
 * ignoring a line can only make a host unknown, which is a failure, never an acceptance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** One usable known_hosts line. */
interface KnownKey {
  line: number;
  revoked: boolean;
  /** Plain patterns (may include `!`-negated ones), or null for a hashed entry. */
  patterns: string[] | null;
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  key: Buffer;
}

/** What known_hosts says about the key a host presented. */
export type HostKeyVerdict =
  | { ok: true; line: number }
  | { ok: false; kind: 'hostkey-unknown' | 'hostkey-mismatch'; problem: string };

/** The name known_hosts stores for `host` at `port`: `host` for 22, else `[host]:port` (OpenSSH's rule). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** A parsed known_hosts file. */
export class KnownHosts {
  private constructor(
    /** Path (or label) the entries came from, for messages. */
    readonly origin: string,
    private readonly keys: readonly KnownKey[],
  ) {}

  /** Parse known_hosts text. Never throws: unusable lines are ignored (see the module comment). */
  static parse(text: string, origin: string): KnownHosts {
    const keys: KnownKey[] = [];
    text.split('\n').forEach((raw, i) => {
      const fields = raw.trim().split(/\s+/);
      if (fields[0] === '' || fields[0].startsWith('#')) return;
      let revoked = false;
      if (fields[0].startsWith('@')) {
        if (fields[0] === '@revoked') revoked = true;
        else return; // @cert-authority: certificates are not supported
        fields.shift();
      }
      if (fields.length < 3) return;
      const [hostField, keyType, b64] = fields;
      const key = Buffer.from(b64, 'base64');
      if (key.length === 0) return;
      let hashed: KnownKey['hashed'] = null;
      let patterns: string[] | null = null;
      if (hostField.startsWith('|1|')) {
        const [, , salt, hash] = hostField.split('|');
        if (!salt || !hash) return;
        hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
        if (hashed.salt.length === 0 || hashed.hash.length !== 20) return;
      } else {
        patterns = hostField.toLowerCase().split(',').filter((p) => p !== '');
      }
      keys.push({ line: i + 1, revoked, patterns, hashed, keyType, key });
    });
    return new KnownHosts(origin, keys);
  }

  /** Read and parse a known_hosts file. @throws InputError naming the file when it cannot be read. */
  static load(file: string): KnownHosts {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputError({ origin: file }, `cannot read the known_hosts file (${(e as Error).message}); give one with --known-hosts or ssh.known_hosts`);
    }
    return KnownHosts.parse(text, file);
  }

  /** Key types (`ssh-ed25519`, `ssh-rsa`, …) listed for `name` (as from {@link knownHostsName}), revoked keys excluded. */
  keyTypesFor(name: string): string[] {
    const n = name.toLowerCase();
    return [...new Set(this.keys.filter((k) => !k.revoked && matches(k, n)).map((k) => k.keyType))];
  }

  /**
   * Check the raw public key blob a server presented for `name` (as from {@link knownHostsName}).
   * Ok when a non-revoked line for the name has exactly that key. A revoked key, or a name with
   * lines but none with this key, is `hostkey-mismatch`; a name without lines is `hostkey-unknown`.
   */
  verify(name: string, presented: Buffer): HostKeyVerdict {
    const n = name.toLowerCase();
    let listed = false;
    for (const k of this.keys) {
      if (!matches(k, n)) continue;
      const same = k.key.length === presented.length && timingSafeEqual(k.key, presented);
      if (k.revoked) {
        if (same) return { ok: false, kind: 'hostkey-mismatch', problem: `${name} presented a host key marked @revoked in ${this.origin}:${k.line}` };
        continue;
      }
      listed = true;
      if (same) return { ok: true, line: k.line };
    }
    if (listed) {
      return {
        ok: false,
        kind: 'hostkey-mismatch',
        problem:
          `${name} presented a host key that differs from the one in ${this.origin} (possible man-in-the-middle, or the host was reinstalled): ` +
          `check the host's key out of band, then update its line (ssh-keygen -R ${name})`,
      };
    }
    return {
      ok: false,
      kind: 'hostkey-unknown',
      problem: `${name} has no host key in ${this.origin}: add its key after checking it out of band (ssh-keyscan, then compare fingerprints)`,
    };
  }
}

function matches(k: KnownKey, name: string): boolean {
  if (k.hashed) {
    const h = createHmac('sha1', k.hashed.salt).update(name).digest();
    return timingSafeEqual(h, k.hashed.hash);
  }
  let hit = false;
  for (const p of k.patterns!) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (!hit && globMatch(p, name)) hit = true;
  }
  return hit;
}

/** OpenSSH pattern match: `*` any run of characters, `?` one character, everything else literal. */
export function globMatch(pattern: string, s: string): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === s[i])) {
      p++;
      i++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = i;
    } else if (star >= 0) {
      p = star + 1;
      i = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
