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
 * one ({@link writeFiles}). On a disk, creating a file is most of what writing one costs: files
 * are written {@link SET_FILE_WRITES} at a time, and with a writer thread
 * {@link SetFiles.prepare} creates them empty as soon as their names are known, while the pass
 * still builds its fleet. In memory (tmpfs) a file costs only work: they are written one after
 * the other and not created ahead. When the directory exists (a re-run), only missing set files
 * are written, each atomically, on the pass's thread.
 */
export class SetFiles {
  private readonly tmp: string;
  private readonly rerun: boolean;
  /** The files created ahead, once created. */
  private prepared: Promise<unknown> | undefined;
  private preparedNames: string[] = [];
  private readonly onDisk: boolean;

  /**
   * `setsDir`: `<pass>/sets`; `onlyMissing`: a re-run, which keeps every file that exists;
   * `thread`: the pass's writer thread; `onDisk`: whether the files go to a disk, where a create
   * waits (by default: unless the pass directory is on a tmpfs).
   */
  constructor(private readonly setsDir: string, onlyMissing: boolean, private readonly thread?: WriteThread | null, onDisk?: boolean) {
    this.tmp = `${setsDir}.tmp-${process.pid}`;
    this.rerun = onlyMissing && existsSync(setsDir);
    this.onDisk = onDisk ?? !inMemory(dirname(setsDir));
  }

  /**
   * Create the files of `names` empty, ahead, on the writer thread: nothing without one, on a
   * re-run, or in memory (tmpfs), where a create costs no wait and making every file twice
   * only costs work.
   */
  prepare(names: readonly string[]): void {
    if (this.rerun || !this.thread || this.prepared || !this.onDisk) return;
    this.start();
    this.preparedNames = [...names];
    this.prepared = this.thread.createFiles(this.tmp, this.preparedNames);
    this.prepared.catch(() => {}); // a file that could not be created fails write() below
  }

  /**
   * Write every set of `indexes` (`lines`: the names their indexes point to; given away to the
   * writer thread when there is one) and drop any file created ahead for a name that is not a
   * set; `done` settles once the directory is in place. Returns how many set files the directory
   * gains: every set on a first run, the missing ones on a re-run. `done` rejects (with the
   * temporary directory removed) when a file could not be created or written.
   */
  write(lines: NameLines, indexes: ReadonlyMap<string, IndexSet>): { written: number; done: Promise<void> } {
    if (this.rerun) {
      let n = 0;
      for (const [name, set] of indexes) if (writeIfMissing(join(this.setsDir, name), lines.fileOf(set), true)) n++;
      return { written: n, done: Promise.resolve() };
    }
    if (!this.prepared) this.start();
    const sets = [...indexes];
    // Written one after the other, every file is made in one buffer in turn.
    const scratch = this.thread || this.onDisk ? undefined : Buffer.allocUnsafe(lines.bytes.length);
    // The writer thread does its jobs in order: the sets after the files created ahead.
    const written = this.thread
      ? this.thread.writeSets(this.tmp, lines, sets, this.onDisk)
      : writeFiles(this.tmp, sets.map(([name]) => name), (k) => lines.fileOf(sets[k][1], scratch), this.onDisk);
    const done = written.then(
      () => {
        for (const name of this.preparedNames) if (!indexes.has(name)) rmSync(join(this.tmp, name), { force: true });
        rmSync(this.setsDir, { recursive: true, force: true });
        renameSync(this.tmp, this.setsDir);
      },
      (e: unknown) => {
        rmSync(this.tmp, { recursive: true, force: true });
        throw e;
      },
    );
    return { written: indexes.size, done };
  }

  /** The pass stopped before its sets: remove what {@link prepare} created, once its creates are done. */
  async discard(): Promise<void> {
    if (!this.prepared) return;
    await this.prepared.catch(() => {});
    rmSync(this.tmp, { recursive: true, force: true });
    this.prepared = undefined;
  }

  private start(): void {
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }
}

/** `statfs` type of tmpfs (linux/magic.h TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;

/** True when `dir` is on a file system in memory (tmpfs); false elsewhere, or when that cannot be told. */
function inMemory(dir: string): boolean {
  try {
    return statfsSync(dir).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * How many set files are written at once on a disk. A file create waits on the disk far more
 * than it uses a core: on this project's benchmark machine (ext4 on a virtual disk), 2,700 files
 * of 10 KB took 1.2–3.5 s written one after the other and 0.25–0.4 s written 4 to 8 at a time
 * through Node's thread pool (4 threads). On a tmpfs the same files took 60–80 ms written one
 * after the other with `writeFileSync` and 180–300 ms 8 at a time through `fs/promises` (each
 * file is an open, a write and a close, each a round trip to the pool).
 */
export const SET_FILE_WRITES = 8;

/**
 * Write `names[k]` in `dir` with the bytes `bytesOf(k)` (made when the file's turn comes), for
 * every k: `concurrent`, {@link SET_FILE_WRITES} files at a time through Node's thread pool (for
 * a disk); otherwise one after the other, synchronously (for a file system in memory: it blocks
 * the calling thread), and then `bytesOf(k)` may return a view of a buffer it reuses for the next
 * file. Resolves with the number of files written.
 * @throws Error (rejects) with the first write that failed, once the writes under way have
 *   finished; no write starts after a failure.
 */
export async function writeFiles(dir: string, names: readonly string[], bytesOf: (k: number) => Uint8Array, concurrent: boolean): Promise<number> {
  if (!concurrent) {
    for (let k = 0; k < names.length; k++) writeFileSync(join(dir, names[k]), bytesOf(k));
    return names.length;
  }
  let next = 0;
  let failed: { error: unknown } | undefined;
  const writer = async () => {
    while (failed === undefined && next < names.length) {
      const k = next++;
      try {
        await writeFile(join(dir, names[k]), bytesOf(k));
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SET_FILE_WRITES, names.length) }, writer));
  if (failed) throw failed.error;
  return names.length;
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
