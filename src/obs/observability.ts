/**
 * What `breakfix serve` answers besides Slack: `/healthz` and `/metrics`, over one state
 * directory, fed by the loop's events ({@link recordLoopEvent}). One per bot process.
 */
import { BotMetrics } from './metrics.js';
import { healthReport, LoopTracker, type HealthReport } from './health.js';
import { onLoopEvent } from './loop-events.js';

/** Options of {@link Observability}. */
export interface ObservabilityOptions {
  stateDir: string;
  datacenters: readonly string[];
  now?: () => Date;
  processMetrics?: boolean;
}

/** `/healthz` and `/metrics` of one bot. Call {@link close} to stop listening to loop events. */
export class Observability {
  readonly tracker = new LoopTracker();
  readonly metrics: BotMetrics;
  private readonly unsubscribe: () => void;
  private readonly now: () => Date;

  constructor(private readonly opts: ObservabilityOptions) {
    this.now = opts.now ?? (() => new Date());
    this.metrics = new BotMetrics({ stateDir: opts.stateDir, datacenters: opts.datacenters, tracker: this.tracker, now: this.now, ...(opts.processMetrics !== undefined ? { processMetrics: opts.processMetrics } : {}) });
    this.unsubscribe = onLoopEvent((e) => {
      this.tracker.handle(e);
      this.metrics.recordLoopEvent(e);
    });
  }

  /** The `/healthz` status and body (see `health.ts` for when it is 503). */
  healthz(): { status: 200 | 503; body: HealthReport } {
    return healthReport(this.opts.stateDir, this.opts.datacenters, this.tracker, this.now());
  }

  /** The `/metrics` body and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.metrics.contentType, body: await this.metrics.render() };
  }

  /** Stop listening to loop events. */
  close(): void {
    this.unsubscribe();
  }
}
