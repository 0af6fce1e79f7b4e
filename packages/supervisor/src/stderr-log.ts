import { LineSplitter } from './line-splitter.js';
import { LineTail } from './stderr-tail.js';
import type { Logger } from './types.js';

/** A stderr line longer than this is not logged (a log line should stay readable). */
const MAX_STDERR_LINE_BYTES = 64 * 1024;

/**
 * At most this many stderr lines of one child are logged per window; the rest are counted
 * and reported in one line when the window ends. Like journald's per-service rate limit
 * (RateLimitBurst / RateLimitIntervalSec), sized so a chatty server at debug level is logged
 * whole, while a flood (a crash loop printing, a server logging every byte it reads) costs
 * the daemon one log write per 10 ms instead of one per line: every line is a formatted
 * record and a write, which, unbounded, stalled /healthz for seconds on a loaded machine.
 */
export const STDERR_LOG_BURST = 1000;
export const STDERR_LOG_WINDOW_MS = 10_000;

/**
 * A child's stderr as log records tagged with the server's name (rate-limited per window,
 * above), plus the last lines kept for the error report when it exits. Every line, logged or
 * not, reaches the tail and `onLine` (add-ons watch stderr for what it says).
 */
export class StderrLog {
  private readonly lines: LineSplitter;
  private readonly recent: LineTail;
  private windowStart = 0;
  private loggedInWindow = 0;
  private suppressed = 0;
  private summaryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly server: string,
    private readonly pid: number | null,
    tailLines: number,
    private readonly logger: Logger,
    /** Each line as logged, for the owner's 'stderr' event. */
    private readonly onLine: (line: string) => void = () => {},
  ) {
    this.recent = new LineTail(tailLines);
    this.lines = new LineSplitter(MAX_STDERR_LINE_BYTES, {
      onLine: (line) => this.handleLine(line),
      onOversize: (bytes) => this.handleLine(`[a stderr line of ${bytes} bytes was omitted]`),
    });
  }

  push(chunk: Buffer): void {
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
    this.reportSuppressed();
  }

  tail(): string[] {
    return this.recent.snapshot();
  }

  private handleLine(line: string): void {
    if (line.trim() === '') return;
    this.recent.push(line);
    if (this.mayLog()) this.logger.info(line, { server: this.server, stream: 'stderr', pid: this.pid });
    this.onLine(line);
  }

  /** Whether the window has room for one more logged line; counts the line as suppressed if not. */
  private mayLog(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= STDERR_LOG_WINDOW_MS) {
      this.reportSuppressed();
      this.windowStart = now;
      this.loggedInWindow = 0;
    }
    if (this.loggedInWindow < STDERR_LOG_BURST) {
      this.loggedInWindow += 1;
      return true;
    }
    this.suppressed += 1;
    // The report must come even if the flood stops now and no further line ends the window.
    this.summaryTimer ??= setTimeout(() => this.reportSuppressed(), this.windowStart + STDERR_LOG_WINDOW_MS - now).unref();
    return false;
  }

  private reportSuppressed(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = null;
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.logger.warn(
      `${count} stderr lines of server "${this.server}" were not logged: it wrote more than ${STDERR_LOG_BURST} in ${STDERR_LOG_WINDOW_MS / 1000} s. ` +
        'Its last lines are kept for the error report if it exits; to see them all, run the command by hand or lower its log level.',
      { server: this.server, stream: 'stderr', pid: this.pid, suppressedLines: count },
    );
  }
}
