import type { WebSocketServer } from 'ws';
import type { Upstream } from '../upstream/types.js';
import type { BridgeConfig } from './config.js';
import { LegacySseEndpoint } from './legacy-sse.js';
import { describeError } from './errors.js';
import { ModernState } from './modern/index.js';
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
    const outgoing = new OutgoingStreams(upstream.name, config.streamBufferBytes, config.logger);
    this.context = {
      name: upstream.name,
      upstream,
      limit: new SessionLimit(upstream.name, config.maxSessions),
      config,
      logger: config.logger,
      outgoing,
      modern: new ModernState(upstream, outgoing),
    };
    this.streamable = new StreamableHttpEndpoint(this.context);
    this.sse = new LegacySseEndpoint(this.context);
    this.ws = new WebSocketEndpoint(this.context, wss);
  }

  get upstream(): Upstream {
    return this.context.upstream;
  }

  /**
   * Ends this server, in this order: every client session (Streamable HTTP, stateless POSTs in
   * flight, legacy SSE, WebSocket), the 2026-07-28 listen streams and parked calls, then the
   * upstream. Never rejects: what fails is logged. Touches nothing of any other server.
   */
  async close(): Promise<void> {
    const { name, logger } = this.context;
    await Promise.allSettled([this.streamable.closeAll(), this.sse.closeAll(), this.ws.closeAll()]);
    try {
      this.context.modern.close();
    } catch (error) {
      logger.warn('ending 2026-07-28 requests failed', { server: name, reason: describeError(error) });
    }
    try {
      await this.upstream.close();
    } catch (error) {
      logger.warn('server did not close cleanly', { server: name, reason: describeError(error) });
    }
  }
}
