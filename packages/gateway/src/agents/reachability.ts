import { Timing } from '@mcp-workstation/protocol';
import type { SessionRegistry } from '../control/session-registry.js';
import type { AgentRecord } from '../store/agent-store.js';
import type { GatewayWireGuard, PeerStatistics } from '../wireguard/types.js';

/** `agents list` and every public request read statistics; one UAPI read serves them all for this long. */
const STATISTICS_CACHE_MS = 2_000;

/**
 * Whether a request for an agent is worth sending into the tunnel: its control connection is
 * up, or its WireGuard handshake is fresh (the tunnel stays up while the control channel
 * reconnects, protocol.md §2). Otherwise the client is told at once instead of after a
 * connect timeout.
 */
export class Reachability {
  private cached: { at: number; stats: Map<string, PeerStatistics> } | null = null;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly wireguard: GatewayWireGuard,
    private readonly now: () => number = Date.now,
  ) {}

  async statistics(): Promise<Map<string, PeerStatistics>> {
    if (this.cached && this.now() - this.cached.at < STATISTICS_CACHE_MS) return this.cached.stats;
    const stats = await this.wireguard.statistics();
    this.cached = { at: this.now(), stats };
    return stats;
  }

  async reachable(agent: AgentRecord): Promise<boolean> {
    if (this.sessions.get(agent.id)?.ready) return true;
    const handshake = (await this.statistics()).get(agent.publicKey)?.lastHandshakeAt;
    return handshake != null && this.now() - handshake.getTime() < Timing.handshakeStaleMs;
  }
}
