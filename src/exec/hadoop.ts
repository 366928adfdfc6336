/**
 * The drain executor for real Hadoop control planes (DESIGN.md §5), through Hadoop's own tools:
 * the exclude files and `refreshNodes`, reached over a {@link RemoteShell} (ssh2 in production),
 * followed through the NameNode's JMX.
 *
 * A drain, per cluster, one journaled sub-step after another (`substep-begin` / `substep-end`):
 *
 *     lock          the cluster's drain lock (src/exec/lease.ts), renewed on a timer until release
 *     baseline      NameNode JMX: each host's state, and the under-replicated / missing block
 *                   counts before the drain (on a resume: the baseline journaled the first time)
 *     read          the HDFS exclude file and the YARN one, with their sha256; both edits are
 *                   computed before either file is written, and the run stops (nothing written)
 *                   if the HDFS file lists a live In Service DataNode this plan does not act on:
 *                   the refresh would decommission it too, unchecked by this plan's rules
 *     backup        a timestamped copy next to it          ┐ per file (HDFS, then YARN), only
 *     write         temp file + rename, if still unchanged  │ when a host is not already
 *     verify        read back: the bytes written, the hosts ┘ excluded
 *     refresh-hdfs  `hdfs dfsadmin -refreshNodes` on the NameNode host
 *     refresh-yarn  `yarn rmadmin -refreshNodes -g <timeout> -client` on the ResourceManager host
 *     follow        NameNode JMX until every host is `Decommissioned` and under-replicated and
 *                   missing blocks are back to the baseline, or the timeout
 *     release       the lock
 *
 * A recommission is the reverse: remove the hosts from the exclude files, refresh, follow until
 * `In Service`. The `write` sub-step is journaled with its hosts before the file is touched, so
 * no host is ever excluded without a record. A run that stops after a write but before
 * `refresh-hdfs` began puts each file it wrote back as it was read (`restore`, compare-and-set on
 * the sha256 it wrote), so the failure leaves the files as they were. On any failure the cluster stops where it is, each
 * host's result says exactly what state it was left in, and nothing is retried: a resume after a
 * crash re-reads the files and adds only what is missing (never a duplicate), and re-runs the
 * refreshes, which only make Hadoop re-read the files.
 */
import { hostname } from 'node:os';
import type { Plan } from '../pass/reconcile.js';
import { describeFetchError, FETCH_TIMEOUT_MS } from '../pass/snapshot.js';
import { pidAlive } from '../plan/lock.js';
import { decommissioningBlocks, parseHdfsJmx } from '../sources/hdfs-jmx.js';
import type { HdfsBlockCounts, HdfsNodeRow } from '../sources/types.js';
import type { RemoteShell } from '../ssh/remote.js';
import type { ExecContext, ExecEvent, ExecPhase, ExecResult, Executor } from './executor.js';
import { checkYarnRefresh, fillArgv, type ClusterControl, type DrainPolicy } from './hadoop-config.js';
import { addExcluded, excludedHosts, removeExcluded, type ExcludeEdit, type ExcludeFormat } from './hostfiles.js';
import { drainLockPath, readLease, takeLease, type Lease } from './lease.js';
import { backupPath, describe, RemoteFileChangedError, RemoteFiles, sha256Hex, type RemoteFileContent } from './remote-file.js';
import { systemClock, type Clock } from '../clock.js';

/** The sub-steps of a drain or recommission, in order. */
export const SUBSTEPS = ['lock', 'baseline', 'read', 'backup', 'write', 'verify', 'refresh-hdfs', 'refresh-yarn', 'follow', 'release', 'restore'] as const;
export type Substep = (typeof SUBSTEPS)[number];

/** Options of {@link HadoopExecutor}. */
export interface HadoopExecutorOptions {
  dc: string;
  /** Each cluster's control plane, by the cluster name plans use. */
  clusters: Record<string, ClusterControl>;
  shell: RemoteShell;
  policy: DrainPolicy;
  /** Where cluster drain locks live (`<state>/locks`). */
  lockDir: string;
  clock?: Clock;
  /** GET the NameNode JMX URL, resolving with the body. Default: `fetch` with a 15 s timeout, non-2xx throws. */
  fetchJmx?: (url: string) => Promise<string>;
  /** How often the cluster lock is renewed, in real ms (default a third of `policy.leaseTtlMs`, at most 60 s). */
  leaseRenewMs?: number;
  /**
   * Tests and `breakfix demo --drain --crash-at`: called after each `substep-begin` and each
   * `substep-end` is journaled. Throwing, never resolving or killing the process here is how the
   * bot is killed at that exact point.
   */
  crashPoint?: (at: { step: 'drain' | 'recommission'; cluster: string; substep: Substep; when: 'begin' | 'end' }) => void | Promise<void>;
}

/** The Hadoop drain executor. */
export class HadoopExecutor implements Executor {
  readonly name = 'hadoop';
  private readonly clock: Clock;
  private readonly files: RemoteFiles;
  private readonly fetchJmx: (url: string) => Promise<string>;

  /** @throws InputError when the policy and a cluster's YARN refresh cannot go together ({@link checkYarnRefresh}). */
  constructor(private readonly opts: HadoopExecutorOptions) {
    checkYarnRefresh(opts.clusters, opts.policy, opts.dc);
    this.clock = opts.clock ?? systemClock;
    this.files = new RemoteFiles(opts.shell, opts.policy.commandTimeoutMs);
    this.fetchJmx = opts.fetchJmx ?? fetchText;
  }

  /** Exclude the hosts, refresh, follow decommission, verify replication; cluster by cluster. */
  drain(plan: Plan, hosts: readonly string[], onEvent: (e: ExecEvent) => void, ctx?: ExecContext): Promise<ExecResult> {
    return this.run('drain', plan, hosts, onEvent, ctx ?? noContext);
  }

  /** Remove the hosts from the exclude files, refresh, follow until they are In Service. */
  recommission(plan: Plan, hosts: readonly string[], onEvent: (e: ExecEvent) => void, ctx?: ExecContext): Promise<ExecResult> {
    return this.run('recommission', plan, hosts, onEvent, ctx ?? noContext);
  }

  /** Why this process may not resume `plan`: a drain lock of the plan held by another live process here. */
  busy(plan: Plan): string | null {
    for (const cluster of new Set(plan.actions.map((a) => a.cluster))) {
      const h = readLease(drainLockPath(this.opts.lockDir, this.opts.dc, cluster));
      if (h && h.owner === plan.id && h.host === hostname() && h.pid !== process.pid && pidAlive(h.pid)) {
        return `plan ${plan.id} is still executing on ${cluster} in pid ${h.pid} (since ${h.at}); not resumed`;
      }
    }
    return null;
  }

  private async run(step: 'drain' | 'recommission', plan: Plan, hosts: readonly string[], onEvent: (e: ExecEvent) => void, ctx: ExecContext): Promise<ExecResult> {
    const clusterOf = new Map(plan.actions.map((a) => [a.host, a.cluster]));
    const byCluster = new Map<string, string[]>();
    for (const h of hosts) {
      const c = clusterOf.get(h) ?? '(none)';
      byCluster.set(c, [...(byCluster.get(c) ?? []), h]);
    }
    const results: ExecResult['hosts'] = [];
    const summaries: string[] = [];
    let ok = true;
    for (const [cluster, mine] of byCluster) {
      const control = this.opts.clusters[cluster];
      const run = new ClusterRun({ opts: this.opts, clock: this.clock, files: this.files, fetchJmx: this.fetchJmx }, step, plan, cluster, mine, onEvent, ctx);
      const r = control ? await run.execute(control) : run.unconfigured();
      results.push(...r.hosts);
      summaries.push(`${cluster}: ${r.summary}`);
      ok &&= r.ok;
    }
    return { ok, hosts: results, summary: summaries.join('; ') };
  }
}

/** What a {@link ClusterRun} works with. */
interface RunDeps {
  opts: HadoopExecutorOptions;
  clock: Clock;
  files: RemoteFiles;
  fetchJmx: (url: string) => Promise<string>;
}

const noContext: ExecContext = { journal: () => undefined, prior: [] };

/** A step stopped: `hostState` says what each host was left as. */
class StepFailure extends Error {}

/** One drain or recommission on one cluster. */
class ClusterRun {
  private readonly o: HadoopExecutorOptions;
  private readonly clock: Clock;
  private readonly files: RemoteFiles;
  private readonly fetchJmx: (url: string) => Promise<string>;
  /** How far the hosts acted on got, for the report if this run stops ({@link describeWhere}). */
  private readonly reached = { acting: new Set<string>(), hdfsFile: '', yarnFile: '', nameNode: false, resourceManager: false, notWritten: '', unknownWrite: '', restored: [] as string[] };
  /** Exclude files this run wrote (or may have: the write did not report back), for {@link restoreWritten}. */
  private readonly written: { file: 'hdfs' | 'yarn'; host: string; path: string; original: RemoteFileContent; writtenSha256: string; backup: string }[] = [];
  /** Set once `refresh-hdfs` is about to run: no edit is undone after that. */
  private refreshBegun = false;
  private renewTimer: NodeJS.Timeout | undefined;
  /** Why the lease renewal failed, if it did: the next sub-step stops on it. */
  private leaseLost: Error | undefined;
  private readonly final = new Map<string, { phase: ExecPhase; detail?: string }>();

  constructor(deps: RunDeps, private readonly step: 'drain' | 'recommission', private readonly plan: Plan, private readonly cluster: string,
    private readonly hosts: readonly string[], private readonly onEvent: (e: ExecEvent) => void, private readonly ctx: ExecContext) {
    ({ opts: this.o, clock: this.clock, files: this.files, fetchJmx: this.fetchJmx } = deps);
  }

  unconfigured(): ExecResult {
    for (const h of this.hosts) this.fail(h, `untouched: no control plane for cluster ${this.cluster} in the drain: block of ${this.o.dc} in breakfix.yml`);
    return this.result('nothing done');
  }

  async execute(c: ClusterControl): Promise<ExecResult> {
    const draining = this.step === 'drain';
    let lease: Lease | undefined;
    try {
      const ttl = this.o.policy.leaseTtlMs;
      lease = await this.sub('lock', {}, async () => takeLease(this.o.lockDir, this.o.dc, this.cluster, this.plan.id, ttl, () => this.clock.now()), (l) => ({ lock: l.path }));
      this.keepRenewing(lease, this.o.leaseRenewMs ?? Math.min(ttl / 3, 60_000));
      const before = await this.sub('baseline', {}, () => this.baseline(c), (b) => ({ blocks: b.blocks, fromJournal: b.fromJournal }));

      // Read both exclude files and compute both edits before writing either: a YARN file that
      // cannot be read, or refuses a host, stops the run with nothing written.
      const hdfsFile = await this.sub('read', { file: 'hdfs', host: c.namenode.host, path: c.namenode.exclude.path }, () => this.files.read(c.namenode.host, c.namenode.exclude.path), (f) => ({ sha256: f.sha256 }));
      const hdfsOrigin = `${c.namenode.host}:${c.namenode.exclude.path}`;
      const inFile = new Set(excludedHosts(c.namenode.exclude.format, hdfsFile.text, hdfsOrigin));
      // Which hosts to act on: the others stay untouched, with why.
      const accepted = this.hosts.filter((h) => {
        const problem = draining ? drainProblem(before.rows.get(h), inFile.has(h)) : returnProblem(before.rows.get(h));
        if (problem) this.fail(h, `untouched: ${problem}`);
        return !problem;
      });
      if (accepted.length === 0) return this.result('nothing done: no host could be acted on');
      const hdfsEdit = this.edit(c.namenode.exclude.format, hdfsFile.text, accepted, hdfsOrigin);
      const hdfsRefused = new Map(hdfsEdit.refused.map((r) => [r.host, r.problem]));
      const acting = accepted.filter((h) => !hdfsRefused.has(h));
      for (const [h, problem] of hdfsRefused) this.fail(h, `untouched: ${problem}`);
      if (acting.length === 0) return this.result('nothing done: the exclude file refused every host');

      const strays = this.strayExcluded(c.namenode.exclude.format, hdfsEdit.text, hdfsOrigin, acting, before.rows);
      if (strays.length > 0) {
        throw new StepFailure(`the HDFS exclude file ${c.namenode.exclude.path} on ${c.namenode.host} also lists ${strays.join(', ')}, In Service on the NameNode and not in plan ${this.plan.id}: `
          + `a refresh would decommission ${strays.length === 1 ? 'it' : 'them'} too, outside this plan's data-group and ceiling checks (left there by an earlier run that stopped before its refresh, or by hand?). `
          + `Nothing written. Remove ${strays.length === 1 ? 'it' : 'them'} from the file (or drain ${strays.length === 1 ? 'it' : 'them'} with a plan of ${strays.length === 1 ? 'its' : 'their'} own), then run a new pass`);
      }

      let yarn: { rm: NonNullable<ClusterControl['resourcemanager']>; file: RemoteFileContent; edit: ExcludeEdit } | undefined;
      if (c.resourcemanager) {
        const rm = c.resourcemanager;
        const file = await this.sub('read', { file: 'yarn', host: rm.host, path: rm.exclude.path }, () => this.files.read(rm.host, rm.exclude.path), (f) => ({ sha256: f.sha256 }));
        const edit = this.edit(rm.exclude.format, file.text, acting, `${rm.host}:${rm.exclude.path}`);
        if (edit.refused.length > 0) throw new StepFailure(`the YARN exclude file ${rm.exclude.path} on ${rm.host} refused ${edit.refused.map((r) => `${r.host} (${r.problem})`).join(', ')}; nothing written`);
        yarn = { rm, file, edit };
      }

      this.reached.acting = new Set(acting);
      await this.writeEdit('hdfs', c.namenode.host, c.namenode.exclude.path, c.namenode.exclude.format, hdfsFile, hdfsEdit);
      this.reached.hdfsFile = `${c.namenode.exclude.path} on ${c.namenode.host}`;
      if (yarn) {
        await this.writeEdit('yarn', yarn.rm.host, yarn.rm.exclude.path, yarn.rm.exclude.format, yarn.file, yarn.edit);
        this.reached.yarnFile = `${yarn.rm.exclude.path} on ${yarn.rm.host}`;
      }

      // From here on the NameNode may have re-read the file: an edit is never undone after this.
      this.refreshBegun = true;
      await this.sub('refresh-hdfs', { host: c.namenode.host, argv: c.namenode.refresh }, () => this.command(c.namenode.host, c.namenode.refresh));
      this.reached.nameNode = true;
      if (draining) for (const h of acting) this.emit(h, 'excluded', { detail: `in ${c.namenode.exclude.path} on ${c.namenode.host}; NameNode refreshed` });
      if (c.resourcemanager) {
        const rm = c.resourcemanager;
        const argv = fillArgv(draining ? rm.refresh : rm.recommission, { timeout: this.o.policy.yarnGracefulTimeoutSeconds });
        await this.sub('refresh-yarn', { host: rm.host, argv }, () => this.command(rm.host, argv, draining));
        this.reached.resourceManager = true;
      }

      const verified = await this.sub('follow', { hosts: acting }, () => this.follow(c, acting, before.blocks, lease!), (v) => ({ replication: v ?? 'verified' }));
      await this.sub('release', {}, async () => lease!.release());
      lease = undefined;
      if (verified !== null) return this.result(`replication not verified: ${verified}`, false);
      return this.result(draining ? `drained ${acting.length} hosts; replication verified (under-replicated back to ${before.blocks.underReplicatedBlocks}, missing ${before.blocks.missingBlocks})` : `returned ${acting.length} hosts to service`);
    } catch (e) {
      const why = (e as Error).message;
      if (!this.refreshBegun) await this.restoreWritten();
      for (const h of this.hosts) if (!this.final.has(h)) this.fail(h, `${this.describeWhere(h)}; stopped: ${why}`);
      return this.result(`stopped: ${why}`);
    } finally {
      if (this.renewTimer) clearInterval(this.renewTimer);
      lease?.release();
    }
  }

  /**
   * Renew the lease every `everyMs` of real time until the run ends, whatever sub-step is under
   * way (the YARN `-client` refresh blocks for up to the graceful timeout). A renewal that fails
   * (the lock removed or taken) stops the run at its next sub-step.
   */
  private keepRenewing(lease: Lease, everyMs: number): void {
    this.renewTimer = setInterval(() => {
      try {
        lease.renew();
      } catch (e) {
        this.leaseLost ??= e as Error;
      }
    }, everyMs);
    this.renewTimer.unref();
  }

  /** JMX now; the baseline block counts from the journal when this drain already journaled one. */
  private async baseline(c: ClusterControl): Promise<{ rows: Map<string, HdfsNodeRow>; blocks: { underReplicatedBlocks: number; missingBlocks: number }; fromJournal: boolean }> {
    const { rows, blocks } = await this.readNameNode(c.namenode.jmx);
    const earlier = this.ctx.prior.find((j) => j.kind === 'substep-end' && j.substep === 'baseline' && j.step === this.step && j.cluster === this.cluster && j.ok === true);
    const journaled = earlier?.blocks as { underReplicatedBlocks: number; missingBlocks: number } | undefined;
    if (journaled) return { rows, blocks: journaled, fromJournal: true };
    if (blocks.underReplicatedBlocks === null || blocks.missingBlocks === null) {
      throw new StepFailure(`${c.namenode.jmx} has no UnderReplicatedBlocks / MissingBlocks counters, so replication cannot be verified; point jmx: at the NameNode's /jmx (FSNamesystem bean)`);
    }
    return { rows, blocks: { underReplicatedBlocks: blocks.underReplicatedBlocks, missingBlocks: blocks.missingBlocks }, fromJournal: false };
  }

  private async readNameNode(url: string): Promise<{ rows: Map<string, HdfsNodeRow>; blocks: HdfsBlockCounts; pending: Map<string, number> }> {
    let text: string;
    try {
      text = await this.fetchJmx(url);
    } catch (e) {
      throw new StepFailure(`NameNode JMX ${url} unreachable: ${describeFetchError(e)}`);
    }
    const parsed = parseHdfsJmx(text, url);
    return {
      rows: new Map(parsed.rows.map((r) => [r.host, r])),
      blocks: parsed.blocks ?? { underReplicatedBlocks: null, missingBlocks: null },
      pending: decommissioningBlocks(text, url),
    };
  }

  /**
   * Hosts a refresh of the NameNode with `text` as its exclude file would newly decommission
   * without this plan having decided it: in the file, not acted on by this plan, and a live
   * `In Service` DataNode in the baseline JMX. Hosts already decommissioning, decommissioned,
   * dead, or unknown to the NameNode (retired long ago) change nothing on a refresh and are not
   * counted. Only the HDFS file is checked: its refresh runs first and is what loses replicas.
   */
  private strayExcluded(format: ExcludeFormat, text: string, origin: string, acting: readonly string[], rows: ReadonlyMap<string, HdfsNodeRow>): string[] {
    const mine = new Set(acting);
    return excludedHosts(format, text, origin).filter((h) => {
      const row = rows.get(h);
      return !mine.has(h) && row !== undefined && row.live && row.adminState === 'In Service';
    });
  }

  /** The edit of one exclude file this step makes (pure: nothing written). */
  private edit(format: ExcludeFormat, text: string, hosts: readonly string[], origin: string): ExcludeEdit {
    return this.step === 'drain'
      ? addExcluded(format, text, hosts, origin, format === 'yarn-xml' && this.o.policy.yarnGracefulTimeoutSeconds >= 0 ? { timeoutSeconds: this.o.policy.yarnGracefulTimeoutSeconds } : {})
      : removeExcluded(format, text, hosts, origin);
  }

  /** backup, write, verify one exclude file (skipped when nothing changes); what was written is kept for {@link restoreWritten}. */
  private async writeEdit(file: 'hdfs' | 'yarn', host: string, path: string, format: ExcludeFormat, read: RemoteFileContent, edit: ExcludeEdit): Promise<void> {
    const origin = `${host}:${path}`;
    if (edit.changed.length === 0) {
      this.ctx.journal('substep-end', { step: this.step, cluster: this.cluster, substep: 'write', file, ok: true, skipped: true, unchanged: edit.unchanged, note: `nothing to write: ${edit.unchanged.length} hosts already as asked in ${path}` });
      return;
    }
    const bak = backupPath(path, new Date(this.clock.now()), this.plan.id);
    await this.sub('backup', { file, host, path, backup: bak }, () => this.files.backup(host, path, bak));
    const sha = sha256Hex(edit.text);
    await this.sub('write', { file, host, path, hosts: edit.changed, unchanged: edit.unchanged, readSha256: read.sha256, writeSha256: sha, backup: bak }, async () => {
      try {
        await this.files.replace(host, path, edit.text, read.sha256);
      } catch (e) {
        if (e instanceof RemoteFileChangedError) this.reached.notWritten = path;
        else {
          this.reached.unknownWrite = `${path} on ${host}`;
          this.written.push({ file, host, path, original: read, writtenSha256: sha, backup: bak });
        }
        throw e;
      }
      this.written.push({ file, host, path, original: read, writtenSha256: sha, backup: bak });
    });
    await this.sub('verify', { file, host, path }, async () => {
      const back = await this.files.read(host, path);
      if (back.sha256 !== sha) throw new StepFailure(`${path} on ${host} reads back different from what was written (sha256 ${back.sha256.slice(0, 12)}, wrote ${sha.slice(0, 12)}): someone changed it right after; backup at ${bak}`);
      const now = new Set(excludedHosts(format, back.text, origin));
      const wrong = edit.changed.filter((h) => now.has(h) !== (this.step === 'drain'));
      if (wrong.length) throw new StepFailure(`${path} on ${host} read back without the change for ${wrong.join(', ')}`);
    });
  }

  /**
   * A run that stops after writing an exclude file but before `refresh-hdfs` began puts each file
   * written back as it was read (the bytes the backup holds), newest first, so the failure leaves
   * the files as they were and no later refresh acts on hosts of a plan that stopped. Each file
   * is replaced only if it still hashes to what this run wrote (compare-and-set): a file someone
   * changed since is left alone and reported. Journaled as a `restore` sub-step per file. Never
   * after `refresh-hdfs` began: the NameNode may then be decommissioning the hosts already (an HA
   * pair can refresh one NameNode and fail on the other), and the file must say so.
   */
  private async restoreWritten(): Promise<void> {
    for (const w of [...this.written].reverse()) {
      const label = `the ${w.file === 'hdfs' ? 'HDFS' : 'YARN'} exclude file ${w.path} on ${w.host}`;
      try {
        await this.sub('restore', { file: w.file, host: w.host, path: w.path, backup: w.backup, expectSha256: w.writtenSha256, restoreSha256: w.original.sha256 }, async () => {
          try {
            await this.files.replace(w.host, w.path, w.original.text, w.writtenSha256);
          } catch (e) {
            if (e instanceof RemoteFileChangedError && e.found === w.original.sha256) return; // the write never landed
            throw e;
          }
        });
        this.reached.restored.push(`${label} restored as it was`);
        if (w.file === 'hdfs') this.reached.hdfsFile = '';
        else this.reached.yarnFile = '';
        if (this.reached.unknownWrite === `${w.path} on ${w.host}`) this.reached.unknownWrite = '';
      } catch (e) {
        this.reached.restored.push(`${label} not confirmed restored (${(e as Error).message}): read it; the backup is ${w.backup}`);
      }
    }
    this.written.length = 0;
  }

  /** Run a refresh command; a non-zero exit stops the run (never retried). */
  private async command(host: string, argv: readonly string[], graceful = false): Promise<void> {
    const extra = graceful && this.o.policy.yarnGracefulTimeoutSeconds > 0 ? this.o.policy.yarnGracefulTimeoutSeconds * 1000 : 0;
    const r = await this.o.shell.exec(host, argv, { timeoutMs: this.o.policy.commandTimeoutMs + extra });
    if (r.code !== 0) throw new StepFailure(`${argv.join(' ')} on ${host} ${describe(r)}`);
  }

  /**
   * Poll the NameNode until every host reached its end state (and, for a drain, replication is
   * back to `baseline`). Returns null when verified, or what is not (the hosts are then failed
   * with their state). @throws StepFailure after `jmxErrorsInARow` failed reads.
   */
  private async follow(c: ClusterControl, hosts: readonly string[], baseline: { underReplicatedBlocks: number; missingBlocks: number }, lease: Lease): Promise<string | null> {
    const draining = this.step === 'drain';
    const timeoutMs = draining ? this.o.policy.decommissionTimeoutMs : this.o.policy.recommissionTimeoutMs;
    const started = this.clock.now();
    const lastBlocks = new Map<string, number>();
    let errors = 0;
    let lastError = '';
    let replication = 'not read yet';
    let state = new Map<string, string>();
    for (;;) {
      let read: Awaited<ReturnType<ClusterRun['readNameNode']>> | undefined;
      try {
        read = await this.readNameNode(c.namenode.jmx);
        errors = 0;
      } catch (e) {
        errors++;
        lastError = (e as Error).message;
        if (errors >= this.o.policy.jmxErrorsInARow) {
          throw new StepFailure(`decommission progress unknown: ${errors} NameNode reads in a row failed (last: ${lastError}); hosts left as they are, look at the NameNode`);
        }
      }
      if (read) {
        state = new Map();
        for (const h of hosts) {
          if (this.final.has(h)) continue;
          const row = read.rows.get(h);
          if (draining) {
            if (row?.adminState === 'Decommissioned') {
              this.final.set(h, { phase: 'decommissioned' });
              this.emit(h, 'decommissioned', { blocksLeft: 0 });
            } else {
              const left = read.pending.get(h);
              state.set(h, row ? `${row.adminState}${left !== undefined ? ` (${left} blocks left)` : ''}` : 'not listed by the NameNode');
              if (row?.adminState === 'Decommission In Progress' && left !== undefined && lastBlocks.get(h) !== left) {
                lastBlocks.set(h, left);
                this.emit(h, 'decommissioning', { blocksLeft: left });
              }
            }
          } else if (!row || row.adminState === 'In Service') {
            this.final.set(h, { phase: 'recommissioned', ...(row ? {} : { detail: 'the NameNode does not list it: it registers when its DataNode starts' }) });
            this.emit(h, 'recommissioned', { detail: `removed from the exclude files; ${row ? 'In Service' : 'not listed by the NameNode'}` });
          } else state.set(h, row.adminState);
        }
        const u = read.blocks.underReplicatedBlocks;
        const m = read.blocks.missingBlocks;
        replication = u === null || m === null ? 'the NameNode stopped reporting block counters'
          : m > baseline.missingBlocks ? `missing blocks at ${m}, ${baseline.missingBlocks} before the drain`
          : u > baseline.underReplicatedBlocks ? `under-replicated blocks at ${u}, above the ${baseline.underReplicatedBlocks} before the drain`
          : '';
        if (state.size === 0 && (!draining || replication === '')) return null;
      }
      const elapsed = this.clock.now() - started;
      if (elapsed >= timeoutMs) {
        const min = Math.round(elapsed / 60_000);
        for (const [h, s] of state) this.fail(h, `${this.describeWhere(h)}; still ${s} after ${min} min (timeout): left as it is, look at the NameNode`);
        if (state.size === 0) return `${replication} after ${min} min (timeout); the hosts are decommissioned and stay excluded`;
        return `timed out after ${min} min with ${state.size} hosts not done${read ? '' : ` (last read failed: ${lastError})`}`;
      }
      lease.renew();
      await this.clock.sleep(this.o.policy.pollMs);
    }
  }

  /** Journal around `fn` (before and after), with the test crash point after each entry. */
  private async sub<T>(substep: Substep, fields: Record<string, unknown>, fn: () => Promise<T>, endFields: (t: T) => Record<string, unknown> = () => ({})): Promise<T> {
    const at = { step: this.step, cluster: this.cluster, substep };
    if (this.leaseLost && substep !== 'restore') throw new StepFailure(`the drain lock was lost: ${this.leaseLost.message}`);
    this.ctx.journal('substep-begin', { ...at, ...fields });
    await this.o.crashPoint?.({ ...at, when: 'begin' });
    let value: T;
    try {
      value = await fn();
    } catch (e) {
      this.ctx.journal('substep-end', { ...at, ...fields, ok: false, error: (e as Error).message });
      throw e;
    }
    this.ctx.journal('substep-end', { ...at, ...fields, ok: true, ...endFields(value) });
    await this.o.crashPoint?.({ ...at, when: 'end' });
    return value;
  }

  /** Where a host was left, in words: `in the HDFS exclude file … on nn1, NameNode refreshed; …`. */
  private describeWhere(host: string): string {
    const r = this.reached;
    const where = this.whereInFiles(host);
    return r.restored.length ? `${where} (${r.restored.join('; ')})` : where;
  }

  private whereInFiles(host: string): string {
    const r = this.reached;
    if (r.hdfsFile === '' && r.unknownWrite) return `possibly ${this.step === 'drain' ? 'in' : 'removed from'} the HDFS exclude file ${r.unknownWrite} (the write did not report back: read the file)`;
    if (r.hdfsFile === '') return r.notWritten ? `untouched (${r.notWritten} not written)` : 'untouched';
    if (!r.acting.has(host)) return 'untouched';
    const verb = this.step === 'drain' ? 'in' : 'removed from';
    const parts = [`${verb} the HDFS exclude file ${r.hdfsFile}, NameNode ${r.nameNode ? 'refreshed' : 'not refreshed'}`];
    if (r.yarnFile) parts.push(`${verb} the YARN exclude file ${r.yarnFile}`);
    else if (r.notWritten) parts.push(`the YARN exclude file ${r.notWritten} not written`);
    else if (r.unknownWrite) parts.push(`possibly ${verb} the YARN exclude file ${r.unknownWrite} (the write did not report back: read the file)`);
    if (r.resourceManager) parts.push('ResourceManager refreshed');
    return parts.join('; ');
  }

  private emit(host: string, phase: ExecPhase, extra: Partial<ExecEvent> = {}): void {
    this.onEvent({ host, phase, at: new Date(this.clock.now()).toISOString(), ...extra });
  }

  private fail(host: string, detail: string): void {
    this.final.set(host, { phase: 'failed', detail });
    this.emit(host, 'failed', { detail });
  }

  private result(summary: string, verified = true): ExecResult {
    const hosts = this.hosts.map((h) => ({ host: h, ...(this.final.get(h) ?? { phase: 'failed' as const, detail: this.describeWhere(h) }) }));
    const end = this.step === 'drain' ? 'decommissioned' : 'recommissioned';
    const done = hosts.filter((h) => h.phase === end).length;
    return { ok: done === hosts.length && verified, hosts, summary: `${done} of ${hosts.length} ${end}; ${summary}` };
  }
}

/** Why a host may not be drained, or null. Already excluded (a resume) is fine in any state. */
function drainProblem(row: HdfsNodeRow | undefined, alreadyExcluded: boolean): string | null {
  if (alreadyExcluded) return null;
  if (!row) return 'the NameNode has no DataNode of this name';
  if (!row.live) return 'the DataNode is dead';
  if (row.adminState !== 'In Service') return `the DataNode is ${row.adminState}, not In Service`;
  return null;
}

/** Why a host may not be returned to service, or null. */
function returnProblem(row: HdfsNodeRow | undefined): string | null {
  if (row && (row.adminState === 'Decommission In Progress' || row.adminState === 'Entering Maintenance' || row.adminState === 'In Maintenance')) {
    return `the DataNode is ${row.adminState}: a drain or maintenance is under way, finish or cancel it first`;
  }
  return null;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return res.text();
}
