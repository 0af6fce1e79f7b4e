import type { ServerResponse } from 'node:http';
import type { Logger } from '@mcp-workstation/supervisor';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, RequestId, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream, UpstreamSession } from '../../upstream/types.js';
import type { OutgoingStreams } from '../outgoing-streams.js';
import { MetaKey, ModernErrorCode, isPlainObject } from './era.js';
import { errorResponse, isErrorResponse, isNotification, isServerRequest } from './messages.js';
import { EventStream, type StreamLabel } from './sse.js';
import type { RequestEnvelope } from './envelope.js';
import { childHandshake } from './to-child.js';
import { withServerInfo } from './to-modern.js';

/**
 * `subscriptions/listen` (spec basic/patterns/subscriptions, changelog major 4): the
 * 2026-07-28 replacement for the GET stream and resources/subscribe.
 *
 * The bridge opens a long-lived upstream session with a non-stateless peer, so the upstream
 * delivers the child's unrelated notifications (list_changed, resources/updated) to it, and
 * subscribes that session to the requested resource URIs with the child's 2025
 * resources/subscribe. On the stream it sends the acknowledgement, then only the opted-in
 * change notifications, each stamped with `_meta["io.modelcontextprotocol/subscriptionId"]`
 * (the listen request's id). Request-scoped notifications never appear here.
 *
 * The stream is bounded by limits.streamBufferBytes (sse.ts): a client that stopped reading
 * has it closed, which ends the subscription as the client going away does.
 */

export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** params.notifications of a listen request; undefined when absent or malformed. */
export function parseSubscriptionFilter(params: unknown): SubscriptionFilter | undefined {
  const filter = isPlainObject(params) ? params.notifications : undefined;
  if (!isPlainObject(filter)) return undefined;
  const flags = ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'] as const;
  if (flags.some((flag) => filter[flag] !== undefined && typeof filter[flag] !== 'boolean')) return undefined;
  const uris = filter.resourceSubscriptions;
  if (uris !== undefined && !(Array.isArray(uris) && uris.every((uri) => typeof uri === 'string'))) return undefined;
  return filter as SubscriptionFilter;
}

/** What the child can actually deliver of a requested filter (what the acknowledgement reports). */
export function honoredFilter(requested: SubscriptionFilter, capabilities: ServerCapabilities): SubscriptionFilter {
  const honored: SubscriptionFilter = {};
  if (requested.toolsListChanged === true && capabilities.tools?.listChanged === true) honored.toolsListChanged = true;
  if (requested.promptsListChanged === true && capabilities.prompts?.listChanged === true) honored.promptsListChanged = true;
  if (requested.resourcesListChanged === true && capabilities.resources?.listChanged === true) honored.resourcesListChanged = true;
  if (requested.resourceSubscriptions?.length && capabilities.resources?.subscribe === true) {
    honored.resourceSubscriptions = [...new Set(requested.resourceSubscriptions)];
  }
  return honored;
}

const LISTEN_STREAM: StreamLabel = {
  stream: 'listen stream (2026-07-28)',
  outcome: 'the subscription ended; the client must listen again (subscriptions/listen; 2026-07-28 has no resumption)',
};

export interface ListenContext {
  upstream: Upstream;
  /** The server's bound on what a stream may hold for a client that does not read. */
  outgoing: OutgoingStreams | undefined;
  keepAliveMs: number;
  logger?: Logger;
  onClosed: (stream: ListenStream) => void;
}

export class ListenStream {
  private readonly session: UpstreamSession;
  private readonly events: EventStream;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly subscribeIds = new Map<RequestId, string>();
  private closed = false;

  constructor(
    private readonly context: ListenContext,
    private readonly res: ServerResponse,
    private readonly listenId: RequestId,
    private readonly filter: SubscriptionFilter,
    envelope: RequestEnvelope,
  ) {
    this.session = context.upstream.open({
      label: `modern subscriptions/listen ${String(listenId).slice(0, 64)}`,
      stateless: false,
      oneRequest: true,
      send: (message) => this.onChildMessage(message),
    });
    for (const handshake of childHandshake(context.upstream, envelope)) this.session.receive(handshake);
    this.events = new EventStream(res, context.outgoing, LISTEN_STREAM);
    this.send('notifications/subscriptions/acknowledged', { notifications: filter });
    this.subscribeToResources();
    this.keepAlive = setInterval(() => this.events.keepAlive(), context.keepAliveMs);
    this.keepAlive.unref();
    // Also where a stream closed for its client not reading ends up.
    res.once('close', () => this.close());
  }

  /** A change notification heard elsewhere (per-session mode: another request's child); sent if the filter wants it. */
  relay(notification: JSONRPCNotification): void {
    if (!this.closed && this.wants(notification)) this.send(notification.method, notification.params);
  }

  /** Shutdown: end the subscription gracefully with the listen result (the client sees 'graceful'). */
  end(): void {
    if (this.closed || this.res.destroyed) return this.close();
    const result = withServerInfo({ resultType: 'complete', _meta: { [MetaKey.subscriptionId]: this.listenId } }, this.serverInfo());
    this.events.end({ jsonrpc: '2.0', id: this.listenId, result });
    this.close();
  }

  private subscribeToResources(): void {
    for (const uri of this.filter.resourceSubscriptions ?? []) {
      const id = `listen-${String(this.listenId)}-subscribe-${this.subscribeIds.size + 1}`;
      this.subscribeIds.set(id, uri);
      this.session.receive({ jsonrpc: '2.0', id, method: 'resources/subscribe', params: { uri } });
    }
  }

  private onChildMessage(message: JSONRPCMessage): void {
    if (this.closed) return;
    if (isServerRequest(message)) return this.refuseServerRequest(message);
    if (isErrorResponse(message) && message.id !== undefined && this.subscribeIds.has(message.id)) {
      this.context.logger?.warn('the server refused a resource subscription', { uri: this.subscribeIds.get(message.id), error: message.error.message });
      return;
    }
    if (isNotification(message) && this.wants(message)) this.send(message.method, message.params);
  }

  private wants(notification: JSONRPCNotification): boolean {
    switch (notification.method) {
      case 'notifications/tools/list_changed':
        return this.filter.toolsListChanged === true;
      case 'notifications/prompts/list_changed':
        return this.filter.promptsListChanged === true;
      case 'notifications/resources/list_changed':
        return this.filter.resourcesListChanged === true;
      case 'notifications/resources/updated':
        return this.filter.resourceSubscriptions?.includes(String(notification.params?.uri)) === true;
      default:
        return false;
    }
  }

  /** No request is in flight on a listen stream, so the child's questions have nobody to go to. */
  private refuseServerRequest(request: JSONRPCRequest): void {
    const answer =
      request.method === 'ping'
        ? { jsonrpc: '2.0' as const, id: request.id, result: {} }
        : errorResponse(request.id, ModernErrorCode.MethodNotFound, `${request.method} cannot reach a 2026-07-28 client outside a request`);
    this.session.receive(answer);
  }

  private send(method: string, params: unknown): void {
    const base = isPlainObject(params) ? params : {};
    const meta = isPlainObject(base._meta) ? base._meta : {};
    this.events.send({ jsonrpc: '2.0', method, params: { ...base, _meta: { ...meta, [MetaKey.subscriptionId]: this.listenId } } });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    let unsubscribe = 0;
    for (const uri of new Set(this.subscribeIds.values())) {
      this.session.receive({ jsonrpc: '2.0', id: `listen-${String(this.listenId)}-unsubscribe-${++unsubscribe}`, method: 'resources/unsubscribe', params: { uri } });
    }
    this.session.close();
    this.context.onClosed(this);
  }

  private serverInfo() {
    return this.context.upstream.initializeResult()?.serverInfo;
  }
}
