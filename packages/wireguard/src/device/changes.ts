import { keyToHex } from '../keys.js';
import type { DeviceChanges, PeerChange } from './types.js';

/** True when writing `changes` would change anything. */
export function hasChanges(changes: DeviceChanges): boolean {
  return (
    changes.replacePeers === true ||
    changes.privateKey !== undefined ||
    changes.listenPort !== undefined ||
    (changes.peers !== undefined && changes.peers.length > 0)
  );
}

/** The body of a UAPI `set=1` request (keys in hex, as the protocol wants). */
export function toUapiLines(changes: DeviceChanges): string[] {
  const lines: string[] = [];
  if (changes.privateKey !== undefined) lines.push(`private_key=${keyToHex(changes.privateKey, 'private key')}`);
  if (changes.listenPort !== undefined) lines.push(`listen_port=${changes.listenPort}`);
  if (changes.replacePeers) lines.push('replace_peers=true');
  for (const peer of changes.peers ?? []) lines.push(...peerUapiLines(peer));
  return lines;
}

function peerUapiLines(peer: PeerChange): string[] {
  const lines = [`public_key=${keyToHex(peer.publicKey, 'peer public key')}`];
  if (peer.remove) return [...lines, 'remove=true'];
  if (peer.endpoint !== undefined) lines.push(`endpoint=${peer.endpoint}`);
  if (peer.persistentKeepalive !== undefined) lines.push(`persistent_keepalive_interval=${peer.persistentKeepalive}`);
  if (peer.allowedIps !== undefined) lines.push('replace_allowed_ips=true', ...peer.allowedIps.map((cidr) => `allowed_ip=${cidr}`));
  return lines;
}

/**
 * `wg set` arguments. The private key goes in a file (`privateKeyFile`, see
 * private-key-file.ts), never in argv, which every user can read in /proc. `replacePeers`
 * has no `wg set` argument: the kernel device turns it into removals of the peers it has.
 */
export function toWgSetArgs(interfaceName: string, changes: DeviceChanges, privateKeyFile?: string): string[] {
  const args = ['set', interfaceName];
  if (changes.listenPort !== undefined) args.push('listen-port', String(changes.listenPort));
  if (changes.privateKey !== undefined) {
    if (privateKeyFile === undefined) throw new Error('toWgSetArgs: the private key changes but no key file was given');
    args.push('private-key', privateKeyFile);
  }
  for (const peer of changes.peers ?? []) args.push(...peerWgSetArgs(peer));
  return args;
}

function peerWgSetArgs(peer: PeerChange): string[] {
  const args = ['peer', peer.publicKey];
  if (peer.remove) return [...args, 'remove'];
  if (peer.endpoint !== undefined) args.push('endpoint', peer.endpoint);
  if (peer.persistentKeepalive !== undefined) args.push('persistent-keepalive', peer.persistentKeepalive > 0 ? String(peer.persistentKeepalive) : 'off');
  if (peer.allowedIps !== undefined) args.push('allowed-ips', peer.allowedIps.join(','));
  return args;
}
