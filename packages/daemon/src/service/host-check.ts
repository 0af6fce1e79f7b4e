import type { IncomingMessage } from 'node:http';

/**
 * The Host check (DNS-rebinding defence) for what the daemon answers itself rather than a
 * bridge: the readiness report on the MCP listener, and the admin listener. The same rule as
 * the bridge's allow-list, which the bridge does not export: the loopback names on the port the
 * request came in on, plus the names the operator allowed ("name" any port, "name:port").
 * A request over a unix socket has no port and no rebinding risk: loopback names pass.
 */

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/;

interface HostAndPort {
  hostname: string;
  port: string | undefined;
}

function parseHost(value: string): HostAndPort | undefined {
  const match = HOST.exec(value.trim().toLowerCase());
  return match ? { hostname: match[1], port: match[2] } : undefined;
}

export class HostCheck {
  private readonly entries: HostAndPort[];

  constructor(allowed: readonly string[]) {
    this.entries = allowed.map(parseHost).filter((entry): entry is HostAndPort => entry !== undefined);
  }

  allows(hostHeader: string | undefined, localPort: number | undefined): boolean {
    if (hostHeader === undefined) return false;
    const host = parseHost(hostHeader);
    if (!host) return false;
    const port = host.port ?? '80';
    if (this.entries.some((entry) => entry.hostname === host.hostname && (entry.port === undefined || entry.port === port))) return true;
    return LOOPBACK_NAMES.includes(host.hostname) && (localPort === undefined || port === String(localPort));
  }

  /** A JSON-RPC error body for a refused request, or null when it may be answered. */
  refusal(req: IncomingMessage): object | null {
    if (this.allows(req.headers.host, req.socket?.localPort)) return null;
    const shown = JSON.stringify((req.headers.host ?? '').slice(0, 200));
    return {
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32000,
        message: `Forbidden: Host header ${shown} is not allowed (DNS-rebinding protection). If clients reach this daemon under that name, allow it with --allowed-hosts (security.allowedHosts).`,
      },
    };
  }
}
