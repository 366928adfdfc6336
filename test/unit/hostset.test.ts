import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { difference, formatSetFile, has, intersect, toHostSet, union } from '../../src/sets/hostset.js';
import { normalizeHost } from '../../src/hosts.js';

const names = fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,8}$/), { maxLength: 40 });

describe('host sets are sorted unique lists in byte order, like LC_ALL=C sort -u', () => {
  it('sorts in byte order and drops duplicates', () => {
    expect(toHostSet(['b', 'a-2', 'a', 'B'.toLowerCase(), 'a10', 'a9', 'a'])).toEqual(['a', 'a-2', 'a10', 'a9', 'b']);
    expect(formatSetFile(['a', 'b'])).toBe('a\nb\n');
    expect(formatSetFile([])).toBe('');
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
  });
});
