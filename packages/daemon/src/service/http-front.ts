import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerClientError, type Bridge, type IngressOptions } from '@mcp-workstation/bridge';
import { HostCheck } from './host-check.js';
import type { LocalUserGate, LocalUserRefusal } from './local-users.js';
import type { ServerSet, ServerUnit } from './server-set.js';

/**
 * One way in (the loopback listener, the tunnel's per-Host ingress) in front of every server's
 * bridge. It only chooses the bridge: /servers/<name>/… goes to that server's, everything else
 * (the single-server paths, /healthz, supergateway's health endpoints, and 404s) to the default
 * server's. Each bridge still does all of HTTP: Host, Origin, API key, limits, transports.
 *
 * The one thing no single bridge can answer is readiness across servers: /readyz (and /healthz
 * where the ingress reports readiness, as the tunnel's does) is answered here, with the same
 * body and status codes as the bridge's, after the same Host check.
 */

const SERVER_PATH = /^\/servers\/([^/]+)\//;

export interface FrontOptions extends IngressOptions {
  /** Host names the bridges accept on every ingress (security.allowedHosts). */
  bridgeAllowedHosts?: string[];
  /** Origins the bridges accept (security.allowedOrigins and corsOrigins): what answers here checks them too. */
  bridgeAllowedOrigins?: string[];
  /** The loopback listener's: only the daemon's user (and root) pass, or a client with the API key (local-users.ts). */
  localUsers?: LocalUserGate;
}

export function createFront(servers: ServerSet, options: FrontOptions): HttpServer {
  const ingresses = new WeakMap<Bridge, HttpServer>();
  const hostCheck = new HostCheck([...(options.bridgeAllowedHosts ?? []), ...(options.allowedHosts ?? [])], options.bridgeAllowedOrigins ?? []);
  const ingressOptions: IngressOptions = { allowedHosts: options.allowedHosts, name: options.name, healthz: options.healthz, apiKeyRequired: options.apiKeyRequired };
  const ingressOf = (unit: ServerUnit): HttpServer => {
    let ingress = ingresses.get(unit.bridge);
    if (!ingress) {
      ingress = unit.bridge.ingress(ingressOptions);
      ingresses.set(unit.bridge, ingress);
    }
    return ingress;
  };
  // Built now so an option the bridge refuses (a bad allowed host) fails here, not at the first request.
  const first = servers.defaultUnit();
  if (first) ingressOf(first);

  const serve = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (pathname === '/readyz' || (pathname === '/healthz' && options.healthz === 'readiness')) return answerReadiness(req, res, servers, hostCheck);
    const unit = unitFor(pathname, servers);
    if (!unit) return answerNoServer(res);
    ingressOf(unit).emit('request', req, res);
  };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const unit = unitFor(pathOf(req.url), servers);
    if (!unit) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    ingressOf(unit).emit('upgrade', req, socket, head);
  };

  const gate = options.localUsers;
  const front = createServer((req, res) => {
    const pathname = pathOf(req.url);
    const refused = gate?.check(req, pathname) ?? null;
    if (refused === null) return serve(req, res, pathname);
    if (!(refused instanceof Promise)) return sendJson(res, refused.status, refused.body);
    // Only a connection's first request can wait here, while its owner is looked up.
    refused.then(
      (refusal) => (refusal ? sendJson(res, refusal.status, refusal.body) : serve(req, res, pathname)),
      () => res.destroy(),
    );
  });
  front.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = gate?.check(req, pathOf(req.url)) ?? null;
    if (refused === null) return upgrade(req, socket, head);
    if (!(refused instanceof Promise)) return refuseUpgrade(socket, refused);
    refused.then(
      (refusal) => (refusal ? refuseUpgrade(socket, refusal) : upgrade(req, socket, head)),
      () => socket.destroy(),
    );
  });
  // Who opened a connection is looked up once, as it is accepted; its requests then cost nothing.
  if (gate) front.on('connection', (socket: Socket) => gate.observe(socket));
  front.on('clientError', answerClientError);
  return front;
}

function unitFor(pathname: string, servers: ServerSet): ServerUnit | undefined {
  const match = SERVER_PATH.exec(pathname);
  if (match) {
    const named = servers.get(safeDecode(match[1]));
    // An unknown name goes to the default bridge, which answers 404 "unknown server".
    if (named) return named;
  }
  return servers.defaultUnit();
}

function answerReadiness(req: IncomingMessage, res: ServerResponse, servers: ServerSet, hostCheck: HostCheck): void {
  const refusal = hostCheck.refusal(req);
  if (refusal) return sendJson(res, 403, refusal);
  const report = servers.readiness();
  sendJson(res, report.status === 'ready' ? 200 : 503, report);
}

/** Only between a reload that removed every server and the one that replaces them. */
function answerNoServer(res: ServerResponse): void {
  res.setHeader('Retry-After', '1');
  sendJson(res, 503, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'no MCP server is configured right now; retry shortly' } });
}

function refuseUpgrade(socket: Duplex, refusal: LocalUserRefusal): void {
  const body = JSON.stringify(refusal.body);
  socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://front.invalid').pathname;
  } catch {
    return '';
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
