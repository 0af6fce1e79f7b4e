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
  /** The servers served from the start; Bridge.addServer/replaceServer/removeServer change them later. May be empty. */
  upstreams: Upstream[];
  /** Which server the single-server paths (/mcp, /sse, /message, /ws) serve; default the first (see Bridge.defaultServer). */
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
  /** Start every upstream served now (spawn + initialize); servers added later are started as they come. */
  start(): Promise<void>;
  /** Close every session and upstream (those of servers still closing after a replace or remove too). */
  close(): Promise<void>;
  /** What each server's outgoing streams hold now, and how many were closed for a client that did not read. */
  streamStats(): OutgoingStreamStats[];

  // ---- Servers at runtime ----
  //
  // Each call changes one server and nothing else: the other servers' sessions, streams,
  // requests in flight, readiness and routes go on untouched. The routing changes when the
  // call is made, before it returns its promise, on every ingress (and handleRequest); the
  // promise is for the work behind it (closing the old server, starting the new one). A
  // refused call (BridgeOptionsError: a name in use, no such server, an Upstream served
  // already; Error once close() began) changes nothing. The bridge owns an Upstream from
  // the moment a call accepts it: it starts it and closes it; a refused one stays the caller's.
  //
  // What a client of a server that goes away sees: its Streamable HTTP session is closed, so
  // a stream it holds open (GET or a POST still waiting for its answer) ends without an
  // answer, and its next request gets the answer of an unknown server (removed: 404, JSON-RPC
  // -32601 "unknown server: <name>") or of an unknown session (replaced: 404, -32001 "Session
  // not found", so it initializes again and gets the new server). A legacy SSE stream ends;
  // a WebSocket is closed. A 2026-07-28 listen stream gets its final result and ends.

  /** The names of the servers served now, in the order they came in (a replaced one keeps its place); /readyz lists them so. */
  serverNames(): string[];
  /**
   * The server of the single-server paths (/mcp, /sse, /message, /ws or BridgeOptions.paths):
   * BridgeOptions.defaultServer, else the first server the bridge ever had. It does not move
   * when servers are added, nor when it is removed: those paths then answer as for an unknown
   * server until a server of that name is added again or setDefaultServer() names another.
   * undefined while the bridge never had a server (the paths answer 404 "nothing is served").
   */
  defaultServer(): string | undefined;
  /** Makes a served server the default from the next request on; throws BridgeOptionsError for a name not served. */
  setDefaultServer(name: string): void;
  /**
   * Serves one more server, at /servers/<name>/… (and the single-server paths if the bridge
   * had no default yet). Rejects with BridgeOptionsError if a server of that name is served
   * (use replaceServer). Resolves once the upstream started (answered or failed: a failure is
   * logged and reported by /readyz, as in start()); before start() it does not start it, start() will.
   * /readyz lists it from the call on ("starting" until it has been ready once).
   */
  addServer(upstream: Upstream): Promise<void>;
  /**
   * Serves `upstream` in place of the served server of the same name. At the call, new
   * requests for that name (and the single-server paths, if it is the default) go to the new
   * upstream; then the old one's sessions are closed (see above for what their clients see),
   * then the old upstream is closed, then the new one is started (one after the other: two
   * children of one server could compete for what it holds, a port or a lock). Requests the
   * new one receives meanwhile wait for its child, as at start. /readyz shows the new one
   * ("starting" until it has been ready once). Rejects with BridgeOptionsError when no
   * server has that name (use addServer). Resolves when the new one started.
   */
  replaceServer(upstream: Upstream): Promise<void>;
  /**
   * Stops serving the server of that name. At the call, its paths (and the single-server paths,
   * if it is the default) answer as for an unknown server, and /readyz no longer lists it;
   * then its sessions are closed and its upstream is closed. Resolves when that is done;
   * rejects with BridgeOptionsError when no server has that name.
   */
  removeServer(name: string): Promise<void>;
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
