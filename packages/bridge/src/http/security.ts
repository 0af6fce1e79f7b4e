import type { IncomingMessage } from 'node:http';
import type { ApiKeyCheck } from './api-key.js';
import { ErrorCode, refusal, type HttpRefusal } from './errors.js';
import type { HostAllowList } from './host-allow-list.js';
import type { OriginAllowList } from './origin-allow-list.js';

/** What one way in (an ingress, or the bare handler) checks every request and upgrade against. */
export interface RequestGuard {
  hosts: HostAllowList;
  origins: OriginAllowList;
  apiKey: ApiKeyCheck | undefined;
}

/**
 * Host first (DNS rebinding), then Origin (cross-site pages). Runs before anything else, CORS
 * preflights included. A header that cannot be read is refused like a foreign one: whatever
 * the allow-lists make of it, this answers 403, never an error of the bridge.
 */
export function checkHostAndOrigin(req: IncomingMessage, guard: RequestGuard): HttpRefusal | undefined {
  const localPort = req.socket?.localPort;
  const host = req.headers.host;
  if (!safely(() => guard.hosts.allows(host, localPort))) return hostRefusal(host);
  const origin = req.headers.origin;
  if (origin !== undefined && !safely(() => guard.origins.allows(origin, localPort))) return originRefusal(origin);
  return undefined;
}

function safely(allows: () => boolean): boolean {
  try {
    return allows();
  } catch {
    return false;
  }
}

/** The bearer API key, when one is configured. Never echoes what the caller sent. */
export function checkApiKey(req: IncomingMessage, guard: RequestGuard): HttpRefusal | undefined {
  if (!guard.apiKey) return undefined;
  const verdict = guard.apiKey.verify(req.headers.authorization);
  if (verdict === 'ok') return undefined;
  if (verdict === 'missing') {
    return refusal(401, ErrorCode.TransportRefused, 'Unauthorized: this bridge requires an API key; send it as "Authorization: Bearer <key>"', {
      'WWW-Authenticate': 'Bearer realm="mcp-workstation"',
    });
  }
  return refusal(401, ErrorCode.TransportRefused, 'Unauthorized: the bearer API key is not the one this bridge was started with', {
    'WWW-Authenticate': 'Bearer realm="mcp-workstation", error="invalid_token"',
  });
}

function hostRefusal(host: string | undefined): HttpRefusal {
  if (host === undefined) {
    return refusal(403, ErrorCode.TransportRefused, 'Forbidden: the request has no Host header; send the name you reach the bridge under (DNS-rebinding protection)');
  }
  const shown = JSON.stringify(host.slice(0, 200));
  return refusal(
    403,
    ErrorCode.TransportRefused,
    `Forbidden: Host header ${shown} is not allowed (DNS-rebinding protection). ` +
      `If clients reach the bridge under this name, allow it with --allowed-hosts ${shown} (security.allowedHosts).`,
  );
}

function originRefusal(origin: string): HttpRefusal {
  const shown = JSON.stringify(origin.slice(0, 200));
  return refusal(
    403,
    ErrorCode.TransportRefused,
    `Forbidden: Origin ${shown} is not allowed (cross-site protection). ` +
      `If a web page on that origin should use the bridge, allow it with --allowed-origins ${shown} (security.allowedOrigins) or --cors ${shown}.`,
  );
}
