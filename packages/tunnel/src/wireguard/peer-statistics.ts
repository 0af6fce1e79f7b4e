import type { PeerStatistics } from './types.js';

/** Statistics of a peer that the device does not list (yet): never handshaked, nothing moved. */
export const NO_PEER_STATISTICS: PeerStatistics = { lastHandshakeAt: null, rxBytes: 0, txBytes: 0, endpoint: null };

/** WireGuard reports "never" as time 0. */
export function handshakeTime(seconds: number, nanoseconds = 0): Date | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000 + Math.floor(nanoseconds / 1e6));
}
