/**
 * A small parser of the Prometheus text exposition format (version 0.0.4: `# HELP`, `# TYPE`,
 * `name{label="value",…} value`), enough for tests to check names, labels and values. Label
 * values are unescaped (`\\`, `\"`, `\n`). Throws on a line it does not understand, so a
 * malformed exposition fails the test.
 */

/** One sample. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: every sample, and the declared type of each metric family. */
export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/** Parse `text`. @throws Error naming the line that does not parse. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) throw new Error(`line ${i + 1}: bad comment: ${line}`);
      if (m[1] === 'TYPE') types.set(m[2], m[3]);
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[3].length) {
        const start = LABEL.lastIndex;
        const l = LABEL.exec(m[3]);
        if (!l) throw new Error(`line ${i + 1}: bad labels at ${start}: ${line}`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : /^nan$/i.test(m[4]) ? NaN : Number(m[4]);
    if (Number.isNaN(value) && !/^nan$/i.test(m[4])) throw new Error(`line ${i + 1}: bad value ${m[4]}`);
    samples.push({ name: m[1], labels, value });
  });
  return { samples, types };
}

/** The value of the one sample named `name` whose labels include `labels`. @throws Error when there is not exactly one. */
export function valueOf(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = select(e, name, labels);
  if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0].value;
}

/** Every sample named `name` whose labels include `labels`. */
export function select(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
