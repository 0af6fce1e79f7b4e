import type WebSocket from 'ws';

export interface LivenessTiming {
  pingIntervalMs: number;
  pongTimeoutMs: number;
}

/**
 * protocol.md §2 liveness: a ping every pingIntervalMs; a pong must follow within pongTimeoutMs
 * or the connection is dead. A TCP connection whose peer vanished (a laptop closed, a NAT
 * mapping dropped) gives no error for minutes; this is how the agent notices.
 * Pings from the gateway are answered by ws itself (autoPong, on by default).
 */
export class Liveness {
  private pingTimer: NodeJS.Timeout | null = null;
  private pongDeadline: NodeJS.Timeout | null = null;
  private readonly onPong = (): void => this.clearDeadline();

  constructor(
    private readonly socket: WebSocket,
    private readonly timing: LivenessTiming,
    private readonly onDead: (why: string) => void,
  ) {}

  start(): void {
    this.socket.on('pong', this.onPong);
    this.pingTimer = setInterval(() => this.ping(), this.timing.pingIntervalMs);
  }

  stop(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.clearDeadline();
    this.socket.off('pong', this.onPong);
  }

  private ping(): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.ping();
    // The earliest unanswered ping sets the deadline: a later ping must not extend it.
    this.pongDeadline ??= setTimeout(() => {
      this.stop();
      this.onDead(`no pong within ${this.timing.pongTimeoutMs} ms of a ping: the connection is dead`);
    }, this.timing.pongTimeoutMs);
  }

  private clearDeadline(): void {
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    this.pongDeadline = null;
  }
}
