import type { DeviceChanges, PeerChange } from '@mcp-workstation/wireguard';
import type { GatewayInterfaceConfig, GatewayPeer } from './types.js';

/**
 * The gateway's WireGuard changes as device changes: every agent is a peer whose only allowed
 * IP is its /32, and the gateway never sets an endpoint (the agent starts every handshake, and
 * its source is learnt). Pure functions, so the exact lines the device receives can be tested
 * without a tunnel.
 */

/** The whole interface in one change: key, port and every peer, replacing whatever was there. */
export function interfaceChanges(config: Pick<GatewayInterfaceConfig, 'privateKey' | 'listenPort'>, peers: readonly GatewayPeer[]): DeviceChanges {
  return { privateKey: config.privateKey, listenPort: config.listenPort, replacePeers: true, peers: peers.map(agentPeer) };
}

/** One peer added or updated; with `replacing`, the old key is removed in the same transaction. */
export function peerChanges(peer: GatewayPeer, replacing?: string): DeviceChanges {
  const removal: PeerChange[] = replacing !== undefined && replacing !== peer.publicKey ? [{ publicKey: replacing, remove: true }] : [];
  return { peers: [...removal, agentPeer(peer)] };
}

export function peerRemoval(publicKey: string): DeviceChanges {
  return { peers: [{ publicKey, remove: true }] };
}

function agentPeer(peer: GatewayPeer): PeerChange {
  return { publicKey: peer.publicKey, allowedIps: [`${peer.address}/32`] };
}
