// Public face of @mcp-workstation/bridge: MCP over HTTP (Streamable HTTP, legacy SSE,
// WebSocket, the 2026-07-28 era) in front of supervised stdio servers.
// createBridge returns a Bridge: ingress(), handleRequest/handleUpgrade, start/close, and its servers
// changed at runtime (serverNames, addServer, replaceServer, removeServer, defaultServer, setDefaultServer).
export { createBridge } from './bridge.js';
export { BridgeOptionsError } from './options-error.js';
export { answerClientError } from './http/client-error.js';
export { HostAllowList, parseHost } from './http/host-allow-list.js';
export { OriginAllowList, normalizeOrigin } from './http/origin-allow-list.js';
export { createUpstream } from './upstream/index.js';
export type { Bridge, BridgeOptions, IngressOptions, LimitOptions, OutgoingStreamStats, OutgoingTransport, SecurityOptions, SingleServerPaths } from './types.js';
export type {
  ChildError,
  ChildErrorContext,
  ChildResponse,
  ChildResponseContext,
  ClientPeer,
  RequestRecord,
  SessionMode,
  Upstream,
  UpstreamOptions,
  UpstreamReadiness,
  UpstreamSession,
} from './upstream/types.js';
