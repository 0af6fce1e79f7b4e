import type { TunnelBlock } from '@mcp-workstation/protocol';
import type { AgentRecord } from '../store/agent-store.js';

/** What every agent's tunnel block shares: the gateway side of the tunnel. */
export interface TunnelSettings {
  mtu: number;
  /** TCP port agents serve MCP on at their tunnel address. */
  agentListenPort: number;
  /** host:port agents send WireGuard packets to. */
  endpoint: string;
  gatewayAddress: string;
  gatewayPublicKey: string;
  persistentKeepalive: number;
}

/** protocol.md §1: the block of the 201, and of every `welcome` and `config`. */
export function tunnelBlockFor(agent: AgentRecord, settings: TunnelSettings): TunnelBlock {
  return {
    address: `${agent.address}/32`,
    mtu: settings.mtu,
    listenPort: settings.agentListenPort,
    peer: {
      publicKey: settings.gatewayPublicKey,
      endpoint: settings.endpoint,
      allowedIps: [`${settings.gatewayAddress}/32`],
      persistentKeepalive: settings.persistentKeepalive,
    },
  };
}
