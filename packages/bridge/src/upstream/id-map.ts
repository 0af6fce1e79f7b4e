import type { JSONRPCNotification, JSONRPCRequest, ProgressToken } from '@modelcontextprotocol/sdk/types.js';
import type { IdAllocator } from './id-allocator.js';
import type { JSONRPCResponseMessage } from './jsonrpc.js';
import { progressTokenOf } from './jsonrpc.js';
import type { OpenRequest, SharedSession } from './session-state.js';

/** A client request while it is on the child's stdio under an upstream id. */
export interface ForwardedRequest {
  readonly upstreamId: number;
  readonly session: SharedSession;
  readonly request: OpenRequest;
  /** The client's own progress token, restored on each notifications/progress. */
  readonly progressToken?: ProgressToken;
}

/**
 * The id map of shared mode. Each client request goes to the child under a fresh upstream id
 * (and, if it asked for progress, a fresh progress token: the same number), so identical ids
 * from different sessions never meet on the child's stdio. Answers and progress are mapped
 * back to the owning session with the client's own id and token restored exactly: the
 * originals are kept as values, never converted, so "1" stays a string and 0 stays 0.
 */
export class IdMap {
  private readonly byUpstreamId = new Map<number, ForwardedRequest>();

  constructor(private readonly ids: IdAllocator) {}

  /** Registers the request and returns it as the child must see it. */
  forward(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): { entry: ForwardedRequest; message: JSONRPCRequest } {
    const upstreamId = this.ids.next();
    const progressToken = progressTokenOf(request);
    const entry: ForwardedRequest = { upstreamId, session, request: open, progressToken };
    this.byUpstreamId.set(upstreamId, entry);
    open.upstreamId = upstreamId;
    const message: JSONRPCRequest = { ...request, id: upstreamId };
    if (progressToken !== undefined) {
      message.params = { ...request.params, _meta: { ...request.params?._meta, progressToken: upstreamId } };
    }
    return { entry, message };
  }

  /** The entry a response of the child belongs to, removed; undefined when it belongs to no client request. */
  takeForResponse(response: JSONRPCResponseMessage): ForwardedRequest | undefined {
    if (typeof response.id !== 'number') return undefined;
    const entry = this.byUpstreamId.get(response.id);
    if (entry) this.remove(entry);
    return entry;
  }

  /** The entry of a still-running request whose progress token the child used. */
  forProgress(token: unknown): ForwardedRequest | undefined {
    if (typeof token !== 'number') return undefined;
    const entry = this.byUpstreamId.get(token);
    return entry?.progressToken !== undefined ? entry : undefined;
  }

  /** Forgets a request the client cancelled or left behind; returns whether it was on the child's stdio. */
  removeUpstreamId(upstreamId: number): boolean {
    const entry = this.byUpstreamId.get(upstreamId);
    if (entry) this.remove(entry);
    return entry !== undefined;
  }

  remove(entry: ForwardedRequest): void {
    this.byUpstreamId.delete(entry.upstreamId);
    if (entry.request.upstreamId === entry.upstreamId) entry.request.upstreamId = undefined;
  }

  /** Every request on the child's stdio, removed (the child went away). */
  takeAll(): ForwardedRequest[] {
    const entries = [...this.byUpstreamId.values()];
    for (const entry of entries) this.remove(entry);
    return entries;
  }

  get size(): number {
    return this.byUpstreamId.size;
  }
}

/** The client's answer, with its own id back. */
export function restoreResponse(entry: ForwardedRequest, response: JSONRPCResponseMessage): JSONRPCResponseMessage {
  return { ...response, id: entry.request.id };
}

/** A progress notification of the child, with the client's own token back. */
export function restoreProgress(entry: ForwardedRequest, progress: JSONRPCNotification): JSONRPCNotification {
  return { ...progress, params: { ...progress.params, progressToken: entry.progressToken } };
}
