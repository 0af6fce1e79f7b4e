import type { ServerResponse } from 'node:http';
import type { JSONRPCNotification, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { OutgoingStreams } from '../outgoing-streams.js';
import { EventStream, type StreamLabel } from './sse.js';
import type { JsonRpcErrorObject } from './to-modern.js';

const POST_STREAM: StreamLabel = {
  stream: 'POST stream (2026-07-28)',
  outcome: 'the request was cancelled at the server; the client must send the request again (2026-07-28 has no resumption)',
};

/**
 * The HTTP answer to one 2026-07-28 request: a single JSON object, or an SSE stream scoped
 * to the request when notifications must go out before the response
 * (streamable-http "Sending Messages" 6 and "Receiving Messages").
 *
 * The stream starts lazily, at the first notification, so a request without progress or
 * log messages gets a plain JSON answer with a meaningful HTTP status (404 for an unknown
 * method) instead of a 200 event stream.
 *
 * The stream is bounded by limits.streamBufferBytes (sse.ts): closed for a client that stopped
 * reading, which cancels the request at the child as any closing of the stream does.
 */
export class RequestResponse {
  private events: EventStream | undefined;
  private done = false;

  constructor(
    private readonly res: ServerResponse,
    /** Reply id: the id of the HTTP request being answered (an MRTR retry has a new one). */
    readonly id: RequestId,
    private readonly canStream: boolean,
    /** The server's bound on what a stream may hold for a client that does not read. */
    private readonly outgoing?: OutgoingStreams,
  ) {}

  /** The response was written completely. */
  get finished(): boolean {
    return this.done;
  }

  /** Called when the client goes away before the answer was written (closing the stream cancels the request). */
  onAbandoned(listener: () => void): void {
    this.res.once('close', () => {
      if (!this.done) listener();
    });
  }

  /** Deliver an interim notification; false when it cannot go out (no event stream accepted, or the stream closed). */
  notify(notification: JSONRPCNotification): boolean {
    if (this.done || !this.canStream || this.res.destroyed) return false;
    this.events ??= new EventStream(this.res, this.outgoing, POST_STREAM);
    return this.events.send(notification);
  }

  succeed(result: Record<string, unknown>): void {
    this.finish({ jsonrpc: '2.0', id: this.id, result }, 200);
  }

  /**
   * Answer with an error. `status` applies only while the answer is still plain JSON: once an
   * event stream started, its 200 is on the wire and the error travels as the final event.
   */
  fail(error: JsonRpcErrorObject, status = 200): void {
    this.finish({ jsonrpc: '2.0', id: this.id, error }, status);
  }

  private finish(message: unknown, status: number): void {
    if (this.done) return;
    this.done = true;
    if (this.res.destroyed) return;
    if (this.events) {
      this.events.end(message);
      return;
    }
    const body = JSON.stringify(message);
    this.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    this.res.end(body);
  }
}
