import type { InitializeResult, JSONRPCMessage, RequestId, Result } from '@modelcontextprotocol/sdk/types.js';
import type { Logger, MessageChannel, ProcessState } from '@mcp-workstation/supervisor';

/**
 * The seam inside the bridge between the downstream transports (Streamable HTTP, SSE,
 * WebSocket: src/http/) and the upstream side that talks to a stdio child (src/upstream/).
 * Transports know nothing of ids, initialize or children; upstreams know nothing of HTTP.
 */

/**
 * How sessions meet the child, per server:
 * - shared: one child for every session; ids rewritten per session (the default);
 * - stateless: the same shared child, but Streamable HTTP hands out no session ids and
 *   every POST is a transient session;
 * - per-session: a child per session, one spare started ahead.
 */
export type SessionMode = 'shared' | 'stateless' | 'per-session';

/** The upstream's way back to one client session (implemented by each transport). */
export interface ClientPeer {
  /**
   * Deliver a message to this client. `relatedRequestId` is the client's own request id
   * this message belongs to (progress, a server->client request made while handling it,
   * the response itself): it routes the message onto that request's stream.
   */
  send(message: JSONRPCMessage, relatedRequestId?: RequestId): void;
  /** For logs: transport and session id, e.g. "streamable-http 6f1c…". */
  readonly label: string;
  /** A stateless POST: no standalone stream, so unrelated messages cannot reach it. */
  readonly stateless: boolean;
  /**
   * Optional: this peer is one 2026-07-28 request (or listen stream) that per-session mode
   * serves with a child of its own, initialized with that request's envelope. Such params
   * describe one request, not an application that will connect again, so the upstream
   * does not initialize its spare ahead with them (spare-priming.ts): the next request,
   * with other capabilities, would find the spare unusable and wait for a fresh spawn.
   */
  readonly oneRequest?: boolean;
  /**
   * Optional: the upstream ended this session by itself (per-session mode: the session's
   * child exited or the session expired after `sessionIdleMs`). `reason` is a sentence for a
   * person. A transport may forget the session, so the client's next request gets 404 and it
   * starts a new one; until then the upstream answers its requests with that error.
   */
  upstreamEnded?(reason: string): void;
}

/** One client session's link to a server. */
export interface UpstreamSession {
  /** A message from the client (request, notification or response to a server request). */
  receive(message: JSONRPCMessage): void;
  /** The session ended (DELETE, closed socket, expiry). Idempotent; reaps a per-session child. */
  close(): void;
}

export interface UpstreamReadiness {
  ready: boolean;
  state: ProcessState;
  reason: string;
}

/** One finished request, for logs and metrics. */
export interface RequestRecord {
  server: string;
  method: string;
  durationMs: number;
  outcome: 'ok' | 'error' | 'cancelled' | 'child-exit' | 'timeout';
  errorCode?: number;
}

/** A JSON-RPC error body, as the child sent it or as `rewriteError` replaces it. */
export interface ChildError {
  code: number;
  message: string;
  data?: unknown;
}

export interface ChildErrorContext {
  server: string;
  /** The method of the request the child answered with this error. */
  method: string;
}

/** What the child answered to one request. */
export type ChildResponse = { kind: 'result'; result: Result } | { kind: 'error'; error: ChildError };

export interface ChildResponseContext extends ChildErrorContext {
  /**
   * client: the answer to a client's request. bridge: to one the bridge sent itself (its
   * initialize of a shared child, the per-session start-up probe, subscriptions, log levels).
   */
  origin: 'client' | 'bridge';
}

export interface UpstreamOptions {
  name: string;
  mode: SessionMode;
  /**
   * Makes a supervised child. shared/stateless call it once (a restarting channel);
   * per-session calls it for each session and the spare (restart disabled by the caller).
   */
  createChannel: (purpose: 'shared' | 'session') => MessageChannel;
  /** Requests that arrive while the child restarts wait this long, then fail. Default 30 s. */
  restartWaitMs?: number;
  /** How long the bridge waits for the child's answer to its own initialize. Default 60 s (uvx downloads on first run). */
  initializeTimeoutMs?: number;
  /** Protocol version the bridge offers the child in its own initialize. Default the SDK's latest. */
  protocolVersion?: string;
  /** per-session: idle sessions expire after this long. Default 10 min; 0 never. */
  sessionIdleMs?: number;
  onRequest?: (record: RequestRecord) => void;
  /**
   * Replaces a JSON-RPC error of the child before a client sees it (undefined: keep it). It
   * sees every error answer the child gives to a client's request, in every session mode and
   * protocol era, and, in shared/stateless mode, the child's error answer to the bridge's own
   * initialize, which is what clients then get while that child cannot serve them. For
   * errors whose wording misleads (a server that says "invalid params" when its login
   * expired); a hook that throws or returns no {code, message} leaves the error unchanged.
   */
  rewriteError?: (error: ChildError, context: ChildErrorContext) => ChildError | undefined;
  /**
   * Turns a result of the child into an error before a client sees it (undefined: keep the
   * result). For a server that reports a failure the client must act on as an ordinary
   * result (a proxy whose login expired answering a tools/call with `isError: true`): the
   * error carries a stable code and data a client can read. Same reach and the same
   * safety as rewriteError: a hook that throws or returns no {code, message} changes nothing.
   */
  rewriteResult?: (result: Result, context: ChildErrorContext) => ChildError | undefined;
  /** Observes every answer of the child (results and errors, to clients and to the bridge). Must not throw. */
  onChildResponse?: (response: ChildResponse, context: ChildResponseContext) => void;
  logger?: Logger;
}

/** One configured server, as the transports see it. */
export interface Upstream {
  readonly name: string;
  readonly mode: SessionMode;
  /** Spawn and (shared/stateless) initialize the child; resolves when it answered or failed. */
  start(): Promise<void>;
  open(peer: ClientPeer): UpstreamSession;
  readiness(): UpstreamReadiness;
  /**
   * The child's answer to the bridge's own initialize (shared/stateless; per-session: the
   * start-up probe's), or null before it answered. Serves later initializes and the
   * 2026-07-28 `server/discover`.
   */
  initializeResult(): InitializeResult | null;
  /** Number of open sessions (transient stateless ones included while they last). */
  sessionCount(): number;
  close(): Promise<void>;
}
