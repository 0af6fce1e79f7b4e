import { EventEmitter } from 'node:events';
import type { ClientPeer, Upstream, UpstreamSession } from '@mcp-workstation/bridge';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * The MCP requests clients are waiting on, per server, for a graceful shutdown: stop taking
 * new ones, let these finish. Counted where every transport meets the server (the Upstream
 * seam), so Streamable HTTP, SSE, WebSocket and the tunnel are counted alike: a request starts
 * when a client sends it, and ends with its response, its cancellation, or its session.
 * HTTP-level counting would miss requests inside a WebSocket or an SSE stream.
 */

/** JSON-RPC "server error" range: the daemon refuses new work while it stops. */
export const SHUTTING_DOWN_CODE = -32000;

export class InFlightRequests extends EventEmitter<{ idle: [] }> {
  private readonly counts = new Map<string, number>();
  private draining = false;

  /** The same upstream, with its sessions counted. */
  wrap(upstream: Upstream): Upstream {
    const tracker = this;
    return {
      get name() {
        return upstream.name;
      },
      get mode() {
        return upstream.mode;
      },
      start: () => upstream.start(),
      open: (peer) => tracker.openCounted(upstream, peer),
      readiness: () => upstream.readiness(),
      initializeResult: () => upstream.initializeResult(),
      sessionCount: () => upstream.sessionCount(),
      close: () => upstream.close(),
    };
  }

  /** Requests in flight, of one server or of all. */
  count(server?: string): number {
    if (server !== undefined) return this.counts.get(server) ?? 0;
    let total = 0;
    for (const value of this.counts.values()) total += value;
    return total;
  }

  /** From now on new requests are answered with an error at once; the ones in flight go on. */
  drain(): void {
    this.draining = true;
  }

  /** Resolves true once nothing is in flight, false when `timeoutMs` passed first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.count() === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('idle', onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.once('idle', onIdle);
    });
  }

  private openCounted(upstream: Upstream, peer: ClientPeer): UpstreamSession {
    const open = new Set<string>();
    const finish = (id: RequestId) => {
      if (open.delete(idKey(id))) this.add(upstream.name, -1);
    };
    const countedPeer: ClientPeer = {
      get label() {
        return peer.label;
      },
      stateless: peer.stateless,
      oneRequest: peer.oneRequest,
      send: (message, relatedRequestId) => {
        if (isResponse(message)) finish(message.id);
        peer.send(message, relatedRequestId);
      },
      ...(peer.upstreamEnded ? { upstreamEnded: (reason: string) => peer.upstreamEnded?.(reason) } : {}),
    };
    const session = upstream.open(countedPeer);
    return {
      receive: (message) => {
        if (isRequest(message)) {
          if (this.draining) return peer.send(shuttingDown(message.id, upstream.name), message.id);
          if (!open.has(idKey(message.id))) {
            open.add(idKey(message.id));
            this.add(upstream.name, 1);
          }
        } else if (isCancellation(message)) {
          finish(message.params.requestId);
        }
        session.receive(message);
      },
      close: () => {
        if (open.size > 0) this.add(upstream.name, -open.size);
        open.clear();
        session.close();
      },
    };
  }

  private add(server: string, delta: number): void {
    const next = Math.max(0, (this.counts.get(server) ?? 0) + delta);
    this.counts.set(server, next);
    if (delta < 0 && this.count() === 0) this.emit('idle');
  }
}

/** Ids keep their type: the request "1" and the request 1 are different requests. */
function idKey(id: RequestId): string {
  return `${typeof id}:${String(id)}`;
}

type RequestMessage = JSONRPCMessage & { id: RequestId; method: string };
type ResponseMessage = JSONRPCMessage & { id: RequestId };
type Cancellation = JSONRPCMessage & { method: 'notifications/cancelled'; params: { requestId: RequestId } };

function isRequest(message: JSONRPCMessage): message is RequestMessage {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

function isResponse(message: JSONRPCMessage): message is ResponseMessage {
  return !('method' in message) && 'id' in message && message.id !== undefined && ('result' in message || 'error' in message);
}

function isCancellation(message: JSONRPCMessage): message is Cancellation {
  if (!('method' in message) || message.method !== 'notifications/cancelled' || 'id' in message) return false;
  const params = (message as { params?: { requestId?: unknown } }).params;
  return typeof params?.requestId === 'string' || typeof params?.requestId === 'number';
}

function shuttingDown(id: RequestId, server: string): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: SHUTTING_DOWN_CODE, message: `mcp-workstation is shutting down: server ${server} takes no new requests; retry once it is back` },
  };
}
