import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, errorBody } from '@mcp-workstation/protocol';
import type { AgentDirectory } from '../agents/agent-directory.js';
import { bearerCredential } from '../http/bearer.js';
import type { GatewayLogger } from '../log/logger.js';
import { AgentSession, type SessionDeps } from './agent-session.js';
import type { SessionRegistry } from './session-registry.js';

/** Control frames are small JSON objects; anything near this is not an agent talking. */
const MAX_FRAME_BYTES = 256 * 1024;

export interface ControlServerDeps {
  directory: AgentDirectory;
  sessions: SessionRegistry;
  session: SessionDeps;
  log: GatewayLogger;
}

/**
 * The control WebSocket, `/v1/agents/<id>/control` with `Authorization: Bearer <agentSecret>`.
 * The secret is checked before the upgrade: a wrong one is refused with a plain HTTP 401, which
 * the agent treats as close code 4401 and stops retrying.
 */
export class ControlServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  constructor(private readonly deps: ControlServerDeps) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, agentId: string): void {
    const secret = bearerCredential(req.headers);
    const agent = secret === null ? undefined : this.deps.directory.authenticate(agentId, secret);
    if (!agent) {
      this.deps.log.warn(`refused a control connection for agent ${agentId.slice(0, 64)}: unknown agent or wrong agentSecret`, {
        from: req.socket.remoteAddress,
      });
      return refuseUpgrade(socket, 401, 'invalid_credentials', 'the agentSecret is not accepted: register again');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!this.deps.directory.get(agentId)) return ws.close(CloseCode.credentialsRejected, 'the agent is no longer registered');
      const session = new AgentSession(agentId, ws, this.deps.session, (ended, code) => {
        this.deps.sessions.release(ended);
        this.deps.log.info(`agent ${agentId}: control connection closed (${code})`);
      });
      this.deps.sessions.adopt(session);
      this.deps.log.info(`agent ${agentId}: control connection open`, { from: req.socket.remoteAddress });
    });
  }

  close(): void {
    this.wss.close();
  }
}

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\nWWW-Authenticate: Bearer\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
