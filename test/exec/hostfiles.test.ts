import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addExcluded, excludedHosts, removeExcluded } from '../../src/exec/hostfiles.js';

const real = (f: string) => readFileSync(join(import.meta.dirname, '../fixtures/real/hdfs-hostfiles', f), 'utf8');
const PLAIN = real('dfs.hosts.exclude-plain-example-hadoop-HdfsDataNodeAdminGuide.txt');
const COMMENTED = real('dfs.exclude-commented-out-entry-learning-hadoop.txt');
const JSON_ARRAY = real('dfs.hosts.json-array-format-hadoop-test-fixture.json');
const JSON_PRETTY = real('dfs.hosts.json-pretty-example-hadoop-HdfsDataNodeAdminGuide.json');
const JSON_LEGACY = real('legacy.dfs.hosts.json-concatenated-objects-hadoop-test-fixture.json');
const YARN_XML = real('yarn-exclude-xml-with-timeouts-hadoop-GracefulDecommission-doc.xml');

describe('plain dfs.hosts.exclude', () => {
  it('reads the admin guide example and a file whose only line is commented out', () => {
    expect(excludedHosts('plain', PLAIN, 'x')).toEqual(['host3', 'host4']);
    expect(excludedHosts('plain', COMMENTED, 'x')).toEqual([]);
  });

  it('adds only the hosts not there yet, at the end, leaving every existing byte alone', () => {
    const e = addExcluded('plain', COMMENTED, ['dn4.internal', 'dn2.internal'], 'x');
    expect(e.text).toBe('#dn4.internal\ndn4.internal\ndn2.internal\n');
    const again = addExcluded('plain', e.text, ['dn4.internal', 'dn2.internal'], 'x');
    expect(again).toEqual({ text: e.text, changed: [], unchanged: ['dn4.internal', 'dn2.internal'], refused: [] });
  });

  it('a file without a final newline gets one before the new host', () => {
    expect(addExcluded('plain', 'host3', ['host9'], 'x').text).toBe('host3\nhost9\n');
  });

  it('returning a host removes its line, or just its name from a line shared with others', () => {
    expect(removeExcluded('plain', PLAIN, ['host3'], 'x').text).toBe('host4\n');
    expect(removeExcluded('plain', '# rack 7\nhost1 host2 # spares\nhost3\n', ['host2', 'host3'], 'x').text).toBe('# rack 7\nhost1 # spares\n');
  });

  it('property: add then remove gives the file back byte for byte', () => {
    const host = fc.stringMatching(/^[a-z]([a-z0-9-]{0,5}[a-z0-9])?\.d$/);
    const line = fc.oneof(host, fc.constant('# comment'), fc.constant(''), host.map((h) => `  ${h}\t# why`));
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), fc.uniqueArray(host, { minLength: 1, maxLength: 4 }), (lines, hosts) => {
      const text = lines.map((l) => `${l}\n`).join('');
      const present = new Set(excludedHosts('plain', text, 'x'));
      const fresh = hosts.filter((h) => !present.has(h));
      const added = addExcluded('plain', text, fresh, 'x');
      expect(new Set(excludedHosts('plain', added.text, 'x'))).toEqual(new Set([...present, ...fresh]));
      expect(added.text.startsWith(text)).toBe(true);
      expect(removeExcluded('plain', added.text, fresh, 'x').text).toBe(text);
    }));
  });
});

describe('CombinedHostFileManager JSON hosts file', () => {
  it('reads DECOMMISSIONED hosts from the array, pretty and legacy concatenated forms', () => {
    expect(excludedHosts('hdfs-json', JSON_ARRAY, 'x')).toEqual(['host3', 'host4']);
    expect(excludedHosts('hdfs-json', JSON_LEGACY, 'x')).toEqual(['host3', 'host4']);
    expect(excludedHosts('hdfs-json', JSON_PRETTY, 'x')).toEqual(['host3']);
  });

  it('drains a listed host by rewriting only its own object, in the style of the file', () => {
    const e = addExcluded('hdfs-json', JSON_ARRAY, ['host2', 'host3'], 'x');
    expect(e.changed).toEqual(['host2']);
    expect(e.unchanged).toEqual(['host3']);
    expect(e.text).toBe(JSON_ARRAY.replace('{"hostName": "host2", "upgradeDomain": "ud0"}', '{"hostName": "host2", "upgradeDomain": "ud0", "adminState": "DECOMMISSIONED"}'));
    const pretty = addExcluded('hdfs-json', JSON_PRETTY, ['host1'], 'x').text;
    expect(pretty).toBe(JSON_PRETTY.replace('{\n    "hostName": "host1"\n  }', '{\n    "hostName": "host1",\n    "adminState": "DECOMMISSIONED"\n  }'));
    expect(JSON.parse(pretty)).toHaveLength(4);
    const legacy = addExcluded('hdfs-json', JSON_LEGACY, ['host5'], 'x').text;
    expect(legacy).toBe(JSON_LEGACY.replace('{"hostName": "host5", "port": 8090}', '{"hostName": "host5", "port": 8090, "adminState": "DECOMMISSIONED"}'));
  });

  it('refuses a host the file does not list, one in maintenance, and any host when the file lists nobody', () => {
    const e = addExcluded('hdfs-json', JSON_ARRAY, ['host9', 'host6'], 'hosts.json');
    expect(e.text).toBe(JSON_ARRAY);
    expect(e.refused.map((r) => r.host)).toEqual(['host9', 'host6']);
    expect(e.refused[0].problem).toMatch(/does not list host9/);
    expect(e.refused[1].problem).toMatch(/IN_MAINTENANCE/);
    expect(addExcluded('hdfs-json', '[]\n', ['host1'], 'hosts.json').refused[0].problem).toMatch(/admits every DataNode/);
  });

  it('returning a host removes its adminState and nothing else; drain then return is the identity', () => {
    expect(removeExcluded('hdfs-json', JSON_ARRAY, ['host3'], 'x').text).toBe(JSON_ARRAY.replace('{"hostName": "host3", "adminState": "DECOMMISSIONED"}', '{"hostName": "host3"}'));
    const drained = addExcluded('hdfs-json', JSON_PRETTY, ['host1', 'host2'], 'x').text;
    expect(removeExcluded('hdfs-json', drained, ['host1', 'host2'], 'x').text).toBe(JSON_PRETTY);
  });

  it('a damaged file names the file and the entry', () => {
    expect(() => excludedHosts('hdfs-json', '[{"hostName": "a"}, {"port": 1}]', '/etc/hadoop/dfs.hosts.json')).toThrow(/\/etc\/hadoop\/dfs\.hosts\.json: \[1\]\.hostName: /);
    expect(() => excludedHosts('hdfs-json', '[{"hostName": "a"}', 'f.json')).toThrow(/truncated/);
  });
});

describe('YARN XML exclude file', () => {
  it('reads every name, comma- and space-separated names included', () => {
    expect(excludedHosts('yarn-xml', YARN_XML, 'x')).toEqual(['host1', 'host2', 'host3', 'host4', 'host5', 'host6']);
  });

  it('adds a <host> element before </hosts>, indented like the others, with the graceful timeout', () => {
    const e = addExcluded('yarn-xml', YARN_XML, ['host2', 'host7'], 'x', { timeoutSeconds: 3600 });
    expect(e.changed).toEqual(['host7']);
    expect(e.text).toBe(YARN_XML.replace('</hosts>', '  <host><name>host7</name><timeout>3600</timeout></host>\n</hosts>'));
  });

  it('returning hosts drops a whole element or one name of a shared element', () => {
    const e = removeExcluded('yarn-xml', YARN_XML, ['host2', 'host5'], 'x');
    expect(e.text).toBe(YARN_XML.replace('  <host><name>host2</name><timeout>123</timeout></host>\n', '').replace('host4, host5,host6', 'host4, host6'));
  });

  it('an empty file becomes a hosts document; a file that is not one is refused, naming it', () => {
    expect(addExcluded('yarn-xml', '', ['h1'], 'x').text).toBe('<?xml version="1.0"?>\n<hosts>\n  <host><name>h1</name></host>\n</hosts>\n');
    expect(() => addExcluded('yarn-xml', 'host1\n', ['h1'], '/etc/hadoop/yarn.exclude')).toThrow(/\/etc\/hadoop\/yarn\.exclude: expected a YARN XML exclude file/);
  });
});

describe('hosts that are not DNS names are never written', () => {
  const bad = ['dn1.c1.test\nevil.c1.test', '</name></host><host><name>x', 'dn1 dn2', 'DN_1', ''];
  it.each(['plain', 'yarn-xml'] as const)('%s: refused with why, the file left as it was, the valid hosts still edited', (format) => {
    const text = format === 'plain' ? 'host3\n' : '<hosts>\n  <host><name>host3</name></host>\n</hosts>\n';
    const add = addExcluded(format, text, [...bad, 'dn9.c1.test'], '/etc/x');
    expect(add.changed).toEqual(['dn9.c1.test']);
    expect(add.refused.map((r) => r.host)).toEqual(bad);
    expect(add.refused[0].problem).toMatch(/is not a DNS host name .*never written into \/etc\/x/);
    expect(excludedHosts(format, add.text, 'x')).toEqual(['host3', 'dn9.c1.test']);
    expect(addExcluded(format, text, bad, '/etc/x').text).toBe(text);
    const rm = removeExcluded(format, text, ['host3', 'host3\nx'], '/etc/x');
    expect(rm.refused.map((r) => r.host)).toEqual(['host3\nx']);
    expect(excludedHosts(format, rm.text, 'x')).toEqual([]);
  });
});
