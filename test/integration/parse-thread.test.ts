/**
 * The largest snapshot of a pass (here a 10,000-DataNode `hdfs dfsadmin -report`, ~6 MB) is read
 * and parsed in a worker thread (src/pass/parse-thread.ts, the compiled dist/src/pass/parse-worker.js
 * that `npm test` builds first). Whatever thread parsed it, the pass must be the same.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet, type GeneratedFleet } from '../../bench/gen-fleet.js';
import { Worker } from 'node:worker_threads';
import { PARSE_THREAD_MIN_BYTES, type ParseRequest } from '../../src/pass/parse-thread.js';
import { readPassManifest, resumePass, runPass, type PassResult } from '../../src/pass/run.js';
import type { SourceSpec } from '../../src/pass/snapshot.js';

const policyDir = join(import.meta.dirname, '../../policies');
let fleet: GeneratedFleet;
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bf-thread-'));
  fleet = generateFleet(10_000, join(root, 'fleet'), 3);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sources = (report = fleet.files.hdfsReport): SourceSpec[] => [
  { kind: 'inventory', location: fleet.files.inventory },
  { kind: 'health', location: fleet.files.health },
  { kind: 'hdfs-report', location: report },
];

async function pass(parseThread: boolean, report?: string, writeAhead?: boolean): Promise<PassResult> {
  const state = mkdtempSync(join(root, 'state-'));
  return runPass({ dc: 'bench', sources: sources(report), policyDir, stateDir: state, seed: 7, parseThread, writeAhead, now: new Date() });
}

/** Every file of a pass directory that does not carry the pass id or a clock time. */
function comparable(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, 'sets'))) out[`sets/${name}`] = readFileSync(join(dir, 'sets', name), 'utf8');
  for (const f of ['all-data.tsv', 'budget.tsv']) out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}

describe('a pass whose report is parsed in a worker thread', () => {
  it('writes the same sets, all-data, budget and plan as a pass that parses it on its own thread', async () => {
    expect(statSync(fleet.files.hdfsReport).size).toBeGreaterThan(PARSE_THREAD_MIN_BYTES);
    const threaded = await pass(true);
    const inline = await pass(false);
    expect(threaded.summary.result).toBe('ok');
    expect(threaded.transcript.some((l) => /parsed hdfs \(in a worker thread\): \d+ bytes/.test(l))).toBe(true);
    expect(inline.transcript.some((l) => l.includes('worker thread'))).toBe(false);
    expect(comparable(threaded.dir)).toEqual(comparable(inline.dir));
    expect(threaded.plan!.actions).toEqual(inline.plan!.actions);
    expect(threaded.plan!.sourceDigests).toEqual(inline.plan!.sourceDigests);
    const withoutAge = (r: PassResult) => r.summary.sources.map(({ ageMs: _, ...s }) => s);
    expect(withoutAge(threaded)).toEqual(withoutAge(inline));
    expect(threaded.summary.counts).toEqual(inline.summary.counts);
    // The worker digests the report as it reads it: the manifest records the bytes kept.
    const digests = (r: PassResult) => readPassManifest(r.dir).sources.map((s) => [s.file, s.sha256, s.bytes]);
    expect(digests(threaded)).toEqual(digests(inline));
    const report = readPassManifest(threaded.dir).sources.find((s) => s.role === 'hdfs')!;
    expect(report.sha256).toBe(createHash('sha256').update(readFileSync(join(threaded.dir, 'sources', report.file))).digest('hex'));
    expect(threaded.transcript.some((l) => l.includes(`parsed hdfs (in a worker thread): ${report.bytes} bytes, sha256 ${report.sha256.slice(0, 12)}`))).toBe(true);
  });

  it('writes the inventory\'s sets while the report is parsed, or once the fleet is built, into the same pass directory', async () => {
    const ahead = await pass(true, undefined, true);
    const after = await pass(true, undefined, false);
    const line = (r: PassResult) => r.transcript.find((l) => / sets: \d+ \(/.test(l))!;
    const m = / sets: (\d+) \((\d+) written, (\d+) of them while the sources were parsed\)/.exec(line(ahead));
    expect(m).not.toBeNull();
    // Every per-rack, per-cluster, per-group, per-dc and lifecycle set of the inventory: all but the
    // other sources' and the derived ones.
    const fromInventory = [...ahead.fleet!.indexes.keys()].filter((n) => /^(rack|cluster|group|dc)-|^(all|managed|allocated|repair|decommissioned|ticketed|excluded)$/.test(n));
    expect(Number(m![3])).toBe(fromInventory.length);
    expect(fromInventory.length).toBeGreaterThan(100);
    expect(line(after)).toMatch(/ sets: \d+ \(\d+ written\);/);
    expect(comparable(ahead.dir)).toEqual(comparable(after.dir));
    expect(ahead.plan!.actions).toEqual(after.plan!.actions);
    expect(readdirSync(ahead.dir).filter((n) => n.startsWith('sets'))).toEqual(['sets']);
  });

  it('the worker answers once, with the parse and the report\'s digest, then exits on its own (its heap goes with it)', async () => {
    const worker = new Worker(join(import.meta.dirname, '../../dist/src/pass/parse-worker.js'));
    const answers: { type: string; sha256?: string; bytes?: number; parsed?: unknown }[] = [];
    worker.on('message', (a) => answers.push(a));
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const job = { path: fleet.files.hdfsReport, kind: 'hdfs-report', origin: fleet.files.hdfsReport, rows: false };
    worker.postMessage({ type: 'parse', job } satisfies ParseRequest);
    expect(await exited).toBe(0);
    expect(answers.map((a) => a.type)).toEqual(['parsed']);
    const bytes = readFileSync(fleet.files.hdfsReport);
    expect(answers[0]).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    expect(answers[0].parsed).toBeDefined();
  });

  it('stops on a bad host name past the first 4 MiB with the same located error as on its own thread', async () => {
    const text = readFileSync(fleet.files.hdfsReport, 'utf8');
    const at = text.indexOf('\nHostname: ', 5 * 1024 * 1024);
    const end = text.indexOf('\n', at + 1);
    const bad = join(root, 'bad-report.txt');
    writeFileSync(bad, text.slice(0, at) + '\nHostname: dn;rm -rf.bench.test' + text.slice(end));
    const line = text.slice(0, at + 1).split('\n').length;
    // With the inventory's sets written ahead, which the stopped pass must remove.
    const threaded = await pass(true, bad, true);
    const inline = await pass(false, bad);
    expect(threaded.summary.result).toBe('error');
    expect(threaded.summary.reasons).toEqual([`${bad}:${line}:11: Hostname: expected a DNS host name (letters, digits, '-', '.'), got "dn;rm -rf.bench.test"`]);
    expect(threaded.summary.reasons).toEqual(inline.summary.reasons);
    expect(readdirSync(threaded.dir)).not.toContain('plan.json');
    // A stopped pass has no sets directory, finished or temporary.
    expect(readdirSync(threaded.dir).filter((n) => n.startsWith('sets'))).toEqual([]);
  });

  it('a re-run of the pass refuses a report snapshot edited since (the re-run reads it in a worker thread too)', async () => {
    const r = await pass(true);
    rmSync(join(r.dir, 'summary.json'));
    const snap = join(r.dir, 'sources', 'hdfs.hdfs-report.txt');
    writeFileSync(snap, readFileSync(snap, 'utf8').replace('Decommission Status : Normal', 'Decommission Status : Decommissioned'));
    const again = await resumePass(r.dir);
    expect(again.summary.result).toBe('error');
    expect(again.summary.reasons[0]).toMatch(/hdfs\.hdfs-report\.txt: the snapshot changed since the pass/);
  });

  it('from the CLI: `breakfix pass` parses the report in the worker thread, `--no-parse-thread` (how the bot runs passes) on its own', () => {
    const cli = join(import.meta.dirname, '../../dist/src/cli.js');
    const transcriptOf = (...flags: string[]) => {
      const dir = join(mkdtempSync(join(root, 'cli-')), 'pass');
      execFileSync(process.execPath, [cli, 'pass', '--dc', 'bench', '--inventory', fleet.files.inventory, '--health', fleet.files.health,
        '--hdfs-report', fleet.files.hdfsReport, '--pass-dir', dir, '--state', join(dir, '..', 'state'), '--seed', '7', '--quiet', ...flags]);
      return readFileSync(join(dir, 'transcript.log'), 'utf8');
    };
    expect(transcriptOf()).toMatch(/parsed hdfs \(in a worker thread\)/);
    const single = transcriptOf('--no-parse-thread');
    expect(single).toMatch(/parsed hdfs: \d+ bytes/);
    expect(single).not.toContain('worker thread');
  });
});
