import type { IncomingMessage } from 'node:http';
import { HostAllowList, OriginAllowList, normalizeOrigin, parseHost } from '@mcp-workstation/bridge';

/**
 * The Host check (DNS-rebinding defence) for what the daemon answers itself rather than a
 * bridge: the readiness report on the MCP listener, and the admin listener. The bridge's own
 * rules (HostAllowList, OriginAllowList), not a copy: the loopback names on the port the
 * request came in on, plus the names the operator allowed ("name" any port, "name:port").
 * A request over a unix socket has no port and no rebinding risk: loopback names pass.
 *
 * Given the allowed origins (the MCP listener: the bridges' security.allowedOrigins and
 * corsOrigins), the Origin header is checked too: absent passes, the listener's own loopback
 * origin passes, listed ones pass ('*' any), everything else, "null" and values that are no
 * URL at all included, is refused with 403, never an error.
 */
export class HostCheck {
  private readonly hosts: HostAllowList;
  private readonly origins: OriginAllowList | undefined;

  /** `allowedOrigins` undefined: the Origin header is not looked at (the admin listener). */
  constructor(allowed: readonly string[], allowedOrigins?: readonly string[]) {
    // The bridges validated these already (and refuse to start on a bad one); an entry that
    // is no host or origin is dropped here rather than thrown on a second time.
    this.hosts = new HostAllowList(allowed.filter((entry) => parseHost(entry) !== undefined));
    if (allowedOrigins !== undefined) this.origins = new OriginAllowList(allowedOrigins.filter((origin) => origin === '*' || normalizeOrigin(origin) !== undefined));
  }

  /** The bridge's own Origin rule (OriginAllowList); no Origin header, or no list (the admin listener), passes. */
  originAllows(originHeader: string | undefined, localPort: number | undefined): boolean {
    return originHeader === undefined || this.origins === undefined || this.origins.allows(originHeader, localPort);
  }

  allows(hostHeader: string | undefined, localPort: number | undefined): boolean {
    return this.hosts.allows(hostHeader, localPort);
  }

  /** A JSON-RPC error body for a refused request (the bridge's shape and words), or null when it may be answered. */
  refusal(req: IncomingMessage): object | null {
    const localPort = req.socket?.localPort;
    if (!this.allows(req.headers.host, localPort)) {
      const shown = JSON.stringify((req.headers.host ?? '').slice(0, 200));
      return forbidden(
        `Forbidden: Host header ${shown} is not allowed (DNS-rebinding protection). If clients reach this daemon under that name, allow it with --allowed-hosts (security.allowedHosts).`,
      );
    }
    const origin = req.headers.origin;
    if (!this.originAllows(origin, localPort)) {
      const shown = JSON.stringify((origin ?? '').slice(0, 200));
      return forbidden(
        `Forbidden: Origin ${shown} is not allowed (cross-site protection). If a web page on that origin should use this daemon, allow it with --allowed-origins ${shown} (security.allowedOrigins) or --cors ${shown}.`,
      );
    }
    return null;
  }
}

function forbidden(message: string): object {
  return { jsonrpc: '2.0', id: null, error: { code: -32000, message } };
}
