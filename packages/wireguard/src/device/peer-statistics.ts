import type { UapiPeer } from '../uapi.js';
import type { DevicePeer, PeerStatistics } from './types.js';

/** Statistics of a peer that the device does not list (yet): never handshaked, nothing moved. */
export const NO_PEER_STATISTICS: PeerStatistics = { lastHandshakeAt: null, rxBytes: 0, txBytes: 0, endpoint: null };

/** WireGuard reports "never" as time 0. */
export function handshakeTime(seconds: number, nanoseconds = 0): Date | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000 + Math.floor(nanoseconds / 1e6));
}

/** Only the statistics of a listed peer (what status reports carry, nothing of its configuration). */
export function peerStatistics(peer: DevicePeer): PeerStatistics {
  return { lastHandshakeAt: peer.lastHandshakeAt, rxBytes: peer.rxBytes, txBytes: peer.txBytes, endpoint: peer.endpoint };
}

/** A peer of a UAPI `get=1` answer in the terms every device uses. */
export function peerFromUapi(peer: UapiPeer): DevicePeer {
  return {
    publicKey: peer.publicKey,
    endpoint: peer.endpoint,
    allowedIps: peer.allowedIps,
    lastHandshakeAt: handshakeTime(peer.lastHandshakeTimeSec, peer.lastHandshakeTimeNsec),
    rxBytes: peer.rxBytes,
    txBytes: peer.txBytes,
    persistentKeepalive: peer.persistentKeepaliveInterval,
  };
}
