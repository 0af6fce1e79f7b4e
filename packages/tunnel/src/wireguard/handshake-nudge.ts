import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { WireGuardConfig } from './types.js';

/** The discard service: nothing is expected to answer on it, and nothing should mind a datagram. */
const DISCARD_PORT = 9;

/**
 * Sends one empty UDP datagram through the tunnel to the gateway's tunnel address.
 *
 * Why: after the gateway restarts, its WireGuard side has forgotten the session (and, not
 * knowing the agent's endpoint, cannot start a new one), while the agent's side still holds a
 * session it believes valid and only sends keepalives, which WireGuard never answers and which
 * do not arm its "no reply, so handshake again" timer. Data does: WireGuard starts a fresh
 * handshake when data it sent gets no authenticated reply within 15 s (KEEPALIVE_TIMEOUT +
 * REKEY_TIMEOUT). So after a control-channel reconnect, one datagram brings the data plane
 * back within about 15 s instead of at the next rekey, up to two minutes later; if the
 * gateway's session is intact, its reply (an ICMP port-unreachable, or its passive keepalive)
 * keeps everything as it was.
 *
 * This works for the OS backends (kernel, wireguard-go), whose routes carry the datagram into
 * the interface; an in-process backend would need a rehandshake operation of its own.
 */
export async function nudgeHandshake(gatewayTunnelAddress: string, port: number = DISCARD_PORT): Promise<void> {
  const family = isIP(gatewayTunnelAddress);
  if (family === 0) throw new Error(`not an address: ${gatewayTunnelAddress}`);
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.send(Buffer.alloc(0), port, gatewayTunnelAddress, (error) => (error ? reject(error) : resolve()));
    });
  } finally {
    socket.close();
  }
}

/** The first address of the gateway's allowedIps (a /32 or /128 in practice), without its prefix. */
export function gatewayTunnelAddress(allowedIps: readonly string[]): string | null {
  const first = allowedIps[0];
  return first === undefined ? null : first.split('/')[0]!;
}

/** The OS backends' rehandshake(): one datagram to the gateway's tunnel address, errors ignored. */
export async function nudgeThroughTunnel(config: WireGuardConfig | null): Promise<void> {
  const target = config && gatewayTunnelAddress(config.peer.allowedIps);
  if (!target) return;
  await nudgeHandshake(target).catch(() => undefined);
}
