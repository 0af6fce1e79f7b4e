import type { DaemonLogger } from '../logging/logger.js';

/**
 * Signals. SIGINT and SIGTERM stop the daemon gracefully (the `stop` the daemon gives: stop
 * taking requests, let those in flight finish, say goodbye to the gateway, stop the children)
 * and exit 0. A second one (an impatient Ctrl-C, or a service manager's follow-up) forces it:
 * SIGKILL to the children's process groups, then exit at once. SIGHUP reloads the
 * configuration when the command can (`up`); otherwise it stops like SIGTERM, as a terminal's
 * hangup should.
 */

export interface SignalTargets {
  /** The graceful stop; resolves when everything is down. */
  stop(signal: NodeJS.Signals): Promise<void>;
  killChildren(): void;
  /** SIGHUP: read the configuration again and apply it. Never rejects (a refused config is logged). */
  reload?(): Promise<void>;
}

export interface ShutdownOptions {
  /** A graceful stop that takes longer than this is forced. Default 30 s. */
  deadlineMs?: number;
  exit?: (code: number) => never;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export function installSignalHandlers(targets: SignalTargets, logger: DaemonLogger, options: ShutdownOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const deadlineMs = options.deadlineMs ?? 30_000;
  let stopping = false;
  const reloads = new ReloadQueue(targets.reload);

  const force = (why: string, code: number) => {
    logger.warn(`${why}: killing the servers' process groups and exiting now`);
    targets.killChildren();
    exit(code);
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return force(`second ${signal}`, 128 + (SIGNAL_NUMBERS[signal] ?? 0));
    stopping = true;
    logger.info(`${signal} received: stopping (send it again to force)`);
    const timer = setTimeout(() => force(`still stopping after ${deadlineMs} ms`, 1), deadlineMs);
    timer.unref();
    targets.stop(signal).then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        logger.error('stopping failed', { error: err instanceof Error ? err.message : String(err) });
        force('stopping failed', 1);
      },
    );
  };

  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', (signal) => {
    if (!reloads.possible) return stop(signal);
    if (stopping) return logger.info('SIGHUP received while stopping: not reloading');
    logger.info('SIGHUP received: reloading the configuration');
    reloads.request();
  });
}

/** One reload at a time; a SIGHUP during a reload runs one more after it (the file may have changed again). */
class ReloadQueue {
  private running = false;
  private again = false;

  constructor(private readonly reload: (() => Promise<void>) | undefined) {}

  get possible(): boolean {
    return this.reload !== undefined;
  }

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      await this.reload?.();
    } while (this.again);
    this.running = false;
  }
}
