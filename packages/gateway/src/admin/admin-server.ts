import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { parseJson } from '@mcp-workstation/protocol';
import { requestUrl } from '../http/request-url.js';
import { readSmallBody, sendError, sendJson } from '../http/respond.js';
import type { GatewayLogger } from '../log/logger.js';
import { MAX_SOCKET_PATH_BYTES } from './admin-socket.js';
import type { GatewayOperations } from './operations.js';

const AGENT_ACTION = /^\/v1\/agents\/([A-Za-z0-9_]{1,64})\/(revoke|rotate)$/;
const DEFAULT_REVOKE_REASON = 'revoked by the gateway operator';

/**
 * The local admin API the CLI's `agents` commands talk to: HTTP over a unix socket whose
 * 0600 mode (in a 0700 directory) is the whole authentication: whoever can open it owns the
 * state directory anyway.
 */
export class AdminServer {
  private readonly server: http.Server;

  constructor(
    private readonly socketPath: string,
    private readonly operations: GatewayOperations,
    private readonly log: GatewayLogger,
  ) {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: Error) => {
        this.log.error(`admin API: ${err.message}`);
        if (!res.headersSent) sendError(res, 500, 'internal_error', err.message);
      });
    });
  }

  async listen(): Promise<void> {
    if (Buffer.byteLength(this.socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new Error(`the admin socket path ${this.socketPath} is too long for a unix socket: use a shorter --state-dir`);
    }
    await removeStaleSocket(this.socketPath);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    await fs.chmod(this.socketPath, 0o600);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (url.pathname === '/v1/agents' && req.method === 'GET') return sendJson(res, 200, { agents: await this.operations.list() });
    const match = AGENT_ACTION.exec(url.pathname);
    if (!match || req.method !== 'POST') return sendError(res, 404, 'not_found', `no admin route ${req.method} ${url.pathname}`);
    const [, id, action] = match as unknown as [string, string, 'revoke' | 'rotate'];
    if (action === 'rotate') return this.rotate(res, id);
    const body = parseJson((await readSmallBody(req, 16 * 1024)) || '{}');
    const reason = body.ok && typeof (body.value as { reason?: unknown })?.reason === 'string' ? (body.value as { reason: string }).reason : DEFAULT_REVOKE_REASON;
    const result = await this.operations.revoke(id, reason);
    if (!result.revoked) return sendError(res, 404, 'unknown_agent', `no agent ${id} is registered`);
    sendJson(res, 200, { agentId: id, ...result });
  }

  private rotate(res: http.ServerResponse, id: string): void {
    const result = this.operations.rotate(id);
    if (result === 'unknown') return sendError(res, 404, 'unknown_agent', `no agent ${id} is registered`);
    if (result === 'not_connected') {
      return sendError(res, 409, 'not_connected', `agent ${id} is not connected; a rotation needs its control connection: try again when it is`);
    }
    sendJson(res, 200, { agentId: id, rotate: 'sent' });
  }
}

/**
 * A socket file nobody listens on is a leftover of a gateway that was killed: removed. One that
 * answers means another gateway serves this state directory, which must not happen.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.createConnection(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another gateway is already serving this state directory (its admin socket ${socketPath} answers): stop it first`);
  await fs.rm(socketPath, { force: true });
}
