import { z } from 'zod';
import { isIP } from 'node:net';

/** protocol.md §0: a 32-byte Curve25519 key in standard base64, 44 characters, as wg(8) prints it. */
export const WireGuardKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, 'must be a WireGuard key: 32 bytes in standard base64 (44 characters)');

/** An agent name: 1-63 of [A-Za-z0-9._-]. */
export const AgentName = z.string().regex(/^[A-Za-z0-9._-]{1,63}$/, 'must be 1-63 characters of A-Z a-z 0-9 . _ -');

/** A server name: 1-63 of [a-z0-9-]. */
export const ServerName = z.string().regex(/^[a-z0-9-]{1,63}$/, 'must be 1-63 characters of a-z 0-9 -');

/** RFC 3339 in UTC with a Z suffix. */
export const UtcTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'must be an RFC 3339 UTC time ending in Z');

/** host:port, an IPv6 literal as [addr]:port. */
export const Endpoint = z.string().refine(isEndpoint, 'must be host:port (an IPv6 literal as [addr]:port)');

/** An IPv4 or IPv6 prefix such as 100.96.0.7/32. */
export const Cidr = z.string().refine(isCidr, 'must be an address with a prefix length, such as 100.96.0.7/32');

export const Port = z.number().int().min(1).max(65535);

export function isEndpoint(value: string): boolean {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(value);
  if (bracketed) return isIP(bracketed[1]!) === 6 && isPort(bracketed[2]!);
  const plain = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  return plain !== null && isPort(plain[2]!);
}

export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(address);
  const bits = Number(prefix);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

function isPort(text: string): boolean {
  const port = Number(text);
  return port >= 1 && port <= 65535;
}

/** Splits host:port / [v6]:port. Assumes isEndpoint(value). */
export function splitEndpoint(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  const host = value.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(value.slice(at + 1)) };
}

/** The agent's default name: its host name cut to 63 characters, other characters replaced by '-' (protocol.md §1). */
export function agentNameFromHostname(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63);
  return cleaned.length > 0 ? cleaned : 'agent';
}
