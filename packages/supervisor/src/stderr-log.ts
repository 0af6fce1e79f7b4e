import { LineSplitter } from './line-splitter.js';
import { LineTail } from './stderr-tail.js';
import type { Logger } from './types.js';

/** A stderr line longer than this is not logged (a log line should stay readable). */
const MAX_STDERR_LINE_BYTES = 64 * 1024;

/**
 * A child's stderr as log records tagged with the server's name, plus the last lines kept
 * for the error report when it exits.
 */
export class StderrLog {
  private readonly lines: LineSplitter;
  private readonly recent: LineTail;

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
  }

  tail(): string[] {
    return this.recent.snapshot();
  }

  private handleLine(line: string): void {
    if (line.trim() === '') return;
    this.recent.push(line);
    this.logger.info(line, { server: this.server, stream: 'stderr', pid: this.pid });
    this.onLine(line);
  }
}
