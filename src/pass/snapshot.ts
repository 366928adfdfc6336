/**
 * Step 1 of a pass (DESIGN.md §2): snapshot each source once. The bytes are kept exactly as
 * fetched in the pass directory's `sources/`, with their sha256, so a pass can be re-run and
 * replayed from its own snapshots.
 */
import { copyFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { SOURCE_ROLE, type SourceKind } from '../sources/types.js';
import { dirname, join } from 'node:path';
import type { InventoryMapping } from '../sources/index.js';
import { runSshHealth, type SshHealthSpec } from '../ssh/health-source.js';

/** Where a source is read from: a file path or an http(s) URL. */
export interface SourceSpec {
  kind: SourceKind;
  location: string;
  /** Inventory column/value mapping, for a foreign export read as is. */
  mapping?: InventoryMapping;
  /** The `ssh` health source's settings (kind `health-ssh`; `location` then only names it). */
  ssh?: SshHealthSpec;
}

/** What capturing a `health-ssh` source needs from the pass. */
export interface CaptureContext {
  policyDir: string;
  /** Hosts of a raw inventory set of this pass. @throws InputError */
  inventorySet?: (name: string) => string[];
}

/** One snapshot, as recorded in `sources/manifest.json`. */
export interface SourceSnapshot {
  role: 'inventory' | 'health' | 'hdfs' | 'yarn';
  kind: SourceKind;
  origin: string;
  /** File name under `sources/`. */
  file: string;
  sha256: string;
  bytes: number;
  /** ISO time the bytes were read. */
  fetchedAt: string;
  /** Age of the data at pass time in ms: now − file mtime, or 0 for an URL. */
  ageMs: number;
  mapping?: InventoryMapping;
  ssh?: SshHealthSpec;
  /** Set when the source could not be read; the pass then fails closed. */
  error?: string;
  /**
   * How long reading the source took, in ms (the HTTP round trip and body, or the file copy),
   * success or failure. Kept in the manifest so `/metrics` reports fetch latency whichever
   * process ran the pass. Absent in passes recorded before it existed.
   */
  fetchMs?: number;
}

/** HTTP timeout for one source fetch, in ms. */
export const FETCH_TIMEOUT_MS = 15_000;


/**
 * Snapshot one source straight into the pass directory (`destPath`): a file is copied by the
 * kernel, an URL's body written; nothing large stays in memory. `sha256` and `bytes` are left
 * empty here and filled by {@link readSnapshot} when the copy is read for parsing, so the digest
 * is always of the bytes kept. A `health-ssh` source runs its checks now (needs `ctx`) and keeps
 * their raw output in `health-ssh/` beside the snapshot. Never throws: a failure is returned in `error`.
 */
export async function captureSource(spec: SourceSpec, now: Date, destPath: string, ctx?: CaptureContext): Promise<SourceSnapshot> {
  const role = SOURCE_ROLE[spec.kind];
  const file = snapshotFileName(spec);
  const base = { role, kind: spec.kind, origin: spec.location, file, fetchedAt: now.toISOString(), sha256: '', bytes: 0, ...(spec.mapping ? { mapping: spec.mapping } : {}), ...(spec.ssh ? { ssh: spec.ssh } : {}) };
  const tmp = `${destPath}.tmp-${process.pid}`;
  const started = performance.now();
  const fetchMs = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    let ageMs = 0;
    if (spec.kind === 'health-ssh') {
      if (!spec.ssh || !ctx) throw new Error('the ssh health source needs its settings from breakfix.yml (health: { kind: ssh, … })');
      const text = await runSshHealth(spec.ssh, { policyDir: ctx.policyDir, inventorySet: ctx.inventorySet, rawDir: join(dirname(destPath), 'health-ssh') });
      await writeFile(tmp, text);
    } else if (isUrl(spec.location)) {
      const res = await fetch(spec.location, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} from ${spec.location}`);
      await writeFile(tmp, Buffer.from(await res.arrayBuffer()));
    } else {
      const st = await stat(spec.location);
      ageMs = Math.max(0, now.getTime() - st.mtimeMs);
      await copyFile(spec.location, tmp);
    }
    await rename(tmp, destPath);
    return { ...base, ageMs, fetchMs: fetchMs() };
  } catch (e) {
    await rm(tmp, { force: true });
    return { ...base, ageMs: 0, fetchMs: fetchMs(), error: `cannot read ${spec.location}: ${describeFetchError(e)}` };
  }
}

/** True when a source `location` is an http(s) URL (fetched), not a file path (copied). */
export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** A fetch failure in a few words: `no answer within 15000 ms`, `ECONNREFUSED`, or the message. */
export function describeFetchError(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return err.name === 'TimeoutError' ? `no answer within ${FETCH_TIMEOUT_MS} ms` : cause?.code ?? cause?.message ?? err.message;
}

/** The file name of a source's snapshot under `sources/`: `<role>.<kind>.<ext>`, e.g. `hdfs.hdfs-jmx.json`. */
export function snapshotFileName(spec: SourceSpec): string {
  return `${SOURCE_ROLE[spec.kind]}.${spec.kind}.${extensionFor(spec.kind, spec.location)}`;
}

function extensionFor(kind: SourceKind, location: string): string {
  if (kind === 'inventory') {
    const m = /\.(tsv|csv|json)$/i.exec(location);
    return m ? m[1].toLowerCase() : 'txt';
  }
  if (kind === 'health') return /\.csv$/i.test(location) ? 'csv' : 'tsv';
  if (kind === 'health-ssh') return 'tsv';
  return kind.endsWith('jmx') || kind === 'yarn-nodes' ? 'json' : 'txt';
}
