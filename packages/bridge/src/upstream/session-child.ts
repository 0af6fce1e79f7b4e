import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ExitInfo, MessageChannel } from '@mcp-workstation/supervisor';
import type { PrimedInitialize } from './spare-priming.js';

/**
 * A per-session child (or the spare waiting to become one): a channel that is never
 * restarted, with its exit remembered, so whoever adopts it later knows whether it still runs.
 */
export class SessionChild {
  exit: ExitInfo | null = null;
  onMessage: ((message: JSONRPCMessage) => void) | null = null;
  onExit: ((info: ExitInfo) => void) | null = null;
  /**
   * While a spare is being initialized ahead (spare-priming.ts): settles when that is done.
   * A session that adopts it meanwhile waits for it before it attaches.
   */
  priming: Promise<void> | null = null;
  /** A spare initialized ahead, with its answer, until a session adopts it. */
  primed: PrimedInitialize | null = null;
  /** It was initialized ahead and refused (or never answered): no client can have it. */
  primeFailed = false;
  private started: Promise<void> | null = null;
  private stopped: Promise<void> | null = null;

  private readonly handleMessage = (message: JSONRPCMessage): void => this.onMessage?.(message);
  private readonly handleExit = (info: ExitInfo): void => {
    if (this.exit) return;
    this.exit = info;
    this.onExit?.(info);
  };

  constructor(readonly channel: MessageChannel) {
    channel.on('message', this.handleMessage);
    channel.on('exit', this.handleExit);
  }

  /** Spawns (once); resolves when spawned or failed to spawn (then `exit` is set). */
  start(): Promise<void> {
    this.started ??= this.channel.start().catch((error: unknown) => {
      this.handleExit({
        code: null,
        signal: null,
        reason: `the server could not be started: ${(error as Error).message}`,
        stderrTail: [],
        during: 'start',
        generation: this.channel.status().generation,
      });
    });
    return this.started;
  }

  alive(): boolean {
    return this.exit === null && this.stopped === null;
  }

  send(message: JSONRPCMessage): boolean {
    return this.alive() && this.channel.send(message);
  }

  /** Reaps the process group (also after an exit: grandchildren may outlive the child). */
  stop(): Promise<void> {
    this.stopped ??= this.channel.stop().finally(() => {
      this.channel.off('message', this.handleMessage);
      this.channel.off('exit', this.handleExit);
    });
    return this.stopped;
  }
}
