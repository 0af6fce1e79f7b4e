import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeOrigin } from './origin-allow-list.js';

/**
 * CORS, only when the operator asked for it (security.corsOrigins). Without it, no
 * Access-Control-* header is ever sent and browsers keep other origins out.
 */

const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Authorization, Content-Type, Accept, Mcp-Method, Mcp-Name';
const EXPOSED_HEADERS = 'Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate';
const PREFLIGHT_MAX_AGE_S = '86400';

export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: Set<string>;

  constructor(corsOrigins: readonly string[]) {
    this.anyOrigin = corsOrigins.includes('*');
    this.origins = new Set(corsOrigins.filter((o) => o !== '*').flatMap((o) => normalizeOrigin(o) ?? []));
  }

  /** Sets the response headers for a request from an allowed origin; true when it did. */
  apply(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (this.anyOrigin) {
      res.setHeader('Access-Control-Allow-Origin', '*');
    } else if (origin !== undefined && this.origins.has(normalizeOrigin(origin) ?? '')) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    } else {
      return false;
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    return true;
  }

  /** Answers an OPTIONS preflight; true when the request was one and is now answered. */
  answerPreflight(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
    res.writeHead(204, {
      'Access-Control-Allow-Methods': ALLOWED_METHODS,
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_S,
    });
    res.end();
    return true;
  }
}
