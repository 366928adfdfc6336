import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseHealth, REACHABILITY_CHECK } from '../../src/sources/health.js';
import { buildDemoFleet } from '../../src/demo/fleet.js';
import { inputError } from '../helpers/errors.js';

const samples = join(import.meta.dirname, '../fixtures/health');
const bad = join(import.meta.dirname, '../fixtures/bad');
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');


const tsv = (...lines: string[]) => lines.join('\n') + '\n';

/** The sets both dc1 samples describe: dn3 unreachable, dn2 and dn3 failing disk, dn4 failing memory. */
const DC1_SETS = {
  responsive: ['dn1.dc1.example.com', 'dn2.dc1.example.com', 'dn4.dc1.example.com', 'dn5.dc1.example.com'],
  unresponsive: ['dn3.dc1.example.com'],
  failing: ['dn2.dc1.example.com', 'dn3.dc1.example.com', 'dn4.dc1.example.com'],
  'failing-disk': ['dn2.dc1.example.com', 'dn3.dc1.example.com'],
  'failing-memory-ecc': ['dn4.dc1.example.com'],
};

describe('a morning check run over five DataNodes in dc1', () => {
  it('as TSV: dn3 does not answer ssh, dn2 and dn3 fail disk, dn4 fails memory-ecc, dn5 only reported reachable', () => {
    const file = 'dc1-checks.tsv';
    const r = parseHealth(read(samples, file), file);
    expect(r.kind).toBe('health');
    expect(r.origin).toBe(file);
    expect(r.rows).toHaveLength(13);
    expect(r.hosts).toBe(5); // 13 results of 5 hosts, one of them written in upper case
    expect(r.sets).toEqual(DC1_SETS);
    expect(r.notes).toEqual([]);
  });

  it('reads each result as written, in file order: host lower-cased, status in any case, "-" and empty as no detail', () => {
    const r = parseHealth(read(samples, 'dc1-checks.tsv'), 'dc1-checks.tsv');
    expect(r.rows[0]).toEqual({ host: 'dn1.dc1.example.com', check: 'reachable', status: 'ok', detail: 'ssh ok in 0.21 s' });
    expect(r.rows[1]).toEqual({ host: 'dn1.dc1.example.com', check: 'disk', status: 'ok', detail: '' });
    expect(r.rows[4]).toEqual({ host: 'dn2.dc1.example.com', check: 'disk', status: 'fail', detail: '/dev/sdc: 12 reallocated sectors, 3 pending' });
    expect(r.rows[5]).toEqual({ host: 'dn2.dc1.example.com', check: 'memory-ecc', status: 'ok', detail: '' });
    expect(r.rows[6]).toEqual({ host: 'dn3.dc1.example.com', check: 'reachable', status: 'fail', detail: 'ssh: connect to host dn3.dc1.example.com port 22: No route to host' });
    // TSV has no quoting: the quotes are part of the detail.
    expect(r.rows[11].detail).toBe('EDAC: 3 uncorrectable errors on DIMM "B2", slot 4');
  });

  it('as a CSV spreadsheet export (other column order, an extra column, CRLF, quoted details with commas) gives the same sets', () => {
    const file = 'dc1-checks.csv';
    expect(read(samples, file)).toContain('\r\n'); // the sample must keep its CRLF line ends
    const r = parseHealth(read(samples, file), file);
    expect(r.rows).toHaveLength(13);
    expect(r.sets).toEqual(DC1_SETS);
    expect(r.rows.map(({ host, check, status }) => [host, check, status])).toEqual(
      parseHealth(read(samples, 'dc1-checks.tsv'), 'x').rows.map(({ host, check, status }) => [host, check, status]),
    );
  });

  it('the CSV keeps a quoted detail with a comma whole, reads "" as one quote and keeps a line break inside quotes', () => {
    const r = parseHealth(read(samples, 'dc1-checks.csv'), 'dc1-checks.csv');
    expect(r.rows[4]).toEqual({ host: 'dn2.dc1.example.com', check: 'disk', status: 'fail', detail: '/dev/sdc: 12 reallocated sectors, 3 pending' });
    expect(r.rows[11]).toEqual({
      host: 'dn4.dc1.example.com',
      check: 'memory-ecc',
      status: 'fail',
      detail: 'EDAC: 3 uncorrectable errors on DIMM "B2", slot 4\n[  912.331] EDAC MC0: 1 UE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0',
    });
    expect(r.rows[12]).toEqual({ host: 'dn5.dc1.example.com', check: 'reachable', status: 'ok', detail: 'ssh ok in 2.80 s' });
  });
});

describe('the rule for the health sets', () => {
  it(`an unreachable host (${REACHABILITY_CHECK} fail) is unresponsive and nothing else, unless another check failed too`, () => {
    const r = parseHealth(tsv('host\tcheck\tstatus\tdetail', 'a.example.com\treachable\tfail\t-', 'b.example.com\treachable\tok\t-'), 'h.tsv');
    expect(r.sets).toEqual({ responsive: ['b.example.com'], unresponsive: ['a.example.com'], failing: [] });
  });

  it('a host with results but no reachable check counts as responsive', () => {
    const r = parseHealth(tsv('host\tcheck\tstatus\tdetail', 'a.example.com\tdisk\tok\t-'), 'h.tsv');
    expect(r.sets).toEqual({ responsive: ['a.example.com'], unresponsive: [], failing: [], 'failing-disk': [] });
  });

  it('every check seen gets a failing-<check> set, even when no host fails it, named through setNameSuffix', () => {
    const r = parseHealth(
      tsv('host\tcheck\tstatus\tdetail', 'a.example.com\tDisk Temp\tfail\t71 C', 'a.example.com\tntp/offset\tok\t-', 'b.example.com\tdisk temp\tok\t-'),
      'h.tsv',
    );
    expect(r.rows.map((row) => row.check)).toEqual(['disk temp', 'ntp/offset', 'disk temp']);
    expect(r.sets['failing-disk_temp']).toEqual(['a.example.com']);
    expect(r.sets['failing-ntp_offset']).toEqual([]);
    expect(r.sets.failing).toEqual(['a.example.com']);
    expect(r.sets['failing-reachable']).toBeUndefined();
  });

  it('two check names that map to the same set name share it, with a note', () => {
    const r = parseHealth(tsv('host\tcheck\tstatus\tdetail', 'a.example.com\tdisk io\tfail\t-', 'b.example.com\tdisk_io\tfail\t-'), 'h.tsv');
    expect(r.sets['failing-disk_io']).toEqual(['a.example.com', 'b.example.com']);
    expect(r.notes).toEqual(['check names that share a set: "disk io" and "disk_io" → failing-disk_io']);
  });

  it('Reachable in capitals is still the reachability check', () => {
    const r = parseHealth(tsv('Host\tCHECK\tStatus\tDetail', 'a.example.com\tReachable\tFAIL\t-'), 'h.tsv');
    expect(r.rows).toEqual([{ host: 'a.example.com', check: 'reachable', status: 'fail', detail: '' }]);
    expect(r.sets.unresponsive).toEqual(['a.example.com']);
  });

  it('sets are sorted in byte order whatever the file order', () => {
    const r = parseHealth(tsv('host\tcheck\tstatus\tdetail', 'web10\tdisk\tfail\t-', 'web9\tdisk\tfail\t-', 'web1\tdisk\tfail\t-'), 'h.tsv');
    expect(r.sets['failing-disk']).toEqual(['web1', 'web10', 'web9']);
  });

  it('a file with a header and no results is an empty source, with a note', () => {
    const r = parseHealth('# nothing ran tonight\nhost\tcheck\tstatus\tdetail\n', 'h.tsv');
    expect(r.rows).toEqual([]);
    expect(r.sets).toEqual({ responsive: [], unresponsive: [], failing: [] });
    expect(r.notes).toEqual(['no check results: the file has a header only']);
  });
});

describe('read from the snapshot\'s bytes, as a pass hands them over', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  it('the bytes of every sample give what their text gives, rows and per host', () => {
    for (const file of ['dc1-checks.tsv', 'dc1-checks.csv']) {
      const text = read(samples, file);
      expect(parseHealth(bytes(text), file)).toEqual(parseHealth(text, file));
      expect(parseHealth(bytes(text), file, { rows: false })).toEqual(parseHealth(text, file, { rows: false }));
    }
  });
  it('a UTF-8 byte-order mark is skipped and details outside ASCII are read as written', () => {
    const text = tsv('host\tcheck\tstatus\tdetail', 'a.example.com\tdisk\tfail\tS.M.A.R.T. — 12 secteurs réalloués', 'a.example.com\treachable\tok\tçà va');
    const r = parseHealth(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(text)]), 'h.tsv');
    expect(r.rows.map((row) => row.detail)).toEqual(['S.M.A.R.T. — 12 secteurs réalloués', 'çà va']);
    expect(r.sets.failing).toEqual(['a.example.com']);
  });
  it('a host written in capitals, with a port or a trailing dot, is the same host key', () => {
    const r = parseHealth(bytes(tsv('host\tcheck\tstatus\tdetail', 'DN1.Example.com:22\treachable\tok\t-', 'dn1.example.com.\tdisk\tfail\t-')), 'h.tsv', { rows: false });
    expect(r.health).toEqual([{ host: 'dn1.example.com', reachable: true, failedChecks: ['disk'] }]);
  });
  it('a host name outside ASCII is refused, quoted as written', () => {
    const err = inputError(() => parseHealth(bytes(tsv('host\tcheck\tstatus\tdetail', 'dn1.exämple.com\treachable\tok\t-')), 'h.tsv', { rows: false }));
    expect(err.location).toEqual({ origin: 'h.tsv', line: 2, field: 'host' });
    expect(err.problem).toContain('"dn1.exämple.com"');
  });
  it('a quoted CSV detail over two lines is read whole, and the lines after it keep their numbers', () => {
    const csv = 'host,check,status,detail\r\na.example.com,disk,fail,"sdc: 12 sectors,\r\nsdd: 3"\r\nb.example.com,disk,maybe,-\r\n';
    const err = inputError(() => parseHealth(bytes(csv), 'h.csv', { rows: false }));
    expect(err.location).toEqual({ origin: 'h.csv', line: 4, field: 'status' });
    const ok = parseHealth(bytes(csv.replace('maybe', 'ok')), 'h.csv');
    expect(ok.rows[0].detail).toBe('sdc: 12 sectors,\nsdd: 3');
    expect(ok.sets['failing-disk']).toEqual(['a.example.com']);
  });
});

describe('a check-results file that must stop the pass', () => {
  it('a host with shell metacharacters (web1;reboot) is refused with its line', () => {
    const file = 'health-shell-metacharacters-in-host.tsv';
    const err = inputError(() => parseHealth(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 4, field: 'host' });
    expect(err.message).toContain(`${file}:4: host: expected a DNS host name`);
    expect(err.problem).toContain('"web1;reboot"');
  });
  it('a host with a space in a CSV is refused with its line', () => {
    const file = 'health-space-in-host.csv';
    const err = inputError(() => parseHealth(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 3, field: 'host' });
    expect(err.message).toContain(`${file}:3: host:`);
    expect(err.problem).toContain('"web 2.dc1.example.com"');
  });
  it('a status of "maybe" is refused: a check either passed or failed', () => {
    const file = 'health-unknown-status-maybe.tsv';
    const err = inputError(() => parseHealth(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 6, field: 'status' });
    expect(err.message).toContain(`${file}:6: status: expected ok or fail, got "maybe"`);
  });
  it('a header without a status column (it says result) is refused, naming the missing column', () => {
    const file = 'health-missing-status-column.tsv';
    const err = inputError(() => parseHealth(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 1, field: 'status' });
    expect(err.message).toContain(`${file}:1: status: missing column "status"`);
    expect(err.problem).toContain('"result"');
  });
  it('the same host and check twice (a second run appended) is refused as ambiguous, naming both lines', () => {
    const file = 'health-duplicate-host-check.tsv';
    const err = inputError(() => parseHealth(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 6, field: 'check' });
    expect(err.message).toContain(`${file}:6: check: web1.dc1.example.com has a second "disk" result (the first is on line 3)`);
    expect(err.problem).toContain('ambiguous');
  });
  it('the same host and check written in another case is still a duplicate', () => {
    const err = inputError(() => parseHealth(tsv('host\tcheck\tstatus\tdetail', 'a.example.com\tdisk\tok\t-', 'A.example.com\tDISK\tfail\t-'), 'h.tsv'));
    expect(err.message).toContain('h.tsv:3: check: a.example.com has a second "disk" result (the first is on line 2)');
    expect(err.location).toEqual({ origin: 'h.tsv', line: 3, field: 'check' });
  });
  it('a CSV detail with an unquoted comma is refused for its field count, with the hint to quote it', () => {
    const file = 'health-csv-unquoted-comma-in-detail.csv';
    const err = inputError(() => parseHealth(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 3, field: 'row' });
    expect(err.message).toContain(`${file}:3: row: expected 4 fields as in the header (line 1), got 5`);
    expect(err.problem).toContain('double quotes');
  });
  it('a CSV quote that is never closed is refused at the line it opened', () => {
    const file = 'health-csv-quote-never-closed.csv';
    const err = inputError(() => parseHealth(read(bad, file), file));
    expect(err.location).toEqual({ origin: file, line: 3, field: 'row' });
    expect(err.message).toContain(file);
  });
  it('text after a closing CSV quote is refused with its column', () => {
    const err = inputError(() => parseHealth('host,check,status,detail\na.example.com,disk,fail,"sdb" failed\n', 'h.csv'));
    expect(err.message).toContain('h.csv:2:31: row: expected a comma or the end of the line after a closing quote');
    expect(err.location).toEqual({ origin: 'h.csv', line: 2, column: 31, field: 'row' });
  });
  it('a TSV row with a field missing is refused with its line', () => {
    const err = inputError(() => parseHealth(tsv('host\tcheck\tstatus\tdetail', 'a.example.com\tdisk\tok'), 'h.tsv'));
    expect(err.message).toContain('h.tsv:2: row: expected 4 fields as in the header (line 1), got 3');
    expect(err.location).toEqual({ origin: 'h.tsv', line: 2, field: 'row' });
  });
  it('an empty check name is refused', () => {
    const err = inputError(() => parseHealth(tsv('host\tcheck\tstatus\tdetail', 'a.example.com\t \tok\t-'), 'h.tsv'));
    expect(err.message).toContain('h.tsv:2: check: expected a check name');
    expect(err.location).toEqual({ origin: 'h.tsv', line: 2, field: 'check' });
  });
  it('a header naming a column twice is refused', () => {
    const err = inputError(() => parseHealth(tsv('host\tcheck\tstatus\tstatus\tdetail'), 'h.tsv'));
    expect(err.message).toContain('h.tsv:1: status: the header names column "status" twice');
    expect(err.location).toEqual({ origin: 'h.tsv', line: 1, field: 'status' });
    expect(err.problem).toContain('columns 3 and 4');
  });
  it('a file without a header (data on the first line) is refused, naming the first missing column', () => {
    const err = inputError(() => parseHealth(tsv('a.example.com\tdisk\tok\t-'), 'h.tsv'));
    expect(err.message).toContain('h.tsv:1: host: missing column "host"');
    expect(err.location).toEqual({ origin: 'h.tsv', line: 1, field: 'host' });
  });
  it('a header separated by spaces is refused: TSV or CSV only', () => {
    const err = inputError(() => parseHealth(tsv('host check status detail', 'a.example.com disk ok -'), 'h.txt'));
    expect(err.message).toContain('h.txt:1: header: expected the columns host, check, status, detail separated by TABs (TSV) or commas (CSV)');
    expect(err.location).toEqual({ origin: 'h.txt', line: 1, field: 'header' });
  });
  it('an empty file, or one with comments only, is refused', () => {
    for (const text of ['', '\n\n', '# results pending\n']) {
      const err = inputError(() => parseHealth(text, 'h.tsv'));
      expect(err.location).toEqual({ origin: 'h.tsv', field: '(document)' });
      expect(err.message).toContain('h.tsv: (document): expected a header line');
    }
  });
});

describe('a 100,000-host datacenter with three checks each', () => {
  const checks = ['reachable', 'disk', 'memory-ecc'];
  const lines = ['host\tcheck\tstatus\tdetail'];
  for (let i = 0; i < 100_000; i++) {
    const host = `dn${String(i).padStart(6, '0')}.dc1.example.com`;
    for (const check of checks) {
      const fail = (check === 'reachable' && i % 1000 === 7) || (check === 'disk' && i % 100 === 3);
      lines.push(`${host}\t${check}\t${fail ? 'fail' : 'ok'}\t${fail ? 'timeout after 10 s' : '-'}`);
    }
  }
  const text = lines.join('\n') + '\n';
  const csv = text.replaceAll('\t', ',').replace(/timeout after 10 s/g, '"timeout, after 10 s"');

  it('reads 300,000 results as TSV or CSV into the right sets', () => {
    for (const [input, origin] of [[text, 'big.tsv'], [csv, 'big.csv']] as const) {
      const r = parseHealth(input, origin);
      expect(r.rows).toHaveLength(300_000);
      expect(r.sets.unresponsive).toHaveLength(100);
      expect(r.sets.responsive).toHaveLength(99_900);
      expect(r.sets.failing).toHaveLength(1000);
      expect(r.sets['failing-disk']).toHaveLength(1000);
      expect(r.sets['failing-memory-ecc']).toEqual([]);
      expect(r.rows[21]).toEqual({ host: 'dn000007.dc1.example.com', check: 'reachable', status: 'fail', detail: origin.endsWith('csv') ? 'timeout, after 10 s' : 'timeout after 10 s' });
    }
  });
});

describe('health results per host, as a pass reads them (rows: false)', () => {
  /** What the rows say per host, computed the plain way: the reference the per-host parse must match. */
  const fromRows = (rows: readonly { host: string; check: string; status: string }[]) => {
    const by = new Map<string, { host: string; reachable: boolean | null; failedChecks: string[] | null }>();
    for (const r of rows) {
      let h = by.get(r.host);
      if (!h) by.set(r.host, (h = { host: r.host, reachable: null, failedChecks: null }));
      if (r.check === REACHABILITY_CHECK) h.reachable = r.status === 'ok';
      else {
        h.failedChecks ??= [];
        if (r.status === 'fail') h.failedChecks.push(r.check);
      }
    }
    return [...by.values()].map((h) => ({ ...h, failedChecks: h.failedChecks && [...h.failedChecks].sort() })).sort((a, b) => (a.host < b.host ? -1 : 1));
  };
  const demo = buildDemoFleet('proposals').healthTsv;
  const inputs: [string, string][] = [
    ['dc1-checks.tsv', read(samples, 'dc1-checks.tsv')],
    ['dc1-checks.csv', read(samples, 'dc1-checks.csv')],
    ['the demo fleet (4,034 hosts × 3 checks)', demo],
    ['a host with only its reachable result, one failing two checks out of order, one with no reachable result',
      tsv('host\tcheck\tstatus\tdetail', 'a.x\treachable\tok\t-', 'b.x\tzfs\tfail\t-', 'b.x\treachable\tfail\t-', 'b.x\tdisk\tfail\t-', 'c.x\tdisk\tok\t-')],
    ['a host whose results are split over the file and written in two cases, hosts out of order',
      tsv('host\tcheck\tstatus\tdetail', 'c.x\tdisk\tfail\t-', 'a.x\treachable\tok\t-', 'C.X\treachable\tfail\t-', 'b.x\tdisk\tok\t-', 'c.x\tmem\tfail\t-', 'b.x\tmem\tfail\t-', 'c.x\tzfs\tok\t-')],
  ];
  it.each(inputs)('%s: the same sets and notes, no rows, and each host what its rows say', (origin, text) => {
    const full = parseHealth(text, origin);
    const perHost = parseHealth(text, origin, { rows: false });
    expect(perHost.rows).toEqual([]);
    expect(perHost.sets).toEqual(full.sets);
    expect(perHost.notes).toEqual(full.notes);
    expect(perHost.hosts).toBe(full.hosts);
    expect(perHost.health).toEqual(fromRows(full.rows));
  });
  it('a duplicate result is refused with the same message, naming both lines, also when the two are far apart', () => {
    const file = 'health-duplicate-host-check.tsv';
    const text = read(bad, file);
    expect(inputError(() => parseHealth(text, file, { rows: false })).message).toBe(inputError(() => parseHealth(text, file)).message);
    const apart = tsv('host\tcheck\tstatus\tdetail', 'a.x\tdisk\tok\t-', 'b.x\tdisk\tok\t-', 'A.x\tdisk\tfail\t-');
    expect(inputError(() => parseHealth(apart, 'h.tsv', { rows: false })).message).toBe('h.tsv:4: check: a.x has a second "disk" result (the first is on line 2): which one is true is ambiguous; keep one result per host and check');
  });
});
