import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/**
 * Events kept for Last-Event-ID resumption of one Streamable HTTP session.
 *
 * Written by hand because the SDK's example store keeps every event forever: here each
 * stream keeps at most `eventsPerStream` (oldest evicted first), the session keeps at most
 * `maxStreams` streams (least recently written evicted first), and the owner calls clear()
 * when the session closes. Event ids are "<streamId>_<sequence>" so the stream of an id is
 * known without a lookup table that would outlive evictions.
 */

interface StoredEvent {
  seq: number;
  message: JSONRPCMessage;
}

interface StoredStream {
  events: StoredEvent[];
  /** Sequence number of the newest event evicted from this stream (0: none). */
  evictedThrough: number;
}

export interface BoundedEventStoreOptions {
  eventsPerStream: number;
  /** Default 100: a long session opens a stream per POST; old finished ones go first. */
  maxStreams?: number;
  /** Called when a replay starts after events that were already evicted (they are lost). */
  onGap?: (streamId: StreamId, lastEventId: EventId) => void;
}

const DEFAULT_MAX_STREAMS = 100;

export class BoundedEventStore implements EventStore {
  /** Map order is recency of writes: re-inserted on every store, so the first key is the stalest stream. */
  private readonly streams = new Map<StreamId, StoredStream>();
  private sequence = 0;
  private readonly eventsPerStream: number;
  private readonly maxStreams: number;

  constructor(private readonly options: BoundedEventStoreOptions) {
    this.eventsPerStream = options.eventsPerStream;
    this.maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const seq = ++this.sequence;
    const stream = this.streams.get(streamId) ?? { events: [], evictedThrough: 0 };
    this.streams.delete(streamId);
    this.streams.set(streamId, stream);
    stream.events.push({ seq, message });
    if (stream.events.length > this.eventsPerStream) {
      const evicted = stream.events.splice(0, stream.events.length - this.eventsPerStream);
      stream.evictedThrough = evicted[evicted.length - 1]!.seq;
    }
    this.evictStaleStreams();
    return formatEventId(streamId, seq);
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    const parsed = parseEventId(eventId);
    return parsed && this.streams.has(parsed.streamId) ? parsed.streamId : undefined;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const parsed = parseEventId(lastEventId);
    const stream = parsed ? this.streams.get(parsed.streamId) : undefined;
    if (!parsed || !stream) throw new Error(`unknown event id ${JSON.stringify(lastEventId)}: its stream is gone (session closed or evicted)`);
    if (stream.evictedThrough > parsed.seq) this.options.onGap?.(parsed.streamId, lastEventId);
    // Snapshot: sending may interleave with new stores on the same stream.
    for (const event of stream.events.filter((e) => e.seq > parsed.seq)) {
      if (isPrimingEvent(event.message)) continue;
      await send(formatEventId(parsed.streamId, event.seq), event.message);
    }
    return parsed.streamId;
  }

  /** Forget one stream, or every stream (the session closed). */
  clear(streamId?: StreamId): void {
    if (streamId === undefined) this.streams.clear();
    else this.streams.delete(streamId);
  }

  /** For tests and metrics: events currently kept for a stream. */
  size(streamId: StreamId): number {
    return this.streams.get(streamId)?.events.length ?? 0;
  }

  private evictStaleStreams(): void {
    while (this.streams.size > this.maxStreams) {
      const stalest = this.streams.keys().next().value as StreamId;
      this.streams.delete(stalest);
    }
  }
}

function formatEventId(streamId: StreamId, seq: number): EventId {
  return `${streamId}_${seq}`;
}

function parseEventId(eventId: EventId): { streamId: StreamId; seq: number } | undefined {
  const cut = eventId.lastIndexOf('_');
  if (cut <= 0) return undefined;
  const seq = Number(eventId.slice(cut + 1));
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { streamId: eventId.slice(0, cut), seq };
}

/**
 * The SDK stores an empty object as a "priming" event (an id with empty data, protocol
 * 2025-11-25) so a client holds a cursor before the first real message. It is a marker,
 * not a JSON-RPC message: it stays stored as a resume point but is never replayed.
 */
function isPrimingEvent(message: JSONRPCMessage): boolean {
  return Object.keys(message).length === 0;
}
