import type { ClientCapabilities, JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ClientPeer, UpstreamSession } from './types.js';

/** A client request of a shared session from its arrival until it is answered or cancelled. */
export interface OpenRequest {
  readonly id: RequestId;
  readonly method: string;
  readonly startedAt: number;
  /** The task this request names (`params.taskId` of tasks/*, or related-task metadata). */
  readonly taskId?: string;
  /** Task-augmented: the child may answer with a CreateTaskResult. */
  readonly createsTask?: boolean;
  /** Set while the request is on the child's stdio under this id. */
  upstreamId?: number;
}

/** What a shared session calls back into: the upstream that owns it. */
export interface SharedSessionOwner {
  handleClientMessage(session: SharedSession, message: JSONRPCMessage): void;
  closeSession(session: SharedSession): void;
}

/**
 * One client session on the shared child: its client's declared capabilities and the requests
 * it has open. Everything else the upstream keeps about sessions (log levels, subscriptions,
 * server->client requests) lives in the component that owns that concern, keyed by session.
 */
export class SharedSession implements UpstreamSession {
  /** undefined until the client's initialize arrives (a stateless POST never sends one). */
  capabilities: ClientCapabilities | undefined;
  lastActivity = Date.now();
  closed = false;
  /** Insertion-ordered, so the last forwarded entry is the most recent request. */
  readonly open = new Map<RequestId, OpenRequest>();

  constructor(
    readonly peer: ClientPeer,
    readonly label: string,
    private readonly owner: SharedSessionOwner,
  ) {}

  receive(message: JSONRPCMessage): void {
    this.owner.handleClientMessage(this, message);
  }

  close(): void {
    this.owner.closeSession(this);
  }

  /** Whether any request of this session is on the child's stdio now. */
  hasForwarded(): boolean {
    for (const request of this.open.values()) if (request.upstreamId !== undefined) return true;
    return false;
  }

  /** The most recent request on the child's stdio: a message related to it reaches the client on its stream. */
  latestForwarded(): OpenRequest | undefined {
    let latest: OpenRequest | undefined;
    for (const request of this.open.values()) if (request.upstreamId !== undefined) latest = request;
    return latest;
  }

  /** The open request naming `taskId` that a message of that task rides on: its tasks/result first. */
  requestForTask(taskId: string): OpenRequest | undefined {
    let found: OpenRequest | undefined;
    for (const request of this.open.values()) {
      if (request.taskId !== taskId || request.upstreamId === undefined) continue;
      if (request.method === 'tasks/result') return request;
      found ??= request;
    }
    return found;
  }

  /**
   * Whether the client declared what `test` looks for. A stateless POST carries no initialize,
   * so its client's capabilities are unknown: it is assumed capable (a client that is not
   * answers the child with an error, which is what the child would get anyway).
   */
  supports(test: (capabilities: ClientCapabilities) => boolean): boolean {
    if (this.capabilities === undefined) return this.peer.stateless;
    return test(this.capabilities);
  }
}
