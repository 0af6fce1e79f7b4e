import type { TunnelBlock } from '@mcp-workstation/protocol';
import type { WireGuardConfig } from '../wireguard/types.js';

/** The backend's config for a tunnel block, with the endpoint already resolved to an address. */
export function wireGuardConfig(interfaceName: string, privateKey: string, tunnel: TunnelBlock, resolvedEndpoint: string): WireGuardConfig {
  return {
    interfaceName,
    privateKey,
    address: tunnel.address,
    mtu: tunnel.mtu,
    peer: {
      publicKey: tunnel.peer.publicKey,
      endpoint: resolvedEndpoint,
      allowedIps: tunnel.peer.allowedIps,
      persistentKeepalive: tunnel.peer.persistentKeepalive,
    },
  };
}

/** The agent's tunnel address without its prefix: where the listener binds and what Host names. */
export function tunnelAddress(tunnel: TunnelBlock): string {
  return tunnel.address.split('/')[0]!;
}

/** protocol.md §3: the Host header the gateway sends, `<agent tunnel address>:<listenPort>`. */
export function tunnelHostHeader(tunnel: TunnelBlock): string {
  const address = tunnelAddress(tunnel);
  return address.includes(':') ? `[${address}]:${tunnel.listenPort}` : `${address}:${tunnel.listenPort}`;
}
