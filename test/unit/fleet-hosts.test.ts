/**
 * `breakfix fleet run --hosts`: which hosts a name means. A file named like a set of the latest
 * pass is refused rather than silently preferred; `set:` and `file:` say which is meant.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveContext, readSet } from '../../commands/common.js';
import { selectFleetHosts } from '../../commands/fleet.js';
import { inputError } from '../helpers/errors.js';
import { passWithPlan } from '../helpers/pass.js';

describe('fleet run --hosts', () => {
  it('a bare name that is both a file here and a set of the latest pass is refused, naming set: and file:', async () => {
    const { state, dir } = await passWithPlan();
    const ctx = resolveContext({ state });
    const cwd = mkdtempSync(join(tmpdir(), 'bf-fleet-cwd-'));
    writeFileSync(join(cwd, 'managed'), 'dn1.dc1.test\n');
    writeFileSync(join(cwd, 'hosts.txt'), 'dn2.dc1.test\ndn3.dc1.test\n');
    const managed = readSet(dir, 'managed')!;
    expect(managed.length).toBeGreaterThan(1);

    expect(inputError(() => selectFleetHosts('managed', ctx, undefined, cwd)).message)
      .toMatch(/"managed" is both a file in .* and a set of the latest pass: write --hosts set:managed or --hosts file:managed/);
    expect(selectFleetHosts('set:managed', ctx, undefined, cwd).hosts).toEqual(managed);
    expect(selectFleetHosts('file:managed', ctx, undefined, cwd)).toEqual({ hosts: ['dn1.dc1.test'], from: 'managed' });
    // A file named like a set the pass does not have is just the file; a set with no such file is the set.
    expect(selectFleetHosts('hosts.txt', ctx, undefined, cwd).hosts).toEqual(['dn2.dc1.test', 'dn3.dc1.test']);
    expect(selectFleetHosts('managed', ctx, undefined, mkdtempSync(join(tmpdir(), 'bf-fleet-empty-'))).hosts).toEqual(managed);
    expect(inputError(() => selectFleetHosts('set:no-such-set', ctx, undefined, cwd)).message).toMatch(/no set no-such-set in the latest pass/);
    expect(inputError(() => selectFleetHosts('set:Bad Name', ctx, undefined, cwd)).message).toMatch(/not a set name/);
  });
});
