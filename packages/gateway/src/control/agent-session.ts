import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  parseAgentFrame,
  type AgentFrame,
  type GatewayFrame,
  type HelloFrame,
  type StatusFrame,
  type TunnelBlock,
} from '@mcp-workstation/protocol';
import type { AgentDirectory } from '../agents/agent-directory.js';
import type { GatewayLogger } from '../log/logger.js';
import type { AgentRecord } from '../store/agent-store.js';

export interface SessionDeps {
  directory: AgentDirectory;
  tunnelFor(agent: AgentRecord): TunnelBlock;
  log: GatewayLogger;
  /** How often the gateway pings; a ping unanswered by the next one ends the connection. */
  pingIntervalMs: number;
}

/** What the gateway last heard from an agent, for `agents list`. */
export interface AgentReport {
  hello: HelloFrame | null;
  status: StatusFrame | null;
  statusAt: Date | null;
}

/** WebSocket close reasons are capped at 123 bytes. */
const closeReason = (text: string) => Buffer.from(text, 'utf8').subarray(0, 123).toString('utf8');

/**
 * One agent's control connection (protocol.md §2), from the first `hello` to its close.
 * Frames are handled one after another, in order, so a `rotated` can never overtake the
 * `hello` before it. A bad frame is logged and ignored: nothing an agent sends ends the gateway.
 */
export class AgentSession {
  readonly connectedAt = new Date();
  readonly report: AgentReport = { hello: null, status: null, statusAt: null };
  private welcomed = false;
  private pongSeen = true;
  private readonly pingTimer: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  /** Settles when the connection has closed, however it closed. */
  readonly closed: Promise<void>;

  constructor(
    readonly agentId: string,
    private readonly ws: WebSocket,
    private readonly deps: SessionDeps,
    onClose: (session: AgentSession, code: number, reason: string) => void,
  ) {
    ws.on('message', (data, isBinary) => {
      this.queue = this.queue.then(() => this.onMessage(data, isBinary)).catch((err: Error) => {
        deps.log.error(`agent ${agentId}: handling a control frame failed: ${err.message}`);
      });
    });
    ws.on('pong', () => (this.pongSeen = true));
    ws.on('error', (err) => deps.log.warn(`agent ${agentId}: control connection error: ${err.message}`));
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        clearInterval(this.pingTimer);
        onClose(this, code, reason.toString('utf8'));
        resolve();
      });
    });
    this.pingTimer = setInterval(() => this.ping(), deps.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Whether `hello` was answered: only then may `rotate` be sent. */
  get ready(): boolean {
    return this.welcomed && this.ws.readyState === this.ws.OPEN;
  }

  rotate(): boolean {
    if (!this.ready) return false;
    this.send({ type: 'rotate' });
    return true;
  }

  revoke(reason: string): void {
    this.send({ type: 'revoke', reason });
    this.ws.close(CloseCode.revoked, closeReason(`revoked: ${reason}`));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, closeReason(reason));
  }

  /** Ends the connection without the closing handshake (an agent that does not answer it). */
  terminate(): void {
    this.ws.terminate();
  }

  private send(frame: GatewayFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private ping(): void {
    if (!this.pongSeen) {
      this.deps.log.warn(`agent ${this.agentId}: no pong within ${this.deps.pingIntervalMs} ms; closing the control connection`);
      this.ws.terminate();
      return;
    }
    this.pongSeen = false;
    this.ws.ping();
  }

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return this.deps.log.warn(`agent ${this.agentId}: ignored a binary control frame`);
    const frame = parseAgentFrame(rawText(data));
    if (frame.ok === 'unknown') return this.deps.log.info(`agent ${this.agentId}: ignored a control frame of unknown type "${frame.type}"`);
    if (!frame.ok) return this.deps.log.warn(`agent ${this.agentId}: ignored a malformed control frame (${frame.reason})`);
    await this.dispatch(frame.value);
  }

  private async dispatch(frame: AgentFrame): Promise<void> {
    if (frame.type !== 'hello' && !this.welcomed) {
      return this.deps.log.warn(`agent ${this.agentId}: ignored "${frame.type}" before hello`);
    }
    switch (frame.type) {
      case 'hello':
        return this.onHello(frame);
      case 'status':
        this.report.status = frame;
        this.report.statusAt = new Date();
        return;
      case 'rotated':
        return this.onRotated(frame.publicKey);
      case 'bye':
        return this.deps.log.info(`agent ${this.agentId} says bye (${frame.reason.slice(0, 200)})`);
    }
  }

  private async onHello(frame: HelloFrame): Promise<void> {
    this.report.hello = frame;
    const { installed } = await this.deps.directory.installKey(this.agentId, frame.publicKey);
    const agent = this.deps.directory.get(this.agentId);
    if (!agent) return;
    if (frame.tunnel.address !== `${agent.address}/32`) {
      this.deps.log.info(`agent ${this.agentId} reports tunnel address ${frame.tunnel.address}; welcome carries ${agent.address}/32`);
    }
    this.send({ type: 'welcome', agentPublicKey: installed, tunnel: this.deps.tunnelFor(agent) });
    this.welcomed = true;
    this.deps.log.info(`agent ${this.agentId} said hello`, { agentVersion: frame.agentVersion, servers: frame.servers.map((s) => `${s.name}:${s.state}`) });
  }

  private async onRotated(publicKey: string): Promise<void> {
    const { installed } = await this.deps.directory.installKey(this.agentId, publicKey);
    const agent = this.deps.directory.get(this.agentId);
    if (agent) this.send({ type: 'config', agentPublicKey: installed, tunnel: this.deps.tunnelFor(agent) });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
