import WebSocket, { type RawData } from 'ws';
import { CloseCode, type AgentFrame, type GatewayFrame, type HelloFrame } from '@mcp-workstation/protocol';
import type { ConnectionEnding } from './close-policy.js';
import { encodeAgentFrame, readGatewayFrame } from './frames.js';
import { Liveness } from './liveness.js';
import { describeSocketError } from './socket-errors.js';
import type { ControlLogger, ControlTiming } from './types.js';

export interface ConnectionParams {
  url: URL;
  agentSecret: string;
  /** Trusted CAs (Node's roots plus the extra CA file); undefined: Node's defaults. */
  ca: string[] | undefined;
  timing: ControlTiming;
  logger: ControlLogger;
  now: () => number;
  /** Builds this connection's `hello`. */
  hello: () => Promise<HelloFrame>;
  /** Known frames, in arrival order; a `rotate` before `welcome` is dropped (it would need an answer). */
  onFrame: (frame: GatewayFrame, connection: ControlConnection) => void;
}

/** Control frames are small JSON objects; a bigger one is a broken or hostile gateway. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** Close codes the gateway's decision is made of: they win over anything the agent saw locally. */
const DECISIVE_CODES: ReadonlySet<number> = new Set(Object.values(CloseCode));

/** 1002: protocol error, the agent's close when the gateway does not answer hello. */
const CLOSE_PROTOCOL_ERROR = 1002;

/**
 * One WebSocket connection attempt to the control URL, from the upgrade to the close: sends
 * `hello` first and nothing else until `welcome` (protocol.md §2), reads and checks every frame
 * (unknown and malformed ones are logged and dropped), keeps the liveness pings, and reports
 * how it ended through `ended`. Reconnecting is the ControlChannel's business.
 */
export class ControlConnection {
  readonly ended: Promise<ConnectionEnding>;
  private resolveEnded!: (ending: ConnectionEnding) => void;
  private readonly socket: WebSocket;
  private readonly liveness: Liveness;
  private welcomedAtMs: number | null = null;
  private refusedStatus: number | null = null;
  private lastError: string | null = null;
  /** Why the agent itself gave up on this connection, if it did. */
  private localEnding: ConnectionEnding | null = null;
  private welcomeTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(private readonly params: ConnectionParams) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.socket = new WebSocket(params.url, {
      headers: { Authorization: `Bearer ${params.agentSecret}` },
      ca: params.ca,
      handshakeTimeout: params.timing.handshakeTimeoutMs,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.liveness = new Liveness(this.socket, params.timing, (why) => this.giveUp(why, 'terminate'));
    this.socket.on('unexpected-response', (_req, res) => this.refused(res.statusCode ?? 0, res));
    this.socket.on('open', () => void this.opened());
    this.socket.on('message', (data, isBinary) => this.received(data, isBinary));
    this.socket.on('error', (err) => (this.lastError ??= describeSocketError(err, params.url.origin)));
    this.socket.on('close', (code, reason) => this.closed(code, reason.toString('utf8')));
  }

  get welcomed(): boolean {
    return this.welcomedAtMs !== null;
  }

  /** When `welcome` arrived (ms since the epoch), or null. */
  get welcomedAt(): number | null {
    return this.welcomedAtMs;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a frame; false when the connection is not open, or when it is not yet welcomed and
   * the frame is not `hello`. Throws when the frame breaks the protocol's schema (a caller bug).
   */
  send(frame: AgentFrame): boolean {
    if (!this.isOpen) return false;
    if (!this.welcomed && frame.type !== 'hello') {
      this.params.logger.debug(`not sending ${frame.type}: the gateway has not sent welcome yet`);
      return false;
    }
    this.socket.send(encodeAgentFrame(frame));
    return true;
  }

  /** Closes with a closing handshake (destroyed if it takes longer than closeTimeoutMs); resolves when closed. */
  async close(code: number, reason: string): Promise<void> {
    if (this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.terminate();
    } else if (this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(code, reason);
      this.closeTimer ??= setTimeout(() => this.socket.terminate(), this.params.timing.closeTimeoutMs);
    }
    await this.ended;
  }

  private async opened(): Promise<void> {
    this.liveness.start();
    this.welcomeTimer = setTimeout(
      () => this.giveUp(`the gateway did not answer hello with welcome within ${this.params.timing.welcomeTimeoutMs} ms`, 'close'),
      this.params.timing.welcomeTimeoutMs,
    );
    let hello: HelloFrame;
    try {
      hello = await this.params.hello();
      this.send(hello);
    } catch (err) {
      this.giveUp(`could not send hello: ${(err as Error).message}`, 'close');
      return;
    }
    this.params.logger.debug('sent hello', { publicKey: hello.publicKey, servers: hello.servers.length });
  }

  private received(data: RawData, isBinary: boolean): void {
    const reading = readGatewayFrame(data, isBinary);
    if (reading.ok === false) {
      this.params.logger.warn(`ignored a malformed control frame: ${reading.reason}`);
      return;
    }
    if (reading.ok === 'unknown') {
      this.params.logger.info(`ignored a control frame of unknown type "${reading.type}"`);
      return;
    }
    const frame = reading.value;
    if (frame.type === 'welcome' && !this.welcomed) this.markWelcomed();
    if (frame.type === 'rotate' && !this.welcomed) {
      // Answering would break "until welcome arrives the agent sends nothing else"; config and
      // revoke need no answer, so they are honoured at any time.
      this.params.logger.warn('ignored a rotate frame that arrived before welcome: the agent answers nothing before welcome');
      return;
    }
    this.params.onFrame(frame, this);
  }

  private markWelcomed(): void {
    this.welcomedAtMs = this.params.now();
    if (this.welcomeTimer) clearTimeout(this.welcomeTimer);
    this.welcomeTimer = null;
  }

  private refused(status: number, res: NodeJS.ReadableStream): void {
    this.refusedStatus = status;
    res.resume();
    this.socket.terminate();
  }

  /** The agent ends the connection itself: `terminate` when it is dead, `close` when it is merely wrong. */
  private giveUp(why: string, how: 'terminate' | 'close'): void {
    this.localEnding ??= { kind: 'failed', message: why };
    if (how === 'terminate') this.socket.terminate();
    else void this.close(CLOSE_PROTOCOL_ERROR, 'protocol error');
  }

  private closed(code: number, reason: string): void {
    this.liveness.stop();
    if (this.welcomeTimer) clearTimeout(this.welcomeTimer);
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.resolveEnded(this.ending(code, reason));
  }

  private ending(code: number, reason: string): ConnectionEnding {
    if (this.refusedStatus !== null) return { kind: 'refused', status: this.refusedStatus };
    if (DECISIVE_CODES.has(code)) return { kind: 'closed', code, reason };
    if (this.localEnding) return this.localEnding;
    if (code !== 1006) return { kind: 'closed', code, reason };
    if (this.lastError) return { kind: 'failed', message: this.lastError };
    return { kind: 'closed', code, reason };
  }
}
