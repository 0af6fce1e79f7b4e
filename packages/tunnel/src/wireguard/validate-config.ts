import { isIP } from 'node:net';
import { parseCidr } from './cidr.js';
import { interfaceNameProblem } from './interface-name.js';
import { isWireGuardKey } from '@mcp-workstation/wireguard';
import type { WireGuardConfig } from './types.js';

/**
 * Checks a config before any tool sees it, so a mistake is one clear sentence instead of
 * an `ip` or UAPI error number. Never echoes the private key.
 */
export function validateWireGuardConfig(config: WireGuardConfig, platform: NodeJS.Platform = process.platform): void {
  const problems = findConfigProblems(config, platform);
  if (problems.length > 0) throw new Error(`invalid WireGuard configuration: ${problems.join('; ')}`);
}

export function findConfigProblems(config: WireGuardConfig, platform: NodeJS.Platform = process.platform): string[] {
  const problems: string[] = [];
  const check = (problem: string | null): void => {
    if (problem) problems.push(problem);
  };
  check(interfaceNameProblem(config.interfaceName, platform));
  if (!isWireGuardKey(config.privateKey)) problems.push('privateKey is not a WireGuard key (44 characters of base64)');
  if (!isWireGuardKey(config.peer.publicKey)) problems.push('peer.publicKey is not a WireGuard key (44 characters of base64)');
  const family = cidrProblem('address', config.address, problems);
  check(mtuProblem(config.mtu, family));
  check(portProblem('listenPort', config.listenPort));
  check(endpointProblem(config.peer.endpoint));
  check(keepaliveProblem(config.peer.persistentKeepalive));
  if (config.peer.allowedIps.length === 0) problems.push('peer.allowedIps is empty: the gateway would be unreachable');
  config.peer.allowedIps.forEach((cidr, index) => cidrProblem(`peer.allowedIps[${index}]`, cidr, problems));
  return problems;
}

function cidrProblem(field: string, value: string, problems: string[]): 4 | 6 | null {
  try {
    return parseCidr(value).family;
  } catch (error) {
    problems.push(`${field}: ${(error as Error).message}`);
    return null;
  }
}

function mtuProblem(mtu: number, family: 4 | 6 | null): string | null {
  const minimum = family === 6 ? 1280 : 576;
  if (Number.isInteger(mtu) && mtu >= minimum && mtu <= 65535) return null;
  return `mtu ${mtu} is out of range: use a whole number from ${minimum} to 65535 (WireGuard's usual value is 1420)`;
}

function portProblem(field: string, port: number | undefined): string | null {
  if (port === undefined || (Number.isInteger(port) && port >= 0 && port <= 65535)) return null;
  return `${field} ${port} is not a port number (0-65535)`;
}

function keepaliveProblem(seconds: number | undefined): string | null {
  if (seconds === undefined || (Number.isInteger(seconds) && seconds >= 0 && seconds <= 65535)) return null;
  return `peer.persistentKeepalive ${seconds} must be a whole number of seconds from 0 (off) to 65535`;
}

/** The backends take a resolved endpoint: DNS is the caller's job (protocol.md §3 re-resolves it). */
function endpointProblem(endpoint: string): string | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(endpoint);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (match && host !== undefined && isIP(host) !== 0 && port > 0 && port <= 65535 && (match[1] === undefined || isIP(host) === 6)) return null;
  return `peer.endpoint "${endpoint}" is not an address:port (IPv6 as [addr]:port); resolve a host name before passing it`;
}
