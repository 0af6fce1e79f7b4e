import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describeError, ErrorCode, refusal, sendRefusal } from './errors.js';
import { validateMessages } from './json-rpc-validation.js';
import type { OutgoingStreams } from './outgoing-streams.js';
import { shortId, type ServerContext } from './server-context.js';
import { SessionRegistry } from './session-registry.js';
import { linkTransport, type UpstreamLink } from './upstream-link.js';

/** SSE comment frames keep idle proxies and tunnels from cutting a quiet stream. */
const KEEPALIVE_MS = 15_000;

interface LegacySseSession {
  transport: SSEServerTransport;
  link: UpstreamLink;
  close(): Promise<void>;
}

/**
 * Legacy HTTP+SSE (protocol 2024-11-05) for one server, through the SDK's (deprecated but
 * correct) SSEServerTransport: GET opens the stream and names the message URL, POSTs carry
 * the client's messages. The session lives exactly as long as the stream.
 */
export class LegacySseEndpoint {
  private readonly sessions = new SessionRegistry<LegacySseSession>();

  constructor(private readonly server: ServerContext) {}

  /** GET on the SSE path. `messageEndpoint` is what the `endpoint` event tells the client to POST to. */
  async openStream(req: IncomingMessage, res: ServerResponse, messageEndpoint: string): Promise<void> {
    const lease = this.server.limit.tryAcquire();
    if (!lease) return sendRefusal(res, this.server.limit.refusal());
    const outgoing = this.server.outgoing;
    let link: UpstreamLink | undefined;
    let overflowed = false;
    // Before each write: a stream whose client stopped reading ends its session (2024-11-05 cannot resume).
    const admit = (): boolean => {
      if (overflowed) return false;
      if (!outgoing.isOverLimit(res.writableLength)) return true;
      overflowed = true;
      outgoing.overflowed({ transport: 'sse', session: id, stream: 'SSE stream', bufferedBytes: res.writableLength, outcome: 'the session ended (legacy SSE cannot resume)' });
      res.destroy();
      void link?.close();
      return false;
    };
    const transport = new BoundedSseTransport(messageEndpoint, res, admit);
    const id = transport.sessionId;
    let keepalive: NodeJS.Timeout | undefined;
    const untrack = outgoing.track(() => (res.destroyed ? 0 : res.writableLength));
    try {
      link = linkTransport({
        upstream: this.server.upstream,
        transport,
        label: `sse ${shortId(id)}`,
        stateless: false,
        logger: this.server.logger,
        onClosed: () => {
          clearInterval(keepalive);
          untrack();
          this.sessions.delete(id);
          lease.release();
          this.server.logger.info('session closed', { server: this.server.name, transport: 'sse', session: shortId(id) });
        },
      });
    } catch (error) {
      untrack();
      lease.release();
      return sendRefusal(res, refusal(503, ErrorCode.TransportRefused, `Service Unavailable: server "${this.server.name}" cannot open a session: ${describeError(error)}`, { 'Retry-After': '5' }));
    }
    const opened = link;
    this.sessions.add(id, { transport, link: opened, close: () => opened.close() });
    await transport.start();
    // A client that hung up before the stream started never fires the 'close' the transport listens for.
    if (res.destroyed) {
      await opened.close();
      return;
    }
    keepalive = setInterval(() => {
      if (admit()) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    keepalive.unref();
    this.server.logger.info('session opened', { server: this.server.name, transport: 'sse', session: shortId(id) });
  }

  /** POST on the message path: `?sessionId=` names the stream; `body` is already parsed. */
  async postMessage(req: IncomingMessage, res: ServerResponse, body: unknown, sessionId: string | null): Promise<void> {
    if (!sessionId) {
      return sendRefusal(res, refusal(400, ErrorCode.TransportRefused, 'Bad Request: the sessionId query parameter is required; POST to the URL of the "endpoint" event of the SSE stream'));
    }
    const session = this.sessions.get(sessionId);
    if (!session) {
      return sendRefusal(res, refusal(404, ErrorCode.SessionNotFound, `Session not found: no open SSE stream ${JSON.stringify(shortId(sessionId))}; open the SSE stream again`));
    }
    const checked = validateMessages(body);
    if (!checked.ok) return sendRefusal(res, refusal(400, ErrorCode.InvalidRequest, checked.message));
    if (!checked.batch) {
      await session.transport.handlePostMessage(req, res, checked.messages[0]);
      return;
    }
    // The SDK transport takes one message per POST; 2024-11-05 also allowed batches.
    for (const message of checked.messages) await session.transport.handleMessage(message);
    res.writeHead(202).end('Accepted');
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  closeAll(): Promise<void> {
    return this.sessions.closeAll();
  }
}

/** The SDK's SSE transport, asking `admit` before each message (limits.streamBufferBytes). */
class BoundedSseTransport extends SSEServerTransport {
  constructor(
    endpoint: string,
    res: ServerResponse,
    private readonly admit: () => boolean,
  ) {
    super(endpoint, res);
  }

  override async send(message: JSONRPCMessage): Promise<void> {
    if (!this.admit()) throw new Error('the SSE stream was closed: its client stopped reading (limits.streamBufferBytes)');
    return super.send(message);
  }
}
