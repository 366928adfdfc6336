/**
 * The hook the scheduled loop reports through. The loop (scheduler, skipped ticks, overlapping
 * passes) calls {@link recordLoopEvent}; `/metrics` and `/healthz` listen with
 * {@link onLoopEvent}. The loop imports only this file: it knows nothing of prom-client or HTTP.
 *
 *     recordLoopEvent({ type: 'scheduled', dc: 'dc1', at: now, nextRunAt, intervalMs: 15 * 60_000 });
 *     recordLoopEvent({ type: 'pass-started', dc: 'dc1', at: now });
 *     recordLoopEvent({ type: 'pass-finished', dc: 'dc1', at: now, result: 'ok', durationMs: 41_000 });
 *     recordLoopEvent({ type: 'tick-skipped', dc: 'dc1', at: now, reason: 'the pass of 10:00 is still running' });
 *
 * Events of one process only: the bot's loop and the bot's `/metrics` share the process. Facts
 * that another process may produce (passes, plans) are read from the state directory instead.
 */

/** Result of a pass as the loop saw it (`empty`: ok, nothing to propose). */
export type LoopPassResult = 'ok' | 'empty' | 'refused' | 'error';

/** One thing the loop of a datacenter did. `at` is the loop's clock. */
export type LoopEvent =
  /** The next tick is planned for `nextRunAt`; `intervalMs` is the schedule's usual spacing, when known. */
  | { type: 'scheduled'; dc: string; at: Date; nextRunAt: Date; intervalMs?: number }
  | { type: 'pass-started'; dc: string; at: Date }
  | { type: 'pass-finished'; dc: string; at: Date; result: LoopPassResult; durationMs?: number }
  /** A tick came while the datacenter's previous pass was still running (passes never overlap). */
  | { type: 'tick-skipped'; dc: string; at: Date; reason: string }
  /** A post to Slack failed (summary, proposal or notice); the pass's own result is not changed by it. */
  | { type: 'post-failed'; dc: string; at: Date; what: string };

type Listener = (e: LoopEvent) => void;
const listeners = new Set<Listener>();

/** Report a loop event to every listener (none: nothing happens). Never throws: a broken listener must not stop a loop. */
export function recordLoopEvent(e: LoopEvent): void {
  for (const l of listeners) {
    try {
      l(e);
    } catch {
      // A metrics bug must not stop the datacenter's loop.
    }
  }
}

/** Listen to loop events; returns the function that stops listening. */
export function onLoopEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
