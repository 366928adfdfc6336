/**
 * Structured logs (pino) to stderr, one child logger per component. Secrets are redacted by
 * path wherever they appear. Level from `BREAKFIX_LOG_LEVEL` (default `warn` for the CLI, so
 * its human output stays clean).
 */
import { pino, type Logger } from 'pino';

/** Paths pino replaces with `[redacted]`. */
export const REDACT_PATHS = ['token', '*.token', 'botToken', 'appToken', 'signingSecret', '*.signingSecret', 'headers.authorization', '*.headers.authorization', 'password', '*.password', 'privateKey', '*.privateKey'];

let root: Logger | undefined;

/** The process's root logger. */
export function rootLogger(): Logger {
  root ??= pino(
    { level: process.env.BREAKFIX_LOG_LEVEL ?? 'warn', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'breakfix' } },
    pino.destination(2),
  );
  return root;
}

/** A child logger for one component (`pass`, `sources`, `slack`, …). */
export function logger(component: string): Logger {
  return rootLogger().child({ component });
}

/**
 * A logger for one part of a component (`bolt` in `slack`): its lines keep the component's
 * `component` and add `"part":"<part>"`. (A child binding `component` again would not replace
 * the first: pino writes both keys on every line.)
 */
export function partLogger(log: Logger, part: string): Logger {
  return log.child({ part });
}
