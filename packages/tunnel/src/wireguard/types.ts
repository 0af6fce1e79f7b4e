import type { Duplex } from 'node:stream';
import type { PeerStatistics } from '@mcp-workstation/wireguard';

/**
 * The seam between the tunnel and a WireGuard implementation, shaped like wireguard-go's
 * tun.Device: `kernel` and `wireguard-go` implement it through wireguard-tools and iproute2;
 * a future backend inside the Node process (netstack, no privileges) must fit too, which is
 * why listening is part of the backend: its "listener" need not be an OS socket.
 */

export type BackendKind = 'kernel' | 'wireguard-go';

/** Structural logger (winston satisfies it). */
export interface TunnelLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

export interface WireGuardPeerConfig {
  /** Gateway public key, base64 (wg format). */
  publicKey: string;
  /** Resolved endpoint, "ip:port" or "[v6]:port" (the caller resolves DNS names). */
  endpoint: string;
  /** The gateway's tunnel addresses (CIDR); routed through the interface. */
  allowedIps: string[];
  /** Seconds; 0 or undefined = off. */
  persistentKeepalive?: number;
}

export interface WireGuardConfig {
  /** OS interface name (at most 15 characters on Linux); unique per agent. */
  interfaceName: string;
  /** The agent's private key, base64. Passed to tools via files/stdin/UAPI, never argv. */
  privateKey: string;
  /** The agent's tunnel address with prefix, e.g. 100.96.0.7/32. */
  address: string;
  mtu: number;
  /** UDP listen port of the interface; undefined = chosen by the OS. */
  listenPort?: number;
  peer: WireGuardPeerConfig;
}

/** The peer's counters and latest handshake, as every WireGuard device reports them. */
export type { PeerStatistics } from '@mcp-workstation/wireguard';

export type BackendState = 'down' | 'starting' | 'up' | 'failed';

export interface BackendStatus {
  kind: BackendKind;
  state: BackendState;
  reason: string;
}

/** Accepts TCP connections at the tunnel address; only sources inside allowedIps reach `onConnection`. */
export interface TunnelListenOptions {
  port: number;
  /** Sources allowed to connect (the peer's allowedIps); others are closed at once. */
  allowedSources: string[];
  onConnection: (socket: Duplex, remoteAddress: string) => void;
  /** Called when a connection is refused (for logs/metrics). */
  onRefused?: (remoteAddress: string) => void;
}

export interface TunnelListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface WireGuardBackend {
  readonly kind: BackendKind;
  /** Create the interface, set key, address, MTU, peer and routes; bring it up. */
  up(config: WireGuardConfig): Promise<void>;
  /**
   * Apply a changed config live: peer endpoint, allowed IPs, keepalive, MTU and private key
   * without tearing the interface down; a new address moves the interface address.
   */
  apply(config: WireGuardConfig): Promise<void>;
  /** The single peer's statistics (protocol.md §2 status, §3 health). */
  statistics(): Promise<PeerStatistics>;
  /**
   * Make WireGuard handshake again if its session is gone (a restarted gateway forgets its
   * own, and WireGuard only handshakes when it has data to send). Best effort, never throws.
   */
  rehandshake(): Promise<void>;
  listen(options: TunnelListenOptions): Promise<TunnelListener>;
  /** Remove the interface, its routes and sockets (and stop wireguard-go). Idempotent. */
  down(): Promise<void>;
  status(): BackendStatus;
  /** State changes (e.g. wireguard-go died and is being restarted). */
  onStatus(listener: (status: BackendStatus) => void): () => void;
}
