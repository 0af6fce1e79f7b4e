import { Timing } from '@mcp-workstation/protocol';
import type { PeerStatistics } from '../wireguard/types.js';

/** The states every component reports (architecture.md), with a reason for a person. */
export type ComponentState = 'starting' | 'ready' | 'degraded' | 'failed' | 'stopped';

export interface ComponentHealth {
  state: ComponentState;
  reason: string;
}

export interface TunnelHealth extends ComponentHealth {
  /** Whether a registration exists: an unregistered agent serves locally only, which is not a failure. */
  registered: boolean;
  agentId: string | null;
  wireguard: ComponentHealth & { lastHandshakeAt: string | null; rxBytes: number; txBytes: number };
  control: ComponentHealth;
  listener: ComponentHealth & { address: string | null };
}

/**
 * protocol.md §3: with persistentKeepalive set, a latest handshake older than 180 s (WireGuard's
 * reject-after time) means the tunnel is down; none at all means it never came up.
 */
export function handshakeHealth(stats: PeerStatistics, keepaliveSeconds: number | undefined, now: number): ComponentHealth {
  if (stats.lastHandshakeAt === null) return { state: 'starting', reason: 'no WireGuard handshake with the gateway yet' };
  const ageMs = now - stats.lastHandshakeAt.getTime();
  if (keepaliveSeconds && ageMs > Timing.handshakeStaleMs) {
    return { state: 'degraded', reason: `the latest WireGuard handshake is ${Math.round(ageMs / 1000)} s old: the gateway is unreachable` };
  }
  return { state: 'ready', reason: `latest handshake ${Math.round(ageMs / 1000)} s ago` };
}

/** The whole tunnel is as healthy as its worst part. */
export function worstOf(parts: ComponentHealth[]): ComponentHealth {
  const order: ComponentState[] = ['failed', 'degraded', 'starting', 'stopped', 'ready'];
  for (const state of order) {
    const part = parts.find((p) => p.state === state);
    if (part) return part;
  }
  return { state: 'ready', reason: 'ok' };
}
