import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CreateMessageResultSchema, type InitializeResult, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ClientPeer, SessionMode, Upstream, UpstreamReadiness, UpstreamSession } from '../../upstream/types.js';
import { PeerTransport } from './peer-transport.js';

/** One client session as the test sees it: the peer the bridge gave, the SDK server behind it. */
export interface RecordedSession {
  peer: ClientPeer;
  server: McpServer;
  /** Every message the bridge delivered through session.receive. */
  received: JSONRPCMessage[];
  closed: boolean;
}

/** How long the rendezvous tool waits for its partners before failing (a test would hang otherwise). */
const RENDEZVOUS_TIMEOUT_MS = 10_000;

/**
 * A stand-in for the real upstream in tests of the HTTP front: each open(peer) gets its own
 * SDK McpServer (so every session is independently initialized) with tools that exercise
 * routing: echo, progress, sampling (a server->client request), a rendezvous that only
 * answers once `rendezvousSize` calls are in flight at the same time, and a gated call that
 * answers when the test calls openGate().
 */
export class InProcessUpstream implements Upstream {
  readonly sessions: RecordedSession[] = [];
  rendezvousSize = 2;
  private readinessValue: UpstreamReadiness = { ready: true, state: 'ready', reason: 'in-process test server' };
  private waiting: Array<() => void> = [];
  private openTheGate: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.openTheGate = resolve;
  });
  started = false;
  closed = false;

  constructor(
    readonly name: string,
    readonly mode: SessionMode = 'shared',
  ) {}

  async start(): Promise<void> {
    this.started = true;
  }

  open(peer: ClientPeer): UpstreamSession {
    const server = this.buildServer();
    const transport = new PeerTransport(peer);
    const record: RecordedSession = { peer, server, received: [], closed: false };
    this.sessions.push(record);
    void server.connect(transport);
    return {
      receive: (message) => {
        record.received.push(message);
        transport.deliver(message);
      },
      close: () => {
        if (record.closed) return;
        record.closed = true;
        void server.close();
      },
    };
  }

  readiness(): UpstreamReadiness {
    return this.readinessValue;
  }

  setReadiness(value: UpstreamReadiness): void {
    this.readinessValue = value;
  }

  initializeResult(): InitializeResult | null {
    return null;
  }

  sessionCount(): number {
    return this.openSessions().length;
  }

  openSessions(): RecordedSession[] {
    return this.sessions.filter((s) => !s.closed);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.openSessions().map((s) => s.server.close()));
  }

  private buildServer(): McpServer {
    const server = new McpServer({ name: `test-${this.name}`, version: '1.0.0' }, { capabilities: { logging: {}, tools: { listChanged: true } } });
    server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text: `${this.name}: ${text}` }] }));
    server.registerTool('progress', { inputSchema: { steps: z.number() } }, async ({ steps }, extra) => {
      const progressToken = extra._meta?.progressToken;
      for (let step = 1; step <= steps; step += 1) {
        if (progressToken !== undefined) {
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps } });
        }
      }
      return { content: [{ type: 'text', text: `done ${steps}` }] };
    });
    server.registerTool('sample', { inputSchema: { prompt: z.string() } }, async ({ prompt }, extra) => {
      const result = await extra.sendRequest(
        { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 10 } },
        CreateMessageResultSchema,
      );
      const text = result.content.type === 'text' ? result.content.text : result.content.type;
      return { content: [{ type: 'text', text: `sampled: ${text}` }] };
    });
    server.registerTool('gated', { inputSchema: { text: z.string() } }, async ({ text }) => {
      await this.gate;
      return { content: [{ type: 'text', text }] };
    });
    server.registerTool('rendezvous', { inputSchema: { text: z.string() } }, async ({ text }) => {
      await this.rendezvous();
      return { content: [{ type: 'text', text }] };
    });
    return server;
  }

  /** Lets every call of the gated tool answer, from now on. */
  openGate(): void {
    this.openTheGate();
  }

  private rendezvous(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rendezvous: fewer than ${this.rendezvousSize} calls were in flight together`)), RENDEZVOUS_TIMEOUT_MS);
      timer.unref();
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
      if (this.waiting.length >= this.rendezvousSize) {
        const release = this.waiting;
        this.waiting = [];
        release.forEach((go) => go());
      }
    });
  }
}
