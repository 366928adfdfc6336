/** A clock that only moves when the test says so (src/clock.ts). */
import type { Clock } from '../../src/clock.js';

export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  /** Resolves when the test moves the clock `ms` on. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = ++this.seq;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return () => { this.timers = this.timers.filter((x) => x.id !== id); };
  }

  /** When the earliest pending timer fires, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.timers.length ? Math.min(...this.timers.map((x) => x.at)) : undefined;
  }

  /** Move to `to`, firing every timer due on the way in time order (timers armed meanwhile included). */
  advanceTo(to: number): void {
    for (;;) {
      const due = this.timers.filter((x) => x.at <= to).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x.id !== due.id);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = Math.max(this.t, to);
  }

  /** Fire the next pending timer (moving time to it); returns its time. */
  fireNext(): number {
    const at = this.nextTimerAt();
    if (at === undefined) throw new Error('no timer pending');
    this.advanceTo(at);
    return at;
  }
}
