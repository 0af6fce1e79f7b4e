import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IngressOptions, RequestRecord, Upstream } from '@mcp-workstation/bridge';
import { UserError } from './errors.js';
import type { DaemonLogger } from './logging/logger.js';
import { asOptionUserError, type OptionNaming } from './service/bridge-option-names.js';
import { ChildRegistry } from './service/child-registry.js';
import { createFront } from './service/http-front.js';
import { InFlightRequests } from './service/in-flight.js';
import { startLocalUserGate } from './service/local-users.js';
import { ServerSet } from './service/server-set.js';
import type { BridgeSettings, ServedServer, ServerChanges, ServerSetParts } from './service/server-set.js';
import { ServerStatusBoard } from './service/server-status.js';

/**
 * The daemon's one assembly line: stdio command -> SupervisedServer (a restarting message
 * channel) -> Upstream (sessions meet the child) -> a Bridge per server (HTTP, SSE, WebSocket)
 * -> the HTTP front that picks the bridge -> a loopback listener. Commands decide *what* to
 * serve; this file only puts the parts together.
 */

export type { ServedServer, ServerChanges } from './service/server-set.js';

export interface ServiceConfig {
  servers: ServedServer[];
  host: string;
  port: number;
  /** Which server /mcp, /sse, /message and /ws serve; default the first. */
  defaultServer?: string;
  /** Extra Host header values the loopback listener accepts (a non-loopback bind address). */
  allowedHosts?: string[];
  bridge: BridgeSettings;
  /** How an option the bridge refuses is named to the person: config keys (up) or supergateway's flags (bridge). */
  optionNaming?: OptionNaming;
  /** Where the daemon keeps its API key for other local users (stateDir); unset: the default state directory. */
  stateDir?: string;
}

export interface ServiceHooks {
  /** Every finished MCP request (metrics, the foreground's request lines). */
  onRequest?: (record: RequestRecord) => void;
  /** Each child channel as it is made (the foreground's first-start progress). */
  onChannel?: ServerSetParts['onChannel'];
  /** Each AWS server's credentials monitor (the foreground's login offer). */
  onAwsMonitor?: ServerSetParts['onAwsMonitor'];
}

export interface RunningService {
  /** Where it actually listens (the real port when asked for port 0). */
  readonly address: { host: string; port: number };
  readonly servers: ServerSet;
  /** The servers as they are now (a reload changes the list). */
  readonly upstreams: Upstream[];
  /** The supervisor's latest status of each server's children, with an event on every change. */
  readonly statuses: ServerStatusBoard;
  /** MCP requests clients are waiting on, for a graceful stop. */
  readonly inFlight: InFlightRequests;
  /**
   * Another way in besides the loopback listener (the tunnel): an http.Server that is not
   * listening, served by the same bridges; hand it accepted sockets with emit('connection').
   */
  ingress(options: IngressOptions): HttpServer;
  /** Spawn and initialize every server; resolves when each answered or failed. */
  startServers(): Promise<void>;
  /** A reload: add, remove and replace servers; unchanged ones keep their child and sessions. */
  applyServers(servers: ServedServer[], defaultServer?: string): Promise<ServerChanges>;
  /** Stop taking connections and new requests; what is in flight goes on. */
  stopAccepting(): void;
  /** Stop listening, close every session, stop every child and its process group. */
  close(): Promise<void>;
  /** The last resort on a forced exit: SIGKILL every child's process group, now. */
  killChildren(): void;
}

export async function startService(config: ServiceConfig, logger: DaemonLogger, hooks: ServiceHooks = {}): Promise<RunningService> {
  const naming = config.optionNaming ?? 'config';
  const children = new ChildRegistry();
  const statuses = new ServerStatusBoard();
  const inFlight = new InFlightRequests();
  const bridgeAllowedHosts = config.bridge.security?.allowedHosts;
  const bridgeAllowedOrigins = [...(config.bridge.security?.allowedOrigins ?? []), ...(config.bridge.security?.corsOrigins ?? [])];
  const servers = withOptionNames(naming, () => new ServerSet(config.servers, config.defaultServer, { bridge: config.bridge, logger, children, statuses, inFlight, onRequest: hooks.onRequest, onChannel: hooks.onChannel, onAwsMonitor: hooks.onAwsMonitor }));
  // Only the loopback listener has the gate: the tunnel's sockets come from the gateway (service.ingress).
  const localUsers = await startLocalUserGate({ stateDir: config.stateDir, configuredKey: config.bridge.security?.apiKey, openPaths: config.bridge.healthEndpoints }, logger);
  const listener = withOptionNames(naming, () => createFront(servers, { name: 'loopback', allowedHosts: config.allowedHosts, bridgeAllowedHosts, bridgeAllowedOrigins, localUsers }));
  const address = await listen(listener, config.port, config.host);
  return {
    address,
    servers,
    get upstreams() {
      return servers.list().map((unit) => unit.upstream);
    },
    statuses,
    inFlight,
    ingress: (options) => withOptionNames(naming, () => createFront(servers, { ...options, bridgeAllowedHosts, bridgeAllowedOrigins })),
    startServers: () => servers.startAll(),
    applyServers: async (next, defaultServer) => {
      try {
        return await servers.apply(next, defaultServer);
      } catch (error) {
        throw asOptionUserError(error, naming);
      }
    },
    stopAccepting: () => {
      inFlight.drain();
      listener.close();
      listener.closeIdleConnections();
    },
    close: () => closeService(listener, servers, children),
    killChildren: () => children.killAll(),
  };
}

function withOptionNames<T>(naming: OptionNaming, build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw asOptionUserError(error, naming);
  }
}

function listen(listener: HttpServer, port: number, host: string): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, port, host));
    listener.once('error', onError);
    listener.listen(port, host, () => {
      listener.off('error', onError);
      resolve({ host, port: (listener.address() as AddressInfo).port });
    });
  });
}

function listenError(err: NodeJS.ErrnoException, port: number, host: string): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UserError(`port ${port} on ${host} is already in use: stop what uses it or choose another with --port (0 picks a free one).`);
    case 'EACCES':
      return new UserError(`not allowed to listen on port ${port} on ${host}: ports below 1024 need privileges; choose --port 1024 or higher.`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new UserError(`cannot listen on host '${host}': it is not an address of this machine. Use --host 127.0.0.1 (the default) or one of this machine's addresses.`);
    default:
      return err;
  }
}

async function closeService(listener: HttpServer, servers: ServerSet, children: ChildRegistry): Promise<void> {
  const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
  await servers.closeAll();
  // Streams the bridge did not end (a client that never reads) must not hold the exit.
  listener.closeAllConnections();
  await Promise.all([closed, children.stopAll()]);
}
