import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KnownHosts, knownHostsName } from '../../src/ssh/known-hosts.js';
import { shellCommand, shellQuote } from '../../src/ssh/quote.js';

const keyA = Buffer.from('key-a-blob');
const keyB = Buffer.from('key-b-blob');
const line = (hosts: string, key: Buffer, type = 'ssh-ed25519') => `${hosts} ${type} ${key.toString('base64')} comment`;

describe('known_hosts', () => {
  it('matches plain names, wildcards and [host]:port, and honours negation', () => {
    const kh = KnownHosts.parse(
      [line('dn1.example.com,10.0.0.1', keyA), line('*.rack2.example.com,!dn9.rack2.example.com', keyA), line('[nn1.example.com]:2222', keyB), '# comment', 'garbage'].join('\n'),
      'kh',
    );
    expect(kh.verify('dn1.example.com', keyA).ok).toBe(true);
    expect(kh.verify('DN1.example.com', keyA).ok).toBe(true);
    expect(kh.verify('dn5.rack2.example.com', keyA).ok).toBe(true);
    expect(kh.verify('dn9.rack2.example.com', keyA)).toMatchObject({ ok: false, kind: 'hostkey-unknown' });
    expect(kh.verify(knownHostsName('nn1.example.com', 2222), keyB).ok).toBe(true);
    expect(kh.verify(knownHostsName('nn1.example.com', 22), keyB)).toMatchObject({ ok: false, kind: 'hostkey-unknown' });
    expect(kh.verify('dn1.example.com', keyB)).toMatchObject({ ok: false, kind: 'hostkey-mismatch' });
  });

  it('matches hashed |1|salt|hash entries', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[dn2.example.com]:2200').digest();
    const kh = KnownHosts.parse(line(`|1|${salt.toString('base64')}|${hash.toString('base64')}`, keyA), 'kh');
    expect(kh.verify('[dn2.example.com]:2200', keyA).ok).toBe(true);
    expect(kh.verify('dn2.example.com', keyA).ok).toBe(false);
    expect(kh.keyTypesFor('[dn2.example.com]:2200')).toEqual(['ssh-ed25519']);
  });

  it('refuses a key marked @revoked even when another line lists it', () => {
    const kh = KnownHosts.parse([`@revoked ${line('*', keyA)}`, line('dn1.example.com', keyA)].join('\n'), 'kh');
    expect(kh.verify('dn1.example.com', keyA)).toMatchObject({ ok: false, kind: 'hostkey-mismatch' });
  });
});

describe('argv quoting', () => {
  it('leaves plain words bare and single-quotes the rest', () => {
    expect(shellCommand(['hdfs', 'dfsadmin', '-refreshNodes'])).toBe('hdfs dfsadmin -refreshNodes');
    expect(shellQuote("it's $(x)")).toBe(`'it'\\''s $(x)'`);
    expect(shellQuote('')).toBe("''");
    expect(() => shellCommand([])).toThrow(/argv\[0\]/);
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
