import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { byteOrder, difference, has, intersect, sortOrder, toHostSet, union } from '../../src/sets/hostset.js';
import { prng } from '../../src/pass/pick.js';
import { normalizeHost } from '../../src/hosts.js';

const names = fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,8}$/), { maxLength: 40 });

describe('host sets are sorted unique lists in byte order, like LC_ALL=C sort -u', () => {
  it('sorts in byte order and drops duplicates', () => {
    expect(toHostSet(['b', 'a-2', 'a', 'B'.toLowerCase(), 'a10', 'a9', 'a'])).toEqual(['a', 'a-2', 'a10', 'a9', 'b']);
  });

  it('union, intersection and difference agree with JavaScript Sets on random lists', () => {
    fc.assert(
      fc.property(names, names, (xa, xb) => {
        const a = toHostSet(xa);
        const b = toHostSet(xb);
        const A = new Set(a);
        const B = new Set(b);
        expect(union(a, b)).toEqual(toHostSet([...A, ...B]));
        expect(intersect(a, b)).toEqual(toHostSet([...A].filter((x) => B.has(x))));
        expect(difference(a, b)).toEqual(toHostSet([...A].filter((x) => !B.has(x))));
        for (const x of xb) expect(has(a, x)).toBe(A.has(x));
      }),
    );
  });

  it('a small set against a big one (looked up, not merged) gives the same answers', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9]{1,4}$/), { maxLength: 5 }), fc.array(fc.stringMatching(/^[a-z0-9]{1,4}$/), { minLength: 200, maxLength: 400 }), (xs, xb) => {
        const small = toHostSet(xs);
        const big = toHostSet([...xb, ...xs.slice(0, 2)]);
        const B = new Set(big);
        expect(intersect(small, big)).toEqual(small.filter((x) => B.has(x)));
        expect(intersect(big, small)).toEqual(small.filter((x) => B.has(x)));
        expect(difference(small, big)).toEqual(small.filter((x) => !B.has(x)));
      }),
    );
  });
});

describe('host names are checked before they become keys', () => {
  it('drops the DataNode port and lower-cases', () => {
    expect(normalizeHost('DN1.Example.COM:9866')).toEqual({ ok: true, host: 'dn1.example.com' });
    expect(normalizeHost('dn1.example.com.')).toEqual({ ok: true, host: 'dn1.example.com' });
  });
  it.each(['dn1;rm -rf /', 'dn 1', 'dn1$(reboot)', '-dn1', 'dn_1', '', 'a'.repeat(64)])('refuses %j', (raw) => {
    const r = normalizeHost(raw);
    expect(r.ok).toBe(false);
  });  it('gives any string the key the rules give it: trimmed, port and one trailing dot dropped, lower-cased, then checked', () => {
    const rules = (raw: string) => {
      let t = raw.trim();
      const m = /^(.*):(\d{1,5})$/.exec(t);
      if (m && m[1] !== '') t = m[1];
      if (t.endsWith('.')) t = t.slice(0, -1);
      t = t.toLowerCase();
      const ok = t.length > 0 && t.length <= 253 && t.split('.').every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
      return ok ? { ok: true, host: t } : { ok: false };
    };
    fc.assert(fc.property(fc.stringMatching(/^[ a-zA-Z0-9.:_-]{0,20}$/), (raw) => {
      const r = normalizeHost(raw);
      const want = rules(raw);
      expect(r.ok).toBe(want.ok);
      if (r.ok) expect(r.host).toBe((want as { host: string }).host);
    }), { numRuns: 3000 });
  });
});

describe('sortOrder: the radix order of names', () => {
  /** The stable comparator sort it must equal: byte order, equal names in their original order. */
  const reference = (keys: readonly string[]) => keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  const rand = prng(11);
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');

  it('equals a stable byte-order sort on host names, prefixes of each other, duplicates and empty names', () => {
    for (let round = 0; round < 30; round++) {
      const n = Math.floor(rand() * 6000);
      const keys = Array.from({ length: n }, () => {
        const r = rand();
        if (r < 0.05) return '';
        if (r < 0.3) return `dn${pick('0123', 3)}.c${pick('01', 2)}.example.com`;
        return pick('ab-.9Z~ \u0000', Math.floor(rand() * 12));
      });
      expect(Array.from(sortOrder(keys)!), `round ${round}`).toEqual(reference(keys));
    }
  });
  it('orders names that are equal in their first 64 characters (past what the radix passes read) by the rest, stably', () => {
    const long = 'r01-s01-n1.a-very-long-pod-name-for-this-test.datacenter-one.example'; // 68 characters
    expect(long.length).toBeGreaterThan(64);
    const keys = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? long.slice(0, 60 + (i % 9)) : `${long}${pick('ab.', Math.floor(rand() * 4))}`));
    expect(Array.from(sortOrder(keys)!)).toEqual(reference(keys));
  });
  it('gives up on a name outside ASCII past the 64th character of a large set too', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `h${i}.${'x'.repeat(70)}`);
    expect(sortOrder(keys)).not.toBeNull();
    keys[500] += 'é';
    expect(sortOrder(keys)).toBeNull();
  });
  it('orders 100,000 bench-like names as the built-in sort does', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `dn${String((i * 7919) % 100_000).padStart(6, '0')}.c${String(i % 30).padStart(2, '0')}.bench.test`);
    const sorted = Array.from(sortOrder(keys)!, (i) => keys[i]);
    expect(sorted).toEqual([...keys].sort());
  });
  it('gives up on a name outside ASCII (the built-in sort orders those), and toHostSet still sorts it', () => {
    expect(sortOrder(Array.from({ length: 40 }, (_, i) => (i === 7 ? 'é' : `h${i}`)))).toBeNull();
    expect(toHostSet(['b', 'é', 'a', 'b'])).toEqual(['a', 'b', 'é']);
  });
  it('byteOrder orders any text, stably: the radix order for ASCII, a comparison sort with a name outside it', () => {
    for (const n of [40, 5000]) {
      const keys = Array.from({ length: n }, (_, i) => `h${(i * 37) % 11}${i % 3 === 0 ? 'é' : ''}`);
      expect(Array.from(byteOrder(keys))).toEqual(reference(keys));
      const ascii = keys.map((k) => k.replace('é', 'e'));
      expect(Array.from(byteOrder(ascii))).toEqual(Array.from(sortOrder(ascii)!));
    }
  });
});
