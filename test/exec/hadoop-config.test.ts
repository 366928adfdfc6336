import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { fillArgv, loadDrainPolicy } from '../../src/exec/hadoop-config.js';

function config(drain: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-drain-config-'));
  const path = join(dir, 'breakfix.yml');
  writeFileSync(path, `datacenters:
  dc1:
    sources:
      inventory: { path: inv.tsv }
      health: { path: health.tsv }
      hdfs: { url: "http://nn1:9870/jmx" }
    drain:
${drain}`);
  return path;
}

describe('the drain: block of breakfix.yml', () => {
  it('a cluster gets the documented default commands and formats', () => {
    const c = loadConfig(config(`      clusters:
        prod-a:
          namenode: { host: nn1.dc1.test, jmx: "http://nn1.dc1.test:9870/jmx", exclude: { path: /etc/hadoop/conf/dfs.exclude } }
          resourcemanager: { host: rm1.dc1.test, exclude: { path: /etc/hadoop/conf/yarn.exclude, format: yarn-xml } }
`));
    const d = c.datacenters.dc1.drain!;
    expect(d).toMatchObject({ executor: 'hadoop', transport: 'ssh' });
    expect(d.clusters['prod-a'].namenode).toMatchObject({ exclude: { format: 'plain' }, refresh: ['hdfs', 'dfsadmin', '-refreshNodes'] });
    expect(fillArgv(d.clusters['prod-a'].resourcemanager!.refresh, { timeout: 3600 })).toEqual(['yarn', 'rmadmin', '-refreshNodes', '-g', '3600', '-client']);
  });

  it('transport: local is refused unless allowLocalTransport says why', () => {
    const clusters = `      clusters:
        prod-a:
          namenode: { host: nn1.dc1.test, jmx: "http://nn1.dc1.test:9870/jmx", exclude: { path: /etc/hadoop/conf/dfs.exclude } }
`;
    expect(() => loadConfig(config(`      transport: local\n${clusters}`))).toThrow(/datacenters\.dc1\.drain\.transport: local runs the exclude-file edits and refreshes on the bot's own machine.*allowLocalTransport: \{ value: true, reason/);
    expect(loadConfig(config(`      transport: local\n      allowLocalTransport: { value: true, reason: the demo cluster runs here }\n${clusters}`)).datacenters.dc1.drain!.transport).toBe('local');
  });

  it('errors name the file, line and field', () => {
    const path = config(`      clusters:
        prod-a:
          namenode: { host: "nn1; rm -rf /", jmx: "http://nn1:9870/jmx", exclude: { path: dfs.exclude } }
`);
    expect(() => loadConfig(path)).toThrow(new RegExp(`${path.replace(/[.]/g, '\\.')}:10:\\d+: datacenters\\.dc1\\.drain\\.clusters\\.prod-a\\.namenode\\.host: expected a DNS host name`));
    const formats = config(`      clusters:
        prod-a:
          namenode: { host: nn1.test, jmx: "http://nn1:9870/jmx", exclude: { path: /x, format: yarn-xml } }
`);
    expect(() => loadConfig(formats)).toThrow(/namenode\.exclude: a NameNode exclude file is plain or hdfs-json/);
    expect(() => loadConfig(config('      executor: hadoop\n'))).toThrow(/drain: the hadoop executor needs at least one cluster/);
  });

  it('the shipped policies/drain.yml loads, in ms', () => {
    expect(loadDrainPolicy()).toMatchObject({ pollMs: 30_000, decommissionTimeoutMs: 720 * 60_000, yarnGracefulTimeoutSeconds: 3600 });
  });
});
