import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/**
 * Events kept for Last-Event-ID resumption of one Streamable HTTP session.
 *
 * Written by hand because the SDK's example store keeps every event forever: here each
 * stream keeps at most `eventsPerStream` (oldest evicted first), the session keeps at most
 * `maxStreams` streams (least recently written evicted first) and at most `maxBytes` of
 * events in all (the least recently written stream loses its oldest events first, and a
 * stream left with none is forgotten; the newest event is always kept), and the owner calls
 * clear() when the session closes. An event's bytes are its JSON text's approximate length
 * (approximateJsonBytes: no serialization per event). Event ids are "<streamId>_<sequence>"
 * so the stream of an id is known without a lookup table that would outlive evictions.
 */

interface StoredEvent {
  seq: number;
  message: JSONRPCMessage;
  bytes: number;
}

interface StoredStream {
  events: StoredEvent[];
  /** Sequence number of the newest event evicted from this stream (0: none). */
  evictedThrough: number;
}

export interface BoundedEventStoreOptions {
  eventsPerStream: number;
  /** Bytes of events kept across the session's streams. Default: no bound in bytes. */
  maxBytes?: number;
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
  private bytesKept = 0;
  private readonly eventsPerStream: number;
  private readonly maxStreams: number;
  private readonly maxBytes: number;

  constructor(private readonly options: BoundedEventStoreOptions) {
    this.eventsPerStream = options.eventsPerStream;
    this.maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const seq = ++this.sequence;
    const stream = this.streams.get(streamId) ?? { events: [], evictedThrough: 0 };
    this.streams.delete(streamId);
    this.streams.set(streamId, stream);
    const bytes = approximateJsonBytes(message);
    stream.events.push({ seq, message, bytes });
    this.bytesKept += bytes;
    if (stream.events.length > this.eventsPerStream) {
      const evicted = stream.events.splice(0, stream.events.length - this.eventsPerStream);
      for (const event of evicted) this.bytesKept -= event.bytes;
      stream.evictedThrough = evicted[evicted.length - 1]!.seq;
    }
    this.evictStaleStreams();
    this.evictForBytes(streamId);
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
    if (streamId === undefined) {
      this.streams.clear();
      this.bytesKept = 0;
    } else {
      this.forget(streamId);
    }
  }

  /** For tests and metrics: events currently kept for a stream. */
  size(streamId: StreamId): number {
    return this.streams.get(streamId)?.events.length ?? 0;
  }

  /** For metrics: the approximate bytes of every event kept. */
  get bytes(): number {
    return this.bytesKept;
  }

  private evictStaleStreams(): void {
    while (this.streams.size > this.maxStreams) {
      this.forget(this.streams.keys().next().value as StreamId);
    }
  }

  /** Oldest events of the least recently written streams first; `current` (just written) keeps its newest event. */
  private evictForBytes(current: StreamId): void {
    while (this.bytesKept > this.maxBytes) {
      const [streamId, stream] = this.streams.entries().next().value as [StreamId, StoredStream];
      // Map order is recency: the stalest stream is `current` only when it is the only one.
      if (streamId === current && stream.events.length <= 1) return;
      const evicted = stream.events.shift()!;
      this.bytesKept -= evicted.bytes;
      stream.evictedThrough = evicted.seq;
      // A resume of a stream with nothing left is refused (unknown event id) rather than left waiting.
      if (stream.events.length === 0) this.streams.delete(streamId);
    }
  }

  private forget(streamId: StreamId): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    for (const event of stream.events) this.bytesKept -= event.bytes;
    this.streams.delete(streamId);
  }
}

/**
 * About the length of `value`'s JSON text, without making it: strings count their length and
 * quotes, keys their length and punctuation, other values a few bytes. Iterative (a message
 * nested thousands deep must not overflow the stack) and linear in the number of values, not
 * in the size of its strings. Characters outside ASCII and escapes make the real text longer.
 */
export function approximateJsonBytes(value: unknown): number {
  let bytes = 0;
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      bytes += item.length + 2;
    } else if (item === null || typeof item !== 'object') {
      bytes += 6;
    } else if (!seen.has(item)) {
      seen.add(item);
      if (Array.isArray(item)) {
        bytes += 2 + item.length;
        for (const element of item) pending.push(element);
      } else {
        bytes += 2;
        for (const key in item) {
          if (!Object.prototype.hasOwnProperty.call(item, key)) continue;
          bytes += key.length + 4;
          pending.push((item as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return bytes;
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
