import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ApiKeyCheck } from './http/api-key.js';
import { answerClientError } from './http/client-error.js';
import { resolveConfig, type BridgeConfig } from './http/config.js';
import { CorsPolicy } from './http/cors.js';
import { describeError } from './http/errors.js';
import type { BridgeFront } from './http/front.js';
import { ReadinessMonitor } from './http/health.js';
import { HostAllowList } from './http/host-allow-list.js';
import { checkHosts } from './http/option-checks.js';
import { OriginAllowList } from './http/origin-allow-list.js';
import { RequestHandler } from './http/request-handler.js';
import { Router } from './http/router.js';
import type { RequestGuard } from './http/security.js';
import { ServerEndpoints } from './http/server-endpoints.js';
import { ServerTable } from './http/server-table.js';
import { UpgradeHandler } from './http/upgrade-handler.js';
import { MCP_SUBPROTOCOL } from './http/websocket.js';
import type { Bridge, BridgeOptions, IngressOptions } from './types.js';
import type { Upstream } from './upstream/types.js';

/**
 * The HTTP front of the bridge: one request handler and one upgrade handler shared by every
 * way in (the loopback listener, the tunnel listener), in front of every server it serves:
 * the `upstreams` it is built with, then whatever addServer, replaceServer and removeServer
 * make of them at runtime (types.ts `Bridge` says what each does; server-table.ts which
 * server is the default).
 * Throws BridgeOptionsError for an option it cannot use (ingress() too, for its own).
 */
export function createBridge(options: BridgeOptions): Bridge {
  const config = resolveConfig(options);
  const guard = buildGuard(config);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxBodyBytes,
    handleProtocols: (offered) => (offered.has(MCP_SUBPROTOCOL) ? MCP_SUBPROTOCOL : false),
  });
  const endpointsOf = (upstream: Upstream): ServerEndpoints => new ServerEndpoints(upstream, config, wss);
  const servers = new ServerTable(endpointsOf, config.upstreams, config.defaultServer);
  const readiness = new ReadinessMonitor(() => servers.upstreams());
  let closing = false;
  let started = false;
  /** Servers taken out by replaceServer/removeServer and still closing: close() waits for them too. */
  const retiring = new Set<Promise<void>>();
  const front: BridgeFront = {
    config,
    router: new Router(config, servers),
    servers,
    readiness,
    cors: config.corsOrigins ? new CorsPolicy(config.corsOrigins) : undefined,
    isClosing: () => closing,
  };
  const requests = new RequestHandler(front);
  const upgrades = new UpgradeHandler(front);
  warnAboutWideOpenSettings(config);

  const refuseWhenClosed = (operation: string): void => {
    if (closing) throw new Error(`${operation}: the bridge is closed`);
  };
  /** Closes a server taken out of the table, tracked until done so close() can wait for it. */
  const retire = (endpoints: ServerEndpoints): Promise<void> => {
    const done = endpoints.close();
    retiring.add(done);
    return done.finally(() => retiring.delete(done));
  };
  /** Starts a server that came in at runtime, unless start() has not run yet (it will start it) or it was replaced meanwhile. */
  const startIfCurrent = async (endpoints: ServerEndpoints): Promise<void> => {
    if (started && !closing && servers.get(endpoints.context.name) === endpoints) await startUpstream(config, endpoints.upstream);
  };

  return {
    ingress: (ingressOptions?: IngressOptions) => createIngress(ingressOptions ?? {}, guard, requests, upgrades),
    handleRequest: (req: IncomingMessage, res: ServerResponse) => requests.handle(req, res, guard, { name: 'embedded', healthz: 'liveness' }),
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrades.handle(req, socket, head, guard, 'embedded'),
    start: async () => {
      started = true;
      await Promise.all(servers.upstreams().map((upstream) => startUpstream(config, upstream)));
      const report = readiness.report();
      config.logger.info('bridge started', { status: report.status, servers: report.servers.map((s) => `${s.name}: ${s.state}`).join(', ') });
    },
    close: async () => {
      closing = true;
      await Promise.allSettled([...servers.list().map((endpoints) => endpoints.close()), ...retiring]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    streamStats: () => servers.list().map((server) => server.context.outgoing.stats()),
    serverNames: () => servers.names(),
    defaultServer: () => servers.defaultServer,
    setDefaultServer: (name: string) => servers.setDefault(name),
    addServer: async (upstream: Upstream) => {
      refuseWhenClosed('addServer');
      const added = servers.add(upstream);
      config.logger.info('server added', { server: upstream.name });
      await startIfCurrent(added);
    },
    replaceServer: async (upstream: Upstream) => {
      refuseWhenClosed('replaceServer');
      const { added, replaced } = servers.replace(upstream);
      readiness.forget(upstream.name);
      config.logger.info('server replaced: its sessions end, new ones go to the new server', { server: upstream.name });
      // The old child is gone before the new one spawns: two would compete for whatever the server holds (a port, a lock).
      await retire(replaced);
      await startIfCurrent(added);
    },
    removeServer: async (name: string) => {
      refuseWhenClosed('removeServer');
      const removed = servers.remove(name);
      readiness.forget(name);
      config.logger.info('server removed: its sessions end', { server: name });
      await retire(removed);
    },
  };
}

function buildGuard(config: BridgeConfig): RequestGuard {
  return {
    hosts: new HostAllowList(config.allowedHosts),
    // An origin the operator opened CORS to is an origin it wants served.
    origins: new OriginAllowList([...config.allowedOrigins, ...(config.corsOrigins ?? [])]),
    apiKey: config.apiKey === undefined ? undefined : new ApiKeyCheck(config.apiKey),
  };
}

function createIngress(options: IngressOptions, bridgeGuard: RequestGuard, requests: RequestHandler, upgrades: UpgradeHandler): HttpServer {
  checkHosts('ingress.allowedHosts', options.allowedHosts);
  const name = options.name ?? 'ingress';
  const guard: RequestGuard = {
    ...bridgeGuard,
    hosts: bridgeGuard.hosts.with(options.allowedHosts ?? []),
    apiKey: options.apiKeyRequired === false ? undefined : bridgeGuard.apiKey,
  };
  const profile = { name, healthz: options.healthz ?? 'liveness' } as const;
  const server = createServer((req, res) => requests.handle(req, res, guard, profile));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrades.handle(req, socket, head, guard, name));
  server.on('clientError', answerClientError);
  return server;
}

/** Resolves when the upstream answered or failed: a failed one is reported by /readyz, not thrown. */
async function startUpstream(config: BridgeConfig, upstream: Upstream): Promise<void> {
  try {
    await upstream.start();
  } catch (error) {
    config.logger.error('server did not start', { server: upstream.name, reason: describeError(error) });
  }
}

function warnAboutWideOpenSettings(config: BridgeConfig): void {
  if (config.allowedOrigins.includes('*') || config.corsOrigins?.includes('*')) {
    config.logger.warn('any web origin may call the bridge (allowed origins or CORS set to "*"); the Host allow-list still applies');
  }
}
