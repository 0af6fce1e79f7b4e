import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { splitEndpoint } from '@mcp-workstation/protocol';

export type LookupAddress = (host: string) => Promise<string>;

const systemLookup: LookupAddress = async (host) => (await lookup(host)).address;

/**
 * protocol.md §3: a DNS name in `peer.endpoint` is resolved again on every control-channel
 * reconnect and whenever the latest handshake is stale. WireGuard itself only takes addresses,
 * so this turns "gw.example.com:51820" into "203.0.113.5:51820" ("[v6]:port" for IPv6).
 */
export async function resolveEndpoint(endpoint: string, resolve: LookupAddress = systemLookup): Promise<string> {
  const { host, port } = splitEndpoint(endpoint);
  const address = isIP(host) ? host : await resolve(host);
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
