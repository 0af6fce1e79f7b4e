import type { JSONRPCMessage, JSONRPCRequest, ProgressToken, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ExitInfo, Logger } from '@mcp-workstation/supervisor';
import type { ChildResponseHooks } from './child-response-hooks.js';
import * as errors from './errors.js';
import { errorResponse, isNotification, isRequest, isResponse, progressTokenOf, type JSONRPCResponseMessage, type JsonRpcErrorBody } from './jsonrpc.js';
import type { SessionChild } from './session-child.js';
import type { ClientPeer, RequestRecord, UpstreamSession } from './types.js';

interface PassthroughRequest {
  readonly method: string;
  readonly startedAt: number;
  readonly progressToken?: ProgressToken;
}

export interface PassthroughSessionOptions {
  server: string;
  /** 0: never expires. */
  idleMs: number;
  hooks: ChildResponseHooks;
  logger?: Logger;
  onRequest?: (record: RequestRecord) => void;
  /** The child answered this session's initialize: the server works. */
  onInitialized(): void;
  /** The session is over (closed, expired or its child exited): reap its child. */
  onEnded(session: PassthroughSession, exit: ExitInfo | null): void;
}

/**
 * per-session mode: one client session, one child of its own, so messages pass through
 * unchanged (ids cannot collide, the client initializes its own child). The session only
 * keeps what it needs to fail requests when the child exits, to put progress and server
 * requests on the right client stream, and to expire when idle.
 */
export class PassthroughSession implements UpstreamSession {
  private readonly open = new Map<RequestId, PassthroughRequest>();
  private readonly beforeSpawn: JSONRPCMessage[] = [];
  private running = false;
  /** Set once the session is over: every later request gets it. */
  private ended: JsonRpcErrorBody | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly child: SessionChild,
    private readonly peer: ClientPeer,
    private readonly options: PassthroughSessionOptions,
  ) {}

  /** Attaches to the child (a started spare, or one that starts now). */
  begin(): void {
    this.child.onMessage = (message) => this.handleChildMessage(message);
    this.child.onExit = (info) => this.handleChildExit(info);
    if (this.child.exit) {
      this.handleChildExit(this.child.exit);
      return;
    }
    void this.child.start().then(() => this.flushBeforeSpawn());
    this.armIdleTimer();
  }

  receive(message: JSONRPCMessage): void {
    if (this.ended) {
      if (isRequest(message)) this.sendToPeer(errorResponse(message.id, this.ended), message.id);
      return;
    }
    this.armIdleTimer();
    if (isRequest(message) && !this.track(message)) return;
    if (isNotification(message) && message.method === 'notifications/cancelled') this.forget(message.params?.requestId as RequestId, 'cancelled');
    if (!this.running) this.beforeSpawn.push(message);
    else this.child.send(message); // a false here means the child is gone: its exit fails what is open
  }

  /** The transport ended the session: nobody waits for answers any more. */
  close(): void {
    this.end(errors.sessionClosed(this.options.server), null, false);
  }

  /** The upstream is closing: open requests fail, then the session ends. */
  shutDown(): void {
    if (this.ended) return;
    const error = errors.upstreamClosed(this.options.server);
    this.failOpen(error, 'error');
    this.end(error, null, false);
  }

  private track(request: JSONRPCRequest): boolean {
    if (this.open.has(request.id)) {
      const error = errors.duplicateRequestId(request.id);
      this.sendToPeer(errorResponse(request.id, error), request.id);
      this.record(request.method, Date.now(), 'error', error.code);
      return false;
    }
    this.open.set(request.id, { method: request.method, startedAt: Date.now(), progressToken: progressTokenOf(request) });
    return true;
  }

  private flushBeforeSpawn(): void {
    if (this.ended || this.child.exit) return;
    this.running = true;
    for (const message of this.beforeSpawn.splice(0)) this.child.send(message);
  }

  private handleChildMessage(message: JSONRPCMessage): void {
    if (this.ended) return;
    this.armIdleTimer();
    if (isResponse(message)) this.handleChildResponse(message);
    else if (isRequest(message)) this.sendToPeer(message, this.latestOpenId());
    else if (isNotification(message) && message.method === 'notifications/progress') {
      this.sendToPeer(message, this.requestWithProgressToken(message.params?.progressToken));
    } else this.sendToPeer(message);
  }

  private handleChildResponse(response: JSONRPCResponseMessage): void {
    if (response.id === undefined || !this.open.has(response.id)) return; // cancelled by the client
    const request = this.open.get(response.id)!;
    const delivered = this.options.hooks.toClient(response, request.method);
    const failed = 'error' in delivered;
    this.forget(response.id, failed ? 'error' : 'ok', failed ? delivered.error.code : undefined);
    if (request.method === 'initialize' && !failed) {
      this.child.channel.markReady();
      this.options.onInitialized();
    }
    this.sendToPeer(delivered, response.id);
  }

  private handleChildExit(info: ExitInfo): void {
    if (this.ended) return;
    this.failOpen(errors.childExited(this.options.server, info.reason), 'child-exit');
    this.options.logger?.warn(`the MCP server "${this.options.server}" of a session exited; the session is over`, {
      server: this.options.server,
      session: this.peer.label,
      reason: info.reason,
    });
    this.end(errors.sessionServerExited(this.options.server, info.reason), info, true);
  }

  private expire(): void {
    this.idleTimer = null;
    if (this.ended) return;
    if (this.open.size > 0) {
      this.options.logger?.debug('session idle timer re-armed: requests in flight', { server: this.options.server, session: this.peer.label, open: this.open.size });
      this.armIdleTimer(); // a long call is not idleness
      return;
    }
    this.options.logger?.info(`a session of MCP server "${this.options.server}" expired; stopping its server`, {
      server: this.options.server,
      session: this.peer.label,
    });
    this.end(errors.sessionExpired(this.options.server, this.options.idleMs), null, true);
  }

  /**
   * Over for good: later requests get `error`, the child is reaped and, when the upstream
   * ended it (not the transport), the transport hears of it.
   */
  private end(error: JsonRpcErrorBody, exit: ExitInfo | null, tellTransport: boolean): void {
    if (this.ended) return;
    this.ended = error;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.beforeSpawn.length = 0;
    for (const id of [...this.open.keys()]) this.forget(id, 'cancelled');
    if (tellTransport) this.peer.upstreamEnded?.(error.message);
    this.options.onEnded(this, exit);
  }

  private failOpen(error: JsonRpcErrorBody, outcome: RequestRecord['outcome']): void {
    for (const id of [...this.open.keys()]) {
      this.forget(id, outcome, error.code);
      this.sendToPeer(errorResponse(id, error), id);
    }
  }

  private forget(id: RequestId, outcome: RequestRecord['outcome'], errorCode?: number): void {
    const request = this.open.get(id);
    if (!request) return;
    this.open.delete(id);
    this.record(request.method, request.startedAt, outcome, errorCode);
  }

  private record(method: string, startedAt: number, outcome: RequestRecord['outcome'], errorCode?: number): void {
    try {
      this.options.onRequest?.({ server: this.options.server, method, durationMs: Date.now() - startedAt, outcome, errorCode });
    } catch (error) {
      this.options.logger?.warn('onRequest hook threw', { server: this.options.server, error: (error as Error).message });
    }
  }

  private latestOpenId(): RequestId | undefined {
    let latest: RequestId | undefined;
    for (const id of this.open.keys()) latest = id;
    return latest;
  }

  private requestWithProgressToken(token: unknown): RequestId | undefined {
    for (const [id, request] of this.open) if (request.progressToken !== undefined && request.progressToken === token) return id;
    return undefined;
  }

  private armIdleTimer(): void {
    if (this.options.idleMs <= 0 || this.ended) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.expire(), this.options.idleMs);
    this.idleTimer.unref?.();
  }

  private sendToPeer(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    try {
      this.peer.send(message, relatedRequestId);
    } catch (error) {
      this.options.logger?.warn('a client transport failed to take a message', {
        server: this.options.server,
        session: this.peer.label,
        error: (error as Error).message,
      });
    }
  }
}
