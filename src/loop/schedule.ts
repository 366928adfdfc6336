/**
 * When a datacenter's scheduled pass is due. The cron arithmetic is croner's
 * (https://github.com/hexagon/croner: 5 or 6 fields, seconds optional, evaluated in UTC here);
 * the waiting is done on a {@link Clock} so tests drive time by hand instead of sleeping.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { hash32 } from '../pass/pick.js';
import type { Clock } from '../clock.js';

/** Default largest jitter: scheduled passes of a datacenter start up to this late, in seconds. */
export const DEFAULT_MAX_JITTER_SECONDS = 30;
/** Default heartbeat: a summary is posted at least this often even when nothing changed, in hours. */
export const DEFAULT_HEARTBEAT_HOURS = 6;

/**
 * `schedule:` of a datacenter in `breakfix.yml`:
 *
 *     schedule:
 *       cron: "*\/15 * * * *"      # croner syntax, UTC; 6 fields to give seconds
 *       maxJitterSeconds: 30       # optional, default 30
 *       heartbeatHours: 6          # optional, default 6
 */
export const ScheduleSchema = z
  .object({
    cron: z.string().min(1).superRefine((pattern, ctx) => {
      const why = cronError(pattern);
      if (why) ctx.addIssue({ code: 'custom', message: `expected a cron expression such as "*/15 * * * *" (${why})` });
    }),
    maxJitterSeconds: z.number().int().min(0).max(3600).default(DEFAULT_MAX_JITTER_SECONDS),
    heartbeatHours: z.number().positive().max(24 * 7).default(DEFAULT_HEARTBEAT_HOURS),
  })
  .strict();

/** A checked schedule. */
export type Schedule = z.output<typeof ScheduleSchema>;

/** Why croner refuses `pattern`, or null when it is a valid cron expression. */
export function cronError(pattern: string): string | null {
  try {
    const job = new Cron(pattern, { paused: true, timezone: 'Etc/UTC' });
    job.stop();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The first cron tick strictly after `afterMs` (ms since the epoch), or null when the pattern has no further tick. */
export function nextTick(pattern: string, afterMs: number): number | null {
  const job = new Cron(pattern, { paused: true, timezone: 'Etc/UTC' });
  try {
    return job.nextRun(new Date(afterMs))?.getTime() ?? null;
  } finally {
    job.stop();
  }
}

/**
 * The jitter of `dc`, in ms within [0, maxJitterSeconds × 1000]: a fixed offset derived from
 * the datacenter's name (hash), so datacenters sharing one cron expression start apart, and a
 * datacenter starts at the same offset after every tick and every restart.
 */
export function jitterMs(dc: string, maxJitterSeconds: number): number {
  const max = Math.round(maxJitterSeconds * 1000);
  return max === 0 ? 0 : hash32(`jitter:${dc}`) % (max + 1);
}
