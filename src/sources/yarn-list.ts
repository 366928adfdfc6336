/**
 * YARN control plane, CLI flavour: the text of `yarn node -list -all` (or `-list -states X`,
 * or plain `-list`, which lists RUNNING nodes only).
 *
 * Format reference (Apache Hadoop, `org.apache.hadoop.yarn.client.cli.NodeCLI`):
 *
 * ```
 * 15/08/10 17:34:17 INFO client.RMProxy: Connecting to ResourceManager at rm1/10.0.1.79:8032   ← stderr, often captured too
 * Total Nodes:4
 *          Node-Id	     Node-State	Node-Http-Address	Number-of-Running-Containers
 * hadoopcluster82:48622	        RUNNING	hadoopcluster82:8042	                           0
 * ```
 *
 * Columns are `printf("%16s\t%15s\t%17s\t%28s")` (2.x early: `%10s`/`%18s` and the header
 * `Running-Containers`): right-aligned, padded with spaces, separated by a TAB, so a row is any
 * mix of spaces and TABs and copies of the output vary further. With `-showDetails` (2.8+) each row
 * is followed by `Detailed Node Information :` and TAB-indented `Key : value` lines. A host that
 * is only in the RM exclude list shows as `host:-1`.
 */
import { InputError } from '../errors.js';
import type { ParsedSource, YarnNodeRow } from './types.js';
import { finishYarnRows, yarnHost, yarnNodeState } from './yarn-nodes.js';

const TOTAL_NODES = /^Total Nodes\s*:\s*(\d+)$/;
/** A log4j line on stderr: `15/08/10 17:34:17 INFO …` (2.x default) or `2023-05-01 10:00:00,123 WARN …`. */
const LOG_LINE = /^\d{2,4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d+)?\s+(?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\b/;
const DETAILS_START = 'Detailed Node Information :';
/** A `-showDetails` line: `Key : value` (a row never has white space before a colon). */
const DETAIL_LINE = /\s:(\s|$)/;
const COLUMNS = 'Node-Id, Node-State, Node-Http-Address, Number-of-Running-Containers';

/**
 * Parse the text of `yarn node -list` (see the module comment) into one {@link YarnNodeRow} per
 * host and the nine YARN raw sets (see `yarnSets`).
 *
 * Lines before `Total Nodes:N` (log lines, shell noise) are skipped, as are log4j lines anywhere
 * and `-showDetails` blocks. After the header, each row is split on any run of TABs and spaces:
 * host = `Node-Id` without its port (`normalizeHost`), state = `Node-State`. The CLI knows no rack
 * or health report: both are `null`. A host listed twice keeps its first row, with a note. Rows
 * are sorted by host.
 *
 * @throws InputError naming `origin`, the line and the field when: there is no `Total Nodes:N`
 *   line (`(document)`; empty input included); the next line is not the `Node-Id  Node-State …`
 *   header (`header`); a row does not have 2 to 4 columns (`row`); `Node-Id` is not a DNS host
 *   name with a port (`Node-Id`); `Node-State` is not a YARN `NodeState` (`Node-State`); or the
 *   number of rows differs from `Total Nodes:N` (`Total Nodes`: a cut-short or edited capture must
 *   not pass as a smaller cluster), or a second `Total Nodes` line appears (two captures joined).
 */
export function parseYarnList(text: string, origin: string): ParsedSource<YarnNodeRow> {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');

  let totalLine = 0;
  let total = 0;
  let i = 0;
  for (; i < lines.length; i++) {
    const m = TOTAL_NODES.exec(lines[i].trim());
    if (m) {
      totalLine = i + 1;
      total = Number(m[1]);
      break;
    }
  }
  if (totalLine === 0) {
    throw new InputError(
      { origin, field: '(document)' },
      `expected the output of \`yarn node -list -all\`: a \`Total Nodes:N\` line, then the header ${COLUMNS}; ` +
        `${text.trim() === '' ? 'got an empty input' : 'found no `Total Nodes:` line'}`,
    );
  }

  let header = 0;
  let details = false;
  const rows: YarnNodeRow[] = [];
  for (i++; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line === '' || LOG_LINE.test(line)) continue;
    if (TOTAL_NODES.test(line)) {
      throw new InputError(
        { origin, line: lineNo, field: 'Total Nodes' },
        `a second \`Total Nodes\` line (the first is on line ${totalLine}): two captures joined? save one \`yarn node -list -all\` output`,
      );
    }
    const cols = line.split(/[\t ]+/);
    if (header === 0) {
      if (cols[0] !== 'Node-Id' || cols[1] !== 'Node-State') {
        throw new InputError({ origin, line: lineNo, field: 'header' }, `expected the header ${COLUMNS} after \`Total Nodes\`, got ${JSON.stringify(line)}`);
      }
      header = lineNo;
      continue;
    }
    if (line === DETAILS_START) {
      details = true;
      continue;
    }
    if (details && DETAIL_LINE.test(lines[i])) continue;
    details = false;

    if (cols.length < 2 || cols.length > 4) {
      throw new InputError(
        { origin, line: lineNo, field: 'row' },
        `expected ${COLUMNS} separated by tabs or spaces, got ${cols.length} column(s): ${JSON.stringify(line)}`,
      );
    }
    const h = yarnHost(cols[0]);
    if (!h.ok) throw new InputError({ origin, line: lineNo, field: 'Node-Id' }, h.problem);
    rows.push({
      host: h.host,
      state: yarnNodeState(cols[1], { origin, line: lineNo, field: 'Node-State' }),
      rack: null,
      healthReport: null,
    });
  }

  if (header === 0) {
    throw new InputError(
      { origin, line: totalLine, field: 'header' },
      `expected the header ${COLUMNS} after \`Total Nodes\`, got the end of the input: the capture looks cut short`,
    );
  }
  if (rows.length !== total) {
    throw new InputError(
      { origin, line: totalLine, field: 'Total Nodes' },
      `says ${total} NodeManager(s) but ${rows.length} row(s) follow the header on line ${header}: ` +
        `the capture looks cut short or edited; save the whole output of \`yarn node -list -all\` again`,
    );
  }
  const notes: string[] = [];
  if (rows.length === 0) notes.push('the ResourceManager lists no NodeManagers (Total Nodes:0)');
  return finishYarnRows('yarn-list', origin, rows, notes);
}
