import type { DeviceChanges, PeerChange } from '@mcp-workstation/wireguard';
import type { WireGuardConfig } from './types.js';

/**
 * The WireGuard part of a config change, computed once and written by the device (UAPI lines
 * for wireguard-go, `wg set` arguments for the kernel). Only what changed is written, so a live
 * apply keeps the peer's session (a replaced peer would have to handshake again).
 */

/** Everything, for a new (or re-created) device. */
export function fullConfiguration(config: WireGuardConfig): DeviceChanges {
  return {
    privateKey: config.privateKey,
    listenPort: config.listenPort ?? 0,
    replacePeers: true,
    peers: [fullPeer(config)],
  };
}

export function changesBetween(previous: WireGuardConfig, next: WireGuardConfig): DeviceChanges {
  const changes: DeviceChanges = {};
  if (next.privateKey !== previous.privateKey) changes.privateKey = next.privateKey;
  if (next.listenPort !== previous.listenPort) changes.listenPort = next.listenPort ?? 0;
  if (next.peer.publicKey !== previous.peer.publicKey) {
    changes.peers = [{ publicKey: previous.peer.publicKey, remove: true }, fullPeer(next)];
    return changes;
  }
  const peer: PeerChange = { publicKey: next.peer.publicKey };
  if (next.peer.endpoint !== previous.peer.endpoint) peer.endpoint = next.peer.endpoint;
  const keepalive = next.peer.persistentKeepalive ?? 0;
  if (keepalive !== (previous.peer.persistentKeepalive ?? 0)) peer.persistentKeepalive = keepalive;
  if (!sameSet(next.peer.allowedIps, previous.peer.allowedIps)) peer.allowedIps = next.peer.allowedIps;
  if (Object.keys(peer).length > 1) changes.peers = [peer];
  return changes;
}

function fullPeer(config: WireGuardConfig): PeerChange {
  return {
    publicKey: config.peer.publicKey,
    endpoint: config.peer.endpoint,
    persistentKeepalive: config.peer.persistentKeepalive ?? 0,
    allowedIps: config.peer.allowedIps,
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((item) => left.has(item));
}
