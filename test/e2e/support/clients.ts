import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  isInitializeRequest,
  isJSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';
import type {
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  InitializeResult,
  JSONRPCMessage,
  Notification,
  Root,
} from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';
import { waitFor } from './wait';

/**
 * The SDK's own clients, connected through the daemon. Every client made here advertises
 * sampling, elicitation and roots, answers them the way a person's client would, records
 * the notifications it receives, and is closed by closeAllClients() (call it in afterEach).
 */

// Node 20 has no global WebSocket; the SDK's WebSocketClientTransport expects one.
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}

export type TransportKind = 'streamableHttp' | 'sse' | 'ws';

export const SAMPLED_TEXT = 'a sampled answer from the e2e client';
export const ELICITED_NAME = 'Ada Lovelace';
export const CLIENT_ROOT: Root = { uri: 'file:///srv/e2e-root', name: 'e2e root' };

export interface ConnectOptions {
  /** Ask for this protocol version in initialize instead of the SDK's latest. */
  protocolVersion?: string;
  /** Extra HTTP headers (Authorization…) for the HTTP transports. */
  headers?: Record<string, string>;
  name?: string;
}

export interface ConnectedClient {
  client: Client;
  transport: Transport;
  /** The server's answer to this client's initialize. */
  initializeResult: InitializeResult;
  notifications: Notification[];
  /**
   * Every progress notification as it arrived on the wire. The SDK's Client handles progress
   * a microtask late, so a last progress that arrives in the same chunk as its response is
   * dropped by the Client (a client-side race); this record is what the bridge delivered.
   */
  progressReceived: Array<{ progressToken: string | number; progress: number; total?: number }>;
  samplingRequests: CreateMessageRequest[];
  elicitationRequests: ElicitRequest[];
  rootsRequests: number;
  waitForNotification(predicate: (n: Notification) => boolean, what: string, timeoutMs?: number): Promise<Notification>;
  /** Streamable HTTP: DELETE the session. */
  terminateSession(): Promise<void>;
  close(): Promise<void>;
}

const open = new Set<ConnectedClient>();

export async function connectClient(kind: TransportKind, url: string, options: ConnectOptions = {}): Promise<ConnectedClient> {
  const observed = new ObservingTransport(makeTransport(kind, url, options.headers), options.protocolVersion);
  const client = new Client(
    { name: options.name ?? `e2e-${kind}`, version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } },
  );
  const connected: ConnectedClient = {
    client,
    transport: observed,
    initializeResult: undefined as unknown as InitializeResult,
    notifications: [],
    progressReceived: observed.progressReceived,
    samplingRequests: [],
    elicitationRequests: [],
    rootsRequests: 0,
    waitForNotification: (predicate, what, timeoutMs = 10_000) =>
      waitFor(() => connected.notifications.find(predicate), { what, timeoutMs }),
    terminateSession: () => observed.terminateSession(),
    close: async () => {
      open.delete(connected);
      await client.close().catch(() => undefined);
    },
  };
  answerServerRequests(connected);
  client.fallbackNotificationHandler = async (notification) => {
    connected.notifications.push(notification);
  };
  open.add(connected);
  await client.connect(observed);
  connected.initializeResult = observed.initializeResult as InitializeResult;
  return connected;
}

export async function closeAllClients(): Promise<void> {
  await Promise.all([...open].map((connected) => connected.close()));
}

function answerServerRequests(connected: ConnectedClient): void {
  connected.client.setRequestHandler(CreateMessageRequestSchema, async (request): Promise<CreateMessageResult> => {
    connected.samplingRequests.push(request);
    return { model: 'e2e-model', role: 'assistant', content: { type: 'text', text: SAMPLED_TEXT } };
  });
  connected.client.setRequestHandler(ElicitRequestSchema, async (request): Promise<ElicitResult> => {
    connected.elicitationRequests.push(request);
    return { action: 'accept', content: { name: ELICITED_NAME } };
  });
  connected.client.setRequestHandler(ListRootsRequestSchema, async () => {
    connected.rootsRequests += 1;
    return { roots: [CLIENT_ROOT] };
  });
}

function makeTransport(kind: TransportKind, url: string, headers: Record<string, string> = {}): Transport {
  switch (kind) {
    case 'streamableHttp':
      return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
    case 'sse':
      return new SSEClientTransport(new URL(url), { requestInit: { headers } });
    case 'ws':
      return new WebSocketClientTransport(new URL(url));
  }
}

/**
 * Wraps the SDK's transport to (a) ask for a chosen protocol version in initialize (the
 * SDK's Client always asks for its latest), and (b) keep the server's initialize result.
 */
class ObservingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  initializeResult?: InitializeResult;
  readonly progressReceived: ConnectedClient['progressReceived'] = [];
  private initializeId?: string | number;

  constructor(
    private readonly inner: Transport,
    private readonly protocolVersion?: string,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  async start(): Promise<void> {
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onmessage = (message, extra) => {
      this.observe(message);
      this.onmessage?.(message, extra);
    };
    await this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isInitializeRequest(message) && 'id' in message) {
      this.initializeId = message.id as string | number;
      if (this.protocolVersion) message = { ...message, params: { ...message.params, protocolVersion: this.protocolVersion } };
    }
    await this.inner.send(message, options);
  }

  async terminateSession(): Promise<void> {
    const inner = this.inner as Partial<StreamableHTTPClientTransport>;
    if (!inner.terminateSession) throw new Error('only Streamable HTTP sessions can be terminated');
    await inner.terminateSession();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  private observe(message: JSONRPCMessage): void {
    if ('method' in message && message.method === 'notifications/progress' && !('id' in message)) {
      this.progressReceived.push(message.params as ConnectedClient['progressReceived'][number]);
    }
    if (this.initializeId !== undefined && isJSONRPCResultResponse(message) && message.id === this.initializeId) {
      this.initializeResult = message.result as InitializeResult;
    }
  }
}

/** The text of a tool result's content blocks, joined. */
export function resultText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}
