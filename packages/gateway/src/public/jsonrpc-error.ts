import type { ServerResponse } from 'node:http';

/** JSON-RPC's "server error" range: the gateway's own failures, told apart from the agent's answers by the message. */
export const GATEWAY_ERROR_CODE = -32000;

/**
 * The public side answers its own refusals as JSON-RPC errors (id null: the request body is
 * streamed, never read), so an MCP client shows the message instead of a bare status.
 */
export function sendJsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, code = GATEWAY_ERROR_CODE): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
