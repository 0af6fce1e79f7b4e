import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ControlServer } from '../control/control-server.js';
import type { GatewayLogger } from '../log/logger.js';
import { handlePublic, matchPublicRoute, type PublicEndpointDeps } from '../public/public-endpoint.js';
import { handleRegistration, type RegistrationDeps } from './registration.js';
import { requestUrl } from './request-url.js';
import { sendError, sendJson } from './respond.js';

export interface FrontDeps {
  registration: RegistrationDeps;
  publicEndpoint: PublicEndpointDeps;
  control: ControlServer;
  log: GatewayLogger;
  /** The --public-url path prefix ('' for none): accepted in front of every route. */
  basePath: string;
}

const CONTROL_PATH = /^\/v1\/agents\/([A-Za-z0-9_]{1,64})\/control$/;

/** The one listener's routes: registration, the control WebSocket, the public MCP endpoint, /healthz. */
export class Front {
  constructor(private readonly deps: FrontDeps) {}

  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: Error) => {
      this.deps.log.error(`${req.method} ${this.pathOf(req).pathname} failed: ${err.message}`);
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'the gateway failed; its log says why');
      else res.destroy();
    });
  };

  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const match = CONTROL_PATH.exec(this.pathOf(req).pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.deps.control.handleUpgrade(req, socket, head, match[1]!);
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = this.pathOf(req);
    if (url.pathname === '/v1/agents/register') return handleRegistration(req, res, this.deps.registration);
    const publicRoute = matchPublicRoute(url.pathname, url.search);
    if (publicRoute) return handlePublic(req, res, publicRoute, this.deps.publicEndpoint);
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    sendError(res, 404, 'not_found', `nothing at ${url.pathname}`);
  }

  private pathOf(req: IncomingMessage): URL {
    const url = requestUrl(req);
    const base = this.deps.basePath;
    if (base && (url.pathname === base || url.pathname.startsWith(`${base}/`))) url.pathname = url.pathname.slice(base.length) || '/';
    return url;
  }
}
