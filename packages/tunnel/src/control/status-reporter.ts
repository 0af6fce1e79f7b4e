import type { StatusFrame } from '@mcp-workstation/protocol';
import { statusFrame } from './frames.js';
import type { ControlLogger, StatusContent } from './types.js';

export interface StatusReporterOptions {
  provide: () => StatusContent | Promise<StatusContent>;
  /** Sends on the current connection; false when it is gone. */
  send: (frame: StatusFrame) => boolean;
  intervalMs: number;
  logger: ControlLogger;
}

/**
 * `status` for one welcomed connection (protocol.md §2): once at start, again on every change,
 * and at least every intervalMs (the timer restarts after each send, so no gap is longer).
 * Changes that arrive while a status is being gathered are folded into one more send after it,
 * so a burst of state changes never runs the provider concurrently.
 */
export class StatusReporter {
  private timer: NodeJS.Timeout | null = null;
  private gathering = false;
  private again = false;
  private stopped = false;

  constructor(private readonly options: StatusReporterOptions) {}

  start(): void {
    this.changed();
  }

  changed(): void {
    if (this.stopped) return;
    if (this.gathering) {
      this.again = true;
      return;
    }
    void this.report();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async report(): Promise<void> {
    this.gathering = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      const content = await this.options.provide();
      if (!this.stopped) this.options.send(statusFrame(content));
    } catch (err) {
      this.options.logger.error(`could not send status: ${(err as Error).message}`);
    } finally {
      this.gathering = false;
    }
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      void this.report();
      return;
    }
    this.timer = setTimeout(() => this.changed(), this.options.intervalMs);
  }
}
