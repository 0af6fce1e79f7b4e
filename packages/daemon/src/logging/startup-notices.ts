import type { DaemonLogger } from './logger.js';

/**
 * The first line a person sees must be where to connect (README, docs/foreground.md), yet
 * the daemon has things to say before it listens: which API key other local users need, the
 * admin listener, the embedded default server. So while it starts, info lines are held and
 * written right after the endpoint lines; warnings and errors go out at once (a problem
 * matters more than the URL). Components keep the logger they were given: once released it
 * simply passes everything through.
 */
export class StartupNotices {
  private held: Array<{ message: string; meta: Record<string, unknown> | undefined; target: DaemonLogger }> | null = [];

  constructor(private readonly target: DaemonLogger) {}

  /** The logger to start with (and keep). */
  get logger(): DaemonLogger {
    return this.wrap(this.target);
  }

  /** Writes what was held, in order; from now on nothing is held. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const { message, meta, target } of held) target.info(message, meta);
  }

  private wrap(target: DaemonLogger): DaemonLogger {
    return {
      error: (message, meta) => target.error(message, meta),
      warn: (message, meta) => target.warn(message, meta),
      debug: (message, meta) => target.debug(message, meta),
      info: (message, meta) => (this.held ? this.held.push({ message, meta, target }) : target.info(message, meta)),
      child: (meta) => this.wrap(target.child(meta)),
    };
  }
}
