import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeStreamableTransport } from './node-streamable-transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { describeError, ErrorCode, refusal, sendRefusal, type HttpRefusal } from './errors.js';
import { validateMessages } from './json-rpc-validation.js';
import { shortId, type ServerContext } from './server-context.js';
import { SessionRegistry } from './session-registry.js';
import { StreamableSession } from './streamable-session.js';
import { linkTransport, type UpstreamLink } from './upstream-link.js';

/**
 * MCP Streamable HTTP (2025-03-26, 2025-06-18, 2025-11-25) for one server. The SDK's
 * transport does the protocol; this class decides which transport instance a request
 * belongs to: a session's (stateful) or a fresh one per POST (stateless).
 */
export class StreamableHttpEndpoint {
  private readonly sessions = new SessionRegistry<StreamableSession>();
  /** Stateless POSTs still being answered: ended too when the bridge closes. */
  private readonly inFlight = new Set<UpstreamLink>();

  constructor(private readonly server: ServerContext) {}

  /** `body` is the parsed JSON of a POST (already size-limited), undefined otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    // JSON that is no JSON-RPC message is an Invalid Request (-32600), as JSON-RPC 2.0 says
    // and the other transports answer; the SDK's transport would call it a parse error (-32700).
    if (req.method === 'POST') {
      const checked = validateMessages(body);
      if (!checked.ok) return sendRefusal(res, refusal(400, ErrorCode.InvalidRequest, checked.message));
    }
    if (this.server.upstream.mode === 'stateless') {
      await this.handleStateless(req, res, body);
    } else {
      await this.handleStateful(req, res, body);
    }
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    const transient = [...this.inFlight].map((link) => link.close());
    await Promise.allSettled([this.sessions.closeAll(), ...transient]);
  }

  private async handleStateful(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (!['GET', 'POST', 'DELETE'].includes(req.method ?? '')) return sendRefusal(res, methodNotAllowed('GET, POST, DELETE'));
    const sessionId = singleHeader(req, 'mcp-session-id');
    if (sessionId === undefined) {
      if (req.method === 'POST' && containsInitialize(body)) return this.openSession(req, res, body);
      return sendRefusal(res, missingSessionId());
    }
    const session = this.sessions.get(sessionId);
    if (!session) return sendRefusal(res, sessionNotFound(sessionId));
    await session.handle(req, res, body);
  }

  private async openSession(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const lease = this.server.limit.tryAcquire();
    if (!lease) return sendRefusal(res, this.server.limit.refusal());
    let session: StreamableSession;
    try {
      session = new StreamableSession(this.server, lease, {
        onInitialized: (s) => {
          this.sessions.add(s.id, s);
          this.server.logger.info('session opened', { server: this.server.name, transport: 'streamable-http', session: shortId(s.id) });
        },
        onClosed: (s) => {
          this.sessions.delete(s.id);
          this.server.logger.info('session closed', { server: this.server.name, transport: 'streamable-http', session: shortId(s.id) });
        },
      });
    } catch (error) {
      lease.release();
      return sendRefusal(res, cannotOpenSession(this.server.name, error));
    }
    await session.handle(req, res, body);
    // The SDK refused the initialize (Accept, Content-Type, a malformed message): nothing to keep.
    if (!session.initialized) await session.close();
  }

  /**
   * Stateless: a new SDK transport per POST, so two clients using the same JSON-RPC ids
   * never meet inside one transport, and a transient upstream session that ends with the response.
   */
  private async handleStateless(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (req.method !== 'POST') return sendRefusal(res, methodNotAllowed('POST', 'this server is stateless: only POST is served, there is no session to stream or delete'));
    const lease = this.server.limit.tryAcquire();
    if (!lease) return sendRefusal(res, this.server.limit.refusal());
    const transport = new NodeStreamableTransport({ sessionIdGenerator: undefined }, { streams: this.server.outgoing, session: undefined });
    let link: UpstreamLink;
    try {
      link = linkTransport({
        upstream: this.server.upstream,
        transport,
        label: 'streamable-http (stateless)',
        stateless: true,
        logger: this.server.logger,
        onClosed: () => {
          this.inFlight.delete(link);
          lease.release();
        },
      });
    } catch (error) {
      lease.release();
      return sendRefusal(res, cannotOpenSession(this.server.name, error));
    }
    this.inFlight.add(link);
    res.once('close', () => void link.close());
    await transport.handleRequest(req, res, body);
  }
}

function containsInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function methodNotAllowed(allow: string, why?: string): HttpRefusal {
  return refusal(405, ErrorCode.TransportRefused, `Method not allowed.${why ? ` ${why}` : ''}`, { Allow: allow });
}

function missingSessionId(): HttpRefusal {
  return refusal(400, ErrorCode.TransportRefused, 'Bad Request: Mcp-Session-Id header is required; send an initialize request first and use the session id it returns');
}

function sessionNotFound(sessionId: string): HttpRefusal {
  return refusal(404, ErrorCode.SessionNotFound, `Session not found: ${JSON.stringify(shortId(sessionId))} is not open (ended, expired or from an earlier run); initialize a new session`);
}

function cannotOpenSession(server: string, error: unknown): HttpRefusal {
  return refusal(503, ErrorCode.TransportRefused, `Service Unavailable: server "${server}" cannot open a session: ${describeError(error)}`, { 'Retry-After': '5' });
}
