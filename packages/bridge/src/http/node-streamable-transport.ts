import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  WebStandardStreamableHTTPServerTransport,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { OutgoingStreams } from './outgoing-streams.js';
import { isPrimingEvent, type PendingAnswer, PendingAnswers, QUICK_ANSWER_WINDOW_MS, soleMessageOf, SSE_RETRY_MS } from './quick-answer.js';

/**
 * The SDK's own Streamable HTTP transport (all of the protocol: sessions, SSE, resumption,
 * version checks), served to Node's http by hand instead of through @hono/node-server.
 *
 * Why: hono's response writer, seeing a streamed body whose first chunk is not followed at
 * once by a second, waits on a timer before it writes even the headers. At protocol 2025-11-25
 * every POST answer opens with an SSE priming event, so that timer added over 1 ms to every
 * call (docs/performance.md). Here a stream's chunks are written as they come, a JSON answer is
 * sent whole with its Content-Length, and a POST answered at once goes back as one SSE body in
 * one write (quick-answer.ts says why and how long it waits).
 *
 * The SDK enqueues each event into the stream's ReadableStream at once, with no backpressure.
 * So the stream is read as fast as it fills and every event written to the socket at once:
 * what a slow client has not taken waits in the socket's queue, where it can be measured, and
 * a stream whose queue is past limits.streamBufferBytes is closed (outgoing-streams.ts). The
 * client can resume it with Last-Event-ID from the session's (bounded) event store.
 */
export class NodeStreamableTransport implements Transport {
  private readonly web: WebStandardStreamableHTTPServerTransport;
  private readonly pendingAnswers = new PendingAnswers();

  constructor(
    options: WebStandardStreamableHTTPServerTransportOptions,
    private readonly outgoing: OutgoingBound,
  ) {
    this.web = new WebStandardStreamableHTTPServerTransport({ retryInterval: SSE_RETRY_MS, ...options });
  }

  get sessionId(): string | undefined {
    return this.web.sessionId;
  }
  set onclose(handler: (() => void) | undefined) {
    this.web.onclose = handler;
  }
  get onclose(): (() => void) | undefined {
    return this.web.onclose;
  }
  set onerror(handler: ((error: Error) => void) | undefined) {
    this.web.onerror = handler;
  }
  get onerror(): ((error: Error) => void) | undefined {
    return this.web.onerror;
  }
  set onmessage(handler: Transport['onmessage']) {
    this.web.onmessage = handler;
  }
  get onmessage(): Transport['onmessage'] {
    return this.web.onmessage;
  }

  start(): Promise<void> {
    return this.web.start();
  }
  close(): Promise<void> {
    return this.web.close();
  }
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    // A structural test, not the SDK's zod guards: this runs for every answer, 5 MB ones included.
    if ('id' in message && ('result' in message || 'error' in message)) this.pendingAnswers.markAnswered(message.id as RequestId);
    return this.web.send(message, options);
  }

  /** Serves one HTTP request; `parsedBody` is the POST body the bridge already read and parsed. */
  async handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    const pending = req.method === 'POST' ? this.pendingAnswers.watch(parsedBody, req.headers.accept) : undefined;
    try {
      const response = await this.web.handleRequest(toWebRequest(req), { parsedBody });
      await writeWebResponse(response, res, pending, { ...this.outgoing, stream: `${req.method ?? 'GET'} stream` });
    } finally {
      if (pending) this.pendingAnswers.release(pending);
    }
  }
}

/** The bound on this transport's streams, and whose streams they are (for the log). */
export interface OutgoingBound {
  streams: OutgoingStreams;
  /** The session's id; undefined for a stateless transport. */
  session: string | undefined;
}

interface StreamBound extends OutgoingBound {
  /** "GET stream", "POST stream". */
  stream: string;
}

function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  // The body was read (with the bridge's own limit) and parsed already: it travels as parsedBody.
  return new Request(url, { method: req.method, headers });
}

async function writeWebResponse(response: Response, res: ServerResponse, pending: PendingAnswer | undefined, bound: StreamBound): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const streaming = (headers['content-type'] ?? '').startsWith('text/event-stream');
  if (!response.body || !streaming) {
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
    if (body) headers['content-length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  await writeEventStream(response.body, response.status, headers, res, pending, bound);
}

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/**
 * Copies an SSE body to the socket, bounded by limits.streamBufferBytes; a client that goes
 * away cancels the stream. A POST of one request first holds its stream (quick-answer.ts): if
 * the stream ends within the window, headers and every event go out as one write.
 */
async function writeEventStream(
  body: ReadableStream<Uint8Array>,
  status: number,
  headers: Record<string, string>,
  res: ServerResponse,
  pending: PendingAnswer | undefined,
  bound: StreamBound,
): Promise<void> {
  const reader = body.getReader();
  let finished = false;
  const cancelOnClose = (): void => {
    if (!finished) void reader.cancel().catch(() => undefined);
  };
  res.once('close', cancelOnClose);
  const untrack = bound.streams.track(() => (res.destroyed ? 0 : res.writableLength));
  let ended = false;
  try {
    const held = pending ? await holdForQuickAnswer(reader, pending) : { chunks: [], done: false };
    if (res.destroyed) return;
    ended = held.done;
    if (held.done) return sendWholeStream(res, status, headers, held.chunks, pending?.jsonPreferred === true);
    res.writeHead(status, headers);
    res.flushHeaders();
    for (const chunk of held.chunks) res.write(chunk);
    ended = await pipeRest(reader, res, held.next, bound);
    if (!res.destroyed) res.end();
  } catch {
    res.destroy();
  } finally {
    finished = true;
    res.off('close', cancelOnClose);
    untrack();
    // The SDK forgets a stream only when it is cancelled: one left uncancelled (the socket
    // destroyed before its 'close' was heard, an overflow) would keep its slot (a new GET
    // gets 409) and go on filling a queue nothing reads.
    if (!ended) void reader.cancel().catch(() => undefined);
  }
}

interface Held {
  /** What was read, in order. */
  chunks: Uint8Array[];
  /** The stream ended within the window: `chunks` is all of it. */
  done: boolean;
  /** A read still under way when the hold ended: its chunk comes next. */
  next?: Promise<ReadResult>;
}

/**
 * Reads the POST stream for up to QUICK_ANSWER_WINDOW_MS, until it ends (send it whole) or an
 * event that is not the answer arrives (the client wants it now: stop holding).
 */
async function holdForQuickAnswer(reader: ReadableStreamDefaultReader<Uint8Array>, pending: PendingAnswer): Promise<Held> {
  const chunks: Uint8Array[] = [];
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), QUICK_ANSWER_WINDOW_MS);
  });
  try {
    for (;;) {
      const next = reader.read();
      const result = await Promise.race([next, expired]);
      if (result === 'expired') return { chunks, done: false, next };
      if (result.done) return { chunks, done: true };
      chunks.push(result.value);
      // A notification or a request of the server's before the answer: write the stream out now.
      if (!pending.answered && !isPrimingEvent(result.value)) return { chunks, done: false };
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The whole SSE stream in one write: its length is known, so no chunked framing either. A
 * client that prefers JSON (prefersJson) gets the answer as a JSON body instead.
 */
function sendWholeStream(res: ServerResponse, status: number, headers: Record<string, string>, chunks: Uint8Array[], asJson: boolean): void {
  const json = asJson ? soleMessageOf(chunks) : null;
  const body = json ?? Buffer.concat(chunks);
  const contentType = json ? { 'content-type': 'application/json' } : {};
  res.writeHead(status, { ...headers, ...contentType, 'content-length': String(body.length) });
  res.end(body);
}

/**
 * Writes every chunk as soon as the SDK enqueues it. Waiting for 'drain' instead would only
 * move the backlog into the ReadableStream's queue, which nothing bounds or measures. True when
 * the stream ended, false when the socket went first; throws StreamOverflow when the socket's
 * queue is past the limit before a chunk.
 */
async function pipeRest(reader: ReadableStreamDefaultReader<Uint8Array>, res: ServerResponse, first: Promise<ReadResult> | undefined, bound: StreamBound): Promise<boolean> {
  for (let next = first ?? reader.read(); ; next = reader.read()) {
    const { done, value } = await next;
    if (done) return true;
    if (res.destroyed) return false;
    const queued = res.writableLength;
    if (bound.streams.isOverLimit(queued)) {
      bound.streams.overflowed({
        transport: 'streamable-http',
        session: bound.session,
        stream: bound.stream,
        bufferedBytes: queued,
        outcome: bound.session === undefined ? 'a stateless stream cannot be resumed' : 'the client can resume it (Last-Event-ID) from the session\'s event buffer',
      });
      throw new StreamOverflow();
    }
    res.write(value);
  }
}

class StreamOverflow extends Error {
  constructor() {
    super('the client stopped reading: limits.streamBufferBytes exceeded');
  }
}
