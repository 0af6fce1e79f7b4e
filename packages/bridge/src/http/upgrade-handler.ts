import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeError, ErrorCode, refusal, unknownServer } from './errors.js';
import { requestPath, type BridgeFront } from './front.js';
import { checkApiKey, checkHostAndOrigin, type RequestGuard } from './security.js';
import { refuseRawSocket } from './websocket.js';

/**
 * HTTP upgrades (WebSocket): the same Host, Origin and API-key checks as plain requests,
 * answered on the raw socket because an upgrade has no ServerResponse.
 */
export class UpgradeHandler {
  constructor(private readonly front: BridgeFront) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, guard: RequestGuard, ingress: string): void {
    try {
      this.serve(req, socket, head, guard);
    } catch (error) {
      this.front.config.logger.error('upgrade handler failed', { ingress, path: requestPath(req.url).pathname, reason: describeError(error) });
      refuseRawSocket(socket, refusal(500, ErrorCode.InternalError, 'Internal error in the bridge; the details are in its log'));
    }
  }

  private serve(req: IncomingMessage, socket: Duplex, head: Buffer, guard: RequestGuard): void {
    const refused = checkHostAndOrigin(req, guard) ?? checkApiKey(req, guard);
    if (refused) return refuseRawSocket(socket, refused);
    if (this.front.isClosing()) return refuseRawSocket(socket, refusal(503, ErrorCode.TransportRefused, 'Service Unavailable: the bridge is shutting down', { 'Retry-After': '5' }));
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
      return refuseRawSocket(socket, refusal(400, ErrorCode.TransportRefused, `Bad Request: only WebSocket upgrades are served, not ${JSON.stringify(req.headers.upgrade ?? '')}`));
    }
    const route = this.front.router.route(requestPath(req.url).pathname);
    if (route.kind === 'unknown-server') return refuseRawSocket(socket, unknownServer(route.name));
    if (route.kind !== 'ws') {
      const where = this.front.config.transports.ws ? `WebSocket is served at ${this.front.config.paths.ws} and /servers/<name>/ws` : 'this bridge does not serve WebSocket';
      return refuseRawSocket(socket, refusal(404, ErrorCode.MethodNotFound, `Not found: ${where}`));
    }
    // Looked up in the same turn as the route: the server is the one served now.
    this.front.servers.get(route.server)!.ws.upgrade(req, socket, head);
  }
}
