import { ErrorCode, type InitializeResult, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ExitInfo, Logger, MessageChannel, ServerStatus } from '@mcp-workstation/supervisor';
import type { UpstreamReadiness } from './types.js';
import { BridgeRequestError, BridgeRequests } from './bridge-requests.js';
import type { ChildResponseHooks } from './child-response-hooks.js';
import { childExited, initializeRefused } from './errors.js';
import { bridgeInitializeParams, parseInitializeResult } from './initialize.js';
import { isResponse, notification, type JsonRpcErrorBody } from './jsonrpc.js';

export interface SharedChildOptions {
  server: string;
  channel: MessageChannel;
  requests: BridgeRequests;
  protocolVersion?: string;
  initializeTimeoutMs: number;
  hooks: ChildResponseHooks;
  logger?: Logger;
  /** Runs after each (re-)initialize, before markReady: restore what sessions set up on the old child. */
  restore(): void;
  /** The child answered initialize and is ready for client traffic. */
  onReady(): void;
  /**
   * Requests cannot be served until the next spawn, and what waits gets `refusal` now: the
   * child answered initialize with an error, it died before answering it, or the supervisor
   * gave it up as failed (it retries only slowly).
   */
  onRefused(refusal: JsonRpcErrorBody): void;
  /** The child exited; `onReady` comes again after the next spawn's initialize. */
  onExit(info: ExitInfo): void;
  /** A message from the child that is not an answer to the bridge's own requests. */
  onMessage(message: JSONRPCMessage): void;
}

/**
 * The one child of shared/stateless mode, as the bridge's own MCP client: it initializes every
 * generation of the process itself (the first spawn and each restart), so clients are never
 * asked to, and tracks whether the current generation is ready for traffic.
 */
export class SharedChild {
  private generation = -1;
  private initializedGeneration = -1;
  private result: InitializeResult | null = null;
  private failure: string | null = null;
  /** What clients get at once while waiting for this child is pointless (see refusal()). */
  private refused: JsonRpcErrorBody | null = null;
  private firstOutcome: (() => void) | null = null;
  private closed = false;

  private readonly onSpawn = (generation: number): void => this.beginGeneration(generation);
  private readonly onChannelExit = (info: ExitInfo): void => this.handleExit(info);
  private readonly onChannelMessage = (message: JSONRPCMessage, generation: number): void => this.handleMessage(message, generation);
  private readonly onChannelState = (status: ServerStatus): void => this.handleState(status);

  constructor(private readonly options: SharedChildOptions) {}

  /** Spawns the child; resolves once its first initialize was answered, failed or timed out. */
  async start(): Promise<void> {
    const { channel } = this.options;
    const settled = new Promise<void>((resolve) => (this.firstOutcome = resolve));
    channel.on('spawn', this.onSpawn);
    channel.on('exit', this.onChannelExit);
    channel.on('message', this.onChannelMessage);
    channel.on('state', this.onChannelState);
    try {
      await channel.start();
    } catch (error) {
      this.failure = `the server could not be started: ${(error as Error).message}`;
      this.settleFirstOutcome();
    }
    this.adoptRunningChild();
    await settled;
  }

  isReady(): boolean {
    return !this.closed && this.initializedGeneration === this.generation && this.generation >= 0;
  }

  initializeResult(): InitializeResult | null {
    return this.result;
  }

  /**
   * Set while waiting for the child is pointless until its next spawn, so requests get this at
   * once instead of waiting out restartWaitMs: the current generation answered the bridge's
   * initialize with an error (after the owner's rewriteError); or it died before it answered
   * initialize (the error it died with: name, exit code, stderr tail); or the supervisor gave
   * it up as failed and retries only slowly. Cleared by the next spawn: the wait is for a
   * start that may succeed, not for one already known to have failed.
   */
  refusal(): JsonRpcErrorBody | null {
    return this.closed ? null : this.refused;
  }

  send(message: JSONRPCMessage): boolean {
    return !this.closed && this.options.channel.send(message);
  }

  readiness(): UpstreamReadiness {
    const status = this.options.channel.status();
    if (this.isReady()) return { ready: true, state: status.state, reason: status.reason };
    return { ready: false, state: status.state, reason: this.failure ?? status.reason };
  }

  /** For error messages: the supervisor's view plus why the bridge's initialize failed. */
  describeState(): { state: UpstreamReadiness['state']; reason: string; lastError: string | null } {
    const status = this.options.channel.status();
    return { state: status.state, reason: this.failure ?? status.reason, lastError: status.lastError };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { channel } = this.options;
    channel.off('spawn', this.onSpawn);
    channel.off('exit', this.onChannelExit);
    channel.off('message', this.onChannelMessage);
    channel.off('state', this.onChannelState);
    this.settleFirstOutcome();
    await channel.stop();
  }

  /**
   * The channel promises a 'spawn' event for the first start too; should it have fired before
   * our listener saw it, a running process of an unseen generation is initialized here.
   */
  private adoptRunningChild(): void {
    const status = this.options.channel.status();
    if (status.pid !== null && status.generation > this.generation) {
      this.beginGeneration(status.generation);
    }
  }

  private beginGeneration(generation: number): void {
    if (this.closed || generation <= this.generation) return;
    this.generation = generation;
    this.failure = null;
    this.refused = null;
    void this.initialize(generation);
  }

  private async initialize(generation: number): Promise<void> {
    const { channel, requests, initializeTimeoutMs, server } = this.options;
    // A slow first run (uvx downloading) may answer after the timeout: the timeout only
    // reports it; a late answer still makes the child ready.
    const timer = setTimeout(() => {
      if (generation !== this.generation || this.isReady()) return;
      this.failure = `MCP server "${server}" did not answer initialize within ${initializeTimeoutMs} ms`;
      this.options.logger?.warn(this.failure, { server });
      this.settleFirstOutcome();
    }, initializeTimeoutMs);
    timer.unref?.();
    try {
      const answer = await requests.send(channel, 'initialize', bridgeInitializeParams(this.options.protocolVersion));
      if (this.closed || generation !== this.generation) return;
      this.result = parseInitializeResult(answer);
      channel.send(notification('notifications/initialized'));
      this.initializedGeneration = generation;
      this.failure = null;
      this.options.restore();
      channel.markReady();
      this.options.logger?.info(`MCP server "${server}" initialized`, { server, generation, protocolVersion: this.result.protocolVersion });
      this.options.onReady();
    } catch (error) {
      if (generation !== this.generation) return;
      const failure = `MCP server "${server}" failed its initialize: ${(error as Error).message}`;
      this.options.logger?.warn(failure, { server, generation });
      // A child that died during start already says what clients are told (refuseUntilNextSpawn).
      this.failure = this.refused?.message ?? failure;
      if (error instanceof BridgeRequestError && error.answeredByChild && !this.closed) this.refuse(error.body);
    } finally {
      clearTimeout(timer);
      this.settleFirstOutcome();
    }
  }

  private refuse(childError: JsonRpcErrorBody): void {
    const rewritten = this.options.hooks.rewrite(childError, 'initialize');
    this.refused = rewritten === childError ? initializeRefused(this.options.server, childError) : rewritten;
    // readiness(), /readyz and the 2026-07-28 "not initialized" answer say what clients are told.
    this.failure = this.refused.message;
    this.options.onRefused(this.refused);
  }

  private handleExit(info: ExitInfo): void {
    if (this.closed) return;
    this.initializedGeneration = -1;
    this.refused = null; // the next generation gets its own chance: requests wait for it again
    this.options.requests.rejectAll(childExited(this.options.server, info.reason));
    this.options.onExit(info);
    // It died before it answered initialize: until the next spawn, what waits and what comes
    // gets that error now. A stop or restart someone asked for is no failure.
    if (info.during === 'start' && !info.requested) this.refuseUntilNextSpawn(startFailed(this.options.server, info));
    this.settleFirstOutcome();
  }

  /** The supervisor gave the child up as failed: its next try is far off (failedRetryDelayMs). */
  private handleState(status: ServerStatus): void {
    if (this.closed || status.state !== 'failed' || this.isReady() || status.generation < this.generation) return;
    this.refuseUntilNextSpawn(failing(this.options.server, status));
  }

  private refuseUntilNextSpawn(refusal: JsonRpcErrorBody): void {
    this.refused = refusal;
    this.failure = refusal.message;
    this.options.logger?.debug(`MCP server "${this.options.server}": requests are answered at once until its next start`, { server: this.options.server });
    this.options.onRefused(refusal);
  }

  private handleMessage(message: JSONRPCMessage, generation: number): void {
    // Late output of a process that was already replaced belongs to nobody any more.
    if (this.closed || generation < this.generation) return;
    if (isResponse(message) && this.options.requests.handleResponse(message)) return;
    this.options.onMessage(message);
  }

  private settleFirstOutcome(): void {
    const resolve = this.firstOutcome;
    this.firstOutcome = null;
    resolve?.();
  }
}

/** To a client: the child died before it answered initialize, with what it died of. */
export function startFailed(server: string, info: ExitInfo): JsonRpcErrorBody {
  return {
    code: ErrorCode.InternalError,
    message: `MCP server "${server}" could not start, so this request was not sent: ${info.reason} Check the server's log lines.`,
    data: { server, reason: 'start-failed', exitCode: info.code, signal: info.signal },
  };
}

/** To a client: the supervisor gave the child up as failed (it still retries, slowly). */
export function failing(server: string, status: ServerStatus): JsonRpcErrorBody {
  return {
    code: ErrorCode.InternalError,
    message: `MCP server "${server}" is failing, so this request was not sent: ${status.reason} Check the server's log lines.`,
    data: { server, reason: 'failed', state: status.state },
  };
}
