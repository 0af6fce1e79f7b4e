import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { parseAgentFrame, type AgentFrame, type HelloFrame, type TunnelBlock } from '@mcp-workstation/protocol';
import { until } from './until.js';

/** One upgrade request the gateway saw, refused or accepted. */
export interface UpgradeRecord {
  authorization: string | undefined;
  path: string;
  refusedWith: number | null;
}

export interface FakeGatewayOptions {
  /** The agent secrets the gateway accepts; any other gets 401 on the upgrade. */
  secrets: string[];
  tunnel: TunnelBlock;
  /** false: the gateway does not answer the agent's pings (ws's autoPong). */
  autoPong?: boolean;
  tls?: { key: string; cert: string };
}

/**
 * The gateway side of protocol.md §2 on a real ws server on 127.0.0.1, scripted by the test.
 * It checks every frame the agent sends against the protocol's schema (invalidFrames) and, in
 * 'auto' mode, answers hello with welcome carrying hello's key, as a real gateway installs it.
 */
export class FakeGateway {
  readonly upgrades: UpgradeRecord[] = [];
  readonly sessions: GatewaySession[] = [];
  readonly invalidFrames: string[] = [];
  welcomeMode: 'auto' | 'manual' = 'auto';
  /** Decides an upgrade: an HTTP status to refuse it with, or null to accept. */
  refuse: (upgrade: UpgradeRecord, count: number) => number | null = () => null;

  private readonly server: http.Server;
  private readonly wss: WebSocketServer;

  constructor(private readonly options: FakeGatewayOptions) {
    this.server = options.tls ? https.createServer(options.tls) : http.createServer();
    this.wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    const port = (this.server.address() as AddressInfo).port;
    return `${this.options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}/v1/agents/agt_test/control`;
  }

  get tunnel(): TunnelBlock {
    return this.options.tunnel;
  }

  /** Upgrades that presented `secret`. */
  upgradesWith(secret: string): number {
    return this.upgrades.filter((upgrade) => upgrade.authorization === `Bearer ${secret}`).length;
  }

  /** The n-th accepted session (1-based) of the agent with `secret`, once it has sent hello. */
  session(secret: string, n: number): Promise<GatewaySession> {
    return until(() => this.sessions.filter((s) => s.secret === secret && s.hello !== null)[n - 1], `session ${n} to send hello`);
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    for (const session of this.sessions) session.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const record: UpgradeRecord = { authorization: req.headers.authorization, path: req.url ?? '', refusedWith: null };
    this.upgrades.push(record);
    const accepted = this.options.secrets.some((secret) => record.authorization === `Bearer ${secret}`);
    record.refusedWith = this.refuse(record, this.upgrades.length) ?? (accepted ? null : 401);
    if (record.refusedWith !== null) {
      const body = JSON.stringify({ error: { code: 'refused', message: 'refused by the test' } });
      const reason = http.STATUS_CODES[record.refusedWith] ?? 'Refused';
      socket.end(`HTTP/1.1 ${record.refusedWith} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const secret = record.authorization!.slice('Bearer '.length);
      this.sessions.push(new GatewaySession(ws, secret, this));
    });
  }

  /** Called by a session for each text frame: validates it and plays the auto welcome. */
  received(session: GatewaySession, text: string): AgentFrame | null {
    const reading = parseAgentFrame(text);
    if (reading.ok !== true) {
      this.invalidFrames.push(text);
      return null;
    }
    const frame = reading.value;
    if (frame.type === 'hello' && this.welcomeMode === 'auto') session.welcome(frame.publicKey);
    return frame;
  }
}

/** One accepted WebSocket, seen from the gateway. */
export class GatewaySession {
  readonly frames: AgentFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  pingsReceived = 0;
  private closeInfo: { code: number; reason: string } | null = null;

  constructor(
    private readonly ws: WebSocket,
    readonly secret: string,
    private readonly gateway: FakeGateway,
  ) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      }),
    );
    ws.on('ping', () => (this.pingsReceived += 1));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        gateway.invalidFrames.push('<binary>');
        return;
      }
      const frame = gateway.received(this, (data as Buffer).toString('utf8'));
      if (frame) this.frames.push(frame);
    });
  }

  get hello(): HelloFrame | null {
    const first = this.frames[0];
    return first?.type === 'hello' ? first : null;
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  /** The frames of one type, once there are at least `count` of them. */
  framesOf<T extends AgentFrame['type']>(type: T, count = 1): Promise<Extract<AgentFrame, { type: T }>[]> {
    return until(() => {
      const found = this.frames.filter((frame) => frame.type === type) as Extract<AgentFrame, { type: T }>[];
      return found.length >= count && found;
    }, `${count} ${type} frame(s)`);
  }

  welcome(agentPublicKey: string, tunnel: TunnelBlock = this.gateway.tunnel): void {
    this.send({ type: 'welcome', agentPublicKey, tunnel });
  }

  config(agentPublicKey: string, tunnel: TunnelBlock = this.gateway.tunnel): void {
    this.send({ type: 'config', agentPublicKey, tunnel });
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendBinary(bytes: Buffer): void {
    this.ws.send(bytes, { binary: true });
  }

  /**
   * Pings the agent and resolves on its pong. Frames sent earlier have been read by the agent
   * by then (one ordered stream), so this is the barrier for "the agent ignored that".
   */
  roundTrip(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('pong', () => resolve());
      this.ws.ping((err?: Error) => err && reject(err));
    });
  }

  close(code: number, reason = ''): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
