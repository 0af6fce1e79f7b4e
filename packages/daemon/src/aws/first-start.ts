import type { MessageChannel, ServerStatus } from '@mcp-workstation/supervisor';
import { isPackageRunner } from './server-facts.js';

/**
 * A slow first start made visible: `uvx` downloads the proxy and its dependencies on the
 * first run (tens of seconds), during which the child says nothing. While the child has not
 * answered initialize, the foreground log gets "starting aws: downloading… 12 s" every few
 * seconds, so nobody mistakes the wait for a hang, and one line when it answered.
 */

export interface FirstStartOptions {
  server: string;
  /** The server's command: a package runner (uvx, npx…) is "downloading", anything else "starting". */
  command: string;
  /** Between progress lines. Default 5 s; the first comes after one interval (a quick start says nothing). */
  intervalMs?: number;
  log(message: string): void;
  now?: () => number;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

export class FirstStartProgress {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly phase: string;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private reported = false;
  private channel: MessageChannel | null = null;

  private readonly onSpawn = (): void => this.begin();
  private readonly onState = (status: ServerStatus): void => {
    if (status.state === 'ready') this.answered();
    else if (status.state !== 'starting') this.stop();
  };

  constructor(private readonly options: FirstStartOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.phase = isPackageRunner(options.command) ? 'downloading' : 'waiting for its first answer';
  }

  /** Follows the channel: every spawn starts the clock, ready (the answered initialize) stops it. */
  attach(channel: MessageChannel): void {
    this.detach();
    this.channel = channel;
    channel.on('spawn', this.onSpawn);
    channel.on('state', this.onState);
    if (channel.status().state === 'starting' && channel.status().pid !== null) this.begin();
  }

  detach(): void {
    this.stop();
    this.channel?.off('spawn', this.onSpawn);
    this.channel?.off('state', this.onState);
    this.channel = null;
  }

  private begin(): void {
    this.stop();
    this.startedAt = this.now();
    this.reported = false;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref?.();
  }

  private tick(): void {
    this.reported = true;
    this.options.log(`starting ${this.options.server}: ${this.phase}… ${this.elapsedSeconds()} s`);
  }

  private answered(): void {
    if (this.timer && this.reported) this.options.log(`${this.options.server} answered after ${this.elapsedSeconds()} s`);
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private elapsedSeconds(): number {
    return Math.round((this.now() - this.startedAt) / 1000);
  }
}
