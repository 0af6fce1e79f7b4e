import { EventEmitter } from 'node:events';
import { Timing, type GatewayFrame } from '@mcp-workstation/protocol';
import type { KeyConfirmation } from '../state/agent-state.js';
import { agentVersion } from '../registration/agent-version.js';
import { trustedCertificates } from '../registration/ca-file.js';
import { RegistrationError } from '../registration/registration-error.js';
import { checkControlUrl } from '../registration/url-policy.js';
import { ReconnectBackoff, ReplacementCounter } from './backoff.js';
import { judgeEnding, type ConnectionEnding } from './close-policy.js';
import { ControlConnection } from './connection.js';
import { ControlChannelError } from './control-error.js';
import { byeFrame, helloFrame, rotatedFrame } from './frames.js';
import { StatusReporter } from './status-reporter.js';
import type {
  ControlChannelEvents,
  ControlChannelOptions,
  ControlChannelState,
  ControlLogger,
  ControlPhase,
  ControlTiming,
  StopCause,
  TunnelUpdate,
} from './types.js';

/** protocol.md's timings, plus the project's own choices for what it leaves open (docs/protocol.md). */
export const DEFAULT_CONTROL_TIMING: ControlTiming = {
  pingIntervalMs: Timing.pingIntervalMs,
  pongTimeoutMs: Timing.pongTimeoutMs,
  statusIntervalMs: Timing.statusIntervalMs,
  reconnectBaseMs: Timing.reconnectBaseMs,
  reconnectFactor: Timing.reconnectFactor,
  reconnectCapMs: Timing.reconnectCapMs,
  reconnectResetAfterMs: Timing.reconnectResetAfterMs,
  replacedWaitMs: Timing.replacedWaitMs,
  replacedWindowMs: Timing.replacedWindowMs,
  replacedLimit: Timing.replacedLimit,
  welcomeTimeoutMs: 30_000,
  handshakeTimeoutMs: 30_000,
  closeTimeoutMs: 5_000,
};

/** The words protocol.md prescribes for the agent's own status and log. */
export const STOP_REASONS = {
  shutdown: 'shut down',
  credentialsRejected: 'credentials rejected: register again',
  identityInUse: 'this identity is in use by another agent',
  revoked: (reason: string): string => `revoked: ${reason}`,
} as const;

const REGISTER_AGAIN_FIX = 'register again with a new token: mcp-workstation register --gateway <url> --token-file <file>';

const silentLogger: ControlLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/**
 * The agent's end of the control channel (protocol.md §2): one WebSocket to controlUrl at a
 * time, kept up forever with backoff, until shutdown, revocation, rejected credentials or a
 * duplicate identity stops it for good.
 *
 * It drives no WireGuard itself. The orchestrator supplies `hello`/`status` content, handles
 * `rotate` and tunnel updates through the state store, and reacts to the events: `reconnecting`
 * (re-resolve the endpoint), `revoked` and `credentials-rejected` (take the tunnel down).
 *
 * Degraded: the channel decides it, from what `applyTunnel` answers ('unknown' key, or a throw),
 * so every orchestrator reports it the same way; it shows in state().degraded and the `degraded` event.
 */
export class ControlChannel extends EventEmitter<ControlChannelEvents> {
  private readonly timing: ControlTiming;
  private readonly logger: ControlLogger;
  private readonly now: () => number;
  private readonly backoff: ReconnectBackoff;
  private readonly replacements: ReplacementCounter;

  private phase: ControlPhase = 'stopped';
  private reason = 'not started';
  private stopCause: StopCause | null = null;
  private sinceMs: number;
  private lastWelcomeAtMs: number | null = null;
  private nextAttemptAtMs: number | null = null;
  private degradedReason: string | null = null;

  private connection: ControlConnection | null = null;
  private statusReporter: StatusReporter | null = null;
  /** Tunnel updates and rotations, one at a time in arrival order, across connections. */
  private work: Promise<void> = Promise.resolve();
  private running: Promise<void> | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly options: ControlChannelOptions) {
    super();
    this.timing = { ...DEFAULT_CONTROL_TIMING, ...options.timing };
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.sinceMs = this.now();
    const random = options.random ?? Math.random;
    this.backoff = new ReconnectBackoff(this.timing, random);
    this.replacements = new ReplacementCounter(this.timing.replacedWindowMs, this.timing.replacedLimit, this.now);
  }

  /**
   * Checks the URL and CA file (ControlChannelError with the fix), then starts connecting in the
   * background; it resolves before the first connection is made.
   */
  async start(): Promise<void> {
    if (this.running || this.stopCause !== null) throw new Error('a ControlChannel starts once; make a new one');
    const url = this.checkedUrl();
    const ca = await this.trustedCa();
    if (this.stopCause !== null) return;
    this.running = this.run(url, ca);
  }

  /** A server's or the credentials' state changed: send `status` now (once welcomed). */
  statusChanged(): void {
    this.statusReporter?.changed();
  }

  state(): ControlChannelState {
    const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
    return {
      state: this.phase,
      reason: this.reason,
      stopCause: this.stopCause,
      since: new Date(this.sinceMs),
      lastWelcomeAt: date(this.lastWelcomeAtMs),
      attempts: this.backoff.attempts,
      nextAttemptAt: this.phase === 'backoff' ? date(this.nextAttemptAtMs) : null,
      degraded: this.degradedReason,
    };
  }

  /**
   * Graceful shutdown: `bye` (only once welcomed: before that the agent sends nothing but
   * hello), a normal close, and no reconnect after. Resolves when the connection is closed.
   */
  async close(reason = 'shutdown'): Promise<void> {
    if (this.stopCause === null) this.stop('shutdown', STOP_REASONS.shutdown);
    const connection = this.connection;
    if (connection) {
      this.stopStatus();
      if (connection.welcomed) this.sendBye(connection, reason);
      // The reason travels in bye; a close reason is capped at 123 bytes, so it stays fixed.
      await connection.close(1000, 'shutdown');
    }
    await this.running;
  }

  private async run(url: URL, ca: string[] | undefined): Promise<void> {
    for (let first = true; this.stopCause === null; first = false) {
      if (!first) this.emit('reconnecting', { attempt: this.backoff.attempts });
      const connection = this.connect(url, ca);
      const ending = await connection.ended;
      this.connection = null;
      this.stopStatus();
      if (this.stopCause !== null) return;
      const waitMs = this.nextWait(ending, connection);
      if (waitMs === null) return;
      await this.sleep(waitMs);
    }
  }

  private connect(url: URL, ca: string[] | undefined): ControlConnection {
    this.setPhase('connecting', `connecting to ${url.origin}`);
    const version = this.options.agentVersion ?? agentVersion();
    const connection = new ControlConnection({
      url,
      agentSecret: this.options.agentSecret,
      ca,
      timing: this.timing,
      logger: this.logger,
      now: this.now,
      hello: async () => helloFrame(version, await this.options.hello()),
      onFrame: (frame, from) => this.onFrame(frame, from),
    });
    this.connection = connection;
    return connection;
  }

  /** What to do after a connection ended: the wait before the next attempt, or null when stopped. */
  private nextWait(ending: ConnectionEnding, connection: ControlConnection): number | null {
    const welcomedAt = connection.welcomedAt;
    this.backoff.connectionEnded(welcomedAt === null ? null : this.now() - welcomedAt);
    const verdict = judgeEnding(ending);
    switch (verdict.action) {
      case 'credentials-rejected':
        this.credentialsRejected(verdict.detail);
        return null;
      case 'revoked':
        this.revoked(verdict.reason);
        return null;
      case 'replaced':
        return this.replaced(verdict.detail);
      case 'reconnect':
        return this.enterBackoff(verdict.detail, this.backoff.nextDelayMs());
    }
  }

  private replaced(detail: string): number | null {
    const limitReached = this.replacements.record();
    this.logger.error(`${detail}: a newer connection of this agent replaced this one, so two daemons share one identity`);
    if (limitReached) {
      const count = `${this.replacements.count} times within ${Math.round(this.timing.replacedWindowMs / 60_000)} minutes`;
      this.logger.error(`${STOP_REASONS.identityInUse} (replaced ${count}); stopped reconnecting. Fix: stop the other daemon, or register this one again to give it its own identity`);
      this.stop('identity-in-use', STOP_REASONS.identityInUse);
      this.emit('identity-in-use', { detail: `replaced ${count}` });
      return null;
    }
    return this.enterBackoff(detail, Math.max(this.timing.replacedWaitMs, this.backoff.nextDelayMs()));
  }

  private enterBackoff(detail: string, waitMs: number): number {
    this.nextAttemptAtMs = this.now() + waitMs;
    const reason = `${detail}; next attempt in ${(waitMs / 1000).toFixed(1)} s`;
    this.logger.warn(`control channel: ${reason}`, { attempt: this.backoff.attempts });
    this.setPhase('backoff', reason);
    return waitMs;
  }

  private onFrame(frame: GatewayFrame, connection: ControlConnection): void {
    if (this.stopCause !== null) {
      this.logger.debug(`ignored a ${frame.type} frame: the control channel has stopped (${this.reason})`);
      return;
    }
    switch (frame.type) {
      case 'welcome':
        if (this.statusReporter === null) this.welcomed(connection);
        this.enqueueTunnel({ source: frame.type, agentPublicKey: frame.agentPublicKey, tunnel: frame.tunnel });
        return;
      case 'config':
        this.enqueueTunnel({ source: frame.type, agentPublicKey: frame.agentPublicKey, tunnel: frame.tunnel });
        return;
      case 'rotate':
        this.enqueue('rotate the key', () => this.rotate(connection));
        return;
      case 'revoke':
        // Handled at once, not queued: no update or reconnect may slip in after a revocation.
        this.revoked(frame.reason || 'no reason given');
        void connection.close(1000, 'revoked');
        return;
    }
  }

  private welcomed(connection: ControlConnection): void {
    this.lastWelcomeAtMs = connection.welcomedAt;
    this.setPhase('connected', 'welcomed by the gateway');
    this.logger.info('control channel connected: the gateway answered hello with welcome');
    this.emit('connected', { at: new Date(this.lastWelcomeAtMs ?? this.now()) });
    this.statusReporter = new StatusReporter({
      provide: this.options.status,
      send: (frame) => connection.send(frame),
      intervalMs: this.timing.statusIntervalMs,
      logger: this.logger,
    });
    this.statusReporter.start();
  }

  private enqueueTunnel(update: TunnelUpdate): void {
    this.enqueue(`apply the tunnel configuration from ${update.source}`, () => this.applyTunnel(update));
  }

  private enqueue(what: string, task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((err: unknown) => {
      this.logger.error(`could not ${what}: ${(err as Error).message}`);
    });
  }

  private async applyTunnel(update: TunnelUpdate): Promise<void> {
    if (this.stopCause !== null) return;
    let confirmation: KeyConfirmation;
    try {
      confirmation = await this.options.applyTunnel(update);
    } catch (err) {
      this.setDegraded(`could not apply the tunnel configuration from ${update.source}: ${(err as Error).message}`);
      throw err;
    }
    if (confirmation === 'unknown') {
      this.logger.error(
        `the gateway installed ${update.agentPublicKey} as this agent's key, which matches none of its keys; keeping the current key`,
      );
      this.setDegraded(`the gateway installed a key this agent does not hold (${update.agentPublicKey})`);
      return;
    }
    if (confirmation === 'promoted') this.logger.info(`the gateway confirmed the rotated key ${update.agentPublicKey}`);
    this.setDegraded(null);
  }

  private async rotate(connection: ControlConnection): Promise<void> {
    if (this.stopCause !== null || !connection.isOpen) {
      this.logger.warn('dropped a rotate: its connection closed before it could be handled');
      return;
    }
    const publicKey = await this.options.rotate();
    if (connection.send(rotatedFrame(publicKey))) {
      this.logger.info(`answered rotate with the new key ${publicKey}`);
    } else {
      this.logger.warn(`the connection closed before rotated was sent; the next hello announces the new key ${publicKey}`);
    }
  }

  private revoked(reason: string): void {
    if (this.stopCause !== null) return;
    const text = STOP_REASONS.revoked(reason);
    this.logger.error(`${text}: the gateway revoked this agent; the tunnel goes down and its secrets are deleted, local serving goes on`);
    this.stop('revoked', text);
    this.emit('revoked', { reason });
  }

  private credentialsRejected(detail: string): void {
    this.logger.error(`${STOP_REASONS.credentialsRejected} (${detail}); stopped reconnecting, the state files stay. Fix: ${REGISTER_AGAIN_FIX}`);
    this.stop('credentials-rejected', STOP_REASONS.credentialsRejected);
    this.emit('credentials-rejected', { detail });
  }

  private stop(cause: StopCause, reason: string): void {
    this.stopCause = cause;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = null;
    this.wakeUp?.();
    this.setPhase('stopped', reason);
  }

  private stopStatus(): void {
    this.statusReporter?.stop();
    this.statusReporter = null;
  }

  private sendBye(connection: ControlConnection, reason: string): void {
    try {
      connection.send(byeFrame(reason));
    } catch (err) {
      this.logger.warn(`could not send bye: ${(err as Error).message}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    }).then(() => {
      this.wakeUp = null;
      this.sleepTimer = null;
    });
  }

  private setPhase(phase: ControlPhase, reason: string): void {
    this.phase = phase;
    this.reason = reason;
    this.sinceMs = this.now();
    this.emit('state', this.state());
  }

  private setDegraded(reason: string | null): void {
    if (reason === this.degradedReason) return;
    this.degradedReason = reason;
    this.emit('degraded', reason);
    this.emit('state', this.state());
  }

  private checkedUrl(): URL {
    try {
      return checkControlUrl(this.options.controlUrl, this.options.allowHttp ?? false);
    } catch (err) {
      throw asControlError(err);
    }
  }

  private async trustedCa(): Promise<string[] | undefined> {
    if (this.options.caFile === undefined) return undefined;
    try {
      return await trustedCertificates(this.options.caFile);
    } catch (err) {
      throw asControlError(err);
    }
  }
}

/** The registration helpers' checks, reworded for the control channel (their message says "registration failed"). */
function asControlError(err: unknown): unknown {
  return err instanceof RegistrationError ? new ControlChannelError(err.code, err.problem, err.fix) : err;
}
