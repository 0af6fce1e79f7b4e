import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@mcp-workstation/supervisor';
import type { Upstream } from './upstream/types.js';

/** Paths of the single-server layout (supergateway's flags). Multi-server paths are fixed: /servers/<name>/{mcp,sse,message,ws}. */
export interface SingleServerPaths {
  streamableHttp: string; // default /mcp
  sse: string; // default /sse
  message: string; // default /message
  ws: string; // default /ws
}

export interface SecurityOptions {
  /**
   * Host header allow-list (DNS-rebinding defence): "host" or "host:port" entries.
   * Default: the loopback names with the listener's port. An ingress may add its own.
   */
  allowedHosts?: string[];
  /** Origin allow-list; a request with an Origin not on it gets 403. Requests without Origin pass. */
  allowedOrigins?: string[];
  /** Bearer API key required of callers when set (compared in constant time). */
  apiKey?: string;
  /** CORS headers, only when asked: the origins that get them ('*' for any). */
  corsOrigins?: string[];
}

export interface LimitOptions {
  /** Request body limit; over it: 413 with a JSON-RPC error. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Open sessions per server; over it: 503 with Retry-After. Default 1000. */
  maxSessions?: number;
  /** Streamable HTTP sessions idle this long are closed. Default 30 min; 0 never (supergateway --sessionTimeout). */
  sessionIdleMs?: number;
  /** Events kept per stream for Last-Event-ID resumption. Default 1000. */
  eventBufferPerStream?: number;
  /**
   * Bytes one outgoing stream (a Streamable HTTP GET or POST stream, a 2026-07-28 listen or
   * request stream, a legacy SSE stream, a WebSocket) may hold for a client that is not
   * reading; past it the stream is closed (legacy SSE and WebSocket: the session ends). Also bounds each Streamable HTTP session's resumption
   * buffer. Default 16 MiB.
   */
  streamBufferBytes?: number;
}

export interface BridgeOptions {
  upstreams: Upstream[];
  /** Which server the single-server paths (/mcp, /sse, /message, /ws) serve; default the first. */
  defaultServer?: string;
  /** Which transports are offered; default all. */
  transports?: { streamableHttp?: boolean; sse?: boolean; ws?: boolean };
  paths?: Partial<SingleServerPaths>;
  /** Prefix for the `endpoint` event of legacy SSE (supergateway --baseUrl). */
  baseUrl?: string;
  /** Extra paths answering 200 "ok" (supergateway --healthEndpoint). /healthz and /readyz always exist. */
  healthEndpoints?: string[];
  security?: SecurityOptions;
  limits?: LimitOptions;
  logger?: Logger;
}

/** Options of one way in (the loopback listener, the tunnel listener). */
export interface IngressOptions {
  /** Host header values this ingress accepts, in addition to the bridge's. */
  allowedHosts?: string[];
  /** A label for logs: "loopback", "tunnel". */
  name?: string;
  /**
   * What /healthz answers here. 'liveness' (default): 200 while the process is up.
   * 'readiness': the /readyz report and status code, as protocol.md §3 asks of the tunnel
   * listener (200 "ready", 503 "starting"/"degraded", with the servers' states).
   */
  healthz?: 'liveness' | 'readiness';
  /**
   * Whether clients here must bring the bridge's API key (security.apiKey). Default true.
   * False where the peer authenticates its own clients and nobody else can connect: the
   * tunnel, whose only peer is the gateway over WireGuard (protocol.md §4). The gateway keeps
   * its clients' Authorization to itself, so the key would refuse every request there.
   */
  apiKeyRequired?: boolean;
}

export interface Bridge {
  /** An http.Server (not listening) that serves the bridge; call listen() on it or emit 'connection' with an accepted socket. */
  ingress(options?: IngressOptions): HttpServer;
  /** The plain request handler (for embedding). */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Start every upstream (spawn + initialize). */
  start(): Promise<void>;
  /** Close every session and upstream. */
  close(): Promise<void>;
  /** What each server's outgoing streams hold now, and how many were closed for a client that did not read. */
  streamStats(): OutgoingStreamStats[];
}

/** The transports whose outgoing streams are bounded by limits.streamBufferBytes. */
export type OutgoingTransport = 'streamable-http' | 'sse' | 'websocket';

export interface OutgoingStreamStats {
  server: string;
  /** limits.streamBufferBytes. */
  limitBytes: number;
  /** Bytes waiting to be sent to clients in the open streams, now. */
  bufferedBytes: number;
  /** Bytes kept for Last-Event-ID resumption by the open Streamable HTTP sessions, now (approximate: JSON text length). */
  eventBufferBytes: number;
  /** Streams closed because their client did not read (past limits.streamBufferBytes), by transport, since the bridge started. */
  overflows: Record<OutgoingTransport, number>;
}
