import { WebSocket } from 'ws';

/**
 * A control-channel client on the real `ws` library, as an agent would hold one: every frame
 * it receives is queued, and tests wait for the next one (with a deadline) or for the close.
 */
export class ControlClient {
  readonly frames: any[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens the connection; rejects with the HTTP status when the upgrade is refused. */
  static connect(controlUrl: string, secret: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(controlUrl, { headers: { authorization: `Bearer ${secret}` } });
      const client = new ControlClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  hello(publicKey: string, address: string, extra: Record<string, unknown> = {}): void {
    this.send({ type: 'hello', agentVersion: '0.1.0', publicKey, servers: [{ name: 'aws', state: 'ready' }], tunnel: { address }, ...extra });
  }

  /** The next frame of `type` not yet taken (earlier frames of other types stay queued). */
  async next(type: string, timeoutMs = 5_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((frame) => frame.type === type);
      if (index >= 0) return this.frames.splice(index, 1)[0];
      if (this.closed) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) before a "${type}" frame`);
      await this.sleepUntilWoken(deadline, `a "${type}" frame`);
    }
  }

  async closedWith(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) await this.sleepUntilWoken(deadline, 'the close');
    return this.closed;
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private sleepUntilWoken(deadline: number, what: string): Promise<void> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.reject(new Error(`timed out waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), remaining);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
