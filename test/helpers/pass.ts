import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runPass } from '../../src/pass/run.js';
import { fleetFiles, randomFleet } from './fleet.js';

const policyDir = join(import.meta.dirname, '../../policies');

/** A finished pass over a random 3-cluster fleet written as real files, whose plan has drains. */
export async function passWithPlan() {
  const src = mkdtempSync(join(tmpdir(), 'bf-src-'));
  const state = mkdtempSync(join(tmpdir(), 'bf-state-'));
  for (const [name, text] of Object.entries(fleetFiles(randomFleet({ seed: 4, clusters: 3, maxHosts: 250, racks: 8, groups: 1, failRate: 0.08, outRate: 0, noGroupRate: 0 })))) {
    writeFileSync(join(src, name), text);
  }
  const pass = await runPass({
    dc: 'dc1', seed: 5, policyDir, stateDir: state,
    sources: [{ kind: 'inventory', location: join(src, 'inventory.tsv') }, { kind: 'health', location: join(src, 'health.tsv') }, { kind: 'hdfs-jmx', location: join(src, 'nn-jmx.json') }],
  });
  expect(pass.plan!.actions.length).toBeGreaterThan(0);
  return { src, state, dir: pass.dir, plan: pass.plan!, policyDir, common: { state, policies: policyDir } };
}
