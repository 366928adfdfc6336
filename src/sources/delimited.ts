/**
 * Delimited text shared by the health and inventory parsers: line ends, skipped lines, and
 * RFC 4180 CSV records (quoted fields with commas, `""` escapes and line breaks).
 */
import { InputError } from '../errors.js';

/** Offset of the `\n` ending the line that starts at `pos` (the text length on the last line). */
export function lineEnd(t: string, pos: number): number {
  const eol = t.indexOf('\n', pos);
  return eol < 0 ? t.length : eol;
}

/**
 * Split `t` from index `from` to `to` (string indexes, UTF-16 code units; one line without its
 * line break and without quotes) at `sep`, writing the fields to `out` from index 0 (it grows as
 * needed; entries past the count are left over from longer lines). Returns the number of fields, as `t.slice(from, to).split(sep).length` would: where
 * `split` makes a new array per line (~2× the time over 100,000 lines), a reader reuses one.
 */
export function splitFields(t: string, from: number, to: number, sep: string, out: string[]): number {
  let count = 0;
  let s = from;
  for (;;) {
    const k = t.indexOf(sep, s);
    const fieldEnd = k < 0 || k > to ? to : k;
    out[count++] = t.slice(s, fieldEnd);
    if (fieldEnd === to) return count;
    s = fieldEnd + 1;
  }
}

/** Blank (or white space only) lines and `#` comments. */
export function isSkipped(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 35) return true; // '#'
  if (line.length === 0 || c === 13) return line.trim() === '';
  if (c === 32 || c === 9) {
    const t = line.trim();
    return t === '' || t.charCodeAt(0) === 35;
  }
  return false;
}

/**
 * One RFC 4180 record starting at offset `start` (line `lineNo`) of `t`. A quoted field may hold
 * line breaks (kept as `\n`). Returns the fields, the offset of the `\n` that ends the record (or
 * the text length) and how many line breaks were inside quotes.
 */
export function csvRecordAt(t: string, start: number, lineNo: number, origin: string): { fields: string[]; end: number; breaks: number };
/** With `more`: `t` is a window of a longer text; null when it ends inside a quoted field (read on to the next line and try again). */
export function csvRecordAt(t: string, start: number, lineNo: number, origin: string, more: boolean): { fields: string[]; end: number; breaks: number } | null;
export function csvRecordAt(t: string, start: number, lineNo: number, origin: string, more = false): { fields: string[]; end: number; breaks: number } | null {
  const fields: string[] = [];
  let breaks = 0;
  let p = start;
  const isBlank = (c: number) => c === 32 || c === 9;
  for (;;) {
    let q = p;
    while (isBlank(t.charCodeAt(q))) q++;
    if (t.charCodeAt(q) !== 34) {
      // Unquoted: up to the next comma or the end of the line.
      const eol = lineEnd(t, p);
      const comma = t.indexOf(',', p);
      if (comma < 0 || comma > eol) {
        fields.push(t.slice(p, eol > p && t.charCodeAt(eol - 1) === 13 ? eol - 1 : eol));
        return { fields, end: eol, breaks };
      }
      fields.push(t.slice(p, comma));
      p = comma + 1;
      continue;
    }
    let value = '';
    p = q + 1;
    for (;;) {
      const close = t.indexOf('"', p);
      if (close < 0) {
        if (more) return null;
        throw new InputError({ origin, line: lineNo, field: 'row' }, 'a quoted field is never closed: a `"` opened on this line has no closing `"`');
      }
      value += t.slice(p, close);
      if (t.charCodeAt(close + 1) === 34) {
        value += '"';
        p = close + 2;
        continue;
      }
      p = close + 1;
      break;
    }
    if (value.includes('\n')) {
      for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) breaks++;
      value = value.replace(/\r\n/g, '\n');
    }
    fields.push(value);
    while (isBlank(t.charCodeAt(p))) p++;
    if (t.charCodeAt(p) === 13 && (p + 1 === t.length || t.charCodeAt(p + 1) === 10)) p++;
    if (p >= t.length || t.charCodeAt(p) === 10) return { fields, end: p, breaks };
    if (t.charCodeAt(p) !== 44) {
      const lineStart = t.lastIndexOf('\n', p - 1) + 1;
      throw new InputError(
        { origin, line: lineNo + breaks, column: p - lineStart + 1, field: 'row' },
        `expected a comma or the end of the line after a closing quote, got ${JSON.stringify(t[p])}; write a quote inside a quoted field as ""`,
      );
    }
    p++;
  }
}

/**
 * {@link csvRecordAt} of the record starting at byte `start` of UTF-8 `bytes` (line `lineNo`): the
 * record is decoded a line at a time until its quotes close, so only the record's own bytes are
 * decoded. `end` is the byte offset of the `\n` ending the record (or the length of `bytes`).
 * @throws InputError as {@link csvRecordAt}.
 */
export function csvRecordInBytes(bytes: Buffer, start: number, lineNo: number, origin: string): { fields: string[]; end: number; breaks: number } {
  let end = start;
  for (;;) {
    const nl = bytes.indexOf(0x0a, end);
    end = nl < 0 ? bytes.length : nl;
    const rec = csvRecordAt(bytes.toString('utf8', start, end), 0, lineNo, origin, end < bytes.length);
    if (rec) return { fields: rec.fields, end, breaks: rec.breaks };
    end++;
  }
}
