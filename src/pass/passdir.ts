/**
 * The pass directory (DESIGN.md §2, "the pass directory is the program counter"):
 *
 *     <state>/passes/<dc>/<YYYY-MM-DD>/<HHMMSS>-<pass-id>/
 *       sources/  sets/  policy/  all-data.tsv  budget.tsv  plan.json  transcript.log  summary.json
 *
 * Every file is written atomically (temporary name, then rename), so a pass that dies half way
 * leaves only whole files; `summary.json` is written last and marks a finished pass.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
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
 * Write every set of a pass as a file of `setsDir`: each index set's lines copied from `lines`
 * (the names of the fleet's records, {@link NameLines}). A new directory is written whole under a
 * temporary name and renamed into place, so it appears complete or not at all (one rename instead
 * of one per file: a pass has thousands of per-rack sets). When the directory exists (a re-run),
 * only missing set files are written, each atomically.
 *
 * With `thread`, a new directory's files are written by that worker thread while the caller goes
 * on (`lines` is then given away); `done` settles once the directory is in place. Returns how
 * many files are written. `done` rejects (with the temporary directory removed) when a file
 * could not be written; without a thread the same errors are thrown.
 */
export function writeSetFiles(
  setsDir: string, lines: NameLines, indexes: ReadonlyMap<string, IndexSet>, onlyMissing: boolean, thread?: WriteThread | null,
): { written: number; done: Promise<void> } {
  if (onlyMissing && existsSync(setsDir)) {
    let n = 0;
    for (const [name, set] of indexes) if (writeIfMissing(join(setsDir, name), lines.fileOf(set), true)) n++;
    return { written: n, done: Promise.resolve() };
  }
  const tmp = `${setsDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const inPlace = () => {
    rmSync(setsDir, { recursive: true, force: true });
    renameSync(tmp, setsDir);
  };
  if (!thread) {
    for (const [name, set] of indexes) writeFileSync(join(tmp, name), lines.fileOf(set));
    inPlace();
    return { written: indexes.size, done: Promise.resolve() };
  }
  const done = thread.writeSets(tmp, lines, [...indexes]).then(inPlace, (e: unknown) => {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  });
  return { written: indexes.size, done };
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
