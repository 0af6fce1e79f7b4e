import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminAddress } from '../config/admin-address.js';
import type { DaemonStatus } from '../health/daemon-status.js';
import { HostCheck } from '../service/host-check.js';
import { listenOnSocket, removeSocketFile } from './admin-socket.js';

/**
 * The admin listener: where operators, health checks and `mcp-workstation status` ask the
 * daemon how it is. Local only (127.0.0.1 or a unix socket with mode 0600), read only, and
 * separate from the MCP listener so a probe never needs the API key and never competes with
 * MCP traffic.
 *
 *   /healthz  200 while the process runs
 *   /readyz   200 when every required component is ready, else 503 (with the reasons)
 *   /status   every component's state and reason, versions, uptime, last errors (JSON)
 *   /metrics  Prometheus text format
 */

export interface AdminHandlers {
  status(): DaemonStatus;
  metrics(): Promise<{ contentType: string; text: string }>;
}

export interface AdminServer {
  /** "http://127.0.0.1:8001" or "unix:/run/…/admin.sock", for the start-up log. */
  readonly location: string;
  close(): Promise<void>;
}

const PATHS = ['/healthz', '/readyz', '/status', '/metrics'];

export async function startAdminServer(address: AdminAddress, handlers: AdminHandlers): Promise<AdminServer> {
  let hostCheck: HostCheck | null = null;
  const server = createServer((req, res) => {
    serve(req, res, handlers, hostCheck).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `the admin listener failed: ${error instanceof Error ? error.message : String(error)}` });
      else res.destroy();
    });
  });
  if (address.kind === 'socket') {
    await listenOnSocket(server, address.path);
    return { location: `unix:${address.path}`, close: () => closeServer(server, () => removeSocketFile(address.path)) };
  }
  await listenTcp(server, address.host, address.port);
  const port = (server.address() as AddressInfo).port;
  const shownHost = address.host.includes(':') ? `[${address.host}]` : address.host;
  // Loopback names pass on their own; a specific address the operator chose is a name callers use.
  hostCheck = new HostCheck([`${shownHost}:${port}`]);
  return { location: `http://${shownHost}:${port}`, close: () => closeServer(server) };
}

async function serve(req: IncomingMessage, res: ServerResponse, handlers: AdminHandlers, hostCheck: HostCheck | null): Promise<void> {
  const refusal = hostCheck?.refusal(req);
  if (refusal) return sendJson(res, 403, refusal);
  const path = new URL(req.url ?? '/', 'http://admin.invalid').pathname;
  if (!PATHS.includes(path)) return sendJson(res, 404, { error: `nothing is served at ${JSON.stringify(path.slice(0, 100))}; the admin listener serves ${PATHS.join(', ')}` });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendJson(res, 405, { error: 'the admin listener is read only: use GET' });
  }
  switch (path) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok', pid: process.pid });
    case '/readyz': {
      const status = handlers.status();
      return sendJson(res, status.ready ? 200 : 503, { status: status.status, ready: status.ready, notReady: status.notReady });
    }
    case '/status':
      return sendJson(res, 200, handlers.status());
    default: {
      const metrics = await handlers.metrics();
      res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(metrics.text), 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : metrics.text);
    }
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server, after?: () => void): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      after?.();
      resolve();
    });
    server.closeAllConnections();
  });
}
