import { EventEmitter } from 'node:events';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ChannelEvents, ExitInfo, MessageChannel, ProcessState, ServerStatus } from '@mcp-workstation/supervisor';

export interface InProcessChannelOptions {
  /** Builds the server of each generation (a fresh one per spawn, like a new process). */
  makeServer(generation: number): Server;
  /** Like the supervisor's restart: spawn a new generation right after an exit. Default false. */
  restartOnExit?: boolean;
  /** Every spawn fails with this reason (an ExitInfo with during 'start', no 'spawn'). */
  failToSpawn?: string;
  /** Messages of the bridge this returns true for never reach the server (a hung child). */
  swallow?(message: JSONRPCMessage, generation: number): boolean;
  /** Messages of the bridge this returns a promise for reach the server once it settles (a slow child). */
  delay?(message: JSONRPCMessage, generation: number): Promise<void> | undefined;
}

/**
 * A MessageChannel for unit tests of the upstream: each "process" is a real SDK server in
 * this process, connected through the SDK's InMemoryTransport. It emits the supervisor's
 * events (spawn, message, exit, state) and lets a test make the child exit and come back.
 * Messages from the server arrive on a later turn of the event loop, as stdout would.
 */
export class InProcessChannel extends EventEmitter implements MessageChannel {
  /** Everything the bridge wrote to the child's stdin, in order. */
  readonly sent: Array<{ generation: number; message: JSONRPCMessage }> = [];
  startCount = 0;
  stopCount = 0;
  private transport: InMemoryTransport | null = null;
  private server: Server | null = null;
  private generation = 0;
  private state: ProcessState = 'stopped';
  private reason = 'not started';
  private lastExit: ExitInfo | null = null;
  private restarts = 0;
  private since = new Date();
  private stopped = false;

  constructor(
    readonly name: string,
    private readonly options: InProcessChannelOptions,
  ) {
    super();
  }

  override on<E extends keyof ChannelEvents>(event: E, listener: (...args: ChannelEvents[E]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override off<E extends keyof ChannelEvents>(event: E, listener: (...args: ChannelEvents[E]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  override once<E extends keyof ChannelEvents>(event: E, listener: (...args: ChannelEvents[E]) => void): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  running(): boolean {
    return this.transport !== null;
  }

  async start(): Promise<void> {
    this.startCount += 1;
    if (this.transport || this.stopped) return;
    await this.spawn();
  }

  send(message: JSONRPCMessage): boolean {
    if (!this.transport) return false;
    this.sent.push({ generation: this.generation, message });
    if (this.options.swallow?.(message, this.generation)) return true;
    const transport = this.transport;
    const delayed = this.options.delay?.(message, this.generation);
    if (delayed) void delayed.then(() => transport.send(message)).catch(() => undefined);
    else transport.send(message).catch(() => undefined);
    return true;
  }

  markReady(): void {
    this.setState('ready', 'initialized by its owner');
  }

  status(): ServerStatus {
    return {
      name: this.name,
      state: this.state,
      reason: this.reason,
      pid: this.transport ? 10_000 + this.generation : null,
      generation: this.generation,
      restarts: this.restarts,
      lastExit: this.lastExit,
      lastError: this.lastExit?.reason ?? null,
      since: this.since,
    };
  }

  /** The child exits (as if it crashed); with restartOnExit a new generation follows. */
  async exit(reason = `fixture "${this.name}" exited with code 1`): Promise<void> {
    await this.closeServer();
    const info: ExitInfo = { code: 1, signal: null, reason, stderrTail: ['boom'], during: 'run', generation: this.generation };
    this.lastExit = info;
    this.setState('backoff', reason);
    this.emit('exit', info);
    if (this.options.restartOnExit && !this.stopped) setImmediate(() => void this.respawn());
  }

  /** A new generation (what the supervisor does after its backoff). */
  async respawn(): Promise<void> {
    if (this.transport || this.stopped) return;
    this.restarts += 1;
    await this.spawn();
  }

  async stop(): Promise<void> {
    this.stopCount += 1;
    this.stopped = true;
    await this.closeServer();
    this.setState('stopped', 'stopped by its owner');
  }

  private async spawn(): Promise<void> {
    this.generation += 1;
    const generation = this.generation;
    if (this.options.failToSpawn) {
      const info: ExitInfo = { code: null, signal: null, reason: this.options.failToSpawn, stderrTail: [], during: 'start', generation };
      this.lastExit = info;
      this.setState('backoff', info.reason);
      this.emit('exit', info);
      return;
    }
    const [ours, theirs] = InMemoryTransport.createLinkedPair();
    const server = this.options.makeServer(generation);
    await server.connect(theirs);
    ours.onmessage = (message) => setImmediate(() => this.transport === ours && this.emit('message', message, generation));
    await ours.start();
    this.transport = ours;
    this.server = server;
    this.setState('starting', 'spawned, waiting for initialize');
    this.emit('spawn', generation);
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.transport = null;
    this.server = null;
    await server?.close();
  }

  private setState(state: ProcessState, reason: string): void {
    this.state = state;
    this.reason = reason;
    this.since = new Date();
    this.emit('state', this.status());
  }
}
