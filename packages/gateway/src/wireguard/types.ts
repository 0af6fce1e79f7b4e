import type { PeerStatistics } from '@mcp-workstation/wireguard';

/**
 * The gateway's WireGuard side as one small interface: the real one drives wireguard-go over
 * its UAPI socket; a no-op one (see noop-wireguard.ts) stands in where no tunnel can exist.
 */

/** One agent as a peer: its public key and its /32 tunnel address (the peer's only allowed IP). */
export interface GatewayPeer {
  publicKey: string;
  address: string;
}

export interface GatewayInterfaceConfig {
  /** The gateway's private key, base64; handed to wireguard-go over the UAPI only, never argv. */
  privateKey: string;
  /** UDP port agents send to. */
  listenPort: number;
  /** The gateway's tunnel address without prefix, e.g. 100.96.0.1 (put on the interface as a /32). */
  address: string;
  /** The agents' prefix, routed through the interface. */
  poolCidr: string;
  mtu: number;
  /** Every registered agent: a restarted gateway brings them all back. */
  peers: GatewayPeer[];
}

/** An agent's latest handshake and counters, as every WireGuard device reports them. */
export type { PeerStatistics } from '@mcp-workstation/wireguard';

export interface GatewayWireGuard {
  /** What it is, for logs and `agents list`: 'wireguard-go' or 'none'. */
  readonly kind: string;
  start(config: GatewayInterfaceConfig): Promise<void>;
  /** Adds the peer or moves it to a new key (`replacing` = the key it had) in one change. */
  setPeer(peer: GatewayPeer, replacing?: string): Promise<void>;
  removePeer(publicKey: string): Promise<void>;
  /** Per public key (base64). */
  statistics(): Promise<Map<string, PeerStatistics>>;
  /** Takes the interface down and stops what runs it. Idempotent. */
  stop(): Promise<void>;
}
