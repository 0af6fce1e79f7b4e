import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { mediaRanges } from './media-ranges.js';

/**
 * How long a POST's SSE answer is held back to be sent whole. When the stream ends within it
 * (the usual case: one request, answered at once), the headers, the priming event, the answer
 * and the end go out as ONE write with a Content-Length, instead of four. Past it, or at the
 * first event that is not the answer (progress, a log line, a server request: the client wants
 * those now), the stream is written as it comes, exactly as without the hold.
 *
 * Why hold at all: each write is a packet through every hop (WireGuard, a gateway's proxy);
 * docs/performance.md has the measurements. Why keep the SSE shape instead of a JSON body
 * (which the spec also allows): clients that resume streams, and the official conformance
 * suites (server-sse-polling, server-sse-multiple-streams), expect the priming event with its
 * id and retry field on every POST stream. Why only this long: until the headers go out a
 * dropped connection cannot be resumed with Last-Event-ID, and a slow tool gains nothing.
 */
export const QUICK_ANSWER_WINDOW_MS = 100;

/**
 * The reconnection delay announced in each stream's priming event (SSE `retry:`): what a
 * client waits before resuming a stream that closed without its answer. The SDK's client
 * waits 1 s by default; announcing it makes every client behave the same.
 */
export const SSE_RETRY_MS = 1000;

/** One POST that carried exactly one JSON-RPC request, waiting to learn whether its answer came. */
export interface PendingAnswer {
  readonly requestId: RequestId;
  /** The client ranks application/json above text/event-stream (prefersJson): a quick answer goes back as JSON. */
  readonly jsonPreferred: boolean;
  answered: boolean;
}

/**
 * The POSTs whose answer is being held, by request id: the transport marks an id when it sends
 * that request's response, which is how the writer knows an event it holds is the answer (keep
 * holding until the end) and not a notification (write the stream out now). Entries live only
 * while their POST's writer runs.
 */
export class PendingAnswers {
  private readonly pending = new Map<RequestId, PendingAnswer>();

  /** Undefined when the body is not exactly one request (a notification, a response, a batch). */
  watch(parsedBody: unknown, accept: string | undefined): PendingAnswer | undefined {
    const requestId = singleRequestId(parsedBody);
    if (requestId === undefined || this.pending.has(requestId)) return undefined;
    const entry: PendingAnswer = { requestId, jsonPreferred: prefersJson(accept), answered: false };
    this.pending.set(requestId, entry);
    return entry;
  }

  markAnswered(requestId: RequestId): void {
    const entry = this.pending.get(requestId);
    if (entry) entry.answered = true;
  }

  release(entry: PendingAnswer): void {
    if (this.pending.get(entry.requestId) === entry) this.pending.delete(entry.requestId);
  }
}

function singleRequestId(body: unknown): RequestId | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as { id?: unknown; method?: unknown };
  if (typeof message.method !== 'string') return undefined;
  return typeof message.id === 'string' || typeof message.id === 'number' ? message.id : undefined;
}

/** The priming event (protocol 2025-11-25): an id and an empty data field, nothing a client acts on. */
export function isPrimingEvent(chunk: Uint8Array): boolean {
  if (chunk.byteLength > 200) return false;
  const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
  return text.startsWith('id: ') && text.endsWith('data: \n\n') && !text.includes('event:');
}

/**
 * Whether an Accept header ranks application/json strictly above text/event-stream by their
 * q-values (RFC 9110 §12.5.1), e.g. `application/json, text/event-stream;q=0.5`. The spec
 * lets the server answer a POST either way; the SSE shape is the default (resumable, what the
 * conformance suites check), and a client that would rather parse one JSON body (cheaper for
 * most clients: docs/performance.md) says so this standard way. Equal ranks, the SDK clients'
 * `application/json, text/event-stream`, keep the default.
 */
export function prefersJson(accept: string | undefined): boolean {
  const rankOf = (type: string) => Math.max(0, ...mediaRanges(accept).filter((range) => range.type === type && Number.isFinite(range.q)).map((range) => range.q));
  return rankOf('application/json') > rankOf('text/event-stream');
}

/**
 * The one JSON-RPC message of a whole held SSE stream (its priming event aside), as a JSON
 * body; null when the stream holds anything else, which then goes back as it is.
 */
export function soleMessageOf(chunks: Uint8Array[]): Buffer | null {
  const events = Buffer.concat(chunks).toString('utf8').split('\n\n').filter((event) => event.trim() !== '');
  const messages = events
    .map((event) => event.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(line.startsWith('data: ') ? 6 : 5)).join('\n'))
    .filter((data) => data !== '');
  return messages.length === 1 ? Buffer.from(messages[0], 'utf8') : null;
}
