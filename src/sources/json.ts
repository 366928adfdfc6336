/**
 * JSON payloads of sources (NameNode and ResourceManager JMX, RM REST) parsed with errors that
 * say where: the origin, the field, and the first bad character's position (and line/column
 * for a whole document). Shared by every JSON source parser.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * The first zod issue as an InputError whose field is `base` plus the issue path; when `keyed`,
 * the first path element is a DataNode key and is written `["host:port"]`.
 */
export function zodInputError(origin: string, base: string, error: z.ZodError, keyed = false): InputError {
  const issue = error.issues[0];
  let field = base;
  issue.path.forEach((p, k) => {
    if (keyed && k === 0) field += `[${JSON.stringify(String(p))}]`;
    else if (typeof p === 'number') field += `[${p}]`;
    else field += field ? `.${String(p)}` : String(p);
  });
  return new InputError({ origin, field: field || '(document)' }, issue.message);
}

/**
 * `JSON.parse` with an {@link InputError} on failure that says where: character position (0-based),
 * and line and column (1-based) when `field` is the document itself.
 */
export function parseJsonDocument(text: string, origin: string, expected: string, field = '(document)'): unknown {
  if (text.trim() === '') {
    throw new InputError({ origin, field }, `expected ${expected}, got ${text.length === 0 ? 'an empty input' : 'only white space'}`);
  }
  // A byte-order mark (from a Windows editor) is skipped; positions stay those of the file.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const position = bom + jsonErrorPosition(body, (e as Error).message);
    const where = field === '(document)' ? lineAndColumn(text, position) : {};
    throw new InputError(
      { origin, field, ...where },
      `expected JSON (${expected}), got a parse error at position ${position}: ${(e as Error).message}; check that the whole response was saved`,
    );
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

/**
 * Where JSON text first goes wrong (0-based; `text.length` when it ends early). V8 names the
 * position for some errors but not for an unexpected first token, so the text is scanned here.
 */
function jsonErrorPosition(text: string, message: string): number {
  const stated = /at position (\d+)/.exec(message);
  if (stated) return Number(stated[1]);
  try {
    return Math.max(0, new JsonScanner(text).firstError());
  } catch {
    return 0; // nesting too deep to scan: report the start rather than nothing
  }
}

/** A JSON syntax checker (RFC 8259) used only on the error path to locate the first bad character. */
class JsonScanner {
  private i = 0;
  constructor(private readonly s: string) {}

  firstError(): number {
    const bad = this.value();
    if (bad >= 0) return bad;
    this.ws();
    return this.i < this.s.length ? this.i : -1;
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.i++;
    }
  }

  /** Returns the position of the first error, or -1 when a whole value was read. */
  private value(): number {
    this.ws();
    const s = this.s;
    if (this.i >= s.length) return s.length;
    const c = s[this.i];
    if (c === '{') return this.container('}', true);
    if (c === '[') return this.container(']', false);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (c === word[0]) {
        for (let k = 0; k < word.length; k++, this.i++) if (s[this.i] !== word[k]) return this.i;
        return -1;
      }
    }
    return this.i;
  }

  private container(close: string, keyed: boolean): number {
    const s = this.s;
    this.i++;
    this.ws();
    if (s[this.i] === close) { this.i++; return -1; }
    for (;;) {
      if (keyed) {
        this.ws();
        if (s[this.i] !== '"') return Math.min(this.i, s.length);
        const bad = this.string();
        if (bad >= 0) return bad;
        this.ws();
        if (s[this.i] !== ':') return Math.min(this.i, s.length);
        this.i++;
      }
      const bad = this.value();
      if (bad >= 0) return bad;
      this.ws();
      if (s[this.i] === ',') { this.i++; continue; }
      if (s[this.i] === close) { this.i++; return -1; }
      return Math.min(this.i, s.length);
    }
  }

  private string(): number {
    const s = this.s;
    this.i++;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x22) { this.i++; return -1; }
      if (c < 0x20) return this.i;
      if (c === 0x5c) {
        const e = s[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(this.i + 2, this.i + 6))) return this.i;
          this.i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
        else return this.i;
      } else this.i++;
    }
    return s.length;
  }

  private number(): number {
    const s = this.s;
    const digits = (): number => {
      const start = this.i;
      while (this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9') this.i++;
      return this.i - start;
    };
    if (s[this.i] === '-') this.i++;
    if (s[this.i] === '0') this.i++;
    else if (digits() === 0) return Math.min(this.i, s.length);
    if (s[this.i] === '.') {
      this.i++;
      if (digits() === 0) return Math.min(this.i, s.length);
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (digits() === 0) return Math.min(this.i, s.length);
    }
    return -1;
  }
}

/** One JMX bean: a `name` and whatever attributes it has. */
export type JmxBean = { name: string } & Record<string, unknown>;
const JmxDocument = z.looseObject({ beans: z.array(z.looseObject({ name: z.string() })) });

/**
 * A Hadoop `/jmx` response (`{"beans": [...]}`) and the index of the bean named `beanName`
 * (-1 when absent; with a note when it appears twice, the first is used).
 * @throws InputError for invalid JSON or a document without a `beans` array of named beans.
 */
export function readJmxBeans(text: string, origin: string, service: string, beanName: string, notes: string[]): { beans: JmxBean[]; index: number } {
  const top = JmxDocument.safeParse(parseJsonDocument(text, origin, `a ${service} /jmx response {"beans":[…]}`));
  if (!top.success) throw zodInputError(origin, '', top.error);
  const beans = top.data.beans as JmxBean[];
  let index = -1;
  for (let i = 0; i < beans.length; i++) {
    if (beans[i].name !== beanName) continue;
    if (index < 0) index = i;
    else notes.push(`more than one ${beanName} bean (beans[${index}] and beans[${i}]); read beans[${index}]`);
  }
  return { beans, index };
}
