import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeStreamableTransport } from './node-streamable-transport.js';
import { BoundedEventStore } from './event-store.js';
import { IdleTimer } from './idle-timer.js';
import { shortId, type ServerContext } from './server-context.js';
import type { SessionLease } from './session-limit.js';
import { linkTransport, type UpstreamLink } from './upstream-link.js';

export interface StreamableSessionHooks {
  /** The SDK accepted the initialize and handed out the id: the session is now routable. */
  onInitialized(session: StreamableSession): void;
  /** The session ended (DELETE, idle expiry, shutdown, upstream gone). */
  onClosed(session: StreamableSession): void;
}

/**
 * One stateful Streamable HTTP session: the SDK's transport (POST/GET/DELETE, protocol
 * version checks, resumption) with its own bounded event store, joined to one upstream session.
 */
export class StreamableSession {
  /** Chosen before the SDK asks, so the upstream peer's label can name it from the start. */
  readonly id = randomUUID();
  private readonly transport: NodeStreamableTransport;
  private readonly events: BoundedEventStore;
  private readonly idle: IdleTimer;
  private readonly link: UpstreamLink;
  private untrackEvents: () => void = () => undefined;

  /** Throws when the upstream cannot open a session; the caller answers the client. */
  constructor(
    private readonly server: ServerContext,
    lease: SessionLease,
    hooks: StreamableSessionHooks,
  ) {
    const label = `streamable-http ${shortId(this.id)}`;
    this.events = new BoundedEventStore({
      eventsPerStream: server.config.eventBufferPerStream,
      // Half the stream limit: replaying all of it on a resume fits in the resumed stream's own limit.
      maxBytes: Math.floor(server.config.streamBufferBytes / 2),
      onGap: () =>
        server.logger.warn('a resumed stream lost events older than the buffer (limits.eventBufferPerStream, limits.streamBufferBytes)', { server: server.name, session: shortId(this.id) }),
    });
    this.transport = new NodeStreamableTransport(
      {
        sessionIdGenerator: () => this.id,
        eventStore: this.events,
        onsessioninitialized: () => hooks.onInitialized(this),
      },
      { streams: server.outgoing, session: this.id },
    );
    this.idle = new IdleTimer(server.config.sessionIdleMs, () => this.expire());
    this.link = linkTransport({
      upstream: server.upstream,
      transport: this.transport,
      label,
      stateless: false,
      logger: server.logger,
      onClosed: () => {
        this.idle.stop();
        this.events.clear();
        this.untrackEvents();
        lease.release();
        hooks.onClosed(this);
      },
    });
    // Only once the session exists: a constructor that throws must leave no probe behind.
    this.untrackEvents = server.outgoing.trackEventBuffer(() => this.events.bytes);
  }

  /** True once the SDK accepted an initialize for this session. */
  get initialized(): boolean {
    return this.transport.sessionId !== undefined;
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const done = this.idle.begin();
    res.once('close', done);
    await this.transport.handleRequest(req, res, body);
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private expire(): void {
    this.server.logger.info('closing an idle session (limits.sessionIdleMs)', { server: this.server.name, session: shortId(this.id), idleMs: this.server.config.sessionIdleMs });
    void this.close();
  }
}
