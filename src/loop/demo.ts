/**
 * Demo datacenters for the scheduled loop (`breakfix serve --demo --demo-dcs N`): each is the
 * demo fleet (src/demo/fleet.ts, scenario `proposals`) under its own name, with its own demo
 * control plane on loopback that lives as long as the bot, and faults that progress
 * deterministically between passes so the summaries have deltas and drift to show:
 *
 * - pass 1 is the fleet as built;
 * - from pass 2 on, before each pass, `demo-dcK` loses K more DataNodes (dead in HDFS,
 *   unreachable by ssh), chosen in a fixed order: `hdfs-dead` and `unresponsive` grow;
 * - the decommissions the fleet starts with never finish: `hdfs-decommissioning` is stuck.
 *
 * Passes run in the bot's process (the demo fleet is 4,034 hosts: well under a second).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DemoControlPlane, type DemoControlPlaneUrls } from '../demo/control-plane.js';
import { buildDemoFleet, DEMO_DC, renderTsv, type DemoFleet } from '../demo/fleet.js';
import { hash32 } from '../pass/pick.js';
import { runPass } from '../pass/run.js';
import { byteCompare } from '../sets/hostset.js';
import { HEALTH_COLUMNS } from '../sources/health.js';
import { INVENTORY_COLUMNS } from '../sources/inventory.js';
import type { HealthRow } from '../sources/types.js';
import type { PassRunner } from '../slack/service.js';

/** The names of `n` demo datacenters: `demo-dc1` (the demo's own, {@link DEMO_DC}), `demo-dc2`, … */
export function demoDatacenters(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? DEMO_DC : `demo-dc${i + 1}`));
}

interface DemoDc {
  dc: string;
  /** DataNodes lost per pass from the second on. */
  rate: number;
  plane: DemoControlPlane;
  urls: DemoControlPlaneUrls;
  srcDir: string;
  health: HealthRow[];
  /** Hosts that die next, in order. */
  doomed: string[];
  passes: number;
}

/** Running demo datacenters; `runPass` evolves one and runs its pass. `close()` stops the control planes. */
export class DemoDatacenters {
  private constructor(private readonly dcs: Map<string, DemoDc>, private readonly stateDir: string, private readonly policyDir: string) {}

  /** Build and serve `names` (each its own control plane on 127.0.0.1), sources under `<state>/sources/<dc>/`. */
  static async start(names: readonly string[], stateDir: string, policyDir: string): Promise<DemoDatacenters> {
    const base = buildDemoFleet('proposals');
    const dcs = new Map<string, DemoDc>();
    try {
      for (const [i, dc] of names.entries()) {
        const fleet = relabel(base, dc);
        const srcDir = resolve(stateDir, 'sources', dc);
        mkdirSync(srcDir, { recursive: true });
        writeFileSync(join(srcDir, 'inventory.tsv'), fleet.inventoryTsv);
        const plane = new DemoControlPlane(fleet);
        const urls = await plane.start();
        const doomed = fleet.dataNodes.filter((d) => d.live && d.adminState === 'In Service').map((d) => d.host)
          .sort((a, b) => hash32(`${dc}:${a}`) - hash32(`${dc}:${b}`) || byteCompare(a, b));
        dcs.set(dc, { dc, rate: i + 1, plane, urls, srcDir, health: fleet.health.map((h) => ({ ...h })), doomed, passes: 0 });
      }
    } catch (e) {
      await Promise.allSettled([...dcs.values()].map((d) => d.plane.close()));
      throw e;
    }
    return new DemoDatacenters(dcs, resolve(stateDir), policyDir);
  }

  /** The datacenters served. */
  names(): string[] {
    return [...this.dcs.keys()];
  }

  /** A {@link PassRunner} over these datacenters (what the bot uses for scheduled and `/breakfix pass` passes). */
  readonly runPass: PassRunner = async (dc, requestedBy, opts) => {
    const d = this.dcs.get(dc);
    if (!d) return { exitCode: 1, output: `${dc} is not a demo datacenter of this bot (${this.names().join(', ')})` };
    this.evolve(d);
    const result = await runPass({
      dc,
      sources: [
        { kind: 'inventory', location: join(d.srcDir, 'inventory.tsv') },
        { kind: 'health', location: join(d.srcDir, 'health.tsv') },
        { kind: 'hdfs-jmx', location: d.urls.hdfsJmxUrl },
        { kind: 'yarn-nodes', location: d.urls.yarnNodesUrl },
      ],
      policyDir: this.policyDir,
      stateDir: this.stateDir,
      seed: hash32(`${dc}:${d.passes}`),
      ...(opts?.propose === false ? {} : { register: { requestedBy } }),
    });
    return { exitCode: result.summary.result === 'ok' ? 0 : result.summary.result === 'refused' ? 3 : 1, output: result.transcript.slice(-5).join('\n') };
  };

  /** Stop every control plane. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.dcs.values()].map((d) => d.plane.close()));
  }

  /** The next step of the datacenter's story (see the file comment); rewrites health.tsv, so it is always fresh. */
  private evolve(d: DemoDc): void {
    d.passes++;
    if (d.passes > 1) {
      for (const host of d.doomed.splice(0, d.rate)) {
        d.plane.setDataNodeLive(host, false);
        d.plane.setNodeManagerState(host, 'LOST', 'node lost: no heartbeat for 600 s');
        for (const h of d.health) {
          if (h.host === host && h.check === 'reachable') {
            h.status = 'fail';
            h.detail = 'ssh: connect to host port 22: No route to host';
          }
        }
      }
    }
    writeFileSync(join(d.srcDir, 'health.tsv'), renderTsv(HEALTH_COLUMNS, d.health.map((r) => [r.host, r.check, r.status, r.detail])));
  }
}

/** The fleet under another datacenter name (the inventory's dc column). */
function relabel(fleet: DemoFleet, dc: string): DemoFleet {
  if (dc === fleet.dc) return fleet;
  const inventory = fleet.inventory.map((r) => ({ ...r, dc }));
  return {
    ...fleet, dc, inventory,
    inventoryTsv: renderTsv(INVENTORY_COLUMNS, inventory.map((r) => [r.host, r.dc, r.cluster, r.role, r.rack, r.dataGroup, r.lifecycle, r.ticket, r.exclude])),
  };
}
