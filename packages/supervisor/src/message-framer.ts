import type { JSONRPCErrorResponse, JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { MAX_MESSAGE_DEPTH, nestedDeeperThan } from './json-depth.js';
import { parseJsonRpcLine } from './json-rpc-message.js';
import { LineSplitter, type LineEnds } from './line-splitter.js';
import { peekEnvelope } from './oversize-envelope.js';
import type { Logger } from './types.js';

/** How much of a skipped line goes into the log: enough to recognise it, not a flood. */
const LOGGED_LINE_CHARS = 200;

/**
 * How a person raises the cap, named in the error an oversize answer becomes (as the bridge's
 * 413 names limits.maxBodyBytes): the daemon's config key and flag for SupervisedServer's
 * maxMessageBytes option.
 */
export const MAX_MESSAGE_BYTES_SETTING = 'limits.maxMessageBytes (--max-message-bytes)';

/**
 * The JSON-RPC error code of an answer the bridge had to replace (too large, too deep, not
 * writable): -32603, JSON-RPC's Internal error. The request reached the server; what it
 * answered could not be carried.
 */
export const UNDELIVERABLE_ANSWER_CODE = -32603;

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
 *
 * An answer that cannot be carried is not just skipped, though: its request would wait
 * forever. An answer over the cap (its id read from the ends of the line, see
 * oversize-envelope.ts) or nested deeper than MAX_MESSAGE_DEPTH is replaced by a JSON-RPC
 * error to the same id that names the limit and how to raise it.
 */
export class MessageFramer {
  private readonly lines: LineSplitter;

  constructor(private readonly options: MessageFramerOptions) {
    this.lines = new LineSplitter(options.maxMessageBytes, {
      onLine: (line) => this.handleLine(line),
      onOversize: (bytes, ends) => this.handleOversize(bytes, ends),
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
      // A line shorter than two characters per level cannot nest past the limit: most skip the walk.
      if (line.length > 2 * MAX_MESSAGE_DEPTH && nestedDeeperThan(parsed.message, MAX_MESSAGE_DEPTH)) {
        this.handleTooDeep(parsed.message);
        return;
      }
      this.options.onMessage(parsed.message);
      return;
    }
    this.options.logger.warn(
      `Server "${this.options.server}" wrote a stdout line that is ${parsed.problem}; skipped it ` +
        `(stdout is reserved for JSON-RPC; logs belong on stderr): ${truncate(line)}`,
      { server: this.options.server },
    );
  }

  private handleOversize(bytes: number, ends: LineEnds): void {
    const { server, maxMessageBytes } = this.options;
    const envelope = peekEnvelope(ends.head.toString('utf8'), ends.tail.toString('utf8'));
    const what = envelope.kind === 'unknown' ? 'message' : envelope.kind;
    const meta = { server, bytes, limit: maxMessageBytes, kind: envelope.kind, ...(envelope.id === undefined ? {} : { id: envelope.id }) };
    const answered = envelope.kind === 'response' && envelope.id !== undefined;
    this.options.logger.warn(
      `Server "${server}" sent a stdout ${what} of ${bytes} bytes, over the limit of ${maxMessageBytes} bytes ` +
        `(maxMessageBytes); dropped it${answered ? `, and answered request ${JSON.stringify(envelope.id)} with an error naming the limit` : ''}.`,
      meta,
    );
    if (!answered) return;
    this.options.onMessage(
      undeliverableAnswer(
        envelope.id!,
        `Server "${server}" answered with a message of ${bytes} bytes, over the limit of ${maxMessageBytes} bytes ` +
          `(${describeBytes(maxMessageBytes)}) for one message from a server; the answer was dropped. ` +
          `If answers this large are expected, raise ${MAX_MESSAGE_BYTES_SETTING}.`,
        { reason: 'answer too large', bytes, limit: maxMessageBytes },
      ),
    );
  }

  private handleTooDeep(message: JSONRPCMessage): void {
    const { server } = this.options;
    const isAnswer = ('result' in message || 'error' in message) && 'id' in message && message.id !== undefined;
    this.options.logger.warn(
      `Server "${server}" sent a message nested more than ${MAX_MESSAGE_DEPTH} levels deep; dropped it` +
        `${isAnswer ? `, and answered request ${JSON.stringify(message.id)} with an error naming the limit` : ''}.`,
      { server, limit: MAX_MESSAGE_DEPTH },
    );
    if (!isAnswer) return;
    this.options.onMessage(
      undeliverableAnswer(
        message.id as RequestId,
        `Server "${server}" answered with data nested more than ${MAX_MESSAGE_DEPTH} levels deep (objects and arrays), ` +
          `the limit for any message through this bridge; the answer was dropped.`,
        { reason: 'answer too deep', limit: MAX_MESSAGE_DEPTH },
      ),
    );
  }
}

/**
 * The error that stands in for an answer that could not be carried, under the request's id:
 * the request is answered (and its id freed) instead of waiting forever.
 */
export function undeliverableAnswer(id: RequestId, message: string, data: Record<string, unknown>): JSONRPCErrorResponse {
  return { jsonrpc: '2.0', id, error: { code: UNDELIVERABLE_ANSWER_CODE, message, data } };
}

function describeBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (Number.isInteger(mib)) return `${mib} MiB`;
  const kib = bytes / 1024;
  return Number.isInteger(kib) ? `${kib} KiB` : `${bytes} bytes`;
}

function truncate(line: string): string {
  return line.length <= LOGGED_LINE_CHARS ? line : `${line.slice(0, LOGGED_LINE_CHARS)}… (${line.length} chars)`;
}

/**
 * What to do with a message that could not be written to the child (JSON.stringify threw:
 * nesting past the stack). Nobody may be left waiting: a request of ours is answered with an
 * error for its id (`toOwner`, which frees that id), and an answer to the child's own request
 * becomes an error to that request (`toChild`). A notification has nobody waiting: neither.
 */
export function unsendableFallback(server: string, message: JSONRPCMessage, error: unknown): { toOwner?: JSONRPCErrorResponse; toChild?: JSONRPCErrorResponse } {
  const reason = error instanceof Error ? error.message : String(error);
  const data = { reason: 'not serializable', detail: reason };
  if ('method' in message && 'id' in message) {
    return { toOwner: undeliverableAnswer(message.id, `The request could not be written to server "${server}": ${reason} (data nested too deeply?).`, data) };
  }
  if (('result' in message || 'error' in message) && 'id' in message && message.id !== undefined) {
    return { toChild: undeliverableAnswer(message.id, `The client's answer could not be written to server "${server}": ${reason} (data nested too deeply?).`, data) };
  }
  return {};
}
