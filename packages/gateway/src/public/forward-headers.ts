import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1: headers about one connection, never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Never sent to the agent: its Host is set anew; the client's Origin was checked here
 * (protocol.md §3); Authorization is the gateway API key, which the agent must never see;
 * Expect is answered by this server already.
 */
const NOT_FOR_THE_AGENT = new Set(['host', 'origin', 'authorization', 'expect']);

const NONE: ReadonlySet<string> = new Set();

function without(headers: IncomingHttpHeaders, dropped: ReadonlySet<string>): OutgoingHttpHeaders {
  // Headers named by Connection are hop-by-hop too; most requests name none, and this runs on every call.
  const named = headers.connection ? new Set(headers.connection.split(',').map((name) => name.trim().toLowerCase())) : NONE;
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The client's request headers as the agent gets them; MCP's own (Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Accept…) pass. */
export function headersForAgent(headers: IncomingHttpHeaders, agentHost: string): OutgoingHttpHeaders {
  return { ...without(headers, NOT_FOR_THE_AGENT), host: agentHost };
}

/** The agent's response headers as the client gets them. */
export function headersForClient(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return without(headers, NONE);
}
