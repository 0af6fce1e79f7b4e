import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@mcp-workstation/supervisor';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream } from '../../upstream/types.js';
import { discoverResult } from './discover.js';
import type { RequestEnvelope } from './envelope.js';
import { ModernErrorCode, REMOVED_REQUEST_METHODS, isPlainObject } from './era.js';
import { ForwardedRequest, type ForwardingContext } from './forwarded-request.js';
import { acceptsEventStream, headerValue, isJsonContentType, standardHeaders } from './headers.js';
import { ListenStream, honoredFilter, parseSubscriptionFilter } from './listen-stream.js';
import { MAX_LISTEN_STREAMS, type ModernState } from './modern-state.js';
import { paramHeaderProblem } from './param-headers.js';
import { echoableId, rejection, sendRejection, type ModernRejection } from './rejection.js';
import { RequestResponse } from './request-response.js';
import { requestFingerprint } from './to-child.js';
import { validateModernMessage } from './validate.js';

export interface ServeOptions {
  upstream: Upstream;
  /** The server's era state (its upstream is `upstream`). */
  state: ModernState;
  body: unknown;
  logger?: Logger;
  legacyProtocolVersions: readonly string[];
  inputRequestTtlMs: number;
  listenKeepAliveMs: number;
}

/** Route one 2026-07-28 HTTP request; everything it answers is written to `res`. */
export async function serveModern(req: IncomingMessage, res: ServerResponse, options: ServeOptions): Promise<void> {
  const refused = transportRefusal(req);
  if (refused !== undefined) return reject(res, null, refused, options);
  const validation = validateModernMessage(options.body, standardHeaders(req), { legacyVersions: options.legacyProtocolVersions });
  if (!validation.ok) return reject(res, echoableId(options.body), validation.rejection, options);
  const validated = validation.value;
  if (validated.kind === 'notification') {
    // No client notification exists on this transport in 2026-07-28 (streamable-http
    // "Sending Messages", note); accepted and dropped, as the v2 SDK does for unknown ones.
    options.logger?.debug('dropped a 2026-07-28 client notification', { method: validated.message.method });
    res.writeHead(202).end();
    return;
  }
  await serveRequest(req, res, validated.message, validated.envelope, options);
}

function transportRefusal(req: IncomingMessage): ModernRejection | undefined {
  if (req.method !== 'POST') {
    return {
      ...rejection(405, ModernErrorCode.TransportRefused, 'Method not allowed: protocol revision 2026-07-28 is POST-only (no GET stream, no DELETE: there are no sessions)'),
      headers: { Allow: 'POST' },
    };
  }
  if (!isJsonContentType(req)) {
    return rejection(415, ModernErrorCode.TransportRefused, 'Unsupported Media Type: send the JSON-RPC message with Content-Type: application/json');
  }
  return undefined;
}

async function serveRequest(req: IncomingMessage, res: ServerResponse, message: JSONRPCRequest, envelope: RequestEnvelope, options: ServeOptions): Promise<void> {
  if (REMOVED_REQUEST_METHODS.has(message.method)) {
    return reject(
      res,
      message.id,
      rejection(404, ModernErrorCode.MethodNotFound, `Method not found: ${message.method} is not part of protocol revision 2026-07-28`),
      options,
    );
  }
  if (message.method === 'server/discover') return serveDiscover(res, message, options);
  if (message.method === 'subscriptions/listen') return serveListen(res, message, envelope, options);
  if (message.method === 'tools/call') {
    const refused = await paramHeaderRefusal(req, message, options);
    if (refused !== undefined) return reject(res, message.id, refused, options);
    // The client may have gone while the tool definitions were read: nothing to forward then.
    if (res.destroyed) return;
  }
  const response = new RequestResponse(res, message.id, acceptsEventStream(req), options.state.outgoing);
  const requestState = isPlainObject(message.params) ? message.params.requestState : undefined;
  if (requestState !== undefined) return resumeRequest(response, message, envelope, requestState, options);
  ForwardedRequest.start(forwardingContext(options), message, envelope, response);
}

/** Mcp-Param-* headers must match the arguments the tool's x-mcp-header declarations name. */
async function paramHeaderRefusal(req: IncomingMessage, message: JSONRPCRequest, options: ServeOptions): Promise<ModernRejection | undefined> {
  const name = message.params?.name;
  if (typeof name !== 'string') return undefined;
  let declarations;
  try {
    declarations = await options.state.toolHeaders.declarationsOf(name);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return rejection(503, ModernErrorCode.InternalError, `Cannot validate the Mcp-Param headers of "${name}": reading the tool definitions failed (${reason})`);
  }
  if (declarations === undefined || declarations.length === 0) return undefined;
  return paramHeaderProblem(declarations, message.params?.arguments, (header) => headerValue(req, header));
}

function serveDiscover(res: ServerResponse, message: JSONRPCRequest, options: ServeOptions): void {
  const initialized = options.upstream.initializeResult();
  if (initialized === null) return reject(res, message.id, notReady(options.upstream), options);
  new RequestResponse(res, message.id, false).succeed(discoverResult(initialized));
}

function serveListen(res: ServerResponse, message: JSONRPCRequest, envelope: RequestEnvelope, options: ServeOptions): void {
  const filter = parseSubscriptionFilter(message.params);
  const answer = new RequestResponse(res, message.id, false);
  if (filter === undefined) {
    return answer.fail({
      code: ModernErrorCode.InvalidParams,
      message: 'Invalid params: subscriptions/listen needs params.notifications, a SubscriptionFilter (toolsListChanged, promptsListChanged, resourcesListChanged: booleans; resourceSubscriptions: URIs)',
    });
  }
  const initialized = options.upstream.initializeResult();
  if (initialized === null) return reject(res, message.id, notReady(options.upstream), options);
  const state = options.state;
  if (state.listens.size >= MAX_LISTEN_STREAMS) {
    return answer.fail({ code: ModernErrorCode.InternalError, message: `Subscription limit reached (${MAX_LISTEN_STREAMS} open listen streams)` });
  }
  const stream = new ListenStream(
    {
      upstream: options.upstream,
      outgoing: state.outgoing,
      keepAliveMs: options.listenKeepAliveMs,
      logger: options.logger,
      onClosed: (closed) => state.listens.delete(closed),
    },
    res,
    message.id,
    honoredFilter(filter, initialized.capabilities),
    envelope,
  );
  state.listens.add(stream);
}

function resumeRequest(response: RequestResponse, message: JSONRPCRequest, envelope: RequestEnvelope, requestState: unknown, options: ServeOptions): void {
  if (typeof requestState !== 'string') {
    return response.fail({ code: ModernErrorCode.InvalidParams, message: 'Invalid params: requestState must be the string the server sent, echoed exactly' });
  }
  const claim = options.state.parked.claim(requestState, requestFingerprint(message));
  if (!claim.ok) return response.fail({ code: ModernErrorCode.InvalidParams, message: `Invalid params: ${claim.problem}` });
  claim.owner.resume(message, envelope, response);
}

function forwardingContext(options: ServeOptions): ForwardingContext {
  const state = options.state;
  return {
    upstream: options.upstream,
    parked: state.parked,
    toolHeaders: state.toolHeaders,
    inputRequestTtlMs: options.inputRequestTtlMs,
    logger: options.logger,
    // per-session: each request and each listen stream has a child of its own, so a list
    // change announced by a request's child would reach no listener; it is relayed to all.
    // (Shared: the listen streams hear the one child themselves.)
    onListChanged: options.upstream.mode === 'per-session' ? (notification) => state.listens.forEach((stream) => stream.relay(notification)) : undefined,
  };
}

function notReady(upstream: Upstream): ModernRejection {
  const { reason } = upstream.readiness();
  return {
    ...rejection(503, ModernErrorCode.InternalError, `Server "${upstream.name}" has not finished initializing (${reason}); retry shortly`),
    headers: { 'Retry-After': '1' },
  };
}

function reject(res: ServerResponse, id: JSONRPCRequest['id'] | null, rejected: ModernRejection, options: ServeOptions): void {
  options.logger?.debug('refused a 2026-07-28 request', { status: rejected.status, code: rejected.code, message: rejected.message });
  sendRejection(res, id, rejected);
}
