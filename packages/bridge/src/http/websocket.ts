import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { describeError, rawRefusal, type HttpRefusal } from './errors.js';
import { shortId, type ServerContext } from './server-context.js';
import type { SessionLease } from './session-limit.js';
import { SessionRegistry } from './session-registry.js';
import { linkTransport, type UpstreamLink } from './upstream-link.js';
import { WebSocketServerTransport } from './websocket-transport.js';

/** A socket that answered no ping within this long is dead (a vanished laptop, a dropped tunnel). */
const KEEPALIVE_MS = 30_000;
/** Close code 1011: the server cannot serve this connection. */
const CLOSE_UNAVAILABLE = 1011;

/** The `mcp` subprotocol is what the SDK's WebSocketClientTransport asks for. */
export const MCP_SUBPROTOCOL = 'mcp';

/**
 * MCP over WebSocket for one server: the shared WebSocketServer (noServer) finishes the
 * handshake, each socket gets a WebSocketServerTransport joined to an upstream session.
 */
export class WebSocketEndpoint {
  private readonly sessions = new SessionRegistry<{ close(): Promise<void> }>();

  constructor(
    private readonly server: ServerContext,
    private readonly wss: WebSocketServer,
  ) {}

  /** Host, Origin and API key were checked by the caller. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const lease = this.server.limit.tryAcquire();
    if (!lease) {
      refuseRawSocket(socket, this.server.limit.refusal());
      return;
    }
    let accepted = false;
    socket.once('close', () => {
      // The handshake never completed (bad key, client gone): the lease is not held by a session.
      if (!accepted) lease.release();
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      accepted = true;
      this.accept(ws, lease);
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  closeAll(): Promise<void> {
    return this.sessions.closeAll();
  }

  private accept(ws: WebSocket, lease: SessionLease): void {
    const id = randomUUID();
    const outgoing = this.server.outgoing;
    // Before each frame: a socket whose client stopped reading is terminated (a close frame would queue behind the rest), which ends the session.
    const admit = (queuedBytes: number): boolean => {
      if (!outgoing.isOverLimit(queuedBytes)) return true;
      outgoing.overflowed({ transport: 'websocket', session: id, stream: 'WebSocket', bufferedBytes: queuedBytes, outcome: 'the session ended' });
      ws.terminate();
      return false;
    };
    const transport = new WebSocketServerTransport(ws, admit);
    const untrack = outgoing.track(() => ws.bufferedAmount);
    let link: UpstreamLink;
    let keepalive: NodeJS.Timeout | undefined;
    try {
      link = linkTransport({
        upstream: this.server.upstream,
        transport,
        label: `websocket ${shortId(id)}`,
        stateless: false,
        logger: this.server.logger,
        onClosed: () => {
          clearInterval(keepalive);
          untrack();
          this.sessions.delete(id);
          lease.release();
          this.server.logger.info('session closed', { server: this.server.name, transport: 'websocket', session: shortId(id) });
        },
      });
    } catch (error) {
      untrack();
      lease.release();
      ws.close(CLOSE_UNAVAILABLE, `server "${this.server.name}" cannot open a session: ${describeError(error)}`.slice(0, 120));
      return;
    }
    this.sessions.add(id, link);
    keepalive = startKeepalive(ws);
    void transport.start();
    this.server.logger.info('session opened', { server: this.server.name, transport: 'websocket', session: shortId(id) });
  }
}

/** Ping every interval; a socket that did not pong since the last ping is terminated. */
function startKeepalive(ws: WebSocket): NodeJS.Timeout {
  let alive = true;
  ws.on('pong', () => {
    alive = true;
  });
  const timer = setInterval(() => {
    if (!alive) {
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
  }, KEEPALIVE_MS);
  timer.unref();
  return timer;
}

/** Upgrade requests have no ServerResponse: the refusal is written on the socket, which then closes. */
export function refuseRawSocket(socket: Duplex, refusal: HttpRefusal): void {
  socket.on('error', () => undefined);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawRefusal(refusal), () => socket.destroy());
}
