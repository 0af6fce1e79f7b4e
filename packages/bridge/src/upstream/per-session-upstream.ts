import type { InitializeResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ExitInfo } from '@mcp-workstation/supervisor';
import { ChildResponseHooks } from './child-response-hooks.js';
import * as errors from './errors.js';
import { errorResponse, isRequest } from './jsonrpc.js';
import { PassthroughSession } from './passthrough-session.js';
import { probeServer } from './probe.js';
import { SessionChild } from './session-child.js';
import { primeChild } from './spare-priming.js';
import { DEFAULT_INITIALIZE_TIMEOUT_MS } from './shared-upstream.js';
import type { ClientPeer, SessionMode, Upstream, UpstreamOptions, UpstreamReadiness, UpstreamSession } from './types.js';

export const DEFAULT_SESSION_IDLE_MS = 10 * 60_000;

export interface PerSessionUpstreamStats {
  sessions: number;
  /** Whether a spawned spare waits for the next session. */
  spare: boolean;
  /** Whether that spare is initialized ahead (spare-priming.ts). */
  sparePrimed: boolean;
  /** Children being stopped right now. */
  stopping: number;
}

/**
 * per-session mode: every session gets a child of its own, so nothing is shared and nothing
 * needs rewriting. A spare child is spawned ahead so a new session does not wait for a
 * spawn, and initialized ahead with the latest client's params, so a client sending the
 * same ones does not wait for the child's first initialize either (spare-priming.ts; before
 * any session started well the spare waits uninitialized). Children of ended
 * sessions (closed, expired, exited) are stopped, which reaps their process groups.
 */
export class PerSessionUpstream implements Upstream {
  readonly name: string;
  readonly mode: SessionMode;

  private readonly sessions = new Set<PassthroughSession>();
  private readonly hooks: ChildResponseHooks;
  private readonly stopping = new Set<Promise<void>>();
  private spare: SessionChild | null = null;
  /** The start-up probe while it runs (close() must not wait for its initialize). */
  private probe: SessionChild | null = null;
  private probeResult: InitializeResult | null = null;
  /** The initialize params of the latest session whose child accepted them: what the spare is initialized with. */
  private primeParams: Record<string, unknown> | null = null;
  private health: UpstreamReadiness = { ready: false, state: 'starting', reason: 'not started yet' };
  private starting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: UpstreamOptions) {
    this.name = options.name;
    this.mode = options.mode;
    this.hooks = new ChildResponseHooks(options);
  }

  /** Idempotent; a closed upstream does not start again. */
  start(): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.starting ??= this.probeAndPrepare();
    return this.starting;
  }

  private async probeAndPrepare(): Promise<void> {
    const probe = this.newChild();
    this.probe = probe;
    const outcome = await probeServer(probe, {
      server: this.name,
      protocolVersion: this.options.protocolVersion,
      initializeTimeoutMs: this.options.initializeTimeoutMs ?? DEFAULT_INITIALIZE_TIMEOUT_MS,
      hooks: this.hooks,
    });
    this.probe = null;
    this.reap(probe);
    if (this.closing) return;
    if (outcome.ok) {
      this.probeResult = outcome.result;
      this.health = { ready: true, state: 'ready', reason: `MCP server "${this.name}" answered the start-up probe's initialize` };
    } else {
      this.health = { ready: false, state: 'failed', reason: outcome.reason };
      this.options.logger?.warn(`MCP server "${this.name}" failed its start-up probe: ${outcome.reason}`, { server: this.name });
    }
    await this.replenishSpare();
  }

  open(peer: ClientPeer): UpstreamSession {
    if (this.closing) return refusingSession(peer, errors.upstreamClosed(this.name));
    // The latest opener decides how the next spare is prepared: after a 2026-07-28
    // request it stays plain (spawned, waiting), which suits any request's handshake.
    if (peer.oneRequest) this.primeParams = null;
    const child = this.takeSpare() ?? this.newChild();
    const session = new PassthroughSession(child, peer, {
      server: this.name,
      idleMs: this.options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS,
      hooks: this.hooks,
      logger: this.options.logger,
      onRequest: this.options.onRequest,
      onInitialized: (params) => this.sessionInitialized(peer.oneRequest ? undefined : params),
      replaceChild: (unsuitable) => {
        this.reap(unsuitable);
        return this.newChild();
      },
      onEnded: (ended, exit) => this.sessionEnded(ended, ended.child, exit),
    });
    this.sessions.add(session);
    session.begin();
    void this.replenishSpare();
    return session;
  }

  readiness(): UpstreamReadiness {
    if (this.closing) return { ready: false, state: 'stopped', reason: `MCP server "${this.name}" was closed` };
    return this.health;
  }

  initializeResult(): InitializeResult | null {
    return this.probeResult;
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): PerSessionUpstreamStats {
    return { sessions: this.sessions.size, spare: this.spare !== null, sparePrimed: this.spare?.primed != null, stopping: this.stopping.size };
  }

  private newChild(): SessionChild {
    return new SessionChild(this.options.createChannel('session'));
  }

  /** The spare if it still runs; a dead one is reaped and forgotten. */
  private takeSpare(): SessionChild | null {
    const spare = this.spare;
    this.spare = null;
    if (spare?.alive()) return spare;
    if (spare) this.reap(spare);
    return null;
  }

  /**
   * Starts the next spare. One that dies is not replaced until a session takes its place,
   * so a server that cannot start costs one spawn per new session, never a loop.
   */
  private async replenishSpare(): Promise<void> {
    if (this.closing || this.spare) return;
    const spare = this.newChild();
    this.spare = spare;
    spare.onExit = (info) => {
      if (this.spare === spare) this.spare = null;
      this.reap(spare);
      this.noteExit(info);
    };
    await spare.start();
    await this.prime(spare);
  }

  /** Initializes the spare ahead when a client's params are known; a spare that refuses them is replaced by a plain one. */
  private async prime(spare: SessionChild): Promise<void> {
    const params = this.primeParams;
    if (!params || this.closing || this.spare !== spare || !spare.alive() || spare.priming || spare.primed || spare.primeFailed) return;
    let settled!: () => void;
    spare.priming = new Promise((resolve) => (settled = resolve));
    await spare.start(); // idempotent: a session's success can come while the spare still spawns
    const primed = await primeChild(spare, params, {
      hooks: this.hooks,
      server: this.name,
      timeoutMs: this.options.initializeTimeoutMs ?? DEFAULT_INITIALIZE_TIMEOUT_MS,
    });
    if (primed) spare.primed = primed;
    else spare.primeFailed = true;
    spare.priming = null;
    settled();
    // Taken by a session meanwhile (it reads the outcome itself), or closed.
    if (this.spare !== spare || primed) return;
    // It did not take them (an error, a timeout): no session gets it; the next spare waits
    // uninitialized until a session has started well again.
    this.spare = null;
    if (this.primeParams === params) this.primeParams = null;
    this.reap(spare);
    if (spare.exit === null) await this.replenishSpare();
  }

  private sessionInitialized(params: Record<string, unknown> | undefined): void {
    this.markHealthy();
    if (params === undefined) return;
    this.primeParams = params;
    // A spare that is waiting uninitialized (the first session's) can be primed now.
    if (this.spare) void this.prime(this.spare);
  }

  private sessionEnded(session: PassthroughSession, child: SessionChild, exit: ExitInfo | null): void {
    this.sessions.delete(session);
    this.reap(child);
    if (exit) this.noteExit(exit);
  }

  /** A child that could not even start says the server is not usable now. */
  private noteExit(exit: ExitInfo): void {
    if (exit.during !== 'start' || this.closing) return;
    this.health = { ready: false, state: 'failed', reason: exit.reason };
  }

  private markHealthy(): void {
    if (this.health.ready) return;
    this.health = { ready: true, state: 'ready', reason: `a session's MCP server "${this.name}" answered initialize` };
  }

  private reap(child: SessionChild): void {
    const stopped = child.stop().catch((error: unknown) => {
      this.options.logger?.warn(`stopping a child of MCP server "${this.name}" failed`, { server: this.name, error: (error as Error).message });
    });
    this.stopping.add(stopped);
    void stopped.finally(() => this.stopping.delete(stopped));
  }

  private async shutdown(): Promise<void> {
    for (const session of [...this.sessions]) session.shutDown();
    for (const child of [this.spare, this.probe]) if (child) this.reap(child);
    this.spare = null;
    await Promise.all([...this.stopping]);
  }
}

/** A session of a closed upstream: it answers every request with `error`. */
function refusingSession(peer: ClientPeer, error: ReturnType<typeof errors.upstreamClosed>): UpstreamSession {
  return {
    receive(message: JSONRPCMessage): void {
      if (isRequest(message)) peer.send(errorResponse(message.id, error), message.id);
    },
    close(): void {},
  };
}
