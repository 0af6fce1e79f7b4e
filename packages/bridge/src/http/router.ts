import type { BridgeConfig } from './config.js';

/**
 * Where a path goes. Every server has /servers/<name>/{mcp,sse,message,ws}; the default
 * server also answers on the single-server paths (supergateway's /mcp, /sse, /message, /ws
 * or the configured ones). A switched-off transport is simply not routed, and its path is
 * not even registered: it may equal an enabled transport's path without shadowing it
 * (supergateway users set --messagePath while only one transport is on).
 *
 * The servers are read at each request from `servers` (server-table.ts), which changes at
 * runtime: a removed server's paths, and the single-server paths while the default is
 * removed, route to 'unknown-server', as a name that never existed does.
 */

/** What the router needs to know of the servers served now. */
export interface ServedNames {
  has(name: string): boolean;
  /** The server of the single-server paths; undefined while the bridge never had one (they are then not routed). */
  readonly defaultServer: string | undefined;
}

export type TransportKind = 'streamable-http' | 'sse' | 'message' | 'ws';

export type Route =
  | { kind: 'healthz' }
  | { kind: 'readyz' }
  | { kind: 'health-ok' }
  | { kind: TransportKind; server: string; layout: 'multi' | 'single' }
  | { kind: 'unknown-server'; name: string }
  | { kind: 'not-found' };

const MULTI_SERVER_PATH = /^\/servers\/([^/]+)\/(mcp|sse|message|ws)\/?$/;
const SEGMENT_KIND: Record<string, TransportKind> = { mcp: 'streamable-http', sse: 'sse', message: 'message', ws: 'ws' };

export class Router {
  private readonly singleServerPaths = new Map<string, TransportKind>();
  private readonly healthPaths: Set<string>;

  constructor(
    private readonly config: BridgeConfig,
    private readonly servers: ServedNames,
  ) {
    this.healthPaths = new Set(config.healthEndpoints);
    const { paths } = config;
    const single: Array<[string, TransportKind]> = [
      [paths.streamableHttp, 'streamable-http'],
      [paths.sse, 'sse'],
      [paths.message, 'message'],
      [paths.ws, 'ws'],
    ];
    // resolveConfig refused two enabled transports on one path.
    for (const [path, kind] of single) if (this.enabled(kind)) this.singleServerPaths.set(path, kind);
  }

  route(pathname: string): Route {
    if (pathname === '/healthz') return { kind: 'healthz' };
    if (pathname === '/readyz') return { kind: 'readyz' };
    if (this.healthPaths.has(pathname)) return { kind: 'health-ok' };
    const multi = MULTI_SERVER_PATH.exec(pathname);
    if (multi) return this.multiServerRoute(multi[1]!, SEGMENT_KIND[multi[2]!]!);
    const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
    const kind = this.singleServerPaths.get(trimmed);
    const server = this.servers.defaultServer;
    if (kind === undefined || server === undefined) return { kind: 'not-found' };
    if (!this.servers.has(server)) return { kind: 'unknown-server', name: server };
    return { kind, server, layout: 'single' };
  }

  /** The `endpoint` event of legacy SSE: where the client POSTs its messages. */
  messageEndpoint(server: string, layout: 'multi' | 'single'): string {
    if (layout === 'single') return `${this.config.baseUrl}${this.config.paths.message}`;
    return `/servers/${encodeURIComponent(server)}/message`;
  }

  private multiServerRoute(encodedName: string, kind: TransportKind): Route {
    let name: string;
    try {
      name = decodeURIComponent(encodedName);
    } catch {
      return { kind: 'unknown-server', name: encodedName };
    }
    if (!this.servers.has(name)) return { kind: 'unknown-server', name };
    if (!this.enabled(kind)) return { kind: 'not-found' };
    return { kind, server: name, layout: 'multi' };
  }

  private enabled(kind: TransportKind): boolean {
    const { transports } = this.config;
    if (kind === 'streamable-http') return transports.streamableHttp;
    if (kind === 'ws') return transports.ws;
    return transports.sse;
  }
}
