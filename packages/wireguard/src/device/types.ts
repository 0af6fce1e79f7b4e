/**
 * A WireGuard device behind one small interface, shaped like wireguard-go's tun.Device with its
 * native and netstack implementations: what runs it (the kernel, a wireguard-go process, or an
 * implementation inside this very process) is the device's business, and its callers (the
 * agent's tunnel backends, the gateway) only configure it, read its peers and close it.
 *
 * The device is the WireGuard half of an interface: key, listen port and peers. Addresses, MTU
 * and routes are not part of it, because only an OS interface has them (iproute2 sets them, the
 * caller's business); an in-process device will bring its own network stack instead.
 */

/** What runs a device. An in-process implementation will add its own kind here. */
export type DeviceKind = 'kernel' | 'wireguard-go';

export interface WireGuardDevice {
  readonly kind: DeviceKind;
  /** The interface name it serves (also its UAPI socket name for wireguard-go). */
  readonly interfaceName: string;
  /** Writes one change of key, port and peers, as one transaction where the device has them. */
  configure(changes: DeviceChanges): Promise<void>;
  /** Every peer as the device sees it now; private keys are never part of the answer. */
  peers(): Promise<DevicePeer[]>;
  /** Removes the device and everything it carries. Idempotent. */
  close(): Promise<void>;
}

/**
 * A change to a device, in the terms of the cross-platform configuration protocol
 * (wireguard.com/xplatform) that wireguard-go and `wg set` both speak. Only what is given is
 * written, so a live change keeps the sessions of the peers it does not touch.
 */
export interface DeviceChanges {
  /** The device's private key, base64 (wg format). */
  privateKey?: string;
  /** UDP listen port; 0: any port. */
  listenPort?: number;
  /** Drop every existing peer first (a fresh or re-created device gets the whole set). */
  replacePeers?: boolean;
  /** Applied in order, so a removal can come before the peer that replaces it. */
  peers?: readonly PeerChange[];
}

export interface PeerChange {
  /** base64 */
  publicKey: string;
  /** Remove this peer; the other fields do not apply then. */
  remove?: boolean;
  /** A resolved "ip:port" or "[v6]:port". */
  endpoint?: string;
  /** Seconds; 0: off. */
  persistentKeepalive?: number;
  /** Replaces the peer's allowed IPs (CIDR) with these. */
  allowedIps?: readonly string[];
}

/** What a peer's traffic says about it: the agent's status (protocol.md §2), the gateway's reachability. */
export interface PeerStatistics {
  /** null: never handshaked. */
  lastHandshakeAt: Date | null;
  rxBytes: number;
  txBytes: number;
  /** Where its packets last came from, host:port, or null. */
  endpoint: string | null;
}

/** A peer as a device lists it. */
export interface DevicePeer extends PeerStatistics {
  publicKey: string;
  allowedIps: string[];
  /** Seconds; 0: off. */
  persistentKeepalive: number;
}

/** Structural logger (winston, the daemon's and the gateway's loggers satisfy it). */
export interface WireGuardLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}
