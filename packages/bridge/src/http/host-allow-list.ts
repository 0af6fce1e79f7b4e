/**
 * The Host header allow-list: the DNS-rebinding defence. A page on evil.example that
 * rebinds its name to 127.0.0.1 still sends `Host: evil.example`, so only names the
 * operator chose (plus the loopback names on the listener's own port) are served.
 */

export interface HostAndPort {
  /** Lower-cased; IPv6 literals keep their brackets ("[::1]"). */
  hostname: string;
  port: string | undefined;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Parses a Host header value or an allow-list entry: "name", "name:port", "[v6]" or "[v6]:port". */
export function parseHost(value: string): HostAndPort | undefined {
  const text = value.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  return { hostname: match[1]!, port: match[2] };
}

export class HostAllowList {
  private readonly entries: HostAndPort[];

  /** Entries are "host" (any port) or "host:port"; a malformed entry is a configuration error. */
  constructor(entries: readonly string[]) {
    this.entries = entries.map((entry) => {
      const parsed = parseHost(entry);
      if (!parsed) {
        throw new Error(`allowed host "${entry}" is not a host name or host:port (examples: "mcp.internal", "10.0.0.2:8000", "[fd00::2]:8000")`);
      }
      return parsed;
    });
  }

  /** A new list with more entries (an ingress adds its own names to the bridge's). */
  with(extra: readonly string[]): HostAllowList {
    return new HostAllowList([...this.entries.map(formatHost), ...extra]);
  }

  /**
   * `localPort` is the port the request arrived on; the loopback names are allowed on it.
   * When it is unknown (a socket that is not TCP), the loopback names are allowed on any port.
   */
  allows(hostHeader: string | undefined, localPort: number | undefined): boolean {
    if (hostHeader === undefined) return false;
    const host = parseHost(hostHeader);
    if (!host) return false;
    if (this.entries.some((entry) => entry.hostname === host.hostname && (entry.port === undefined || entry.port === effectivePort(host)))) {
      return true;
    }
    return LOOPBACK_NAMES.includes(host.hostname) && (localPort === undefined || effectivePort(host) === String(localPort));
  }
}

/** A Host header without a port means the scheme's default; the bridge speaks plain HTTP. */
function effectivePort(host: HostAndPort): string {
  return host.port ?? '80';
}

function formatHost(host: HostAndPort): string {
  return host.port === undefined ? host.hostname : `${host.hostname}:${host.port}`;
}
