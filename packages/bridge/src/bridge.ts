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
import { buildServerEndpoints, type ServerEndpoints } from './http/server-endpoints.js';
import { UpgradeHandler } from './http/upgrade-handler.js';
import { closeModernRequests } from './http/modern/index.js';
import { MCP_SUBPROTOCOL } from './http/websocket.js';
import type { Bridge, BridgeOptions, IngressOptions } from './types.js';

/**
 * The HTTP front of the bridge: one request handler and one upgrade handler shared by every
 * way in (the loopback listener, the tunnel listener), in front of every configured server.
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
  const servers = buildServerEndpoints(config, wss);
  let closing = false;
  const front: BridgeFront = {
    config,
    router: new Router(config),
    servers,
    readiness: new ReadinessMonitor(config.upstreams),
    cors: config.corsOrigins ? new CorsPolicy(config.corsOrigins) : undefined,
    isClosing: () => closing,
  };
  const requests = new RequestHandler(front);
  const upgrades = new UpgradeHandler(front);
  warnAboutWideOpenSettings(config);

  return {
    ingress: (ingressOptions?: IngressOptions) => createIngress(ingressOptions ?? {}, guard, requests, upgrades),
    handleRequest: (req: IncomingMessage, res: ServerResponse) => requests.handle(req, res, guard, { name: 'embedded', healthz: 'liveness' }),
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrades.handle(req, socket, head, guard, 'embedded'),
    start: () => startUpstreams(config, front.readiness),
    close: async () => {
      closing = true;
      await closeAll(config, servers, wss);
    },
    streamStats: () => [...servers.values()].map((server) => server.context.outgoing.stats()),
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

/** Resolves when every upstream answered or failed: a failed one is reported by /readyz, not thrown. */
async function startUpstreams(config: BridgeConfig, readiness: ReadinessMonitor): Promise<void> {
  await Promise.all(
    config.upstreams.map((upstream) =>
      upstream.start().catch((error: unknown) => {
        config.logger.error('server did not start', { server: upstream.name, reason: describeError(error) });
      }),
    ),
  );
  const report = readiness.report();
  config.logger.info('bridge started', { status: report.status, servers: report.servers.map((s) => `${s.name}: ${s.state}`).join(', ') });
}

async function closeAll(config: BridgeConfig, servers: Map<string, ServerEndpoints>, wss: WebSocketServer): Promise<void> {
  await Promise.allSettled([...servers.values()].map((server) => server.closeSessions()));
  for (const upstream of config.upstreams) {
    try {
      closeModernRequests(upstream);
    } catch (error) {
      config.logger.warn('ending 2026-07-28 requests failed', { server: upstream.name, reason: describeError(error) });
    }
  }
  await Promise.allSettled(
    config.upstreams.map((upstream) =>
      upstream.close().catch((error: unknown) => config.logger.warn('server did not close cleanly', { server: upstream.name, reason: describeError(error) })),
    ),
  );
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

function warnAboutWideOpenSettings(config: BridgeConfig): void {
  if (config.allowedOrigins.includes('*') || config.corsOrigins?.includes('*')) {
    config.logger.warn('any web origin may call the bridge (allowed origins or CORS set to "*"); the Host allow-list still applies');
  }
}
