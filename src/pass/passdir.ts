/**
 * The pass directory (DESIGN.md §2, "the pass directory is the program counter"):
 *
 *     <state>/passes/<dc>/<YYYY-MM-DD>/<HHMMSS>-<pass-id>/
 *       sources/  sets/  policy/  all-data.tsv  budget.tsv  plan.json  transcript.log  summary.json
 *
 * Every file is written atomically (temporary name, then rename), so a pass that dies half way
 * leaves only whole files; `summary.json` is written last and marks a finished pass.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import { InputError, formatPath } from '../errors.js';
import type { IndexSet, NameLines } from '../sets/indexset.js';
import type { WriteThread } from './write-thread.js';
import { dirname, join } from 'node:path';

/** The directory of a new pass. Dates and times are UTC. */
export function newPassDir(stateDir: string, dc: string, passId: string, now: Date): string {
  const iso = now.toISOString();
  const day = iso.slice(0, 10);
  const hms = iso.slice(11, 19).replace(/:/g, '');
  return join(stateDir, 'passes', dc, day, `${hms}-${passId}`);
}

/**
 * Write `content` to `path` atomically (write `path.tmp-<pid>`, rename). Creates parent directories.
 * `content` may be text chunks (e.g. from a generator), written as they come: a large file
 * (`all-data.tsv` is 12 MB at 100,000 hosts) is then never held whole, nor beside its UTF-8 copy.
 */
export function writeAtomic(path: string, content: string | Buffer | Iterable<string>): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(tmp, content);
  else {
    const fd = openSync(tmp, 'w');
    try {
      for (const chunk of content) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
  }
  renameSync(tmp, path);
}

/** Write unless the file exists (a re-run recomputes only what is missing). Returns true when written. */
export function writeIfMissing(path: string, content: string | Buffer | Iterable<string>, onlyMissing: boolean): boolean {
  if (onlyMissing && existsSync(path)) return false;
  writeAtomic(path, content);
  return true;
}

/**
 * The `sets/` directory of a pass: every set a file of its names (DESIGN.md §2), each index set's
 * lines copied from the names of the fleet's records ({@link NameLines}).
 *
 * A new directory is written whole under a temporary name and renamed into place by
 * {@link SetFiles.write}'s `done`, so it appears complete or not at all (one rename instead of
 * one per file: a pass has thousands of per-rack sets), by a writer thread when the pass has
 * one, through {@link writeFiles}: one after the other, and on a disk several at a time should
 * they turn out to wait on it. A pass on a disk gives the writer thread the inventory's sets
 * first, while it parses the other sources ({@link SetFiles.writeAhead}). When the directory
 * exists (a re-run), only missing set files are written, each atomically, on the pass's thread.
 */
export class SetFiles {
  private readonly tmp: string;
  private readonly rerun: boolean;
  private readonly onDisk: boolean;
  /** The sets {@link writeAhead} gave the writer thread: their sizes by name, and the job. */
  private ahead: { sizes: Map<string, number>; job: Promise<unknown> } | undefined;

  /**
   * `setsDir`: `<pass>/sets`; `onlyMissing`: a re-run, which keeps every file that exists;
   * `thread`: the pass's writer thread; `onDisk`: whether the files go to a disk, where a create
   * may wait (by default: unless the pass directory is on a tmpfs).
   */
  constructor(private readonly setsDir: string, onlyMissing: boolean, private readonly thread?: WriteThread | null, onDisk?: boolean) {
    this.tmp = `${setsDir}.tmp-${process.pid}`;
    this.rerun = onlyMissing && existsSync(setsDir);
    this.onDisk = onDisk ?? !inMemory(dirname(setsDir));
  }

  /**
   * Start writing sets known before the fleet is built — a source's own raw sets (`indexes`:
   * indexes into the names `lines`, given away) — on the writer thread, while the pass goes on.
   * A 100,000-host inventory's sets are ~2,660 of a pass's ~2,700 set files, and on a disk whose
   * creates wait they take seconds (see {@link SLOW_FILE_MS}): started as soon as the inventory is
   * parsed, they are written while the other sources are. {@link write} then writes only the other
   * sets, and any of these that turn out larger in the fleet (another source named the same set).
   * A pass that stops before {@link write} calls {@link abandon}. Once, before {@link write}; only
   * with a writer thread, on a first run. @throws Error when called otherwise.
   */
  writeAhead(lines: NameLines, indexes: Readonly<Record<string, IndexSet>>): void {
    if (!this.thread || this.rerun || this.ahead) throw new Error('SetFiles.writeAhead: once, before write, with a writer thread, on a first run');
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
    const sets = Object.entries(indexes);
    const job = this.thread.writeSets(this.tmp, lines, sets, this.onDisk);
    job.catch(() => {}); // awaited by write() or abandon(); until then a failure must not count as unhandled
    this.ahead = { sizes: new Map(sets.map(([name, set]) => [name, set.length])), job };
  }

  /**
   * Write every set of `indexes` (`lines`: the names their indexes point to; given away to the
   * writer thread when there is one); `done` settles once the directory is in place. Returns how
   * many set files the directory gains: every set on a first run, the missing ones on a re-run.
   * After {@link writeAhead}, a set written ahead is not written again when it has as many members
   * here: the fleet's set of a name holds the source's set (each row became one record), so the
   * same size is the same members; `ahead` says how many were (0 without {@link writeAhead}).
   * `done` rejects (with the temporary directory removed) when a file could not be written.
   */
  write(lines: NameLines, indexes: ReadonlyMap<string, IndexSet>): { written: number; ahead: number; done: Promise<void> } {
    if (this.rerun) {
      let n = 0;
      for (const [name, set] of indexes) if (writeIfMissing(join(this.setsDir, name), lines.fileOf(set), true)) n++;
      return { written: n, ahead: 0, done: Promise.resolve() };
    }
    const ahead = this.ahead;
    if (!ahead) {
      rmSync(this.tmp, { recursive: true, force: true });
      mkdirSync(this.tmp, { recursive: true });
    }
    const sets = ahead ? [...indexes].filter(([name, set]) => ahead.sizes.get(name) !== set.length) : [...indexes];
    const written: Promise<unknown> = this.thread
      ? this.thread.writeSets(this.tmp, lines, sets, this.onDisk)
      : writeSetFiles(this.tmp, lines, sets.map(([name]) => name), (k) => sets[k][1], this.onDisk);
    const done = Promise.all([ahead?.job, written]).then(
      () => {
        rmSync(this.setsDir, { recursive: true, force: true });
        renameSync(this.tmp, this.setsDir);
      },
      async (e: unknown) => {
        // Both jobs settle before the files go: the thread may still be writing into the directory.
        await Promise.allSettled([ahead?.job, written]);
        rmSync(this.tmp, { recursive: true, force: true });
        throw e;
      },
    );
    return { written: indexes.size, ahead: indexes.size - sets.length, done };
  }

  /** A pass that stops after {@link writeAhead} and before {@link write}: once the writes under way end, remove their directory. */
  async abandon(): Promise<void> {
    if (!this.ahead) return;
    await this.ahead.job.catch(() => {});
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** `statfs` type of tmpfs (linux/magic.h TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;

/** True when `dir` is on a file system in memory (tmpfs); false elsewhere, or when that cannot be told. */
export function inMemory(dir: string): boolean {
  try {
    return statfsSync(dir).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/** Files written one after the other between two looks at how fast they go, on a disk. */
export const PROBE_FILES = 128;

/**
 * Milliseconds a file may take on average, written one after the other on a disk, before the
 * rest are written {@link SET_FILE_WRITES} at a time, when the creates waited on the disk rather
 * than kept the thread busy ({@link WAITED_SHARE}). On this project's benchmark machine (ext4
 * on a virtual disk, 2026-12-07), 2,700 files of 9 KB took 0.06–0.16 ms each one after the other
 * and 0.11 ms 8 at a time, and a 100,000-host pass writing its set files one after the other
 * ended 0.4 s sooner than one that created them empty ahead and wrote them 8 at a time (the
 * creates ahead also took a core from the fleet build). While the disk was busy (after thousands
 * of deletions, on a mount with `discard`) both took ~0.5 ms a file; on 2026-12-03, in such a
 * state, 2,700 files took 1.2–3.5 s one after the other and 0.25–0.4 s 8 at a time.
 */
export const SLOW_FILE_MS = 0.3;

/** How many set files are written at once on a disk whose creates wait (see {@link SLOW_FILE_MS}). */
export const SET_FILE_WRITES = 8;

/**
 * Share of a slow look's wall time (see {@link SLOW_FILE_MS}) that the writing thread must have
 * spent blocked — neither on a CPU nor waiting for one — for its creates to count as waits on the
 * disk, which several at a time overlap. Slow creates are not always waits. On the benchmark
 * machine on 2026-12-07 (evening), 2,700 files of 9 KB took 1.5–3.0 s one after the other, nearly
 * all of it the kernel's CPU (`sys`), and as long with 4 threads, which used twice the CPU
 * (2.8–6.4 s): creates in one directory take turns, and the waiting ones spun. A 100,000-host pass
 * that kept writing one after the other took 2900 ms instead of 3207 and 4950 ms of CPU instead of
 * 5600 (medians of 9 alternated runs): the parses beside the writer thread had their cores back.
 * Time waiting for a CPU is not a wait on the disk: three busy threads on two cores wait so.
 */
export const WAITED_SHARE = 0.5;

/**
 * How long the calling thread has been on a CPU (`cpu`) and ready but waiting for one (`ready`),
 * in ms: the first two fields of `/proc/thread-self/schedstat` (ns; Linux). Undefined where that
 * cannot be read (another system, no /proc).
 */
export function threadSchedMs(): { cpu: number; ready: number } | undefined {
  try {
    const [cpu, ready] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 2).map(Number);
    return Number.isFinite(cpu) && Number.isFinite(ready) ? { cpu: cpu / 1e6, ready: ready / 1e6 } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Write set k as `dir/<names[k]>`, its file copied from `lines` ({@link NameLines.fileOf}) by
 * {@link writeFiles}: the files written one after the other are each made in one buffer, reused
 * (as large as `lines`, which every file fits). On the pass's thread or the writer thread.
 * @throws Error (rejects) as {@link writeFiles}.
 */
export function writeSetFiles(dir: string, lines: NameLines, names: readonly string[], setOf: (k: number) => IndexSet, onDisk: boolean): Promise<number> {
  const scratch = Buffer.allocUnsafe(lines.bytes.length);
  return writeFiles(dir, names, (k, shared) => lines.fileOf(setOf(k), shared ? scratch : undefined), onDisk);
}

/**
 * Write `names[k]` in `dir` with the bytes `bytesOf(k, shared)` (made when the file's turn
 * comes), for every k, one after the other and synchronously (it blocks the calling thread, which
 * is the writer thread in a pass): a file on a tmpfs, or a disk that keeps up, costs a few tens of
 * microseconds, less than a round trip through Node's thread pool. `shared` is true when the bytes
 * are written before the next call, so they may be a view of a buffer reused for every file.
 * `onDisk`: after every {@link PROBE_FILES} files, if they took more than {@link SLOW_FILE_MS}
 * each and this thread spent at least {@link WAITED_SHARE} of that time blocked (the creates
 * waited on the disk), the rest are written {@link SET_FILE_WRITES} at a time through the thread
 * pool (`shared` false), as a create that waits uses no core; creates that were the kernel's work
 * stay one after the other. `now`: the clock, in ms; `sched`: this thread's CPU and CPU-wait
 * times in ms ({@link threadSchedMs}), undefined when unknown (then slow creates count as waits).
 * Resolves, once every file is written, with the index of the first file written several at a
 * time, or -1 when all went one after the other.
 * @throws Error (rejects) with the first write that failed, once the writes under way have
 *   finished; no write starts after a failure.
 */
export async function writeFiles(
  dir: string, names: readonly string[], bytesOf: (k: number, shared: boolean) => Uint8Array, onDisk: boolean,
  now: () => number = () => performance.now(), sched: () => { cpu: number; ready: number } | undefined = threadSchedMs,
): Promise<number> {
  let k = 0;
  let probeStart = now();
  let probeSched = onDisk ? sched() : undefined;
  for (; k < names.length; k++) {
    writeFileSync(join(dir, names[k]), bytesOf(k, true));
    if (onDisk && (k + 1) % PROBE_FILES === 0) {
      const t = now();
      const s = sched();
      const wall = t - probeStart;
      const blocked = s && probeSched ? wall - (s.cpu - probeSched.cpu) - (s.ready - probeSched.ready) : wall;
      if (wall > SLOW_FILE_MS * PROBE_FILES && blocked >= wall * WAITED_SHARE) {
        k++;
        break;
      }
      probeStart = t;
      probeSched = s;
    }
  }
  if (k >= names.length) return -1;
  const concurrentFrom = k;
  let next = k;
  let failed: { error: unknown } | undefined;
  const writer = async () => {
    while (failed === undefined && next < names.length) {
      const i = next++;
      try {
        await writeFile(join(dir, names[i]), bytesOf(i, false));
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SET_FILE_WRITES, names.length - k) }, writer));
  if (failed) throw failed.error;
  return concurrentFrom;
}

/**
 * Finished pass directories of a datacenter (those with `summary.json`), oldest first.
 * Directory names sort by time, so byte order is time order.
 */
export function listPasses(stateDir: string, dc: string): string[] {
  const root = join(stateDir, 'passes', dc);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const day of readdirSync(root).sort()) {
    const dayDir = join(root, day);
    let entries: string[];
    try {
      entries = readdirSync(dayDir).sort();
    } catch {
      continue;
    }
    for (const p of entries) {
      const dir = join(dayDir, p);
      if (existsSync(join(dir, 'summary.json'))) out.push(dir);
    }
  }
  return out;
}

/** Datacenters that have passes in the state directory. */
export function listDatacenters(stateDir: string): string[] {
  const root = join(stateDir, 'passes');
  return existsSync(root) ? readdirSync(root).sort() : [];
}

/**
 * Read a JSON file of a pass or state directory through `schema` (those files are on disk for
 * operators to read, and may have been edited). The one way this code base reads its own JSON
 * files back. @throws InputError naming the file and, for a schema mismatch, the field
 * (`<path>: plan.digest: Invalid input: expected string, received number`).
 */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError({ origin: path }, `cannot read: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError({ origin: path, field: '(document)' }, `cannot read it as JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError({ origin: path, field: formatPath(issue.path) || '(document)' }, issue.message);
  }
  return parsed.data;
}
