import type { DaemonLogger } from '../logging/logger.js';

/**
 * SIGINT, SIGTERM and SIGHUP stop the daemon gracefully: close sessions, stop every child's
 * process group, exit 0. A second signal (an impatient Ctrl-C, or a service manager's
 * follow-up) forces it: SIGKILL to the children's process groups, then exit at once.
 */

export interface Stoppable {
  close(): Promise<void>;
  killChildren(): void;
}

export interface ShutdownOptions {
  /** A graceful stop that takes longer than this is forced. Default 30 s. */
  deadlineMs?: number;
  exit?: (code: number) => never;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export function installShutdownHandlers(service: Stoppable, logger: DaemonLogger, options: ShutdownOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const deadlineMs = options.deadlineMs ?? 30_000;
  let stopping = false;

  const force = (why: string, code: number) => {
    logger.warn(`${why}: killing the servers' process groups and exiting now`);
    service.killChildren();
    exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return force(`second ${signal}`, 128 + (SIGNAL_NUMBERS[signal] ?? 0));
    stopping = true;
    logger.info(`${signal} received: stopping (send it again to force)`);
    const timer = setTimeout(() => force(`still stopping after ${deadlineMs} ms`, 1), deadlineMs);
    timer.unref();
    service.close().then(
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

  for (const signal of SIGNALS) process.on(signal, onSignal);
}
