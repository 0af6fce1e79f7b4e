import type { JSONRPCMessage, JSONRPCRequest, ProgressToken, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ExitInfo, Logger } from '@mcp-workstation/supervisor';
import type { ChildResponseHooks } from './child-response-hooks.js';
import * as errors from './errors.js';
import { errorResponse, isNotification, isRequest, isResponse, progressTokenOf, type JSONRPCResponseMessage, type JsonRpcErrorBody } from './jsonrpc.js';
import type { SessionChild } from './session-child.js';
import { canonicalParams } from './spare-priming.js';
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
  /** The child answered this session's initialize (with these params of the client): the server works. */
  onInitialized(params: Record<string, unknown> | undefined): void;
  /**
   * The child was initialized ahead with other params than this client's: stop it and give
   * the session a fresh one.
   */
  replaceChild(unsuitable: SessionChild): SessionChild;
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
  /** Messages that came while the adopted spare was still being initialized ahead. */
  private held: JSONRPCMessage[] | null = null;
  /** The params of this session's initialize, told to onInitialized once the child accepted them. */
  private initializeParams: Record<string, unknown> | undefined;

  constructor(
    private current: SessionChild,
    private readonly peer: ClientPeer,
    private readonly options: PassthroughSessionOptions,
  ) {}

  /** The child serving this session now (the upstream reaps it when the session ends). */
  get child(): SessionChild {
    return this.current;
  }

  /**
   * Attaches to the child (a started spare, or one that starts now). A spare still being
   * initialized ahead is waited for, the client's messages held meanwhile: it is usually
   * much closer to answering than a child spawned now.
   */
  begin(): void {
    this.armIdleTimer();
    const priming = this.current.priming;
    if (!priming) {
      this.attach();
      return;
    }
    this.held = [];
    void priming.then(() => {
      if (!this.ended) {
        if (this.current.primeFailed) this.current = this.options.replaceChild(this.current);
        this.attach();
      }
      const held = this.held ?? [];
      this.held = null;
      for (const message of held) this.receive(message);
    });
  }

  private attach(): void {
    const child = this.current;
    child.onMessage = (message) => this.handleChildMessage(message);
    child.onExit = (info) => this.handleChildExit(info);
    if (child.exit) {
      this.handleChildExit(child.exit);
      return;
    }
    void child.start().then(() => {
      if (this.current === child) this.flushBeforeSpawn();
    });
  }

  receive(message: JSONRPCMessage): void {
    if (this.ended) {
      if (isRequest(message)) this.sendToPeer(errorResponse(message.id, this.ended), message.id);
      return;
    }
    if (this.held) {
      this.held.push(message);
      return;
    }
    this.armIdleTimer();
    if (isRequest(message) && message.method === 'initialize') {
      this.initializeParams = message.params;
      if (this.current.primed && this.answerFromPrimed(message)) return;
    }
    if (isRequest(message) && !this.track(message)) return;
    if (isNotification(message) && message.method === 'notifications/cancelled') this.forget(message.params?.requestId as RequestId, 'cancelled');
    if (!this.running) this.beforeSpawn.push(message);
    else this.current.send(message); // a false here means the child is gone: its exit fails what is open
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

  /**
   * A spare initialized ahead: the same params get its answer at once (true); other params
   * get a fresh child, to which the initialize then goes as usual (false).
   */
  private answerFromPrimed(request: JSONRPCRequest): boolean {
    const primed = this.current.primed!;
    this.current.primed = null;
    if (canonicalParams(request.params) !== primed.fingerprint) {
      const unsuitable = this.current;
      unsuitable.onMessage = null;
      unsuitable.onExit = null;
      this.current = this.options.replaceChild(unsuitable);
      this.running = false;
      this.attach();
      return false;
    }
    if (!this.track(request)) return true;
    this.handleChildResponse({ jsonrpc: '2.0', id: request.id, result: primed.result });
    for (const message of primed.early.splice(0)) this.handleChildMessage(message);
    return true;
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
    if (this.ended || this.current.exit) return;
    this.running = true;
    for (const message of this.beforeSpawn.splice(0)) this.current.send(message);
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
      this.current.channel.markReady();
      this.options.onInitialized(this.initializeParams);
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
