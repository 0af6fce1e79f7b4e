import { startAdmin, type AdminSetting } from '../admin/start-admin.js';
import type { AdminServer } from '../admin/admin-server.js';
import { StatusReporter, type DaemonStatus, type TunnelView } from '../health/daemon-status.js';
import { ReadinessWatch } from '../health/readiness-watch.js';
import type { RecentErrors } from '../health/recent-errors.js';
import type { DaemonLogger } from '../logging/logger.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { RunningService } from '../wiring.js';
import { baseUrl } from './endpoints.js';
import { logComponentChanges } from './foreground.js';
import type { SdNotify } from './sd-notify.js';
import { startTunnelLink, type TunnelLink, type TunnelPlan } from './tunnel-link.js';

/**
 * A running daemon around its RunningService: the tunnel, the admin listener, readiness
 * (status reporter, watch, sd_notify) and the graceful stop. run.ts builds it; signals drive it.
 */

export interface RuntimeOptions {
  service: RunningService;
  logger: DaemonLogger;
  metrics: DaemonMetrics;
  recentErrors?: RecentErrors;
  notify: SdNotify | null;
  /** In-flight requests get this long to finish on a graceful stop. Default 10 s. */
  shutdownGraceMs?: number;
  /** Component state changes as log lines (the foreground). */
  foreground?: boolean;
  /** Why there is no tunnel, when there is none. */
  tunnelOffReason?: string;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export class DaemonRuntime {
  readonly reporter: StatusReporter;
  readonly watch: ReadinessWatch;
  private tunnel: TunnelLink | null = null;
  private admin: AdminServer | null = null;
  private stopping = false;

  constructor(private readonly options: RuntimeOptions) {
    const { service } = options;
    this.reporter = new StatusReporter({
      service,
      tunnel: () => this.tunnelView(),
      recentErrors: options.recentErrors,
      listenerUrl: baseUrl(service.address.host, service.address.port),
      isStopping: () => this.stopping,
    });
    this.watch = new ReadinessWatch(this.reporter);
    this.watchReadiness();
  }

  get service(): RunningService {
    return this.options.service;
  }

  status(): DaemonStatus {
    return this.reporter.report();
  }

  tunnelView(): TunnelView {
    if (this.tunnel) return { kind: 'on', health: this.tunnel.health };
    return { kind: 'off', reason: this.options.tunnelOffReason ?? 'not registered: serving locally only' };
  }

  async startAdmin(setting: AdminSetting): Promise<void> {
    this.admin = await startAdmin(
      setting,
      {
        status: () => this.status(),
        metrics: async () => ({ contentType: this.options.metrics.contentType, text: await this.options.metrics.text() }),
      },
      this.options.logger,
    );
  }

  startTunnel(plan: TunnelPlan): void {
    this.tunnel = startTunnelLink(plan, this.service, this.options.logger);
    this.tunnel.onHealth(() => this.watch.check());
  }

  /**
   * The graceful stop: no new connections or requests; requests in flight get the grace period;
   * then the tunnel says goodbye and goes down, the servers stop, the admin listener last (so
   * a health check sees "stopping" until the end).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { logger, service } = this.options;
    const failures: unknown[] = [];
    // Each step runs even when one before it failed: a tunnel that will not close must not keep the children alive.
    const step = async (what: string, run: () => Promise<unknown> | undefined) => {
      try {
        await run();
      } catch (error) {
        failures.push(error);
        logger.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await step('telling systemd that the daemon stops', () => this.options.notify?.stopping());
    service.stopAccepting();
    await this.letRequestsFinish();
    await step('taking the tunnel down', () => this.tunnel?.stop());
    await step('stopping the servers', () => service.close());
    this.watch.stop();
    await step('closing the admin listener', () => this.admin?.close());
    if (failures.length > 0) throw failures[0];
    logger.debug('every component is down');
  }

  private async letRequestsFinish(): Promise<void> {
    const { logger, service } = this.options;
    const waiting = service.inFlight.count();
    if (waiting === 0) return;
    const graceMs = this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    logger.info(`waiting up to ${graceMs} ms for ${waiting} request${waiting === 1 ? '' : 's'} in flight to finish`);
    if (await service.inFlight.whenIdle(graceMs)) return logger.info('every request in flight finished');
    logger.warn(`${service.inFlight.count()} request(s) still in flight after ${graceMs} ms (limits.shutdownGraceMs): stopping anyway`);
  }

  private watchReadiness(): void {
    const { service, logger, notify } = this.options;
    service.statuses.on('change', () => this.watch.check());
    service.servers.on('changed', () => this.watch.check());
    this.watch.on('ready', () => {
      logger.info('ready: every required component is ready');
      notify?.ready('ready');
    });
    this.watch.on('not-ready', (report) => {
      if (report.status === 'stopping') return;
      logger.warn(`not ready: ${report.notReady.join('; ')}`);
      notify?.status(`not ready: ${report.notReady.join('; ')}`);
    });
    if (this.options.foreground) logComponentChanges(this.watch, logger);
  }
}
