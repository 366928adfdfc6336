/**
 * Live execution progress in the proposal's thread, without spamming it: one progress message
 * posted when execution starts and then updated in place (`chat.update`), and one thread message
 * per batch of hosts reaching a new phase (`excluded`, `decommissioned`, `failed`, …). Events are
 * collected and flushed at most once per `throttleMs` (default 2 s), so a 200-host drain posts a
 * handful of messages, not hundreds. Repeated `decommissioning` events (blocks left falling) only
 * update the progress message.
 */
import type { ExecEvent } from '../exec/executor.js';
import { phaseMessage, progressMessage, type HostProgress } from './messages.js';
import type { SlackPort } from './service.js';

/** Options of {@link ThreadProgress}. */
export interface ThreadProgressOptions {
  slack: SlackPort;
  channel: string;
  /** The proposal message's ts: everything goes to its thread. */
  threadTs: string;
  planId: string;
  /** The plan's hosts, in plan order (shown `approved` until their first event). */
  hosts: readonly string[];
  /** Least time between two flushes, ms (default 2,000). */
  throttleMs?: number;
  /** Errors posting to Slack are reported here and never stop the execution. */
  onError?: (e: Error) => void;
}

/** Collects execution events and shows them in the thread (see the module comment). */
export class ThreadProgress {
  private readonly hosts = new Map<string, HostProgress>();
  /** Phase → hosts that reached it since the last flush, in order. */
  private readonly reached = new Map<string, string[]>();
  private progressTs: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly throttleMs: number;

  constructor(private readonly o: ThreadProgressOptions) {
    this.throttleMs = o.throttleMs ?? 2_000;
    for (const h of o.hosts) this.hosts.set(h, { host: h, phase: 'approved' });
  }

  /** Post the progress message (all hosts `approved`). */
  start(): Promise<void> {
    return this.enqueue(() => this.show());
  }

  /** Take one execution event; the thread shows it within `throttleMs`. */
  event(e: ExecEvent): void {
    const prev = this.hosts.get(e.host);
    if (prev?.phase !== e.phase) {
      const list = this.reached.get(e.phase) ?? [];
      list.push(e.host);
      this.reached.set(e.phase, list);
    }
    this.hosts.set(e.host, { host: e.host, phase: e.phase, ...(e.blocksLeft !== undefined ? { blocksLeft: e.blocksLeft } : {}), ...(e.detail ? { detail: e.detail } : {}) });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(() => this.flush());
    }, this.throttleMs);
  }

  /** Flush what is left and mark the progress message with how it ended (`final`). */
  finish(final: string): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.enqueue(() => this.flush(final));
  }

  private async flush(final?: string): Promise<void> {
    for (const [phase, hosts] of [...this.reached]) {
      this.reached.delete(phase);
      if (phase !== 'decommissioning') await this.o.slack.postMessage(this.o.channel, phaseMessage(phase, hosts), this.o.threadTs);
    }
    await this.show(final);
  }

  private async show(final?: string): Promise<void> {
    const msg = progressMessage(this.o.planId, [...this.hosts.values()], final);
    if (this.progressTs) await this.o.slack.updateMessage(this.o.channel, this.progressTs, msg);
    else this.progressTs = (await this.o.slack.postMessage(this.o.channel, msg, this.o.threadTs)).ts;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch((e: Error) => this.o.onError?.(e));
    return this.chain;
  }
}
