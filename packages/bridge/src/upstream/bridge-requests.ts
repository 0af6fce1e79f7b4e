import type { JSONRPCRequest, Result } from '@modelcontextprotocol/sdk/types.js';
import type { MessageChannel } from '@mcp-workstation/supervisor';
import type { IdAllocator } from './id-allocator.js';
import type { JSONRPCResponseMessage, JsonRpcErrorBody } from './jsonrpc.js';

/** A JSON-RPC error answer to one of the bridge's own requests (or the reason it got none). */
export class BridgeRequestError extends Error {
  constructor(
    readonly body: JsonRpcErrorBody,
    /** true: the child answered with this error; false: the bridge made it up (not sent, child gone). */
    readonly answeredByChild = false,
  ) {
    super(body.message);
    this.name = 'BridgeRequestError';
  }
}

interface PendingBridgeRequest {
  method: string;
  resolve(result: Result): void;
  reject(error: BridgeRequestError): void;
}

/**
 * Requests the bridge itself sends to a child (initialize, resources/subscribe on behalf of
 * its sessions, logging/setLevel): they share the upstream id space with rewritten client
 * requests, so a response is offered here first and only passed on when it is not ours.
 */
export class BridgeRequests {
  private readonly pending = new Map<number, PendingBridgeRequest>();

  constructor(
    private readonly ids: IdAllocator,
    /** Hears every answer of the child to one of these requests (the owner's onChildResponse). */
    private readonly observe?: (response: JSONRPCResponseMessage, method: string) => void,
  ) {}

  send(channel: MessageChannel, method: string, params?: Record<string, unknown>): Promise<Result> {
    const id = this.ids.next();
    const request: JSONRPCRequest = params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      if (!channel.send(request)) {
        this.pending.delete(id);
        reject(new BridgeRequestError({ code: -32000, message: `${method} could not be sent: the server's process is not running` }));
      }
    });
  }

  /** Settles one of ours; false when the response belongs to someone else. */
  handleResponse(response: JSONRPCResponseMessage): boolean {
    if (typeof response.id !== 'number') return false;
    const pending = this.pending.get(response.id);
    if (!pending) return false;
    this.pending.delete(response.id);
    this.observe?.(response, pending.method);
    if ('error' in response) pending.reject(new BridgeRequestError(response.error, true));
    else pending.resolve(response.result);
    return true;
  }

  /** The child went away: nothing we asked will be answered. */
  rejectAll(body: JsonRpcErrorBody): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) request.reject(new BridgeRequestError(body));
  }

  get size(): number {
    return this.pending.size;
  }
}
