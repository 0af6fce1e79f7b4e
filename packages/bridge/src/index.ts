// Public face of @mcp-workstation/bridge: MCP over HTTP (Streamable HTTP, legacy SSE,
// WebSocket) in front of supervised stdio servers.
export type { Bridge, BridgeOptions, IngressOptions, LimitOptions, SecurityOptions, SingleServerPaths } from './types.js';
export type {
  ClientPeer,
  RequestRecord,
  SessionMode,
  Upstream,
  UpstreamOptions,
  UpstreamReadiness,
  UpstreamSession,
} from './upstream/types.js';
