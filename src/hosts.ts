/**
 * Host names: the key every set, row and plan action uses.
 *
 * Rule (RFC 1123 §2.1 and RFC 1035 §2.3.4): a name is dot-separated labels of 1–63 characters
 * from `a-z 0-9 -`, not starting or ending with `-`, 253 characters at most in all. Names are
 * lower-cased first (DNS is case-insensitive). Control planes key DataNodes as `host:port`;
 * the port is dropped so the host is the key. Anything else (spaces, shell metacharacters,
 * underscores) is refused: such a string must never reach a command line or a plan.
 */

/** True when `name` (already lower case, no port, no trailing dot) is a valid DNS host name. One pass over the characters. */
export function isValidHostname(name: string): boolean {
  const n = name.length;
  if (n === 0 || n > 253) return false;
  let labelStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : 46; // end of name closes the last label like a '.'
    if (c === 46) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return false;
      if (name.charCodeAt(labelStart) === 45 || name.charCodeAt(i - 1) === 45) return false; // no '-' at either end
      labelStart = i + 1;
    } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) {
      return false;
    }
  }
  return true;
}

/** Result of {@link normalizeHost}: the host key, or why the input is not one. */
export type HostKey = { ok: true; host: string } | { ok: false; problem: string };

/**
 * Normalise a raw host string from a source: trim, drop a `:port` suffix (digits only),
 * drop one trailing dot, lower-case, and validate as a DNS name.
 * `"DN1.Example.com:50010"` → `{ ok: true, host: "dn1.example.com" }`.
 *
 * The host returned is always a flat string of its own, never a view into `raw`'s text: V8 keeps
 * a substring of 13 or more characters cut from a large text (a source snapshot) as a "sliced
 * string" that pins the whole text in memory and compares 3–4 times slower (sorting, `Map`
 * lookups and the set merges all compare host keys). For a valid DNS name (a-z 0-9 - .)
 * `encodeURIComponent` changes nothing and always returns a new flat string: the cheapest copy
 * measured (about 10 ms per 100,000 names).
 * `own`: `raw` is a string of its own, decoded from bytes (`buffer.toString`), not cut from a
 * larger text: when it already is a host key it is returned as is, without that copy.
 * Never throws; the caller turns `problem` into an {@link InputError} naming its file and field.
 */
export function normalizeHost(raw: string, own = false): HostKey {
  // Nearly every name a source gives is already a host key: one walk over it says so.
  if (isValidHostname(raw)) return { ok: true, host: own ? raw : encodeURIComponent(raw) };
  let s = raw.trim();
  const colon = s.lastIndexOf(':');
  if (colon > 0 && /^\d{1,5}$/.test(s.slice(colon + 1))) s = s.slice(0, colon);
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (/[A-Z]/.test(s)) s = s.toLowerCase();
  if (!isValidHostname(s)) {
    return { ok: false, problem: `expected a DNS host name (letters, digits, '-', '.'), got ${JSON.stringify(raw)}` };
  }
  return { ok: true, host: encodeURIComponent(s) };
}

/**
 * Why `host` may not be handed to a remote shell, or null when it may: it must already be a host
 * key, exactly as {@link normalizeHost} returns it (`DN1.example.com`, `dn1:22` or ` dn1` are
 * refused, so nothing but a validated name ever reaches a command line or an SSH connection).
 * The one check `SshShell` and `LocalShell` make before anything runs.
 */
export function hostKeyProblem(host: string): string | null {
  const key = normalizeHost(host);
  if (!key.ok) return key.problem;
  return key.host === host ? null : `expected the normalised name ${key.host}`;
}

/**
 * A copy of a kept value that is not a host name (a rack, a data group, a ticket) that does not
 * point into the snapshot text it was cut from (see {@link normalizeHost} on sliced strings).
 * Use it once per distinct value, or on rare values: it costs a structured clone.
 */
export function detachValue(value: string | null): string | null {
  return value === null ? null : structuredClone(value);
}
