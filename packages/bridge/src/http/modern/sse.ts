import type { ServerResponse } from 'node:http';
import type { OutgoingStreams, OverflowReport } from '../outgoing-streams.js';

/**
 * Server-Sent Events framing for 2026-07-28 response streams. No `id:` fields: the revision
 * removed resumability (changelog major 9, streamable-http "Resumable SSE streams via
 * Last-Event-ID are not supported"), so there is nothing to resume from.
 */

/** How a stream is named in the overflow warning, and what its client must do then. */
export type StreamLabel = Pick<OverflowReport, 'stream' | 'outcome'>;

/**
 * One 2026-07-28 event stream, bounded like every stream the bridge writes to a client
 * (outgoing-streams.ts): each event is written at once, what the client has not taken waits
 * in the socket's queue, and before each write that queue is held against
 * limits.streamBufferBytes. Past it the client has stopped reading: the stream is destroyed,
 * which its owner hears as 'close', the same as a client that went away, and ends its work
 * there. `bound` is undefined only where no bridge set one (handleModernRequest on its own).
 */
export class EventStream {
  constructor(
    private readonly res: ServerResponse,
    private readonly bound: OutgoingStreams | undefined,
    private readonly label: StreamLabel,
  ) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Reverse proxies must not buffer the stream (streamable-http "Receiving Messages").
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const untrack = bound?.track(() => (res.destroyed ? 0 : res.writableLength));
    if (untrack) res.once('close', untrack);
  }

  /** False when the stream is gone, or was closed just now because its client stopped reading. */
  send(message: unknown): boolean {
    if (!this.admits()) return false;
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    return true;
  }

  /** A comment line: keeps idle intermediaries from closing a quiet stream; clients ignore it. */
  keepAlive(): void {
    if (this.admits()) this.res.write(':\n\n');
  }

  /** The last message, then the end of the stream. */
  end(message: unknown): void {
    if (this.send(message)) this.res.end();
  }

  private admits(): boolean {
    const { res, bound } = this;
    if (res.destroyed || res.writableEnded) return false;
    const queued = res.writableLength;
    if (bound === undefined || !bound.isOverLimit(queued)) return true;
    // No session and no resumption in 2026-07-28: what was not read is lost with the stream.
    bound.overflowed({ transport: 'streamable-http', session: undefined, bufferedBytes: queued, ...this.label });
    res.destroy();
    return false;
  }
}
