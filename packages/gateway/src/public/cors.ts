import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** MCP headers a browser client must be able to read. */
const EXPOSED = 'Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate';

/** CORS headers for a response to an Origin already on the allow-list. */
export function corsHeaders(origin: string | undefined): OutgoingHttpHeaders {
  if (origin === undefined) return {};
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED, vary: 'Origin' };
}

/** Answers a preflight from an allowed Origin; the real request still needs the API key. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, origin: string): void {
  res.writeHead(204, {
    ...corsHeaders(origin),
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, Mcp-Session-Id, MCP-Protocol-Version',
    'access-control-max-age': '600',
  });
  res.end();
}
