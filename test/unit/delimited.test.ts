import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitFields } from '../../src/sources/delimited.js';

describe('splitFields: the fields of one line, into a reused array', () => {
  it('gives what split gives for any line, wherever it sits in the text and whatever the array held before', () => {
    const out: string[] = ['stale', 'stale', 'stale', 'stale', 'stale', 'stale', 'stale', 'stale', 'stale', 'stale'];
    fc.assert(fc.property(
      fc.stringMatching(/^[a\t,x\r]{0,12}$/), fc.stringMatching(/^[a\t,\n]{0,12}$/), fc.stringMatching(/^[a\t,\n]{0,12}$/), fc.constantFrom('\t', ','),
      (line, before, after, sep) => {
        const t = `${before}\n${line}\n${after}`;
        const from = before.length + 1;
        const n = splitFields(t, from, from + line.length, sep, out);
        expect(out.slice(0, n)).toEqual(line.split(sep));
      },
    ), { numRuns: 2000 });
  });
});
