import type { Logger } from '@mcp-workstation/supervisor';
import type { OutgoingStreamStats, OutgoingTransport } from '../types.js';
import { shortId } from './server-context.js';

/** What an outgoing stream says when its client stopped reading. */
export interface OverflowReport {
  transport: OutgoingTransport;
  /** The session's id (logged as its prefix); undefined for a stateless POST. */
  session: string | undefined;
  /** Which stream, in words: "GET stream", "POST stream", "SSE stream", "WebSocket". */
  stream: string;
  /** Bytes that were waiting to be sent when it was closed. */
  bufferedBytes: number;
  /** What happens now, for the log: "the client can resume it…", "the session ended". */
  outcome: string;
}

/**
 * The bound on what one server's outgoing streams may hold for clients that do not read.
 *
 * Every stream the bridge writes to a client (a Streamable HTTP GET or POST stream, a legacy
 * SSE stream, a WebSocket) writes each message at once and lets Node queue what the socket
 * cannot take yet; before each message it asks isOverLimit() with the bytes still queued.
 * Past `limitBytes` (limits.streamBufferBytes) the client has stopped reading, or reads far
 * slower than it is sent to: the stream is closed, which frees its queue, and overflowed()
 * logs it and counts it for /metrics. A message is taken whenever the queue is within the
 * limit, so one message larger than the limit still goes through to a client that reads: a
 * stream holds at most the limit plus one message.
 *
 * Open streams register a probe of their queue (track) and Streamable HTTP sessions one of
 * their resumption buffer (trackEventBuffer), so stats() tells what is held now.
 */
export class OutgoingStreams {
  private readonly waiting = new Set<() => number>();
  private readonly eventBuffers = new Set<() => number>();
  private readonly overflows: Record<OutgoingTransport, number> = { 'streamable-http': 0, sse: 0, websocket: 0 };

  constructor(
    private readonly server: string,
    readonly limitBytes: number,
    private readonly logger: Logger,
  ) {}

  /** A stream's queued bytes, read when stats() is asked; call the returned function when it closes. */
  track(queuedBytes: () => number): () => void {
    this.waiting.add(queuedBytes);
    return () => this.waiting.delete(queuedBytes);
  }

  /** A session's resumption buffer, read when stats() is asked; call the returned function when it closes. */
  trackEventBuffer(bytes: () => number): () => void {
    this.eventBuffers.add(bytes);
    return () => this.eventBuffers.delete(bytes);
  }

  /** True when a stream with `queuedBytes` still unsent must take no more. */
  isOverLimit(queuedBytes: number): boolean {
    return queuedBytes > this.limitBytes;
  }

  /** Counts and logs a stream closed because its client did not read; the caller closes it. */
  overflowed(report: OverflowReport): void {
    this.overflows[report.transport] += 1;
    this.logger.warn(`a client stopped reading: its ${report.stream} held more than limits.streamBufferBytes (${this.limitBytes} bytes) unsent; closed it, ${report.outcome}`, {
      server: this.server,
      transport: report.transport,
      session: report.session === undefined ? '(stateless)' : shortId(report.session),
      bufferedBytes: report.bufferedBytes,
      limitBytes: this.limitBytes,
    });
  }

  stats(): OutgoingStreamStats {
    return {
      server: this.server,
      limitBytes: this.limitBytes,
      bufferedBytes: sum(this.waiting),
      eventBufferBytes: sum(this.eventBuffers),
      overflows: { ...this.overflows },
    };
  }
}

function sum(probes: Set<() => number>): number {
  let total = 0;
  for (const probe of probes) total += probe();
  return total;
}
