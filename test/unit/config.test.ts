import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

function config(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-config-'));
  writeFileSync(join(dir, 'breakfix.yml'), text);
  return join(dir, 'breakfix.yml');
}

describe('breakfix.yml', () => {
  it('resolves relative paths against the file and keeps URLs and the inventory mapping', () => {
    const path = config(`state: ./st
datacenters:
  dc1:
    sources:
      inventory: { path: inv.csv, mapping: { columns: { host: machine_id } } }
      health: { path: /var/lib/breakfix/health.tsv }
      hdfs: { url: "http://nn1:9870/jmx" }
      yarn: { kind: yarn-list, path: nodes.txt }
`);
    const c = loadConfig(path);
    expect(c.stateDir).toBe(join(path, '..', 'st'));
    expect(c.datacenters.dc1.sources).toEqual([
      { kind: 'inventory', location: join(path, '..', 'inv.csv'), mapping: { columns: { host: 'machine_id' } } },
      { kind: 'health', location: '/var/lib/breakfix/health.tsv' },
      { kind: 'hdfs-jmx', location: 'http://nn1:9870/jmx' },
      { kind: 'yarn-list', location: join(path, '..', 'nodes.txt') },
    ]);
  });

  it('names the file, line and field of a mistake', () => {
    const path = config(`datacenters:
  dc1:
    sources:
      inventory: { path: inv.tsv }
      health: { path: h.tsv, url: "http://x/h" }
      hdfs: { url: "http://nn1:9870/jmx" }
`);
    expect(() => loadConfig(path)).toThrow(/breakfix\.yml:5:\d+: datacenters\.dc1\.sources\.health: give exactly one of path or url/);
  });

  it('refuses an unknown source kind and a missing control plane', () => {
    expect(() => loadConfig(config(`datacenters:\n  dc1:\n    sources:\n      inventory: { path: i.tsv }\n      health: { path: h.tsv }\n      hdfs: { kind: hdfs-xml, path: x }\n`))).toThrow(/datacenters\.dc1\.sources\.hdfs\.kind/);
    expect(() => loadConfig(config(`datacenters:\n  dc1:\n    sources:\n      inventory: { path: i.tsv }\n      health: { path: h.tsv }\n`))).toThrow(/datacenters\.dc1\.sources\.hdfs/);
  });
});

describe('breakfix.yml schedules', () => {
  const dc = `  dc1:
    sources:
      inventory: { path: inv.tsv }
      health: { path: h.tsv }
      hdfs: { url: "http://nn1:9870/jmx" }
`;
  it('a datacenter may have a cron schedule; jitter and heartbeat default', () => {
    const c = loadConfig(config(`datacenters:\n${dc}    schedule: { cron: "*/15 * * * *" }\n`));
    expect(c.datacenters.dc1.schedule).toEqual({ cron: '*/15 * * * *', maxJitterSeconds: 30, heartbeatHours: 6 });
  });

  it('a bad cron expression is refused with the file, line and field', () => {
    expect(() => loadConfig(config(`datacenters:\n${dc}    schedule:\n      cron: "every 15 minutes"\n`))).toThrow(/breakfix\.yml:8:\d+: datacenters\.dc1\.schedule\.cron: expected a cron expression such as/);
  });
});
