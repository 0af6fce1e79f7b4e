import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  LATEST_PROTOCOL_VERSION,
  type ClientCapabilities,
  type InitializeResult,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { ClientPeer, SessionMode, Upstream, UpstreamReadiness, UpstreamSession } from '../../../upstream/types.js';

/**
 * A test double of the shared upstream, for unit tests of the 2026-07-28 handler: one
 * in-process SDK server (any `Server`/`McpServer`) reached over the SDK's InMemoryTransport,
 * initialized once by the double itself, with the shared upstream's contract:
 * - a client `initialize` is answered from the cached result;
 * - client request ids are rewritten to upstream ids and restored on the way back;
 * - messages the server relates to a request (progress, log messages, server->client
 *   requests) go to the session that sent it, routed by the `relatedRequestId` the SDK server
 *   passes to its transport (a stdio child gives no such hint; the real upstream infers it);
 * - unrelated list_changed / resources/updated notifications go to non-stateless sessions;
 * - answers to server->client requests go back to the server.
 * It records what reached the server and which sessions were opened and closed, for assertions.
 */

interface ServerLike {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

interface Call {
  session: DoubleSession;
  clientId: RequestId;
}

const BROADCAST_NOTIFICATIONS = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
]);

export interface InProcessUpstreamOptions {
  name?: string;
  /** Capabilities the double declares as the server's client in its own initialize. */
  capabilities?: ClientCapabilities;
}

export class InProcessUpstream implements Upstream {
  readonly name: string;
  readonly mode: SessionMode = 'shared';
  /** Every message the server received after the double's own handshake. */
  readonly serverInbox: JSONRPCMessage[] = [];
  /** Labels of every session ever opened, in order. */
  readonly openedSessions: string[] = [];
  private readonly sessions = new Set<DoubleSession>();
  private readonly calls = new Map<number, Call>();
  private readonly serverRequests = new Map<RequestId, DoubleSession>();
  private readonly relatedIds = new WeakMap<object, RequestId>();
  private readonly ownCalls = new Map<number, (message: JSONRPCMessage) => void>();
  private readonly sessionClosedListeners = new Set<() => void>();
  private transport: InMemoryTransport | undefined;
  private initialized: InitializeResult | null = null;
  private nextId = 1;

  constructor(
    private readonly server: ServerLike,
    private readonly options: InProcessUpstreamOptions = {},
  ) {
    this.name = options.name ?? 'in-process';
  }

  async start(): Promise<void> {
    const [ours, theirs] = InMemoryTransport.createLinkedPair();
    this.recordRelatedRequests(theirs);
    await this.server.connect(theirs);
    ours.onmessage = (message) => this.fromServer(message);
    await ours.start();
    this.transport = ours;
    const answer = await this.ownCall('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: this.options.capabilities ?? { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } },
      clientInfo: { name: 'in-process-upstream', version: '0.0.0' },
    });
    if (!('result' in answer)) throw new Error(`the test server refused initialize: ${JSON.stringify(answer)}`);
    this.initialized = answer.result as InitializeResult;
    await ours.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  open(peer: ClientPeer): UpstreamSession {
    const session = new DoubleSession(this, peer);
    this.sessions.add(session);
    this.openedSessions.push(peer.label);
    return session;
  }

  readiness(): UpstreamReadiness {
    return this.initialized
      ? { ready: true, state: 'ready', reason: 'initialized' }
      : { ready: false, state: 'starting', reason: 'not initialized yet' };
  }

  initializeResult(): InitializeResult | null {
    return this.initialized;
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  /** Resolves once no session is open (every transient session was closed). */
  whenNoSessions(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.sessions.size > 0) return;
        this.sessionClosedListeners.delete(check);
        resolve();
      };
      this.sessionClosedListeners.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    for (const session of [...this.sessions]) session.close();
    await this.transport?.close();
    await this.server.close();
  }

  // --- used by DoubleSession ---

  fromClient(session: DoubleSession, message: JSONRPCMessage): void {
    if ('method' in message && 'id' in message) return this.forwardRequest(session, message.id, message as JSONRPCRequest);
    if ('method' in message) return this.forwardNotification(session, message as JSONRPCNotification);
    if (this.serverRequests.get(message.id as RequestId) !== session) return;
    this.serverRequests.delete(message.id as RequestId);
    this.toServer(message);
  }

  closed(session: DoubleSession): void {
    this.sessions.delete(session);
    for (const [id, call] of this.calls) if (call.session === session) this.calls.delete(id);
    for (const [id, owner] of this.serverRequests) if (owner === session) this.serverRequests.delete(id);
    for (const listener of [...this.sessionClosedListeners]) listener();
  }

  private forwardRequest(session: DoubleSession, clientId: RequestId, message: JSONRPCRequest): void {
    if (message.method === 'initialize') {
      session.deliver({ jsonrpc: '2.0', id: clientId, result: this.initialized ?? {} }, clientId);
      return;
    }
    const id = this.nextId++;
    this.calls.set(id, { session, clientId });
    this.toServer({ ...message, id });
  }

  private forwardNotification(session: DoubleSession, message: JSONRPCNotification): void {
    if (message.method === 'notifications/initialized') return;
    if (message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      const upstreamId = [...this.calls].find(([, call]) => call.session === session && call.clientId === requestId)?.[0];
      if (upstreamId === undefined) return;
      this.toServer({ ...message, params: { ...message.params, requestId: upstreamId } });
      return;
    }
    this.toServer(message);
  }

  private fromServer(message: JSONRPCMessage): void {
    if (!('method' in message)) return this.routeResponse(message);
    const call = this.callRelatedTo(message);
    if ('id' in message) {
      if (call === undefined) return;
      this.serverRequests.set(message.id, call.session);
      call.session.deliver(message, call.clientId);
      return;
    }
    if (call !== undefined) {
      call.session.deliver(message, call.clientId);
      return;
    }
    if (BROADCAST_NOTIFICATIONS.has(message.method)) {
      for (const session of this.sessions) if (!session.stateless) session.deliver(message);
    }
  }

  private routeResponse(message: JSONRPCMessage): void {
    const id = (message as { id?: RequestId }).id;
    if (typeof id !== 'number') return;
    const own = this.ownCalls.get(id);
    if (own !== undefined) {
      this.ownCalls.delete(id);
      return own(message);
    }
    const call = this.calls.get(id);
    if (call === undefined) return;
    this.calls.delete(id);
    call.session.deliver({ ...message, id: call.clientId } as JSONRPCMessage, call.clientId);
  }

  private callRelatedTo(message: object): Call | undefined {
    const related = this.relatedIds.get(message);
    return typeof related === 'number' ? this.calls.get(related) : undefined;
  }

  private toServer(message: JSONRPCMessage): void {
    this.serverInbox.push(message);
    void this.transport?.send(message);
  }

  private ownCall(method: string, params: Record<string, unknown>): Promise<JSONRPCMessage> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.ownCalls.set(id, resolve);
      void this.transport?.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** The SDK server names the request a message belongs to only in its transport's send options; keep that hint. */
  private recordRelatedRequests(transport: InMemoryTransport): void {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      if (options?.relatedRequestId !== undefined) this.relatedIds.set(message, options.relatedRequestId);
      return send(message, options);
    };
  }
}

class DoubleSession implements UpstreamSession {
  private isClosed = false;

  constructor(
    private readonly upstream: InProcessUpstream,
    private readonly peer: ClientPeer,
  ) {}

  get stateless(): boolean {
    return this.peer.stateless;
  }

  receive(message: JSONRPCMessage): void {
    if (!this.isClosed) this.upstream.fromClient(this, message);
  }

  deliver(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    if (!this.isClosed) this.peer.send(message, relatedRequestId);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.upstream.closed(this);
  }
}
