import type { HelloFrame, StatusFrame, TunnelBlock } from '@mcp-workstation/protocol';
import type { KeyConfirmation } from '../state/agent-state.js';

/** Structural logger (winston and the tunnel's TunnelLogger satisfy it). */
export interface ControlLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** What `hello` says besides its type and agentVersion (protocol.md §2). */
export interface HelloContent {
  /** The newest key the agent holds: during a rotation the pending one, even before the gateway confirmed it. */
  publicKey: string;
  servers: HelloFrame['servers'];
  tunnel: HelloFrame['tunnel'];
}

/** What `status` says besides its type (protocol.md §2). */
export type StatusContent = Omit<StatusFrame, 'type'>;

/** The whole tunnel block and the key the gateway installed, from a `welcome` or a `config`. */
export interface TunnelUpdate {
  source: 'welcome' | 'config';
  /** The agent key the gateway has installed as its peer. */
  agentPublicKey: string;
  tunnel: TunnelBlock;
}

/**
 * Every duration the channel uses. The defaults are protocol.md's values (Timing); the options
 * exist so tests can run the same code with short real timings.
 */
export interface ControlTiming {
  pingIntervalMs: number;
  pongTimeoutMs: number;
  statusIntervalMs: number;
  reconnectBaseMs: number;
  reconnectFactor: number;
  reconnectCapMs: number;
  /** A connection that was welcomed at least this long ago resets the backoff. */
  reconnectResetAfterMs: number;
  /** After a 4409: the least wait before the next attempt. */
  replacedWaitMs: number;
  replacedWindowMs: number;
  replacedLimit: number;
  /** The project's own decision (docs/protocol.md): a gateway that does not answer hello in time is treated as a lost connection. */
  welcomeTimeoutMs: number;
  /** The HTTP upgrade, from connect to 101. */
  handshakeTimeoutMs: number;
  /** How long a closing handshake may take before the socket is destroyed. */
  closeTimeoutMs: number;
}

export interface ControlChannelOptions {
  /** `controlUrl` from the registration: wss://, or ws:// only to loopback or with allowHttp. */
  controlUrl: string;
  /** The bearer credential. Sent only in the Authorization header, never logged. */
  agentSecret: string;
  /** An extra CA certificate (PEM) for the gateway's TLS, added to Node's default roots. */
  caFile?: string;
  /** The operator's permission for ws:// to hosts that are not loopback (protocol.md §0). */
  allowHttp?: boolean;
  /** Default: this package's version. */
  agentVersion?: string;

  /** The content of `hello`, asked for on every connect. A throw ends that attempt (logged, then backoff). */
  hello: () => HelloContent | Promise<HelloContent>;
  /** The content of `status`, asked for right after welcome, on statusChanged() and every statusIntervalMs. */
  status: () => StatusContent | Promise<StatusContent>;
  /**
   * Handles `rotate`: makes and saves a pending key pair (AgentStateStore.addPendingKey, which
   * returns the same pending key while a rotation is unconfirmed) and returns its public key.
   */
  rotate: () => string | Promise<string>;
  /**
   * Handles `welcome` and `config`: save the block if it differs, apply it live, and confirm the
   * key (AgentStateStore.confirmKey). The answer decides whether the agent is degraded: 'unknown'
   * (the gateway installed a key the agent does not hold) is logged as an error and reported.
   * Updates are handed over one at a time, in the order the gateway sent them.
   */
  applyTunnel: (update: TunnelUpdate) => KeyConfirmation | Promise<KeyConfirmation>;

  logger?: ControlLogger;
  timing?: Partial<ControlTiming>;
  /** For tests: the jitter source, uniform in [0, 1). */
  random?: () => number;
  /** For tests: milliseconds since the epoch. */
  now?: () => number;
}

export type ControlPhase = 'connecting' | 'connected' | 'backoff' | 'stopped';

/** Why the channel stopped for good. */
export type StopCause = 'shutdown' | 'revoked' | 'credentials-rejected' | 'identity-in-use';

/** The channel's state for health reports. */
export interface ControlChannelState {
  state: ControlPhase;
  /** A sentence for a person, e.g. "credentials rejected: register again" or "revoked: <reason>". */
  reason: string;
  /** Set when state is 'stopped'. */
  stopCause: StopCause | null;
  since: Date;
  lastWelcomeAt: Date | null;
  /** Connection attempts since the backoff last reset. */
  attempts: number;
  /** When in backoff: when the next attempt starts. */
  nextAttemptAt: Date | null;
  /** Non-null while the agent is degraded (e.g. the gateway installed a key the agent does not hold). */
  degraded: string | null;
}

export interface ControlChannelEvents {
  /** Every change of state(). */
  state: [ControlChannelState];
  /** A `welcome` arrived: the channel is connected. */
  connected: [{ at: Date }];
  /**
   * A new connection attempt after the first one is starting: re-resolve the WireGuard endpoint's
   * DNS name now (protocol.md §3).
   */
  reconnecting: [{ attempt: number }];
  /** The degraded reason changed (null: no longer degraded). */
  degraded: [string | null];
  /**
   * Revoked by a `revoke` frame or close code 4403: tear the tunnel down, forget the secrets
   * (AgentStateStore.forgetSecrets(reason)), keep serving locally. The channel has stopped for good.
   */
  revoked: [{ reason: string }];
  /** 4401 (or the upgrade refused with 401/403/404): take the tunnel down, keep the state files. Stopped for good. */
  'credentials-rejected': [{ detail: string }];
  /** Three 4409 within the window: another daemon uses this identity. Stopped for good. */
  'identity-in-use': [{ detail: string }];
}
