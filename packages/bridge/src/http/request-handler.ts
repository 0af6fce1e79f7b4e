import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeConfig } from './config.js';
import { claimsModernEnvelope, handleModernRequest, isModernRequest } from './modern/index.js';
import { drainAfterRefusal, isJsonContentType, readJsonBody, unsupportedMediaType } from './body.js';
import { describeError, ErrorCode, jsonRpcErrorBody, refusal, sendRefusal, unknownServer, type HttpRefusal } from './errors.js';
import { depthRefusal } from './json-rpc-validation.js';
import { requestPath, type BridgeFront } from './front.js';
import { answerHealthz, answerPlainOk, answerReadyz } from './health.js';
import type { Route } from './router.js';
import { checkApiKey, checkHostAndOrigin, type RequestGuard } from './security.js';
import type { ServerEndpoints } from './server-endpoints.js';

type ServerRoute = Extract<Route, { server: string }>;
type BodyOutcome = { ok: true; value: unknown } | { ok: false };

/**
 * The HTTP request pipeline, in this order: Host/Origin checks, CORS, health endpoints,
 * API key, routing, body (size limit, JSON), then the transport endpoint. Every failure is
 * a JSON-RPC error that names the problem; nothing here may crash the process.
 */
/** What differs between ways in (the loopback listener, the tunnel listener). */
export interface IngressProfile {
  name: string;
  healthz: 'liveness' | 'readiness';
}

export class RequestHandler {
  constructor(private readonly front: BridgeFront) {}

  handle(req: IncomingMessage, res: ServerResponse, guard: RequestGuard, ingress: IngressProfile): void {
    const startedAt = Date.now();
    res.once('finish', () => {
      this.front.config.logger.debug('http request', { ingress: ingress.name, method: req.method, path: requestPath(req.url).pathname, status: res.statusCode, ms: Date.now() - startedAt });
    });
    this.serve(req, res, guard, ingress).catch((error: unknown) => this.fail(req, res, error));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, guard: RequestGuard, ingress: IngressProfile): Promise<void> {
    const early = checkHostAndOrigin(req, guard);
    if (early) return this.refuse(req, res, early);
    if (this.front.cors) {
      this.front.cors.apply(req, res);
      if (this.front.cors.answerPreflight(req, res)) return;
    }
    const { pathname, searchParams } = requestPath(req.url);
    const route = this.front.router.route(pathname);
    if (route.kind === 'healthz') return ingress.healthz === 'readiness' ? answerReadyz(res, this.front.readiness) : answerHealthz(res);
    if (route.kind === 'readyz') return answerReadyz(res, this.front.readiness);
    if (route.kind === 'health-ok') return answerPlainOk(res);
    const unauthorized = checkApiKey(req, guard);
    if (unauthorized) return this.refuse(req, res, unauthorized);
    if (this.front.isClosing()) return this.refuse(req, res, refusal(503, ErrorCode.TransportRefused, 'Service Unavailable: the bridge is shutting down', { 'Retry-After': '5' }));
    if (route.kind === 'unknown-server') return this.refuse(req, res, unknownServer(route.name));
    if (route.kind === 'not-found') return this.refuse(req, res, notFound(pathname, this.front.config));
    await this.serveTransport(req, res, route, searchParams);
  }

  /**
   * The server is looked up where it is used, after the body is read: servers change at
   * runtime (bridge.addServer/replaceServer/removeServer), so a request whose server was
   * replaced while its body arrived goes to the new one, and one whose server was removed is
   * answered as for an unknown server, never by the closed one.
   */
  private async serveTransport(req: IncomingMessage, res: ServerResponse, route: ServerRoute, query: URLSearchParams): Promise<void> {
    switch (route.kind) {
      case 'streamable-http':
        return this.serveStreamable(req, res, route);
      case 'sse': {
        if (req.method !== 'GET') return this.refuse(req, res, methodNotAllowed('GET'));
        const server = this.serverOf(req, res, route);
        if (server) await server.sse.openStream(req, res, this.front.router.messageEndpoint(route.server, route.layout));
        return;
      }
      case 'message': {
        if (req.method !== 'POST') return this.refuse(req, res, methodNotAllowed('POST'));
        const body = await this.readBody(req, res);
        const server = body.ok ? this.serverOf(req, res, route) : undefined;
        if (body.ok && server) await server.sse.postMessage(req, res, body.value, query.get('sessionId'));
        return;
      }
      case 'ws':
        return this.refuse(req, res, refusal(426, ErrorCode.TransportRefused, 'Upgrade Required: this path speaks MCP over WebSocket; connect with a WebSocket client (subprotocol "mcp")', { Upgrade: 'websocket' }));
    }
  }

  private async serveStreamable(req: IncomingMessage, res: ServerResponse, route: ServerRoute): Promise<void> {
    let body: unknown;
    if (req.method === 'POST') {
      const read = await this.readBody(req, res);
      if (!read.ok) return;
      body = read.value;
    }
    const server = this.serverOf(req, res, route);
    if (!server) return;
    // A body in the 2026-07-28 envelope without its header still goes there, to be told exactly that.
    if (isModernRequest(req) || (req.method === 'POST' && claimsModernEnvelope(body))) {
      await handleModernRequest(req, res, { state: server.context.modern, body, logger: this.front.config.logger });
      return;
    }
    await server.streamable.handle(req, res, body);
  }

  /** The route's server as served now; undefined (and the client answered) when it was removed since the request was routed. */
  private serverOf(req: IncomingMessage, res: ServerResponse, route: ServerRoute): ServerEndpoints | undefined {
    const server = this.front.servers.get(route.server);
    if (!server) this.refuse(req, res, unknownServer(route.server));
    return server;
  }

  /** Content type, size limit, JSON, nesting depth: on failure the client has its answer and the caller stops. */
  private async readBody(req: IncomingMessage, res: ServerResponse): Promise<BodyOutcome> {
    const contentType = req.headers['content-type'];
    if (!isJsonContentType(contentType)) {
      this.refuse(req, res, unsupportedMediaType(contentType));
      return { ok: false };
    }
    const result = await readJsonBody(req, this.front.config.maxBodyBytes);
    if (result.ok) {
      // Refused here, before any transport, era or upstream walks it (see MAX_MESSAGE_DEPTH).
      const tooDeep = depthRefusal(result.value);
      if (!tooDeep) return result;
      this.refuse(req, res, { ...refusal(400, ErrorCode.InvalidRequest, tooDeep.message), ...(tooDeep.id === undefined ? {} : { id: tooDeep.id }) });
      return { ok: false };
    }
    if (result.tooLarge) this.front.config.logger.warn('request body over the limit refused', { path: requestPath(req.url).pathname, limit: this.front.config.maxBodyBytes });
    this.refuse(req, res, result.refusal);
    return { ok: false };
  }

  /** Answers a refusal; a body still on its way is drained, within bounds (see drainAfterRefusal). */
  private refuse(req: IncomingMessage, res: ServerResponse, answer: HttpRefusal): void {
    sendRefusal(res, answer);
    drainAfterRefusal(req);
  }

  private fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    this.front.config.logger.error('request handler failed', { method: req.method, path: requestPath(req.url).pathname, reason: describeError(error) });
    try {
      if (!res.headersSent) {
        const body = jsonRpcErrorBody(ErrorCode.InternalError, 'Internal error in the bridge; the details are in its log');
        res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
      } else {
        res.end();
      }
    } catch {
      res.destroy();
    }
  }
}

function methodNotAllowed(allow: string): HttpRefusal {
  return refusal(405, ErrorCode.TransportRefused, `Method not allowed. This path accepts ${allow}.`, { Allow: allow });
}

/** Names only the transports that are on: pointing a client at a switched-off one helps nobody. */
function notFound(pathname: string, config: BridgeConfig): HttpRefusal {
  const shown = JSON.stringify(pathname.slice(0, 200));
  const { paths, transports } = config;
  const served = [
    ...(transports.streamableHttp ? [{ text: `${paths.streamableHttp} (Streamable HTTP)`, segment: 'mcp' }] : []),
    ...(transports.sse ? [{ text: `${paths.sse} and ${paths.message} (legacy SSE)`, segment: 'sse,message' }] : []),
    ...(transports.ws ? [{ text: `${paths.ws} (WebSocket)`, segment: 'ws' }] : []),
  ];
  const segments = served.map((entry) => entry.segment).join(',');
  return refusal(
    404,
    ErrorCode.MethodNotFound,
    `Not found: nothing is served at ${shown}; MCP lives at ${served.map((entry) => entry.text).join(', ')} or /servers/<name>/{${segments}}`,
  );
}
