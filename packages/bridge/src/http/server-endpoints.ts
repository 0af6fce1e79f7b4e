import type { WebSocketServer } from 'ws';
import type { Upstream } from '../upstream/types.js';
import type { BridgeConfig } from './config.js';
import { LegacySseEndpoint } from './legacy-sse.js';
import { boundModernStreams } from './modern/index.js';
import { OutgoingStreams } from './outgoing-streams.js';
import type { ServerContext } from './server-context.js';
import { SessionLimit } from './session-limit.js';
import { StreamableHttpEndpoint } from './streamable-http.js';
import { WebSocketEndpoint } from './websocket.js';

/** Every transport endpoint of one server, sharing its upstream and its session limit. */
export class ServerEndpoints {
  readonly context: ServerContext;
  readonly streamable: StreamableHttpEndpoint;
  readonly sse: LegacySseEndpoint;
  readonly ws: WebSocketEndpoint;

  constructor(upstream: Upstream, config: BridgeConfig, wss: WebSocketServer) {
    this.context = {
      name: upstream.name,
      upstream,
      limit: new SessionLimit(upstream.name, config.maxSessions),
      config,
      logger: config.logger,
      outgoing: new OutgoingStreams(upstream.name, config.streamBufferBytes, config.logger),
    };
    this.streamable = new StreamableHttpEndpoint(this.context);
    this.sse = new LegacySseEndpoint(this.context);
    this.ws = new WebSocketEndpoint(this.context, wss);
    // The 2026-07-28 era reaches its server's state through the upstream (modern-state.ts).
    boundModernStreams(upstream, this.context.outgoing);
  }

  get upstream(): Upstream {
    return this.context.upstream;
  }

  /** Ends every client session of this server (the upstream itself is closed by the bridge). */
  async closeSessions(): Promise<void> {
    await Promise.allSettled([this.streamable.closeAll(), this.sse.closeAll(), this.ws.closeAll()]);
  }
}

/** One ServerEndpoints per upstream, by name. */
export function buildServerEndpoints(config: BridgeConfig, wss: WebSocketServer): Map<string, ServerEndpoints> {
  return new Map(config.upstreams.map((upstream) => [upstream.name, new ServerEndpoints(upstream, config, wss)]));
}
