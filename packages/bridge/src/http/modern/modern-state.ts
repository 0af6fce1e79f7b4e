import type { Upstream } from '../../upstream/types.js';
import type { OutgoingStreams } from '../outgoing-streams.js';
import type { ForwardedRequest } from './forwarded-request.js';
import type { ListenStream } from './listen-stream.js';
import { ParkedRequests } from './parked-requests.js';
import { ToolHeaderIndex } from './tool-header-index.js';

/**
 * What the 2026-07-28 era keeps between HTTP requests, per upstream: calls parked for an
 * MRTR retry, open subscriptions/listen streams, and the tools' x-mcp-header declarations. Keyed by the upstream object so the HTTP
 * front needs no new wiring and a closed bridge's state is garbage with its upstream.
 */
export interface ModernState {
  parked: ParkedRequests<ForwardedRequest>;
  listens: Set<ListenStream>;
  toolHeaders: ToolHeaderIndex;
  /**
   * The server's bound on what its streams hold for clients that do not read, set by its
   * endpoints (boundModernStreams); undefined, unbounded, only for handleModernRequest used
   * without a bridge.
   */
  outgoing?: OutgoingStreams;
}

/** Calls that may wait for a retry at once, per upstream. */
const MAX_PARKED_REQUESTS = 1000;
/** Open listen streams per upstream (the v2 SDK's default cap). */
export const MAX_LISTEN_STREAMS = 1024;

const states = new WeakMap<Upstream, ModernState>();

export function modernStateFor(upstream: Upstream): ModernState {
  let state = states.get(upstream);
  if (state === undefined) {
    state = { parked: new ParkedRequests<ForwardedRequest>(MAX_PARKED_REQUESTS), listens: new Set(), toolHeaders: new ToolHeaderIndex(upstream) };
    states.set(upstream, state);
  }
  return state;
}

/** End the era's long-lived work for an upstream: listen streams get their final result, parked calls are cancelled. */
export function closeModernState(upstream: Upstream): void {
  const state = states.get(upstream);
  if (state === undefined) return;
  for (const stream of [...state.listens]) stream.end();
  state.parked.expireAll();
  states.delete(upstream);
}
