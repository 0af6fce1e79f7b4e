import { keyFromHex, keyToHex } from './keys.js';
import type { GatewayPeer, PeerStatistics } from './types.js';

/**
 * The text of wireguard-go's cross-platform UAPI (https://www.wireguard.com/xplatform/):
 * `set=1` / `get=1` requests of `key=value` lines, keys in hex. Pure functions, so the
 * exact bytes the gateway sends can be tested without a tunnel.
 */

/** The whole interface in one `set=1`: key, port and every peer, replacing whatever was there. */
export function interfaceSetRequest(privateKey: string, listenPort: number, peers: GatewayPeer[]): string {
  const lines = ['set=1', `private_key=${keyToHex(privateKey)}`, `listen_port=${listenPort}`, 'replace_peers=true'];
  for (const peer of peers) lines.push(...peerLines(peer));
  return `${lines.join('\n')}\n\n`;
}

/** One peer added or updated; with `replacing`, the old key is removed in the same transaction. */
export function peerSetRequest(peer: GatewayPeer, replacing?: string): string {
  const lines = ['set=1'];
  if (replacing !== undefined && replacing !== peer.publicKey) lines.push(`public_key=${keyToHex(replacing)}`, 'remove=true');
  lines.push(...peerLines(peer));
  return `${lines.join('\n')}\n\n`;
}

export function peerRemoveRequest(publicKey: string): string {
  return `set=1\npublic_key=${keyToHex(publicKey)}\nremove=true\n\n`;
}

export const GET_REQUEST = 'get=1\n\n';

/** The gateway never sets an endpoint: the agent starts every handshake, and its source is learnt. */
function peerLines(peer: GatewayPeer): string[] {
  return [`public_key=${keyToHex(peer.publicKey)}`, 'replace_allowed_ips=true', `allowed_ip=${peer.address}/32`];
}

/** The `errno=N` that ends every answer; anything but 0 is a failure. */
export function answerErrno(answer: string): number | null {
  const match = /(?:^|\n)errno=(-?\d+)\n/.exec(answer);
  return match ? Number(match[1]) : null;
}

/** Per-peer statistics out of a `get=1` answer, keyed by base64 public key. */
export function parsePeerStatistics(answer: string): Map<string, PeerStatistics> {
  const peers = new Map<string, PeerStatistics>();
  let current: PeerStatistics | null = null;
  let seconds = 0;
  for (const line of answer.split('\n')) {
    const at = line.indexOf('=');
    if (at < 0) continue;
    const key = line.slice(0, at);
    const value = line.slice(at + 1);
    if (key === 'public_key') {
      current = { lastHandshakeAt: null, rxBytes: 0, txBytes: 0, endpoint: null };
      seconds = 0;
      peers.set(keyFromHex(value), current);
    } else if (current) {
      if (key === 'last_handshake_time_sec') {
        seconds = Number(value);
        current.lastHandshakeAt = seconds > 0 ? new Date(seconds * 1000) : null;
      } else if (key === 'last_handshake_time_nsec' && seconds > 0) {
        current.lastHandshakeAt = new Date(seconds * 1000 + Math.floor(Number(value) / 1e6));
      } else if (key === 'rx_bytes') current.rxBytes = Number(value);
      else if (key === 'tx_bytes') current.txBytes = Number(value);
      else if (key === 'endpoint') current.endpoint = value;
    }
  }
  return peers;
}
