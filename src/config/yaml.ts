/**
 * Reading YAML config and policy files through a zod schema, with errors that point at the
 * file, line, column and field (`policies/budgets.yml:14:12: archetypes.dense.drain.pct: expected number, got string`).
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError, formatPath } from '../errors.js';

/** A parsed YAML file: its data (validated), and a way to find the line/column of a key path. */
export interface LoadedYaml<T> {
  data: T;
  /** 1-based line/column of the value at `path`, or of its nearest ancestor present. */
  position(path: readonly PropertyKey[]): { line: number; column: number } | undefined;
}

/**
 * Parse YAML text and validate it with `schema`.
 * @throws InputError on a YAML syntax error (with its line and column) or on the first
 *   schema violation (with the field path and the line of that field).
 */
export function parseYaml<S extends z.ZodType>(text: string, origin: string, schema: S): LoadedYaml<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    throw new InputError({ origin, line: pos?.line, column: pos?.col }, `not valid YAML: ${err.message.split('\n')[0]}`);
  }
  const position = (path: readonly PropertyKey[]) => nodePosition(doc, lineCounter, path);
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const pos = position(issue.path);
    throw new InputError(
      { origin, field: formatPath(issue.path) || '(document)', line: pos?.line, column: pos?.column },
      issue.message,
    );
  }
  return { data: parsed.data, position };
}

/** Read and validate a YAML file. @throws InputError as {@link parseYaml}, or when the file cannot be read. */
export function loadYamlFile<S extends z.ZodType>(path: string, schema: S): LoadedYaml<z.output<S>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError({ origin: path }, `cannot read the file: ${(e as Error).message}`);
  }
  return parseYaml(text, path, schema);
}

function nodePosition(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const p = lc.linePos(node.range[0]);
      return { line: p.line, column: p.col };
    }
  }
  return undefined;
}
