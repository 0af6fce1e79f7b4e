import type { Upstream } from '../../upstream/types.js';
import type { OutgoingStreams } from '../outgoing-streams.js';
import type { ForwardedRequest } from './forwarded-request.js';
import type { ListenStream } from './listen-stream.js';
import { ParkedRequests } from './parked-requests.js';
import { ToolHeaderIndex } from './tool-header-index.js';

/** Calls that may wait for a retry at once, per server. */
const MAX_PARKED_REQUESTS = 1000;
/** Open listen streams per server (the v2 SDK's default cap). */
export const MAX_LISTEN_STREAMS = 1024;

/**
 * What the 2026-07-28 era keeps between HTTP requests for one server: calls parked for an
 * MRTR retry, open subscriptions/listen streams, and the tools' x-mcp-header declarations.
 * Owned by the server's endpoints (server-endpoints.ts), which end it with the server.
 */
export class ModernState {
  readonly parked = new ParkedRequests<ForwardedRequest>(MAX_PARKED_REQUESTS);
  readonly listens = new Set<ListenStream>();
  readonly toolHeaders: ToolHeaderIndex;

  /**
   * `outgoing`: the server's bound on what its streams hold for clients that do not read;
   * undefined (unbounded) only where the era is served without a bridge (tests).
   */
  constructor(
    readonly upstream: Upstream,
    readonly outgoing?: OutgoingStreams,
  ) {
    this.toolHeaders = new ToolHeaderIndex(upstream);
  }

  /** End the era's long-lived work: listen streams get their final result, parked calls are cancelled. */
  close(): void {
    for (const stream of [...this.listens]) stream.end();
    this.parked.expireAll();
  }
}
