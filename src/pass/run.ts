/**
 * A whole pass, top to bottom (DESIGN.md §2): snapshot → sets → budget → pick → plan → report,
 * writing the pass directory as it goes. `runPass` fetches fresh snapshots; `resumePass`
 * re-runs a pass from its own directory and writes only the files that are missing.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, SafetyError } from '../errors.js';
import { compilePolicy, loadPolicy, POLICY_FILES, type Policy } from '../policy/load.js';
import { checkSources, type SourceObservation } from '../safety/index.js';
import { parseSource } from '../sources/index.js';
import { SOURCE_KINDS, SOURCE_ROLE, type ParsedSource } from '../sources/types.js';
import { InventoryMappingSchema } from '../sources/inventory.js';
import { z } from 'zod';
import { readPassSummary, type PassSummary } from './summary.js';
import { inMemory, listPasses, newPassDir, readJsonFile, SetFiles, writeAtomic, writeIfMissing } from './passdir.js';
import { NameLines } from '../sets/indexset.js';
import { reconcile, type ClusterBudget, type Plan } from './reconcile.js';
import { allDataCells, renderAllDataFile, renderBudgetTsv } from './report.js';
import { PlanStore } from '../plan/store.js';
import { buildFleet, startFleet, type Fleet, type FleetStart } from './sets.js';
import { SshHealthSpecSchema } from '../ssh/health-source.js';
import { captureSource, isUrl, snapshotFileName, type SourceSnapshot, type SourceSpec } from './snapshot.js';
import { PARSE_THREAD_MIN_BYTES, ParseThread } from './parse-thread.js';
import { WriteThread } from './write-thread.js';
import { parseSnapshot, readSnapshot, type ParseOutcome } from './parse-snapshot.js';

/** Options of {@link runPass}. */
export interface PassOptions {
  dc: string;
  sources: SourceSpec[];
  policyDir: string;
  stateDir: string;
  /** Shuffle seed (uint32); random when absent. Recorded in the plan. */
  seed?: number;
  /** Write the pass here instead of `<state>/passes/<dc>/<day>/<time>-<id>/`. */
  passDir?: string;
  now?: Date;
  /** Progress lines for a terminal (the transcript gets them too). */
  onProgress?: (line: string) => void;
  /**
   * Register a non-empty plan in the plan store as `proposed` (superseding earlier proposals of
   * the datacenter), with who asked for the pass. Never for re-validation passes: they would
   * supersede the plan being approved.
   */
  register?: { requestedBy: string };
  /**
   * false: parse every snapshot on this thread. Default: the largest snapshot, when it is at least
   * {@link PARSE_THREAD_MIN_BYTES} and the machine has a second core, in a worker thread.
   */
  parseThread?: boolean;
  /**
   * Write the inventory's set files on the writer thread as soon as the inventory is parsed, while
   * the other sources are (src/pass/passdir.ts `SetFiles.writeAhead`), rather than with the other
   * sets once the fleet is built. Default: when the pass directory is on a disk, not a tmpfs. Only
   * a first run whose report goes to a worker thread has a writer thread to do it.
   */
  writeAhead?: boolean;
}

/** `sources/manifest.json`: what a pass read, enough to re-run it from its own directory. */
export interface PassManifest {
  passId: string;
  dc: string;
  seed: number;
  startedAt: string;
  policyDir: string;
  sources: (SourceSnapshot & { hosts?: number; previousHosts?: number })[];
}

const SourceSnapshotSchema = z.object({
  role: z.enum(['inventory', 'health', 'hdfs', 'yarn']),
  kind: z.enum(SOURCE_KINDS),
  origin: z.string(),
  file: z.string().regex(/^[a-z]+\.[a-z-]+\.[a-z]+$/, 'expected a file name under sources/ (<role>.<kind>.<ext>)'),
  sha256: z.string(),
  bytes: z.number().int().min(0),
  fetchedAt: z.string(),
  ageMs: z.number().min(0),
  mapping: InventoryMappingSchema.optional(),
  ssh: SshHealthSpecSchema.optional(),
  error: z.string().optional(),
  fetchMs: z.number().min(0).optional(),
  hosts: z.number().int().min(0).optional(),
  previousHosts: z.number().int().min(0).optional(),
});

/** Schema of `sources/manifest.json`. */
export const PassManifestSchema = z.object({
  passId: z.string().regex(/^[0-9a-f]{8}$/, 'expected 8 hex characters'),
  dc: z.string().min(1),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  startedAt: z.string(),
  policyDir: z.string(),
  sources: z.array(SourceSnapshotSchema),
});

/**
 * The manifest of a pass directory, validated: it decides which files a re-run or a
 * re-validation reads and how. @throws InputError when it is missing or does not match the schema.
 */
export function readPassManifest(dir: string): PassManifest {
  const path = join(dir, 'sources', 'manifest.json');
  if (!existsSync(path)) throw new InputError({ origin: path }, 'not a pass directory (no sources/manifest.json)');
  return readJsonFile(path, PassManifestSchema) as PassManifest;
}

export { PassSummarySchema, readPassSummary, type PassSummary } from './summary.js';

/** What a pass produced. `fleet`, `budgets` and `plan` are absent when it stopped early. */
export interface PassResult {
  dir: string;
  summary: PassSummary;
  fleet?: Fleet;
  budgets?: ClusterBudget[];
  plan?: Plan;
  transcript: string[];
}

const REQUIRED_ROLES = ['inventory', 'health', 'hdfs'] as const;

/**
 * Run a pass: snapshot every source, check them (fail closed), build the sets, budget, pick
 * and write the plan. Never throws for bad sources or refusals: they are a result with
 * `summary.result` `error` or `refused` and a transcript saying why.
 * @throws InputError when the options themselves are wrong (a required source missing, two
 *   sources of one role) or the policy does not load.
 */
export async function runPass(opts: PassOptions): Promise<PassResult> {
  const now = opts.now ?? new Date();
  for (const role of REQUIRED_ROLES) {
    if (!opts.sources.some((s) => roleOf(s) === role)) {
      throw new InputError({ origin: 'sources', field: role }, `a pass needs an ${role} source (inventory, health and an HDFS control plane: the three observers)`);
    }
  }
  const roles = opts.sources.map(roleOf);
  const dup = roles.find((r, i) => roles.indexOf(r) !== i);
  if (dup) throw new InputError({ origin: 'sources', field: dup }, `two ${dup} sources given; a pass reads one source per observer`);
  // A large local source will be parsed in a worker thread: start it now, so it has loaded its
  // modules while this thread loads the policy and takes the snapshots.
  const thread = opts.parseThread !== false && opts.sources.some(isLargeFile) ? ParseThread.start() : null;
  try {
    return await snapshotAndFinish(opts, now, thread);
  } finally {
    thread?.close();
  }
}

async function snapshotAndFinish(opts: PassOptions, now: Date, thread: ParseThread | null): Promise<PassResult> {
  const policy = loadPolicy(opts.policyDir);
  // Milliseconds first, so passes started within one second still sort in start order by name.
  const passId = String(now.getUTCMilliseconds()).padStart(3, '0') + randomBytes(3).toString('hex').slice(0, 5);
  const seed = opts.seed ?? randomInt(0, 2 ** 32 - 1);
  const dir = opts.passDir ?? newPassDir(opts.stateDir, opts.dc, passId, now);
  if (existsSync(join(dir, 'summary.json'))) {
    throw new InputError({ origin: dir }, 'this directory already holds a finished pass; use `breakfix pass --resume DIR` to recompute its missing files');
  }
  mkdirSync(join(dir, 'sources'), { recursive: true });
  const t = transcript(opts.onProgress);
  t(`pass ${passId} for ${opts.dc}, seed ${seed}, policy ${policy.dir} (sha256 ${policy.digest.slice(0, 12)})`);

  const previous = previousSummary(opts.stateDir, opts.dc, dir);
  // The ssh health source may check an inventory set, so it runs once the other snapshots are in.
  const dest = (s: SourceSpec) => join(dir, 'sources', snapshotFileName(s));
  const first = await Promise.all(opts.sources.map((s) => (s.kind === 'health-ssh' ? undefined : captureSource(s, now, dest(s)))));
  const inventorySet = (name: string): string[] => {
    const inv = first.find((s) => s?.role === 'inventory');
    if (!inv || inv.error) throw new InputError({ origin: 'health source ssh', field: 'hosts.set' }, `the inventory snapshot is missing or failed, so set ${name} is unknown`);
    const parsed = parseSource('inventory', readSnapshot(join(dir, 'sources', inv.file)).data, inv.origin, inv.mapping);
    const set = parsed.sets[name];
    if (!set) throw new InputError({ origin: inv.origin, field: 'hosts.set' }, `the inventory has no raw set ${name}; sets: ${Object.keys(parsed.sets).slice(0, 12).join(', ')}`);
    return [...set];
  };
  const snaps = await Promise.all(opts.sources.map((s, i) => first[i] ?? captureSource(s, now, dest(s), { policyDir: opts.policyDir, inventorySet })));
  const manifest: PassManifest = { passId, dc: opts.dc, seed, startedAt: now.toISOString(), policyDir: policy.dir, sources: [] };
  for (const snapshot of snaps) {
    const prev = previous?.sources.find((s) => s.role === snapshot.role)?.hosts;
    manifest.sources.push({ ...snapshot, ...(prev !== undefined ? { previousHosts: prev } : {}) });
    t(snapshot.error ? `snapshot ${snapshot.role} FAILED: ${snapshot.error}` : `snapshot ${snapshot.role} (${snapshot.kind}) from ${snapshot.origin} into sources/${snapshot.file}`);
  }
  for (const f of POLICY_FILES) writeAtomic(join(dir, 'policy', f), policy.files[f]);
  const result = await finishPass(dir, manifest, policy, t, false, opts.parseThread === false ? false : thread, opts.writeAhead);
  if (opts.register && result.plan) await new PlanStore(opts.stateDir).register(result.plan, dir, { requestedBy: opts.register.requestedBy });
  return result;
}

/**
 * Re-run a pass from its own directory: its source snapshots, its policy snapshot, its seed.
 * Writes only the files that are missing; a finished pass re-run changes nothing.
 * @throws InputError when the directory has no `sources/manifest.json` or its policy snapshot is broken.
 */
export async function resumePass(dir: string, onProgress?: (line: string) => void): Promise<PassResult> {
  const manifest = readPassManifest(dir);
  const policy = passPolicy(dir);
  const t = transcript(onProgress);
  t(`pass ${manifest.passId} for ${manifest.dc} re-run from ${dir}: recomputing missing files only`);
  return finishPass(dir, manifest, policy, t, true);
}

/** The policy a pass ran with: its own copy under `policy/`, compiled. @throws InputError when that copy is missing or broken. */
export function passPolicy(dir: string): Policy {
  const files: Record<string, string> = {};
  for (const f of POLICY_FILES) {
    const path = join(dir, 'policy', f);
    if (!existsSync(path)) throw new InputError({ origin: path }, 'the pass directory has no copy of this policy file');
    files[f] = readFileSync(path, 'utf8');
  }
  return compilePolicy(join(dir, 'policy'), files);
}

async function finishPass(
  dir: string, manifest: PassManifest, policy: Policy, t: Transcript, onlyMissing: boolean,
  /**
   * A worker thread started ahead by the caller, who closes it; null: start one here if a snapshot
   * is large enough (it exits on its own once it has answered); false: parse on this thread.
   */
  prestarted: ParseThread | null | false = null,
  writeAhead?: boolean,
): Promise<PassResult> {
  // The set-file writer thread, when the pass starts one (below); stopped however the pass ends.
  const threads: { writer: WriteThread | null } = { writer: null };
  try {
    return await computePass(dir, manifest, policy, t, onlyMissing, prestarted, threads, writeAhead);
  } finally {
    threads.writer?.close();
  }
}

async function computePass(
  dir: string, manifest: PassManifest, policy: Policy, t: Transcript, onlyMissing: boolean,
  prestarted: ParseThread | null | false, threads: { writer: WriteThread | null }, writeAhead?: boolean,
): Promise<PassResult> {
  const summary: PassSummary = {
    passId: manifest.passId, dc: manifest.dc, result: 'ok', startedAt: manifest.startedAt, seed: manifest.seed,
    reasons: [], sources: [], counts: {}, plan: null,
  };
  // Set files and all-data being written by a worker thread: a pass that stops meanwhile lets
  // them finish, so it ends with its sets directory in place or none at all, never half written.
  let bulkFiles: Promise<unknown> | undefined;
  // The set files, when some are written before the fleet is built (below).
  let setFiles: SetFiles | undefined;
  const stop = async (result: 'refused' | 'error', reasons: string[]): Promise<PassResult> => {
    if (bulkFiles) await bulkFiles.catch(() => {});
    else await setFiles?.abandon();
    summary.result = result;
    summary.reasons = reasons;
    for (const r of reasons) t(`${result === 'refused' ? 'REFUSED' : 'ERROR'}: ${r}`);
    t(`pass stopped (${result}); no plan written`);
    writeIfMissing(join(dir, 'sources', 'manifest.json'), json(manifest), onlyMissing);
    writeIfMissing(join(dir, 'transcript.log'), t.lines.join('\n') + '\n', onlyMissing);
    writeIfMissing(join(dir, 'summary.json'), json(summary), onlyMissing);
    return { dir, summary, transcript: t.lines };
  };

  // Parse every snapshot; errors are collected so the transcript names every broken source.
  // Each is read from the pass directory's own copy: the digest is of the bytes kept. The largest
  // one, when it is large, is read and parsed in a worker thread while this thread parses the
  // others, largest first, one at a time (each one's bytes dropped once parsed). What each parse
  // found is reported in manifest order.
  type Outcome = { parsed: ParsedSource<unknown>; hosts: number } | { error: string };
  const outcomes = new Map<SourceSnapshot, Outcome>();
  const pathOf = (s: SourceSnapshot) => join(dir, 'sources', s.file);
  const sizeOf = (s: SourceSnapshot) => statSync(pathOf(s), { throwIfNoEntry: false })?.size ?? 0;
  const bySize = manifest.sources.filter((s) => !s.error).map((s) => ({ s, size: sizeOf(s) })).sort((a, b) => b.size - a.size);
  const record = (s: SourceSnapshot, o: ParseOutcome) => {
    if (o.changed) {
      outcomes.set(s, { error: `${pathOf(s)}: the snapshot changed since the pass (sha256 ${s.sha256.slice(0, 12)} recorded, ${o.sha256.slice(0, 12)} now); a pass directory is a record, not a work area` });
      return;
    }
    s.sha256 = o.sha256;
    s.bytes = o.bytes;
    if (o.parsed) outcomes.set(s, { parsed: o.parsed, hosts: o.parsed.hosts ?? distinctHosts(o.parsed.rows as { host: string }[]) });
    else outcomes.set(s, { error: o.inputError ?? 'the parser gave no result' });
  };
  const jobOf = (s: SourceSnapshot) => ({ path: pathOf(s), kind: s.kind, origin: s.origin, rows: false, ...(s.mapping ? { mapping: s.mapping } : {}), ...(onlyMissing && s.sha256 ? { expectSha256: s.sha256 } : {}) });
  const offload = prestarted !== false && bySize.length > 1 && bySize[0].size >= PARSE_THREAD_MIN_BYTES;
  const thread = offload ? (prestarted ?? ParseThread.start()) : null;
  if (prestarted && prestarted !== thread) prestarted.close();
  let inThread: Promise<ParseOutcome> | undefined;
  let threaded: SourceSnapshot | undefined;
  if (thread) {
    const { s } = bySize.shift()!;
    threaded = s;
    inThread = thread.parse(jobOf(s));
    inThread.catch(() => {}); // awaited below; until then a failure must not count as unhandled
  }
  // On a disk, the inventory's sets (nearly all of a pass's set files: one per rack) are written
  // by the writer thread as soon as the inventory is parsed, while the rest is: creating 2,700
  // files there took 1–4 s on this project's benchmark machine, and ended the pass when started
  // after the fleet was built (bench/README.md, 2026-12-07 late evening). So this thread parses
  // the inventory first, and the writer starts now. On a tmpfs a file costs a little CPU only,
  // better spent once the parses are done (below). A set another source names too is written
  // again once the fleet is built (SetFiles.write compares sizes).
  const onDisk = !inMemory(dir);
  const inventory = bySize.find(({ s }) => s.role === 'inventory')?.s;
  if (thread && inventory && !onlyMissing && (writeAhead ?? onDisk)) {
    threads.writer = WriteThread.start();
    if (threads.writer) {
      setFiles = new SetFiles(join(dir, 'sets'), false, threads.writer, onDisk);
      bySize.sort((a, b) => Number(b.s === inventory) - Number(a.s === inventory));
    }
  }
  for (const { s } of bySize) {
    record(s, parseSnapshot(jobOf(s), parseSource));
    const o = s === inventory ? outcomes.get(s) : undefined;
    if (setFiles && o && 'parsed' in o && o.parsed.setIndexes) setFiles.writeAhead(new NameLines(o.parsed.rows as { host: string }[]), o.parsed.setIndexes);
  }
  // While the worker still parses: start the fleet from what this thread parsed.
  let start: FleetStart | undefined;
  const started = new Set<ParsedSource<unknown>>();
  if (threaded && inThread) {
    for (const { s } of bySize) {
      const o = outcomes.get(s);
      if (o && 'parsed' in o) started.add(o.parsed);
    }
    // A writer thread for the set files and all-data.tsv, loading its modules while the fleet is built.
    if (!onlyMissing && !threads.writer) threads.writer = WriteThread.start();
    start = startFleet([...started]);
    record(threaded, await inThread);
  }
  const parsed: ParsedSource<unknown>[] = [];
  const errors: string[] = [];
  const observations: SourceObservation[] = [];
  for (const s of manifest.sources) {
    if (s.error) {
      observations.push({ role: s.role, origin: s.origin, error: s.error, hosts: 0, ageMs: s.ageMs });
      continue;
    }
    const o = outcomes.get(s)!;
    if ('error' in o) {
      errors.push(o.error);
      continue;
    }
    const { parsed: p, hosts } = o;
    parsed.push(p);
    s.hosts = hosts;
    observations.push({ role: s.role, origin: s.origin, hosts, ageMs: s.ageMs, previousHosts: s.previousHosts });
    summary.sources.push({ role: s.role, kind: s.kind, origin: s.origin, hosts, sha256: s.sha256, ageMs: s.ageMs });
    t(`parsed ${s.role}${s === threaded ? ' (in a worker thread)' : ''}: ${s.bytes} bytes, sha256 ${s.sha256.slice(0, 12)}, ${hosts} hosts${p.notes.length ? ` (${p.notes.join('; ')})` : ''}`);
  }
  outcomes.clear();
  if (errors.length > 0) return stop('error', errors);
  const refusals = checkSources(observations, policy.safety);
  if (refusals.length > 0) return stop('refused', refusals.map((r) => r.reason));

  // Sets.
  const fleet = buildFleet(parsed.filter((p) => !started.has(p)), policy.sets, start);
  started.clear();
  start = undefined;
  // The fleet keeps what it needs of the rows; let the rest go (300,000 health rows and their
  // detail texts at 100,000 hosts) before the set files and all-data.tsv are written.
  parsed.length = 0;
  for (const [name, set] of fleet.indexes) summary.counts[name] = set.length;
  // A pass that parsed in a worker thread has its set files and all-data.tsv written by another
  // one meanwhile (the names go to that thread with the sets).
  const writer = threads.writer;
  const lines = new NameLines(fleet.records);
  const sets = (setFiles ?? new SetFiles(join(dir, 'sets'), onlyMissing, writer, onDisk)).write(lines, fleet.indexes);
  t(`sets: ${fleet.sets.size} (${sets.written} written${sets.ahead ? `, ${sets.ahead} of them while the sources were parsed` : ''}); ${['all', 'managed', 'unknown', 'in-flight', 'drain-candidates', 'return-candidates'].map((n) => `${n} ${summary.counts[n] ?? 0}`).join(', ')}`);
  for (const def of policy.sets) t(`  ${def.name} = ${def.text}  → ${summary.counts[def.name]}`);
  const allDataPath = join(dir, 'all-data.tsv');
  let allData = Promise.resolve();
  if (writer) allData = writer.writeAllData(allDataPath, allDataCells(fleet));
  else writeIfMissing(allDataPath, renderAllDataFile(lines, allDataCells(fleet)), onlyMissing);
  bulkFiles = Promise.all([sets.done, allData]);
  bulkFiles.catch(() => {}); // awaited below, before the plan; until then a failure must not count as unhandled
  writeIfMissing(join(dir, 'sources', 'manifest.json'), json(manifest), onlyMissing);

  // Budget, pick, plan.
  const sourceDigests = Object.fromEntries(manifest.sources.map((s) => [s.file, s.sha256]));
  let out: ReturnType<typeof reconcile>;
  try {
    out = reconcile({ fleet, policy, dc: manifest.dc, passId: manifest.passId, seed: manifest.seed, createdAt: manifest.startedAt, sourceDigests });
  } catch (e) {
    if (e instanceof SafetyError) return stop('refused', [e.message]);
    throw e;
  }
  const { budgets, plan } = out;
  for (const b of budgets) {
    const d = b.actions.drain;
    t(`budget ${b.cluster} (${b.archetype}): ${d.cap.arithmetic}; in-flight ${d.inFlight}, headroom ${d.headroom}, candidates ${d.candidates}, picked ${d.picked}${d.reason ? ` — ${d.reason}` : ''}`);
  }
  writeIfMissing(join(dir, 'budget.tsv'), renderBudgetTsv(budgets), onlyMissing);
  await bulkFiles;
  for (const a of plan.actions) t(`propose ${a.action} ${a.host} (${a.cluster}, rack ${a.rack ?? '-'}, group ${a.dataGroup ?? '-'}): ${a.reason}`);
  t(plan.emptyReason ?? `plan ${plan.id}: ${plan.actions.length} actions, digest ${plan.digest.slice(0, 12)}`);
  writeIfMissing(join(dir, 'plan.json'), json(plan), onlyMissing);

  summary.plan = {
    id: plan.id, digest: plan.digest, emptyReason: plan.emptyReason,
    drain: plan.actions.filter((a) => a.action === 'drain').length,
    recommission: plan.actions.filter((a) => a.action === 'recommission').length,
  };
  if (fleet.blocks) summary.blocks = fleet.blocks;
  writeIfMissing(join(dir, 'transcript.log'), t.lines.join('\n') + '\n', onlyMissing);
  writeIfMissing(join(dir, 'summary.json'), json(summary), onlyMissing);
  return { dir, summary, fleet, budgets, plan, transcript: t.lines };
}

/** The summary of the newest finished `ok` pass of `dc` other than `exceptDir`, if any. */
export function previousSummary(stateDir: string, dc: string, exceptDir?: string): PassSummary | undefined {
  const passes = listPasses(stateDir, dc).filter((d) => d !== exceptDir);
  for (let i = passes.length - 1; i >= 0; i--) {
    const s = readPassSummary(passes[i]);
    if (s.result === 'ok') return s;
  }
  return undefined;
}

/**
 * How many distinct hosts `rows` name. Most parsers return rows sorted by host: then one pass
 * comparing neighbours, with no set of 100,000 strings to build; otherwise (health rows are in
 * file order) a `Set`.
 */
function distinctHosts(rows: readonly { host: string }[]): number {
  let n = rows.length > 0 ? 1 : 0;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1].host;
    const b = rows[i].host;
    if (a === b) continue;
    if (!(a < b)) return new Set(rows.map((r) => r.host)).size;
    n++;
  }
  return n;
}

/** True when `s` is a local file of at least {@link PARSE_THREAD_MIN_BYTES} (its parse will go to a worker thread). */
function isLargeFile(s: SourceSpec): boolean {
  if (s.kind === 'health-ssh' || isUrl(s.location)) return false;
  return (statSync(s.location, { throwIfNoEntry: false })?.size ?? 0) >= PARSE_THREAD_MIN_BYTES;
}

function roleOf(s: SourceSpec): string {
  return SOURCE_ROLE[s.kind];
}

type Transcript = ((line: string) => void) & { lines: string[] };

function transcript(onProgress?: (line: string) => void): Transcript {
  const lines: string[] = [];
  const t = ((line: string) => {
    lines.push(`${new Date().toISOString()}  ${line}`);
    onProgress?.(line);
  }) as Transcript;
  t.lines = lines;
  return t;
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}
