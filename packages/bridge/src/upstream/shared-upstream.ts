import type { ExitInfo, MessageChannel } from '@mcp-workstation/supervisor';
import type {
  InitializeResult,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  RequestId,
  Result,
} from '@modelcontextprotocol/sdk/types.js';
import { RequestsAwaitingChild, type WaitingRequest } from './awaiting-child.js';
import { BridgeRequestError, BridgeRequests } from './bridge-requests.js';
import { routeChildNotification, type ChildNotificationRoutes } from './child-notifications.js';
import { ChildResponseHooks } from './child-response-hooks.js';
import * as errors from './errors.js';
import { IdAllocator } from './id-allocator.js';
import { IdMap, restoreResponse } from './id-map.js';
import { answerFromCache, declaredCapabilities } from './initialize.js';
import {
  errorResponse,
  isNotification,
  isRequest,
  isResponse,
  notification,
  resultResponse,
  type JSONRPCResponseMessage,
  type JsonRpcErrorBody,
} from './jsonrpc.js';
import { isLoggingLevel, LOGGING_LEVELS, LoggingLevels } from './logging-levels.js';
import { ServerRequests } from './server-requests.js';
import { SharedChild } from './shared-child.js';
import { SharedSession, type OpenRequest, type SharedSessionOwner } from './session-state.js';
import { ResourceSubscriptions } from './subscriptions.js';
import { TaskIsolation, taskFactsOf } from './task-isolation.js';
import type { ClientPeer, RequestRecord, SessionMode, Upstream, UpstreamOptions, UpstreamReadiness, UpstreamSession } from './types.js';

export const DEFAULT_RESTART_WAIT_MS = 30_000;
export const DEFAULT_INITIALIZE_TIMEOUT_MS = 60_000;
export const DEFAULT_AMBIGUITY_WAIT_MS = 2_000;
/** A child that never answers ping: how long a ping barrier waits before the bridge goes on without it. */
const PING_BARRIER_TIMEOUT_MS = 1_000;

/** Knobs that are not part of the configuration (tests shorten them). */
export interface SharedUpstreamTuning {
  ambiguityWaitMs?: number;
  /** Tasks of stateless clients remembered at most (oldest forgotten first). */
  maxStatelessTasks?: number;
}

/** Sizes of every internal table: all zero once every session closed and the child is idle. */
export interface SharedUpstreamStats {
  sessions: number;
  openRequests: number;
  forwarded: number;
  awaitingChild: number;
  bridgeRequests: number;
  heldServerRequests: number;
  ambiguousServerRequests: number;
  elicitations: number;
  subscriptions: number;
  loggingLevels: number;
  tasks: number;
  taskCursors: number;
  earlyTaskNotifications: number;
}

/**
 * shared and stateless modes: one child for every session. The bridge is the child's only
 * client (it initializes it, answers client initializes from the cached result) and
 * multiplexes the sessions over it: ids and progress tokens rewritten (IdMap), server->client
 * requests routed (ServerRequests), notifications fanned out (routeChildNotification), log
 * levels and subscriptions aggregated, tasks kept to their owners (TaskIsolation), requests
 * held while the child restarts.
 */
export class SharedUpstream implements Upstream, SharedSessionOwner {
  readonly name: string;
  readonly mode: SessionMode;

  private readonly sessions = new Set<SharedSession>();
  private readonly ids = new IdAllocator();
  private readonly hooks: ChildResponseHooks;
  private readonly requests: BridgeRequests;
  private readonly idMap = new IdMap(this.ids);
  private readonly levels = new LoggingLevels();
  private readonly channel: MessageChannel;
  private readonly child: SharedChild;
  private readonly awaiting: RequestsAwaitingChild;
  private readonly serverRequests: ServerRequests;
  private readonly subscriptions: ResourceSubscriptions;
  private readonly tasks: TaskIsolation;
  private readonly notificationRoutes: ChildNotificationRoutes;
  private openedSessions = 0;
  private starting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly options: UpstreamOptions,
    tuning: SharedUpstreamTuning = {},
  ) {
    this.name = options.name;
    this.mode = options.mode;
    this.hooks = new ChildResponseHooks(options);
    this.requests = new BridgeRequests(this.ids, (response, method) => this.hooks.observe(response, method, 'bridge'));
    this.channel = options.createChannel('shared');
    this.child = new SharedChild({
      server: options.name,
      channel: this.channel,
      requests: this.requests,
      protocolVersion: options.protocolVersion,
      initializeTimeoutMs: options.initializeTimeoutMs ?? DEFAULT_INITIALIZE_TIMEOUT_MS,
      hooks: this.hooks,
      logger: options.logger,
      restore: () => this.restoreSessionState(),
      onReady: () => this.dispatchAwaiting(),
      onRefused: (refusal) => this.refuseAwaiting(refusal),
      onExit: (info) => this.failForwarded(info),
      onMessage: (message) => this.handleChildMessage(message),
    });
    this.awaiting = new RequestsAwaitingChild(options.restartWaitMs ?? DEFAULT_RESTART_WAIT_MS, (waiting) => this.giveUpWaiting(waiting));
    this.tasks = new TaskIsolation({
      server: options.name,
      sessions: () => this.sessions,
      childTasks: () => this.child.initializeResult()?.capabilities.tasks,
      cancelAtChild: (taskId) => this.sendBestEffort('tasks/cancel', { taskId }),
      deliver: (session, message, relatedRequestId) => this.deliver(session, message, relatedRequestId),
      wants: (session, message) => message.method !== 'notifications/message' || this.levels.admits(session, message.params?.level),
      maxStatelessTasks: tuning.maxStatelessTasks,
      logger: options.logger,
    });
    this.serverRequests = new ServerRequests({
      ids: this.ids,
      sessions: () => this.sessions,
      sendToChild: (message) => this.child.send(message),
      deliver: (session, message, relatedRequestId) => this.deliver(session, message, relatedRequestId),
      taskRecipients: (taskId) => this.tasks.recipients(taskId),
      barrier: () => this.pingChild(),
      ambiguityWaitMs: tuning.ambiguityWaitMs ?? DEFAULT_AMBIGUITY_WAIT_MS,
      logger: options.logger,
      server: options.name,
    });
    this.subscriptions = new ResourceSubscriptions({
      subscribe: async (uri) => {
        await this.requests.send(this.channel, 'resources/subscribe', { uri });
      },
      unsubscribe: (uri) => this.sendBestEffort('resources/unsubscribe', { uri }),
    });
    this.notificationRoutes = {
      idMap: this.idMap,
      levels: this.levels,
      subscriptions: this.subscriptions,
      serverRequests: this.serverRequests,
      tasks: this.tasks,
      sessions: () => this.sessions,
      deliver: (session, message, relatedRequestId) => this.deliver(session, message, relatedRequestId),
    };
  }

  /** Idempotent; a closed upstream does not start again. */
  start(): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.starting ??= this.child.start();
    return this.starting;
  }

  open(peer: ClientPeer): UpstreamSession {
    this.openedSessions += 1;
    const session = new SharedSession(peer, `${peer.label} #${this.openedSessions}`, this);
    if (!this.closing) this.sessions.add(session);
    return session;
  }

  readiness(): UpstreamReadiness {
    if (this.closing) return { ready: false, state: 'stopped', reason: `MCP server "${this.name}" was closed` };
    return this.child.readiness();
  }

  initializeResult(): InitializeResult | null {
    return this.child.initializeResult();
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Internal table sizes, for tests and diagnostics. */
  stats(): SharedUpstreamStats {
    const server = this.serverRequests.stats();
    let openRequests = 0;
    for (const session of this.sessions) openRequests += session.open.size;
    return {
      sessions: this.sessions.size,
      openRequests,
      forwarded: this.idMap.size,
      awaitingChild: this.awaiting.size,
      bridgeRequests: this.requests.size,
      heldServerRequests: server.held,
      ambiguousServerRequests: server.ambiguous,
      elicitations: server.elicitations,
      subscriptions: this.subscriptions.size,
      loggingLevels: this.levels.size,
      ...this.tasks.stats(),
    };
  }

  // ---- client -> child ----

  handleClientMessage(session: SharedSession, message: JSONRPCMessage): void {
    if (session.closed && !this.closing) {
      this.options.logger?.debug('message on a closed session ignored', { server: this.name, session: session.label });
      return;
    }
    session.lastActivity = Date.now();
    if (isRequest(message)) this.handleClientRequest(session, message);
    else if (isResponse(message)) this.serverRequests.handleClientResponse(session, message);
    else if (isNotification(message)) this.handleClientNotification(session, message);
    else this.options.logger?.warn('a client message that is no JSON-RPC request, notification or response was ignored', { server: this.name, session: session.label });
  }

  private handleClientRequest(session: SharedSession, request: JSONRPCRequest): void {
    const open: OpenRequest = { id: request.id, method: request.method, startedAt: Date.now(), ...taskFactsOf(request) };
    if (this.closing) {
      this.refuse(session, open, errors.upstreamClosed(this.name));
      return;
    }
    if (session.open.has(request.id)) {
      this.refuse(session, open, errors.duplicateRequestId(request.id));
      return;
    }
    session.open.set(request.id, open);
    // Capabilities are needed for routing as soon as the client's requests are in flight,
    // even while its initialize itself still waits for the child.
    if (request.method === 'initialize') session.capabilities = declaredCapabilities(request.params);
    if (this.child.isReady()) this.dispatch(session, open, request);
    else this.waitOrRefuse(session, open, request);
  }

  /** Not ready: wait for the child, unless it refused initialize (then only a restart helps). */
  private waitOrRefuse(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    const refusal = this.child.refusal();
    if (refusal) this.answerError(session, open, refusal);
    else this.awaiting.add(session, request);
  }

  private dispatch(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    switch (request.method) {
      case 'initialize':
        this.answerInitialize(session, open, request);
        return;
      case 'logging/setLevel':
        this.setLoggingLevel(session, open, request);
        return;
      case 'resources/subscribe':
        this.subscribe(session, open, request);
        return;
      case 'resources/unsubscribe':
        this.unsubscribe(session, open, request);
        return;
      default:
        this.forwardAdmitted(session, open, request);
    }
  }

  /** Requests that name a task go to the child only from its owner (TaskIsolation). */
  private forwardAdmitted(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    const admission = this.tasks.admitRequest(session, request);
    if (admission.kind === 'refuse') this.answerError(session, open, admission.error);
    else if (admission.kind === 'answer') this.answerResult(session, open, admission.result);
    else this.forward(session, open, admission.request);
  }

  private forward(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    const { entry, message } = this.idMap.forward(session, open, request);
    if (this.child.send(message)) return;
    // The process just went away and its exit is not reported yet: wait for the next one.
    this.idMap.remove(entry);
    this.awaiting.add(session, request);
  }

  private answerInitialize(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    const cached = this.child.initializeResult();
    if (!cached) {
      this.answerError(session, open, errors.notReady(this.name, { ...this.child.describeState(), waitedMs: Date.now() - open.startedAt }));
      return;
    }
    this.answerResult(session, open, answerFromCache(cached, request.params?.protocolVersion));
  }

  private setLoggingLevel(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    if (!this.child.initializeResult()?.capabilities.logging) {
      this.answerError(session, open, errors.loggingUnsupported(this.name));
      return;
    }
    const level = request.params?.level;
    if (!isLoggingLevel(level)) {
      this.answerError(session, open, errors.invalidParams(`Unknown logging level ${JSON.stringify(level)}; use one of: ${LOGGING_LEVELS.join(', ')}.`));
      return;
    }
    const childLevel = this.levels.set(session, level);
    if (childLevel) this.sendBestEffort('logging/setLevel', { level: childLevel });
    this.answerResult(session, open, {});
  }

  private subscribe(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    const uri = request.params?.uri;
    if (typeof uri !== 'string') {
      this.answerError(session, open, errors.invalidParams('resources/subscribe needs params.uri, a string.'));
      return;
    }
    this.subscriptions.subscribe(session, uri).then(
      () => this.answerResult(session, open, {}),
      (error: unknown) => this.answerError(session, open, bodyOf(error)),
    );
  }

  private unsubscribe(session: SharedSession, open: OpenRequest, request: JSONRPCRequest): void {
    const uri = request.params?.uri;
    if (typeof uri !== 'string') {
      this.answerError(session, open, errors.invalidParams('resources/unsubscribe needs params.uri, a string.'));
      return;
    }
    this.subscriptions.unsubscribe(session, uri);
    this.answerResult(session, open, {});
  }

  private handleClientNotification(session: SharedSession, message: JSONRPCNotification): void {
    switch (message.method) {
      case 'notifications/initialized':
        return; // the child was initialized by the bridge, once
      case 'notifications/cancelled':
        this.cancel(session, message.params?.requestId, message.params?.reason);
        return;
      default:
        if (!this.tasks.admitNotification(session, message)) {
          this.options.logger?.debug("a client notification about another session's task was dropped", { server: this.name, session: session.label, method: message.method });
          return;
        }
        if (!this.child.isReady() || !this.child.send(message)) {
          this.options.logger?.debug('client notification dropped: the server is not ready', { server: this.name, method: message.method });
        }
    }
  }

  /** A client cancelled one of its own requests: the child hears of it under the upstream id. */
  private cancel(session: SharedSession, requestId: unknown, reason: unknown): void {
    const open = session.open.get(requestId as RequestId);
    if (!open) return; // answered already, or not this session's request
    session.open.delete(open.id);
    this.abandon(session, open, typeof reason === 'string' ? reason : undefined);
    this.serverRequests.reevaluate();
  }

  /** Takes an open request off the child (or the wait list) without answering the client. */
  private abandon(session: SharedSession, open: OpenRequest, reason: string | undefined): void {
    const upstreamId = open.upstreamId;
    if (upstreamId !== undefined && this.idMap.removeUpstreamId(upstreamId)) {
      this.child.send(notification('notifications/cancelled', reason === undefined ? { requestId: upstreamId } : { requestId: upstreamId, reason }));
    } else {
      this.awaiting.remove(session, open.id);
    }
    this.record(open, 'cancelled');
    this.tasks.requestAbandoned(open);
  }

  closeSession(session: SharedSession): void {
    if (session.closed) return;
    session.closed = true;
    this.sessions.delete(session);
    for (const open of [...session.open.values()]) this.abandon(session, open, 'session closed');
    session.open.clear();
    this.awaiting.removeSession(session);
    this.subscriptions.sessionClosed(session);
    const childLevel = this.levels.remove(session);
    if (childLevel) this.sendBestEffort('logging/setLevel', { level: childLevel });
    this.serverRequests.sessionClosed(session);
    this.tasks.sessionClosed(session);
  }

  // ---- child -> client ----

  private handleChildMessage(message: JSONRPCMessage): void {
    if (isResponse(message)) this.handleChildResponse(message);
    else if (isRequest(message)) this.serverRequests.route(message);
    else if (isNotification(message)) routeChildNotification(this.notificationRoutes, message);
  }

  private handleChildResponse(response: JSONRPCResponseMessage): void {
    const entry = this.idMap.takeForResponse(response);
    if (!entry) {
      this.options.logger?.debug('response of the server for no open request (cancelled or closed session) dropped', { server: this.name, id: response.id });
      return;
    }
    this.hooks.observe(response, entry.request.method, 'client');
    const restored = this.tasks.onChildResponse(entry, restoreResponse(entry, response));
    const delivered = this.hooks.rewriteResponse(restored, entry.request.method);
    const failed = 'error' in delivered;
    this.reply(entry.session, entry.request, delivered, failed ? 'error' : 'ok', failed ? delivered.error.code : undefined);
    this.tasks.responseDelivered(entry.request);
  }

  /**
   * Every message to a client passes here. A stateless POST only has its own stream: a
   * message unrelated to one of its requests rides on its most recent one, or cannot reach it.
   */
  private deliver(session: SharedSession, message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    const related = relatedRequestId ?? (session.peer.stateless ? session.latestForwarded()?.id : undefined);
    if (related === undefined && session.peer.stateless) return;
    try {
      session.peer.send(message, related);
    } catch (error) {
      this.options.logger?.warn('a client transport failed to take a message', { server: this.name, session: session.label, error: (error as Error).message });
    }
  }

  // ---- answering and recording ----

  private answerResult(session: SharedSession, open: OpenRequest, result: Result): void {
    this.reply(session, open, resultResponse(open.id, result), 'ok');
  }

  private answerError(session: SharedSession, open: OpenRequest, error: JsonRpcErrorBody, outcome: RequestRecord['outcome'] = 'error'): void {
    this.reply(session, open, errorResponse(open.id, error), outcome, error.code);
  }

  /** Answers an open request, unless it was cancelled or its session closed meanwhile. */
  private reply(session: SharedSession, open: OpenRequest, response: JSONRPCResponseMessage, outcome: RequestRecord['outcome'], errorCode?: number): void {
    if (session.open.get(open.id) !== open) return;
    session.open.delete(open.id);
    this.deliver(session, response, open.id);
    this.record(open, outcome, errorCode);
    this.serverRequests.reevaluate();
  }

  /** Refuses a request that was never registered (a duplicate id, a closed upstream). */
  private refuse(session: SharedSession, open: OpenRequest, error: JsonRpcErrorBody): void {
    this.deliver(session, errorResponse(open.id, error), open.id);
    this.record(open, 'error', error.code);
  }

  private record(open: OpenRequest, outcome: RequestRecord['outcome'], errorCode?: number): void {
    if (!this.options.onRequest) return;
    try {
      this.options.onRequest({ server: this.name, method: open.method, durationMs: Date.now() - open.startedAt, outcome, errorCode });
    } catch (error) {
      this.options.logger?.warn('onRequest hook threw', { server: this.name, error: (error as Error).message });
    }
  }

  // ---- the child's lifecycle ----

  private dispatchAwaiting(): void {
    for (const waiting of this.awaiting.drain()) {
      const open = waiting.session.open.get(waiting.request.id);
      if (open && !waiting.session.closed) this.dispatch(waiting.session, open, waiting.request);
    }
  }

  /** The child refused initialize: what waits for it is answered now, with what clients are told. */
  private refuseAwaiting(refusal: JsonRpcErrorBody): void {
    for (const waiting of this.awaiting.drain()) {
      const open = waiting.session.open.get(waiting.request.id);
      if (open && !waiting.session.closed) this.answerError(waiting.session, open, refusal);
    }
  }

  private giveUpWaiting(waiting: WaitingRequest): void {
    const open = waiting.session.open.get(waiting.request.id);
    if (!open) return;
    const error = errors.notReady(this.name, { ...this.child.describeState(), waitedMs: Date.now() - waiting.since });
    this.options.logger?.warn(error.message, { server: this.name, method: open.method });
    this.answerError(waiting.session, open, error, 'timeout');
  }

  /** The child exited: everything on its stdio fails now; sessions stay. */
  private failForwarded(info: ExitInfo): void {
    this.options.logger?.warn(`MCP server "${this.name}" exited; failing its requests in flight`, { server: this.name, reason: info.reason, forwarded: this.idMap.size });
    this.serverRequests.dropAll(`MCP server "${this.name}" exited`);
    this.tasks.childExited();
    const error = errors.childExited(this.name, info.reason);
    for (const entry of this.idMap.takeAll()) {
      this.reply(entry.session, entry.request, errorResponse(entry.request.id, error), 'child-exit', error.code);
    }
  }

  /** A new child knows nothing of the sessions: subscribe it again and give it the log level. */
  private restoreSessionState(): void {
    for (const uri of this.subscriptions.activeUris()) this.sendBestEffort('resources/subscribe', { uri });
    const level = this.levels.aggregate();
    if (level && this.child.initializeResult()?.capabilities.logging) this.sendBestEffort('logging/setLevel', { level });
  }

  /** A request of the bridge's own whose answer nobody waits for (failures are only logged). */
  /**
   * Resolves when the child has answered a ping sent now (with a result or an error, either
   * will do), so everything it wrote before reading the ping has arrived; or at once when it
   * is not running, or after PING_BARRIER_TIMEOUT_MS for a child that never answers pings.
   */
  private pingChild(): Promise<void> {
    if (this.closing || !this.child.isReady()) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, PING_BARRIER_TIMEOUT_MS);
      timer.unref();
    });
    const answered = this.requests.send(this.channel, 'ping').then(
      () => undefined,
      () => undefined,
    );
    return Promise.race([answered, silent]).finally(() => clearTimeout(timer));
  }

  private sendBestEffort(method: string, params: Record<string, unknown>): void {
    // A child that is not initialized gets nothing; restoreSessionState catches it up.
    if (this.closing || !this.child.isReady()) return;
    this.requests.send(this.channel, method, params).catch((error: unknown) => {
      this.options.logger?.debug(`${method} to the server failed`, { server: this.name, error: (error as Error).message });
    });
  }

  private async shutdown(): Promise<void> {
    const error = errors.upstreamClosed(this.name);
    for (const waiting of this.awaiting.drain()) {
      const open = waiting.session.open.get(waiting.request.id);
      if (open) this.answerError(waiting.session, open, error);
    }
    this.serverRequests.dropAll(`MCP server "${this.name}" is shutting down`);
    for (const entry of this.idMap.takeAll()) this.answerError(entry.session, entry.request, error);
    for (const session of [...this.sessions]) this.closeSession(session);
    this.tasks.close();
    this.requests.rejectAll(error);
    await this.child.close();
  }
}

function bodyOf(error: unknown): JsonRpcErrorBody {
  if (error instanceof BridgeRequestError) return error.body;
  return { code: -32603, message: error instanceof Error ? error.message : String(error) };
}
