import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { parseJsonRpcLine } from './json-rpc-message.js';
import { LineSplitter } from './line-splitter.js';
import type { Logger } from './types.js';

/** How much of a skipped line goes into the log: enough to recognise it, not a flood. */
const LOGGED_LINE_CHARS = 200;

export interface MessageFramerOptions {
  server: string;
  maxMessageBytes: number;
  logger: Logger;
  onMessage(message: JSONRPCMessage): void;
}

/**
 * Newline-delimited JSON-RPC from a child's stdout. Anything else on the stream (a banner,
 * a stray print, a message over the cap) is logged and skipped: one bad line must never
 * take the channel down.
 */
export class MessageFramer {
  private readonly lines: LineSplitter;

  constructor(private readonly options: MessageFramerOptions) {
    this.lines = new LineSplitter(options.maxMessageBytes, {
      onLine: (line) => this.handleLine(line),
      onOversize: (bytes) => this.handleOversize(bytes),
    });
  }

  push(chunk: Buffer): void {
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
  }

  private handleLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseJsonRpcLine(line);
    if ('message' in parsed) {
      this.options.onMessage(parsed.message);
      return;
    }
    this.options.logger.warn(
      `Server "${this.options.server}" wrote a stdout line that is ${parsed.problem}; skipped it ` +
        `(stdout is reserved for JSON-RPC; logs belong on stderr): ${truncate(line)}`,
      { server: this.options.server },
    );
  }

  private handleOversize(bytes: number): void {
    this.options.logger.warn(
      `Server "${this.options.server}" sent a stdout message of ${bytes} bytes, over the limit of ` +
        `${this.options.maxMessageBytes} bytes (maxMessageBytes); dropped it.`,
      { server: this.options.server, bytes, limit: this.options.maxMessageBytes },
    );
  }
}

function truncate(line: string): string {
  return line.length <= LOGGED_LINE_CHARS ? line : `${line.slice(0, LOGGED_LINE_CHARS)}… (${line.length} chars)`;
}
