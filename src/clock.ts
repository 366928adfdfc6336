/**
 * Time as the executors and the scheduled loop see it, behind one interface so tests (and the
 * demo's faster-than-real drain) drive it instead of sleeping. Implementations: {@link systemClock}
 * here; `virtualClock` and `scaledClock` in src/exec/simulated.ts; `ManualClock` in the tests.
 */

/** Time: now, waiting, and timers, all in milliseconds of this clock. */
export interface Clock {
  /** Now, in ms since the epoch. */
  now(): number;
  /** Resolve after `ms` milliseconds of this clock (an executor's poll interval, a retry back-off). */
  sleep(ms: number): Promise<void>;
  /** Call `fn` once after `ms` milliseconds of this clock; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** `setTimeout` holds at most 2^31-1 ms (24.8 days); a longer wait re-arms itself. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The real clock: `Date.now` and `setTimeout`. Timers are unref'd (a pending scheduled pass never
 * holds the process open); `sleep` is not (an executor waiting on a drain keeps the process alive).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  setTimer(fn, ms) {
    let handle: NodeJS.Timeout;
    const arm = (left: number) => {
      handle = setTimeout(() => (left > MAX_TIMEOUT_MS ? arm(left - MAX_TIMEOUT_MS) : fn()), Math.min(left, MAX_TIMEOUT_MS));
      handle.unref();
    };
    arm(Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};
