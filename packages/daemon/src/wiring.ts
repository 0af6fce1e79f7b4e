import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBridge, createUpstream } from '@mcp-workstation/bridge';
import type { Bridge, BridgeOptions, IngressOptions, SessionMode, Upstream } from '@mcp-workstation/bridge';
import { SupervisedServer } from '@mcp-workstation/supervisor';
import type { ServerCommand } from '@mcp-workstation/supervisor';
import { UserError } from './errors.js';
import type { DaemonLogger } from './logging/logger.js';
import { ChildRegistry } from './service/child-registry.js';
import { ServerStatusBoard } from './service/server-status.js';

/**
 * The daemon's one assembly line: stdio command -> SupervisedServer (a restarting message
 * channel) -> Upstream (sessions meet the child) -> Bridge (HTTP, SSE, WebSocket) -> a
 * loopback listener. Commands decide *what* to serve; this file only puts the parts together.
 */

export interface ServedServer {
  name: string;
  command: ServerCommand;
  mode: SessionMode;
  /** The protocol version the bridge offers the child in its own initialize. */
  protocolVersion?: string;
  /** per-session mode: an idle session's child is reaped after this long. */
  sessionIdleMs?: number;
}

export interface ServiceConfig {
  servers: ServedServer[];
  host: string;
  port: number;
  /** Which server /mcp, /sse, /message and /ws serve; default the first. */
  defaultServer?: string;
  /** Extra Host header values the loopback listener accepts (a non-loopback bind address). */
  allowedHosts?: string[];
  bridge: Omit<BridgeOptions, 'upstreams' | 'logger' | 'defaultServer'>;
}

export interface RunningService {
  /** Where it actually listens (the real port when asked for port 0). */
  readonly address: { host: string; port: number };
  readonly upstreams: Upstream[];
  /** The supervisor's latest status of each server's children, with an event on every change. */
  readonly statuses: ServerStatusBoard;
  /**
   * Another way in besides the loopback listener (the tunnel): an http.Server that is not
   * listening, served by the same bridge; hand it accepted sockets with emit('connection').
   */
  ingress(options: IngressOptions): HttpServer;
  /** Spawn and initialize every server; resolves when each answered or failed. */
  startServers(): Promise<void>;
  /** Stop listening, close every session, stop every child and its process group. */
  close(): Promise<void>;
  /** The last resort on a forced exit: SIGKILL every child's process group, now. */
  killChildren(): void;
}

export async function startService(config: ServiceConfig, logger: DaemonLogger): Promise<RunningService> {
  const children = new ChildRegistry();
  const statuses = new ServerStatusBoard();
  const upstreams = config.servers.map((server) => buildUpstream(server, children, statuses, logger));
  const bridge = createBridge({ ...config.bridge, upstreams, defaultServer: config.defaultServer, logger });
  const listener = bridge.ingress({ name: 'loopback', allowedHosts: config.allowedHosts });
  const address = await listen(listener, config.port, config.host);
  return {
    address,
    upstreams,
    statuses,
    ingress: (options) => bridge.ingress(options),
    startServers: () => bridge.start(),
    close: () => closeService(listener, bridge, children),
    killChildren: () => children.killAll(),
  };
}

function buildUpstream(server: ServedServer, children: ChildRegistry, statuses: ServerStatusBoard, logger: DaemonLogger): Upstream {
  const serverLogger = logger.child({ server: server.name });
  return createUpstream({
    name: server.name,
    mode: server.mode,
    protocolVersion: server.protocolVersion,
    sessionIdleMs: server.sessionIdleMs,
    logger: serverLogger,
    createChannel: (purpose) =>
      children.add(
        statuses.track(
          new SupervisedServer({
            name: server.name,
            command: server.command,
            // A per-session child belongs to one session: when it dies the session ends with it.
            restart: purpose === 'session' ? { enabled: false } : undefined,
            logger: serverLogger,
          }),
        ),
      ),
    onRequest: (record) => serverLogger.debug(`${record.method} ${record.outcome} in ${record.durationMs} ms`, { ...record }),
  });
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

async function closeService(listener: HttpServer, bridge: Bridge, children: ChildRegistry): Promise<void> {
  const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
  await bridge.close();
  // Streams the bridge did not end (a client that never reads) must not hold the exit.
  listener.closeAllConnections();
  await Promise.all([closed, children.stopAll()]);
}
