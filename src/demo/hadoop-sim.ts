/**
 * A Hadoop control plane driven by real exclude files, for tests and the demo: the demo
 * NameNode and ResourceManager ({@link DemoControlPlane}, real JMX and REST formats over
 * loopback HTTP) plus `hdfs` and `yarn` command shims that, on `hdfs dfsadmin -refreshNodes` and
 * `yarn rmadmin -refreshNodes [-g N -client|-server]`, make the simulator re-read the exclude
 * files exactly as the daemons would (with the production parsers of src/exec/hostfiles.ts).
 *
 * After an HDFS refresh, an excluded `In Service` DataNode goes `Decommission In Progress` with
 * its blocks to re-replicate (counted in the namesystem's under-replicated blocks); its blocks
 * fall at `blocksPerSecond` of the simulator's clock until it is `Decommissioned`. A DataNode no
 * longer excluded returns to `In Service`. After a YARN refresh an excluded NodeManager goes
 * `DECOMMISSIONING`, then `DECOMMISSIONED` once `yarnDrainMs` has passed; one no longer
 * excluded goes back to `RUNNING`. State is brought up to the clock before every HTTP answer, so
 * with a virtual clock shared with the executor a drain of hours runs in milliseconds.
 *
 * The shims are small scripts in a temporary `bin/` directory; they POST to the simulator's
 * control server on 127.0.0.1 and print what Hadoop's tools print. A refresh can be made to fail
 * ({@link HadoopSimulator.failNextRefresh}) or held in flight ({@link HadoopSimulator.holdNextRefresh})
 * to test the executor's handling.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { hash32 } from '../pass/pick.js';
import { excludedHosts, type ExcludeFormat } from '../exec/hostfiles.js';
import { closeServer, DemoControlPlane, listenOnLoopback, type DemoControlPlaneState, type DemoControlPlaneUrls } from './control-plane.js';

/** Options of {@link HadoopSimulator}. */
export interface HadoopSimulatorOptions {
  state: DemoControlPlaneState;
  hdfsExclude: { path: string; format: ExcludeFormat };
  yarnExclude?: { path: string; format: ExcludeFormat };
  /** The simulator's clock in ms (share the executor's virtual clock in tests). Default `Date.now`. */
  now?: () => number;
  /** Blocks a DataNode must re-replicate when decommissioned (default 500–2,999 by host). */
  blocksOf?: (host: string) => number;
  /** Re-replication speed per decommissioning DataNode, blocks per second of the clock (default 10). */
  blocksPerSecond?: number;
  /** How long a decommissioning NodeManager takes to finish its containers (default 60 s). */
  yarnDrainMs?: number;
  /**
   * `yarn rmadmin -refreshNodes -g <t> -client` blocks, as Hadoop's client-side tracking does
   * (GracefulDecommission.md), until every NodeManager it decommissions is `DECOMMISSIONED` or
   * `<t>` seconds of the simulator's clock have passed (`-1`: no limit). Time is controlled by
   * the clock (a test advances its virtual clock while the command blocks). Default false: the
   * refresh returns at once.
   */
  yarnClientBlocks?: boolean;
}

/** Where a started simulator answers. */
export interface HadoopSimulatorUrls extends DemoControlPlaneUrls {
  /** A directory holding the `hdfs` and `yarn` shims (absolute paths: `${binDir}/hdfs`). */
  binDir: string;
  /** The control server the shims call. */
  controlUrl: string;
}

/** A recorded refresh call (for tests: what the executor ran). */
export interface RefreshCall {
  service: 'hdfs' | 'yarn';
  args: string[];
  at: number;
  ok: boolean;
}

/** The simulator. `start()`, point the executor at the URLs and shims, `close()`. */
export class HadoopSimulator {
  readonly controlPlane: DemoControlPlane;
  readonly refreshes: RefreshCall[] = [];
  private readonly now: () => number;
  private readonly blocksOf: (host: string) => number;
  private readonly blocksPerSecond: number;
  private readonly yarnDrainMs: number;
  /** Decommissioning DataNodes: blocks at the start, and when it started. */
  private readonly leaving = new Map<string, { blocks: number; since: number; left: number }>();
  private readonly nmLeaving = new Map<string, number>();
  private readonly failures: Record<'hdfs' | 'yarn', string[]> = { hdfs: [], yarn: [] };
  private readonly holds: Record<'hdfs' | 'yarn', { until: Promise<unknown>; arrived: () => void }[]> = { hdfs: [], yarn: [] };
  private control: Server | undefined;
  private dir: string | undefined;

  constructor(private readonly opts: HadoopSimulatorOptions) {
    this.now = opts.now ?? Date.now;
    this.blocksOf = opts.blocksOf ?? ((h) => 500 + (hash32(`blocks:${h}`) % 2_500));
    this.blocksPerSecond = opts.blocksPerSecond ?? 10;
    this.yarnDrainMs = opts.yarnDrainMs ?? 60_000;
    this.controlPlane = new DemoControlPlane(opts.state, { now: this.now, beforeRequest: () => this.advance() });
  }

  /** Start the NameNode, ResourceManager and control servers, and write the shims. */
  async start(): Promise<HadoopSimulatorUrls> {
    const urls = await this.controlPlane.start();
    this.control ??= await listenOnLoopback((req, res) => void this.serveControl(req, res));
    const controlUrl = `http://127.0.0.1:${(this.control.address() as AddressInfo).port}`;
    this.dir ??= mkdtempSync(join(tmpdir(), 'breakfix-hadoop-sim-'));
    const binDir = join(this.dir, 'bin');
    mkdirSync(binDir, { recursive: true });
    const shim = join(this.dir, 'shim.mjs');
    writeFileSync(shim, SHIM_SOURCE);
    for (const service of ['hdfs', 'yarn'] as const) {
      const path = join(binDir, service);
      writeFileSync(path, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(shim)} ${shellQuote(controlUrl)} ${service} "$@"\n`);
      chmodSync(path, 0o755);
    }
    return { ...urls, binDir, controlUrl };
  }

  /** Stop every server and remove the shims. */
  async close(): Promise<void> {
    await this.controlPlane.close();
    if (this.control) await closeServer(this.control);
    this.control = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** Make the next refresh of `service` fail with `stderr` (exit 255, as a failed Hadoop RPC does). */
  failNextRefresh(service: 'hdfs' | 'yarn', stderr: string): void {
    this.failures[service].push(stderr);
  }

  /**
   * Hold the next refresh of `service` until `until` settles (the command runs but does not
   * answer): for tests that drop the connection while a refresh is in flight.
   * @returns a promise resolved once that refresh is in flight: its shim ran on the remote host
   *   and its call reached the simulator (what a test waits for instead of sleeping).
   */
  holdNextRefresh(service: 'hdfs' | 'yarn', until: Promise<unknown>): Promise<void> {
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    this.holds[service].push({ until, arrived });
    return inFlight;
  }

  /** Re-read the exclude file of `service`, as `refreshNodes` makes the daemon do. @throws InputError for a malformed file. */
  refresh(service: 'hdfs' | 'yarn'): void {
    this.advance();
    const cp = this.controlPlane;
    if (service === 'hdfs') {
      const excluded = new Set(readExcluded(this.opts.hdfsExclude));
      for (const dn of cp.state().dataNodes) {
        if (excluded.has(dn.host) && dn.adminState === 'In Service' && dn.live) {
          const blocks = Math.max(0, Math.floor(this.blocksOf(dn.host)));
          this.leaving.set(dn.host, { blocks, since: this.now(), left: blocks });
          cp.setBlockCounts({ underReplicatedBlocks: cp.blockCounts().underReplicatedBlocks + blocks });
          cp.setDataNodeAdminState(dn.host, 'Decommission In Progress', blocks);
        } else if (!excluded.has(dn.host) && (dn.adminState === 'Decommissioned' || dn.adminState === 'Decommission In Progress')) {
          const l = this.leaving.get(dn.host);
          if (l) cp.setBlockCounts({ underReplicatedBlocks: Math.max(0, cp.blockCounts().underReplicatedBlocks - l.left) });
          this.leaving.delete(dn.host);
          cp.setDataNodeAdminState(dn.host, 'In Service');
        }
      }
      this.advance();
      return;
    }
    if (!this.opts.yarnExclude) throw new Error('the simulated ResourceManager has no exclude file configured');
    const excluded = new Set(readExcluded(this.opts.yarnExclude));
    for (const nm of cp.state().nodeManagers) {
      if (excluded.has(nm.host) && nm.state === 'RUNNING') {
        cp.setNodeManagerState(nm.host, 'DECOMMISSIONING');
        this.nmLeaving.set(nm.host, this.now());
      } else if (!excluded.has(nm.host) && (nm.state === 'DECOMMISSIONING' || nm.state === 'DECOMMISSIONED')) {
        cp.setNodeManagerState(nm.host, 'RUNNING');
        this.nmLeaving.delete(nm.host);
      }
    }
  }

  /** Bring decommissioning up to the clock: re-replicate, finish nodes whose blocks are done. */
  advance(): void {
    const cp = this.controlPlane;
    const t = this.now();
    for (const [host, l] of this.leaving) {
      const left = Math.max(0, l.blocks - Math.floor(((t - l.since) / 1000) * this.blocksPerSecond));
      if (left !== l.left) cp.setBlockCounts({ underReplicatedBlocks: Math.max(0, cp.blockCounts().underReplicatedBlocks - (l.left - left)) });
      l.left = left;
      if (left === 0) {
        cp.setDataNodeAdminState(host, 'Decommissioned');
        this.leaving.delete(host);
      } else cp.setDataNodeAdminState(host, 'Decommission In Progress', left);
    }
    for (const [host, since] of this.nmLeaving) {
      if (t - since >= this.yarnDrainMs) {
        cp.setNodeManagerState(host, 'DECOMMISSIONED');
        this.nmLeaving.delete(host);
      }
    }
  }

  private async serveControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/refresh\/(hdfs|yarn)$/.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (!m || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const service = m[1] as 'hdfs' | 'yarn';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const parsed = ShimArgs.safeParse(parseJsonOrUndefined(Buffer.concat(chunks).toString('utf8') || '[]'));
    if (!parsed.success) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`refresh/${service}: expected a JSON array of argument strings\n`);
      return;
    }
    const args = parsed.data;
    const reply = (code: number, stdout: string, stderr: string) => {
      this.refreshes.push({ service, args, at: this.now(), ok: code === 0 });
      const body = JSON.stringify({ code, stdout, stderr });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    };
    const hold = this.holds[service].shift();
    if (hold) {
      hold.arrived();
      await hold.until.catch(() => undefined);
    }
    const failure = this.failures[service].shift();
    if (failure !== undefined) return reply(255, '', failure + '\n');
    try {
      this.refresh(service);
    } catch (e) {
      return reply(255, '', `refreshNodes: ${(e as Error).message}\n`);
    }
    if (service === 'yarn' && this.opts.yarnClientBlocks && args.includes('-client')) await this.trackOnClient(Number(args[args.indexOf('-g') + 1] ?? -1));
    reply(0, service === 'hdfs' ? 'Refresh nodes successful\n' : '', '');
  }

  /** Until no NodeManager is decommissioning, or `timeoutSeconds` of the clock have passed; checked every 10 ms of real time. */
  private async trackOnClient(timeoutSeconds: number): Promise<void> {
    const since = this.now();
    for (;;) {
      this.advance();
      if (this.nmLeaving.size === 0 || (timeoutSeconds >= 0 && this.now() - since >= timeoutSeconds * 1000)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function readExcluded(f: { path: string; format: ExcludeFormat }): string[] {
  let text: string;
  try {
    text = readFileSync(f.path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the exclude file ${f.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return excludedHosts(f.format, text, f.path);
}

/** POSIX single-quoting of one word. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shim: `node shim.mjs <controlUrl> <hdfs|yarn> <args…>`. Only the refresh commands are
 * simulated; anything else exits 1 with a usage line, as Hadoop's tools do for unknown options.
 */
const SHIM_SOURCE = `const [url, service, ...args] = process.argv.slice(2);
const ok = service === 'hdfs'
  ? args[0] === 'dfsadmin' && args[1] === '-refreshNodes' && args.length === 2
  : args[0] === 'rmadmin' && args[1] === '-refreshNodes' && (args.length === 2 || (args[2] === '-g' && /^-?\\d+$/.test(args[3] ?? '') && (args.length === 4 || (args.length === 5 && ['-client', '-server'].includes(args[4])))));
if (!ok) {
  process.stderr.write(service === 'hdfs' ? 'Usage: hdfs dfsadmin [-refreshNodes]  (simulated: only -refreshNodes)\\n' : 'Usage: yarn rmadmin [-refreshNodes [-g|graceful [timeout in seconds] -client|server]]  (simulated)\\n');
  process.exit(1);
}
try {
  const res = await fetch(url + '/refresh/' + service, { method: 'POST', body: JSON.stringify(args) });
  const r = await res.json();
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exit(r.code);
} catch (e) {
  process.stderr.write('refreshNodes: Call to the ' + (service === 'hdfs' ? 'NameNode' : 'ResourceManager') + ' failed on connection exception: ' + (e.cause?.code ?? e.message) + '\\n');
  process.exit(255);
}
`;

/** What a `hdfs` / `yarn` shim posts to `/refresh/<service>`: its argv after the command name. */
const ShimArgs = z.array(z.string());

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
