import type { AgentDirectory } from '../agents/agent-directory.js';
import type { Reachability } from '../agents/reachability.js';
import type { SessionRegistry } from '../control/session-registry.js';
import type { GatewayLogger } from '../log/logger.js';

/** One row of `agents list`. No secret hash: the admin API hands out nothing that authenticates. */
export interface AgentListing {
  id: string;
  name: string | null;
  address: string;
  publicKey: string;
  connected: boolean;
  connectedSince: string | null;
  lastHandshakeAt: string | null;
  rxBytes: number;
  txBytes: number;
  servers: { name: string; state: string }[];
  agentVersion: string;
  platform: string;
  registeredAt: string;
}

export type RotateResult = 'sent' | 'unknown' | 'not_connected';

/** What an operator can do to a running gateway: what the admin API and the library both call. */
export class GatewayOperations {
  constructor(
    private readonly directory: AgentDirectory,
    private readonly sessions: SessionRegistry,
    private readonly reachability: Reachability,
    private readonly log: GatewayLogger,
  ) {}

  async list(): Promise<AgentListing[]> {
    const stats = await this.reachability.statistics();
    return this.directory.list().map((agent) => {
      const session = this.sessions.get(agent.id);
      const peer = stats.get(agent.publicKey);
      const reported = session?.report.status?.servers ?? session?.report.hello?.servers ?? [];
      return {
        id: agent.id,
        name: agent.name,
        address: agent.address,
        publicKey: agent.publicKey,
        connected: session?.ready ?? false,
        connectedSince: session?.ready ? session.connectedAt.toISOString() : null,
        lastHandshakeAt: peer?.lastHandshakeAt?.toISOString() ?? null,
        rxBytes: peer?.rxBytes ?? 0,
        txBytes: peer?.txBytes ?? 0,
        servers: reported.length > 0 ? reported.map((s) => ({ name: s.name, state: s.state })) : agent.servers.map((name) => ({ name, state: 'unknown' })),
        agentVersion: session?.report.hello?.agentVersion ?? agent.agentVersion,
        platform: agent.platform,
        registeredAt: agent.registeredAt,
      };
    });
  }

  /**
   * Forgets the agent first (its secret fails from now on, its peer is gone), then tells a
   * connected agent with `revoke` and closes with 4403. An agent that is offline learns on its
   * next connect, refused with 401 (4401 to it).
   */
  async revoke(id: string, reason: string): Promise<{ revoked: boolean; notified: boolean }> {
    const agent = await this.directory.remove(id);
    if (!agent) return { revoked: false, notified: false };
    const session = this.sessions.get(id);
    session?.revoke(reason);
    this.log.info(`revoked agent ${id}`, { name: agent.name, reason, notified: session !== undefined });
    return { revoked: true, notified: session !== undefined };
  }

  rotate(id: string): RotateResult {
    if (!this.directory.get(id)) return 'unknown';
    const sent = this.sessions.get(id)?.rotate() ?? false;
    if (sent) this.log.info(`asked agent ${id} to rotate its WireGuard key`);
    return sent ? 'sent' : 'not_connected';
  }
}
