/**
 * Errors that reach an operator. Every one names where the problem is (a file, a URL, a
 * policy line) and what was expected, so the message alone says what to fix.
 */

/** Where in an input the problem is: a file or URL, and optionally a field, line and column (1-based). */
export interface InputLocation {
  /** File path or URL the input came from. */
  origin: string;
  /** The field, column or key path, e.g. `lifecycle` or `beans[0].LiveNodes`. */
  field?: string;
  /** 1-based line number in the input, when known. */
  line?: number;
  /** 1-based column number in the input, when known. */
  column?: number;
}

/**
 * Bad input from outside (a source payload, a config or policy file, a command argument).
 * `message` reads `<origin>:<line>:<column>: <field>: <problem>`; parts that are unknown are left out.
 */
export class InputError extends Error {
  readonly location: InputLocation;
  readonly problem: string;

  constructor(location: InputLocation, problem: string) {
    super(formatLocation(location) + problem);
    this.name = 'InputError';
    this.location = location;
    this.problem = problem;
  }
}

/**
 * A safety rule refused to go on (a source failed closed, a plan would break an invariant).
 * These are expected outcomes, reported to the operator, never stack traces.
 */
export class SafetyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetyError';
  }
}

function formatLocation(loc: InputLocation): string {
  let s = loc.origin;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  s += ': ';
  if (loc.field) s += `${loc.field}: `;
  return s;
}

/** Render a zod issue path (`['beans', 0, 'LiveNodes']`) as `beans[0].LiveNodes`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
