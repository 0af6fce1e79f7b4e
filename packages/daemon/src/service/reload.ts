import { isDeepStrictEqual } from 'node:util';
import type { LogLevel } from '../logging/levels.js';
import { setLogLevel, type DaemonLogger } from '../logging/logger.js';
import type { RunningService, ServiceConfig, ServerChanges } from '../wiring.js';
import { checkCommandRunnable } from './preflight.js';

/**
 * SIGHUP: the configuration is read again from the same sources (file, environment of the
 * process, flags) and applied where that is possible without dropping anything that did not
 * change: servers are added, removed or replaced (their bridge, child and sessions); the
 * others, the listener and the tunnel stay up. The log level follows the new configuration.
 * Settings that would need the listener or the tunnel rebuilt (listen.*, admin, security.*,
 * limits.*, tunnel.*, stateDir) are reported as waiting for a restart. A configuration that
 * does not load, or names a server that cannot start, is refused as a whole: the old one keeps
 * running, and the log says why.
 */

export interface ReloadedConfig {
  service: ServiceConfig;
  logLevel: LogLevel;
  warnings: string[];
  /** The settings a reload cannot apply, by config key (compared with the running ones). */
  fixed: Record<string, unknown>;
}

export class ConfigReloader {
  private running: ReloadedConfig;

  constructor(
    initial: ReloadedConfig,
    private readonly load: () => ReloadedConfig,
    private readonly service: RunningService,
    private readonly logger: DaemonLogger,
  ) {
    this.running = initial;
  }

  /** Never rejects: a refused configuration is a log line. */
  async reload(): Promise<void> {
    let next: ReloadedConfig;
    try {
      next = this.load();
      for (const server of this.newServers(next)) checkCommandRunnable(server.name, server.command);
    } catch (error) {
      return this.refuse(error);
    }
    let changes: ServerChanges;
    try {
      changes = await this.service.applyServers(next.service.servers, next.service.defaultServer);
    } catch (error) {
      return this.refuse(error);
    }
    for (const warning of next.warnings) this.logger.warn(warning);
    if (next.logLevel !== this.running.logLevel) setLogLevel(this.logger, next.logLevel);
    this.reportPending(next);
    this.logger.info(`configuration reloaded: ${describeChanges(changes)}`, { ...changes });
    this.running = { ...next, fixed: this.running.fixed };
  }

  private refuse(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`the new configuration is refused; the running one stays: ${message}`);
  }

  /** Added or changed servers: the ones whose program is checked before anything changes. */
  private newServers(next: ReloadedConfig): ServiceConfig['servers'] {
    const running = new Map(this.service.servers.list().map((unit) => [unit.definition.name, unit.definition]));
    return next.service.servers.filter((server) => !isDeepStrictEqual(running.get(server.name), server));
  }

  private reportPending(next: ReloadedConfig): void {
    const pending = Object.keys(next.fixed).filter((key) => !isDeepStrictEqual(next.fixed[key], this.running.fixed[key]));
    if (pending.length === 0) return;
    this.logger.warn(`changed settings that apply only after a restart (the running values stay until then): ${pending.join(', ')}`);
  }
}

function describeChanges(changes: ServerChanges): string {
  const parts = [
    changes.added.length > 0 ? `added ${changes.added.join(', ')}` : '',
    changes.removed.length > 0 ? `removed ${changes.removed.join(', ')}` : '',
    changes.changed.length > 0 ? `restarted ${changes.changed.join(', ')} (changed)` : '',
    changes.unchanged.length > 0 ? `unchanged ${changes.unchanged.join(', ')}` : '',
  ].filter((part) => part !== '');
  return parts.join('; ') || 'no servers';
}
