import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@mcp-workstation/supervisor';
import type { Upstream } from '../../upstream/types.js';

/**
 * The 2026-07-28 protocol era (no sessions, no initialize, Mcp-Method/Mcp-Name headers,
 * server/discover), served in front of a child that speaks an older version.
 * STUB: filled in by the 2026-07-28 work.
 */

/** True when this request speaks the 2026-07-28 protocol (decided from headers only, before the body is read). */
export function isModernRequest(_req: IncomingMessage): boolean {
  return false;
}

export interface ModernRequestContext {
  upstream: Upstream;
  /** The parsed JSON body (already size-limited and parsed by the HTTP front; -32700 answered there). */
  body: unknown;
  logger?: Logger;
}

/** Serve one 2026-07-28 HTTP request. Host/Origin/API-key checks were already done by the caller. */
export async function handleModernRequest(_req: IncomingMessage, res: ServerResponse, _ctx: ModernRequestContext): Promise<void> {
  res.writeHead(501).end();
}
