import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * How long a POST's answer may take and still go back as one JSON body. Past it the status
 * and headers go out and the answer streams as SSE, exactly as before the wait: nothing a
 * client can observe changes except the body's shape, which the spec leaves to the server
 * (Streamable HTTP: "either text/event-stream … or application/json").
 *
 * Why wait at all: a JSON body is one write where SSE is four (headers, the priming event,
 * the answer, the stream's end), and each write is a packet through every hop: WireGuard,
 * a gateway's proxy. docs/performance.md has the measurements. Why only this long: until the
 * headers go out a dropped connection cannot be resumed with Last-Event-ID, and a slow tool
 * gains nothing from the smaller framing.
 */
export const QUICK_ANSWER_WINDOW_MS = 100;

/** One POST that carried exactly one JSON-RPC request, waiting to learn whether its answer came. */
export interface PendingAnswer {
  readonly requestId: RequestId;
  answered: boolean;
}

/**
 * The POSTs waiting for a quick answer, by request id: the transport marks an id when it sends
 * that request's response, which is how the writer knows the one event it holds is the answer
 * and not a notification left on a stream that closed early. Entries live only while their
 * POST's writer runs.
 */
export class PendingAnswers {
  private readonly pending = new Map<RequestId, PendingAnswer>();

  /** Undefined when the body is not exactly one request (a notification, a response, a batch). */
  watch(parsedBody: unknown): PendingAnswer | undefined {
    const requestId = singleRequestId(parsedBody);
    if (requestId === undefined || this.pending.has(requestId)) return undefined;
    const entry: PendingAnswer = { requestId, answered: false };
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

const DATA_FIELD = Buffer.from('\ndata: ');
const EVENT_END = 2; // "\n\n"

/**
 * The JSON text of one SSE event as the SDK's transport writes it ("event: message\nid: …\ndata: <json>\n\n",
 * the JSON on one line because JSON.stringify never emits a newline), without copying it;
 * undefined for anything else, which then simply stays SSE.
 */
export function eventData(chunk: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (!bytes.subarray(0, 15).toString('latin1').startsWith('event: message\n')) return undefined;
  const start = bytes.indexOf(DATA_FIELD);
  if (start < 0 || bytes[bytes.length - 1] !== 0x0a || bytes[bytes.length - 2] !== 0x0a) return undefined;
  const data = bytes.subarray(start + DATA_FIELD.length, bytes.length - EVENT_END);
  return data.length > 0 && data[0] === 0x7b /* { */ ? data : undefined;
}

/** The priming event (protocol 2025-11-25): an id and an empty data field, nothing a client acts on. */
export function isPrimingEvent(chunk: Uint8Array): boolean {
  if (chunk.byteLength > 200) return false;
  const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
  return text.startsWith('id: ') && text.endsWith('data: \n\n') && !text.includes('event:');
}
