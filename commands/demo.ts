/**
 * `breakfix demo` (`npm run demo`): whole passes on the embedded demo fleet — the real Alibaba
 * cluster-trace v2018 machine inventory split into clusters, with deterministic faults — whose
 * NameNode JMX and ResourceManager REST are served on 127.0.0.1 by a server this command
 * starts, and read over HTTP through the production adapters. No network, no credentials.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildDemoFleet, type DemoScenario } from '../src/demo/fleet.js';
import { DemoControlPlane } from '../src/demo/control-plane.js';
import { runPass } from '../src/pass/run.js';
import { shippedPolicyDir } from '../src/paths.js';
import { passOutput } from './pass.js';
import type { CommandOutput } from './common.js';

/** Arguments of `demo`. */
export interface DemoArgs {
  scenario: DemoScenario | 'both';
  /** Where pass directories and the demo's source files go. */
  stateDir: string;
  seed: number;
  /** Recorded as the plan's requester (default `demo`). */
  requestedBy?: string;
}

const TITLES: Record<DemoScenario, string> = {
  proposals: 'Scenario 1 — a normal day: a few hosts failing, budgets with headroom',
  'budget-consumed': 'Scenario 2 — a bad week: enough hosts already out that every budget is consumed',
};

/** Run the demo scenario(s); the text walks through what happened and where the files are. */
export async function runDemo(args: DemoArgs): Promise<CommandOutput> {
  const scenarios: DemoScenario[] = args.scenario === 'both' ? ['proposals', 'budget-consumed'] : [args.scenario];
  const text: string[] = [];
  const results: unknown[] = [];
  let exitCode = 0;
  const shown = new Set<string>();
  for (const scenario of scenarios) {
    const fleet = buildDemoFleet(scenario);
    const srcDir = resolve(args.stateDir, 'sources', scenario);
    mkdirSync(srcDir, { recursive: true });
    writeFileSync(join(srcDir, 'inventory.tsv'), fleet.inventoryTsv);
    writeFileSync(join(srcDir, 'health.tsv'), fleet.healthTsv);
    const plane = new DemoControlPlane(fleet);
    const urls = await plane.start();
    try {
      const result = await runPass({
        dc: fleet.dc,
        sources: [
          { kind: 'inventory', location: join(srcDir, 'inventory.tsv') },
          { kind: 'health', location: join(srcDir, 'health.tsv') },
          { kind: 'hdfs-jmx', location: urls.hdfsJmxUrl },
          { kind: 'yarn-nodes', location: urls.yarnNodesUrl },
        ],
        policyDir: shippedPolicyDir(),
        stateDir: resolve(args.stateDir),
        seed: args.seed,
        register: { requestedBy: args.requestedBy ?? 'demo' },
      });
      const out = passOutput(result);
      exitCode = Math.max(exitCode, out.exitCode);
      text.push(`━━ ${TITLES[scenario]}`);
      text.push(`fleet: ${fleet.description}`);
      const fresh = fleet.faults.filter((f) => !shown.has(f));
      text.push(shown.size ? 'injected faults, beyond the ones above:' : 'injected faults:');
      for (const f of fresh) text.push(`  - ${f}`);
      for (const f of fleet.faults) shown.add(f);
      text.push(`control plane: NameNode ${urls.nameNodeUrl}, ResourceManager ${urls.resourceManagerUrl} (loopback, this process)`);
      text.push('');
      text.push(out.text);
      text.push('');
      results.push(out.json);
    } finally {
      await plane.close();
    }
  }
  text.push('Look around: every set is a file (`ls <files>/sets`, `wc -l <files>/sets/*candidates`), `cat <files>/budget.tsv`,');
  text.push(`\`less <files>/transcript.log\`; or ask breakfix: \`npx breakfix show drain-candidates --state ${args.stateDir}\`,`);
  text.push(`\`npx breakfix why <host> --state ${args.stateDir}\`, \`npx breakfix diff --state ${args.stateDir}\` (the second scenario against the first), \`npx breakfix policy --state ${args.stateDir}\`.`);
  return { text: text.join('\n'), json: results, exitCode };
}
