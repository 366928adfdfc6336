/**
 * A simulated executor over the demo control plane ({@link DemoControlPlane}): it does to the
 * demo NameNode and ResourceManager what the SSH executor will do to real ones, and the demo
 * servers show it to any pass reading them.
 *
 * A drain adds the hosts to the exclude set at once (as one exclude-file write and one
 * `dfsadmin -refreshNodes` would): each DataNode goes `In Service → Decommission In Progress`
 * with its blocks pending (and the namesystem's under-replicated count up by as many), its
 * NodeManager `DECOMMISSIONING`. Every poll, each node's pending blocks fall; at zero it is
 * `Decommissioned` (NodeManager `DECOMMISSIONED`). Then replication is verified: no more missing
 * blocks than before, under-replicated back to where it was. A recommission returns
 * `Decommissioned` nodes to `In Service` and their NodeManagers to `RUNNING`.
 *
 * Time comes from an injectable {@link Clock}, so a drain of hours runs in milliseconds in tests
 * and in the CLI demo ({@link virtualClock}).
 */
import type { DemoControlPlane } from '../demo/control-plane.js';
import type { Plan } from '../pass/reconcile.js';
import { hash32 } from '../pass/pick.js';
import type { ExecEvent, ExecPhase, ExecResult, Executor } from './executor.js';
import { systemClock, type Clock } from '../clock.js';

/** A clock that moves only when slept on: `sleep(ms)` advances it by `ms` and returns at once. */
export function virtualClock(startMs = Date.now()): Clock {
  let t = startMs;
  const sleep = async (ms: number) => {
    t += ms;
    await Promise.resolve();
  };
  return {
    now: () => t,
    sleep,
    // Waiting on a timer is waiting too: it moves the clock when it fires.
    setTimer(fn, ms) {
      let live = true;
      void sleep(ms).then(() => live && fn());
      return () => { live = false; };
    },
  };
}

/**
 * Wall-clock time run `speed` times faster: `sleep(ms)` waits `ms / speed` real milliseconds and
 * `now()` moves `speed` ms per real ms. `breakfix serve --demo` uses it so a drain progresses
 * over time, quickly enough to watch. @throws RangeError unless `speed` is a positive number.
 */
export function scaledClock(speed: number, startMs = Date.now()): Clock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed: expected a positive number, got ${speed}`);
  const realStart = Date.now();
  return {
    now: () => startMs + (Date.now() - realStart) * speed,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms / speed)),
    setTimer(fn, ms) {
      const handle = setTimeout(fn, Math.max(0, ms) / speed);
      return () => clearTimeout(handle);
    },
  };
}

/** Options of {@link SimulatedExecutor}. */
export interface SimulatedExecutorOptions {
  controlPlane: DemoControlPlane;
  clock?: Clock;
  /** Time between progress polls (default 30 s, the NameNode's decommission monitor interval). */
  pollMs?: number;
  /** Blocks each decommissioning DataNode replicates per poll (default 400). */
  blocksPerPoll?: number;
  /** Blocks a DataNode must have re-replicated before it is decommissioned (default 500–2,999 by host). */
  blocksOf?: (host: string) => number;
  /** Give up after this many polls (default 2,880: a day at 30 s). */
  maxPolls?: number;
}

/** The simulated executor. Hosts the demo NameNode does not know, or not in the right state, fail untouched. */
export class SimulatedExecutor implements Executor {
  readonly name = 'simulated';
  private readonly cp: DemoControlPlane;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly blocksPerPoll: number;
  private readonly blocksOf: (host: string) => number;
  private readonly maxPolls: number;

  constructor(opts: SimulatedExecutorOptions) {
    this.cp = opts.controlPlane;
    this.clock = opts.clock ?? systemClock;
    this.pollMs = opts.pollMs ?? 30_000;
    this.blocksPerPoll = opts.blocksPerPoll ?? 400;
    this.blocksOf = opts.blocksOf ?? ((h) => 500 + (hash32(`blocks:${h}`) % 2_500));
    this.maxPolls = opts.maxPolls ?? 2_880;
  }

  /** Exclude, follow decommission to the end, verify replication. */
  async drain(_plan: Plan, hosts: readonly string[], onEvent: (e: ExecEvent) => void): Promise<ExecResult> {
    const emit = (host: string, phase: ExecPhase, extra: Partial<ExecEvent> = {}) => onEvent({ host, phase, at: new Date(this.clock.now()).toISOString(), ...extra });
    const final = new Map<string, { phase: ExecPhase; detail?: string }>();
    const pending = new Map<string, number>();
    for (const h of hosts) {
      const dn = this.cp.dataNode(h);
      const problem = !dn ? 'the NameNode has no DataNode of this name'
        : !dn.live ? 'the DataNode is dead'
        : dn.adminState !== 'In Service' ? `the DataNode is ${dn.adminState}, not In Service`
        : null;
      if (problem) {
        final.set(h, { phase: 'failed', detail: `not excluded: ${problem}` });
        emit(h, 'failed', { detail: `not excluded: ${problem}` });
      } else pending.set(h, Math.max(0, Math.floor(this.blocksOf(h))));
    }

    const baseline = this.cp.blockCounts();
    const total = [...pending.values()].reduce((a, b) => a + b, 0);
    this.cp.setBlockCounts({ underReplicatedBlocks: baseline.underReplicatedBlocks + total });
    for (const [h, blocks] of pending) {
      this.cp.setDataNodeAdminState(h, 'Decommission In Progress', blocks);
      if (this.cp.nodeManager(h)) this.cp.setNodeManagerState(h, 'DECOMMISSIONING');
      emit(h, 'excluded', { detail: 'added to the exclude file; NameNode and ResourceManager refreshed' });
      emit(h, 'decommissioning', { blocksLeft: blocks });
    }

    let polls = 0;
    const finishIfDone = (h: string, left: number) => {
      if (left > 0) return;
      this.cp.setDataNodeAdminState(h, 'Decommissioned');
      if (this.cp.nodeManager(h)) this.cp.setNodeManagerState(h, 'DECOMMISSIONED');
      pending.delete(h);
      final.set(h, { phase: 'decommissioned' });
      emit(h, 'decommissioned', { blocksLeft: 0 });
    };
    for (const [h, left] of [...pending]) finishIfDone(h, left);
    while (pending.size > 0 && polls < this.maxPolls) {
      await this.clock.sleep(this.pollMs);
      polls++;
      for (const [h, left] of [...pending]) {
        const next = Math.max(0, left - this.blocksPerPoll);
        const counts = this.cp.blockCounts();
        this.cp.setBlockCounts({ underReplicatedBlocks: Math.max(0, counts.underReplicatedBlocks - (left - next)) });
        pending.set(h, next);
        if (next > 0) {
          this.cp.setDataNodeAdminState(h, 'Decommission In Progress', next);
          emit(h, 'decommissioning', { blocksLeft: next });
        } else finishIfDone(h, next);
      }
    }
    for (const [h, left] of pending) {
      const detail = `still decommissioning after ${polls} polls (${left} blocks left): left excluded, look at the NameNode`;
      final.set(h, { phase: 'failed', detail });
      emit(h, 'failed', { blocksLeft: left, detail });
    }

    const after = this.cp.blockCounts();
    const replicationProblem = after.missingBlocks > baseline.missingBlocks
      ? `missing blocks went from ${baseline.missingBlocks} to ${after.missingBlocks}`
      : after.underReplicatedBlocks > baseline.underReplicatedBlocks
        ? `under-replicated blocks at ${after.underReplicatedBlocks}, above the ${baseline.underReplicatedBlocks} before the drain`
        : null;
    const results = hosts.map((h) => ({ host: h, ...final.get(h)! }));
    const done = results.filter((r) => r.phase === 'decommissioned').length;
    const ok = done === hosts.length && replicationProblem === null;
    const summary = ok
      ? `drained ${done} hosts in ${polls} polls; replication verified (under-replicated back to ${baseline.underReplicatedBlocks}, missing ${after.missingBlocks})`
      : `decommissioned ${done} of ${hosts.length} hosts${replicationProblem ? `; replication not verified: ${replicationProblem}` : ''}`;
    return { ok, hosts: results, summary };
  }

  /** Return decommissioned DataNodes (and their NodeManagers) to service. */
  async recommission(_plan: Plan, hosts: readonly string[], onEvent: (e: ExecEvent) => void): Promise<ExecResult> {
    const results: ExecResult['hosts'] = [];
    for (const h of hosts) {
      const at = new Date(this.clock.now()).toISOString();
      const dn = this.cp.dataNode(h);
      const problem = !dn ? 'the NameNode has no DataNode of this name' : dn.adminState !== 'Decommissioned' ? `the DataNode is ${dn.adminState}, not Decommissioned` : null;
      if (problem) {
        results.push({ host: h, phase: 'failed', detail: problem });
        onEvent({ host: h, phase: 'failed', at, detail: problem });
        continue;
      }
      this.cp.setDataNodeAdminState(h, 'In Service');
      if (this.cp.nodeManager(h)) this.cp.setNodeManagerState(h, 'RUNNING');
      results.push({ host: h, phase: 'recommissioned' });
      onEvent({ host: h, phase: 'recommissioned', at, detail: 'removed from the exclude file; NameNode and ResourceManager refreshed' });
    }
    const done = results.filter((r) => r.phase === 'recommissioned').length;
    return { ok: done === hosts.length, hosts: results, summary: `recommissioned ${done} of ${hosts.length} hosts` };
  }
}
