/**
 * `policies/healthchecks.yml`: the health checks run on hosts over SSH (the `ssh` health source
 * and `breakfix fleet run`). See the file's own header for the fields.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { loadYamlFile } from '../config/yaml.js';
import type { RemoteCommandResult } from './remote.js';
import type { Judge } from './fanout.js';

/** The file name under the policy directory. */
export const HEALTHCHECKS_FILE = 'healthchecks.yml';

/** Placeholders a command argument may hold. */
export const PLACEHOLDERS = ['host'] as const;

const regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'expected a valid regular expression (JavaScript syntax)');

const argument = z.string().refine((s) => !s.includes('\0'), 'an argument cannot hold a NUL byte').refine(
  (s) => [...s.matchAll(/\{([^}]*)\}/g)].every((m) => (PLACEHOLDERS as readonly string[]).includes(m[1])),
  { message: `expected placeholders among ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}` },
);

const CheckSchema = z
  .object({
    command: z.array(argument).min(1, 'expected the command as a non-empty argv list, e.g. [pgrep, -f, DataNode]').refine((a) => a[0] !== '', 'the program name (first argument) is empty'),
    timeoutMs: z.number().int().positive().max(3_600_000),
    pass: z
      .object({
        exitCodes: z.array(z.number().int().min(0).max(255)).min(1).default([0]),
        stdoutMatches: regex.optional(),
        stdoutNotMatches: regex.optional(),
      })
      .strict()
      .default({ exitCodes: [0] }),
    detail: z.enum(['stderr', 'stdout']).default('stderr'),
    reason: z.string().min(1, 'say why this check and its limits'),
  })
  .strict();

/** Schema of `policies/healthchecks.yml`. */
export const HealthChecksFileSchema = z
  .object({
    checks: z.record(z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'check names are lower case: letters, digits, _ . - (they name sets failing-<check>)'), CheckSchema),
  })
  .strict();

/** One declared health check. */
export interface HealthCheck {
  name: string;
  command: readonly string[];
  timeoutMs: number;
  /** Reads the command's result. */
  judge: Judge;
  reason: string;
}

/**
 * Load `<policyDir>/healthchecks.yml`.
 * @throws InputError naming the file, line and field on a read, YAML or schema error.
 */
export function loadHealthChecks(policyDir: string): Map<string, HealthCheck> {
  const path = join(policyDir, HEALTHCHECKS_FILE);
  const { data } = loadYamlFile(path, HealthChecksFileSchema);
  const out = new Map<string, HealthCheck>();
  for (const [name, c] of Object.entries(data.checks)) {
    const matches = c.pass.stdoutMatches === undefined ? undefined : new RegExp(c.pass.stdoutMatches, 'm');
    const notMatches = c.pass.stdoutNotMatches === undefined ? undefined : new RegExp(c.pass.stdoutNotMatches, 'm');
    const judge: Judge = (r: RemoteCommandResult) => {
      const stdout = r.stdout.toString('utf8');
      const said = firstLine(c.detail === 'stdout' ? stdout : r.stderr.toString('utf8'));
      if (r.code === null || !c.pass.exitCodes.includes(r.code)) return { ok: false, detail: joinDetail(`exit ${r.code}`, said) };
      if (matches && !matches.test(stdout)) return { ok: false, detail: joinDetail(`stdout does not match /${c.pass.stdoutMatches}/`, said) };
      if (notMatches && notMatches.test(stdout)) return { ok: false, detail: joinDetail(`stdout matches /${c.pass.stdoutNotMatches}/`, said) };
      return { ok: true, detail: c.detail === 'stdout' ? firstLine(stdout) : '' };
    };
    out.set(name, { name, command: c.command, timeoutMs: c.timeoutMs, judge, reason: c.reason });
  }
  return out;
}

/** The check named `name`. @throws InputError listing the declared names when there is none. */
export function findCheck(checks: ReadonlyMap<string, HealthCheck>, name: string, origin: string): HealthCheck {
  const c = checks.get(name);
  if (!c) throw new InputError({ origin, field: 'check' }, `no check ${JSON.stringify(name)} is declared; declared: ${[...checks.keys()].join(', ')}`);
  return c;
}

/** The argv of `check` for `host`: every `{host}` replaced by the host name. */
export function checkArgv(check: HealthCheck, host: string): string[] {
  return check.command.map((a) => a.replaceAll('{host}', host));
}

function firstLine(s: string): string {
  const l = s.split('\n').map((x) => x.trim()).find((x) => x !== '') ?? '';
  return l.length > 200 ? `${l.slice(0, 199)}…` : l;
}

function joinDetail(a: string, b: string): string {
  return b ? `${a}: ${b}` : a;
}
