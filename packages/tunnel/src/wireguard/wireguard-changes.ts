import { keyToHex } from '@mcp-workstation/wireguard';
import type { WireGuardConfig } from './types.js';

/**
 * The WireGuard part of a config change, computed once and written either as UAPI lines
 * (wireguard-go) or as `wg set` arguments (kernel). Only what changed is written, so a live
 * apply keeps the peer's session (a replaced peer would have to handshake again).
 */
export interface WireGuardChanges {
  privateKey?: string;
  /** 0: any port. */
  listenPort?: number;
  /** Drop every existing peer first (a fresh or re-created device). */
  replacePeers: boolean;
  /** The previous peer, when the gateway's key changed. */
  removePeerKey?: string;
  peer?: PeerChanges;
}

export interface PeerChanges {
  publicKey: string;
  endpoint?: string;
  /** 0: off. */
  persistentKeepalive?: number;
  allowedIps?: readonly string[];
}

/** Everything, for a new (or re-created) device. */
export function fullConfiguration(config: WireGuardConfig): WireGuardChanges {
  return {
    privateKey: config.privateKey,
    listenPort: config.listenPort ?? 0,
    replacePeers: true,
    peer: {
      publicKey: config.peer.publicKey,
      endpoint: config.peer.endpoint,
      persistentKeepalive: config.peer.persistentKeepalive ?? 0,
      allowedIps: config.peer.allowedIps,
    },
  };
}

export function changesBetween(previous: WireGuardConfig, next: WireGuardConfig): WireGuardChanges {
  const changes: WireGuardChanges = { replacePeers: false };
  if (next.privateKey !== previous.privateKey) changes.privateKey = next.privateKey;
  if (next.listenPort !== previous.listenPort) changes.listenPort = next.listenPort ?? 0;
  if (next.peer.publicKey !== previous.peer.publicKey) {
    changes.removePeerKey = previous.peer.publicKey;
    changes.peer = fullConfiguration(next).peer;
    return changes;
  }
  const peer: PeerChanges = { publicKey: next.peer.publicKey };
  if (next.peer.endpoint !== previous.peer.endpoint) peer.endpoint = next.peer.endpoint;
  const keepalive = next.peer.persistentKeepalive ?? 0;
  if (keepalive !== (previous.peer.persistentKeepalive ?? 0)) peer.persistentKeepalive = keepalive;
  if (!sameSet(next.peer.allowedIps, previous.peer.allowedIps)) peer.allowedIps = next.peer.allowedIps;
  if (Object.keys(peer).length > 1) changes.peer = peer;
  return changes;
}

export function hasChanges(changes: WireGuardChanges): boolean {
  return (
    changes.replacePeers ||
    changes.privateKey !== undefined ||
    changes.listenPort !== undefined ||
    changes.removePeerKey !== undefined ||
    changes.peer !== undefined
  );
}

/** The body of a UAPI `set=1` request (keys in hex, as the protocol wants). */
export function toUapiLines(changes: WireGuardChanges): string[] {
  const lines: string[] = [];
  if (changes.privateKey !== undefined) lines.push(`private_key=${keyToHex(changes.privateKey, 'private key')}`);
  if (changes.listenPort !== undefined) lines.push(`listen_port=${changes.listenPort}`);
  if (changes.replacePeers) lines.push('replace_peers=true');
  if (changes.removePeerKey !== undefined) lines.push(`public_key=${keyToHex(changes.removePeerKey, 'peer public key')}`, 'remove=true');
  const peer = changes.peer;
  if (peer) {
    lines.push(`public_key=${keyToHex(peer.publicKey, 'peer public key')}`);
    if (peer.endpoint !== undefined) lines.push(`endpoint=${peer.endpoint}`);
    if (peer.persistentKeepalive !== undefined) lines.push(`persistent_keepalive_interval=${peer.persistentKeepalive}`);
    if (peer.allowedIps !== undefined) lines.push('replace_allowed_ips=true', ...peer.allowedIps.map((cidr) => `allowed_ip=${cidr}`));
  }
  return lines;
}

/**
 * `wg set` arguments. The private key goes in a file (`privateKeyFile`, see
 * private-key-file.ts), never in argv, which every user can read in /proc. `replacePeers`
 * needs no argument: the kernel backend writes a full configuration only to an interface it
 * has just created, which has no peers.
 */
export function toWgSetArgs(interfaceName: string, changes: WireGuardChanges, privateKeyFile?: string): string[] {
  const args = ['set', interfaceName];
  if (changes.listenPort !== undefined) args.push('listen-port', String(changes.listenPort));
  if (changes.privateKey !== undefined) {
    if (privateKeyFile === undefined) throw new Error('toWgSetArgs: the private key changes but no key file was given');
    args.push('private-key', privateKeyFile);
  }
  if (changes.removePeerKey !== undefined) args.push('peer', changes.removePeerKey, 'remove');
  const peer = changes.peer;
  if (peer) {
    args.push('peer', peer.publicKey);
    if (peer.endpoint !== undefined) args.push('endpoint', peer.endpoint);
    if (peer.persistentKeepalive !== undefined) args.push('persistent-keepalive', peer.persistentKeepalive > 0 ? String(peer.persistentKeepalive) : 'off');
    if (peer.allowedIps !== undefined) args.push('allowed-ips', peer.allowedIps.join(','));
  }
  return args;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((item) => left.has(item));
}
