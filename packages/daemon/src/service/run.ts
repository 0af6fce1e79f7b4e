import type { RequestRecord } from '@mcp-workstation/bridge';
import type { AdminSetting } from '../admin/start-admin.js';
import { FirstStartProgress } from '../aws/index.js';
import type { RecentErrors } from '../health/recent-errors.js';
import type { DaemonLogger } from '../logging/logger.js';
import { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { startService } from '../wiring.js';
import type { RunningService, ServiceConfig } from '../wiring.js';
import type { Endpoint } from './endpoints.js';
import { StartupNotices } from '../logging/startup-notices.js';
import { logRequest } from './foreground.js';
import { checkCommandRunnable } from './preflight.js';
import { ConfigReloader, type ReloadedConfig } from './reload.js';
import { DEFAULT_SHUTDOWN_GRACE_MS, DaemonRuntime } from './runtime.js';
import { SdNotify } from './sd-notify.js';
import type { ServerSetParts } from './server-set.js';
import { installSignalHandlers } from './shutdown.js';
import type { LoginOffer } from './login-offer.js';
import type { TunnelPlan } from './tunnel-link.js';

export interface RunOptions {
  /** A checked registration (planTunnel): the servers are also served through the tunnel. */
  tunnel?: TunnelPlan | null;
  /** Why there is no tunnel, for /status. */
  tunnelOffReason?: string;
  /** The admin listener (/healthz, /readyz, /status, /metrics); none when absent. */
  admin?: AdminSetting | null;
  shutdownGraceMs?: number;
  foreground?: boolean;
  recentErrors?: RecentErrors;
  /** `up --interactive`: offer `aws login` on this terminal when a server's credentials expire. */
  loginOffer?: LoginOffer;
  /** SIGHUP: what the configuration is now. Without it SIGHUP stops the daemon. */
  reload?: { initial: ReloadedConfig; load: () => ReloadedConfig };
  /** Lines for the person who started it (the embedded default server…): said after where to connect. */
  notices?: readonly string[];
  /** What the command logged before (its own info lines held too); a new one when absent. */
  startup?: StartupNotices;
}

/** Time left to the children and the tunnel once the grace period is over, before a stop is forced. */
const STOP_MARGIN_MS = 20_000;

/**
 * What `bridge` and `up` share once their flags (and config) became a ServiceConfig: check
 * the commands, listen, start the admin listener, say where to connect, install the signal
 * handlers, then start the servers (and the tunnel, alongside: its hello reports them as
 * starting, its status follows them). Listening comes first so a busy port fails before any
 * child is spawned, and so a slow first start (uvx downloading) does not hide the URL;
 * requests wait for the child.
 */
export async function runService(
  config: ServiceConfig,
  daemonLogger: DaemonLogger,
  describeEndpoints: (address: { host: string; port: number }) => Endpoint[],
  options: RunOptions = {},
): Promise<DaemonRuntime> {
  // Where to connect is said first: what is logged before it waits (startup-notices.ts).
  const startup = options.startup ?? new StartupNotices(daemonLogger);
  const logger = startup.logger;
  // A start that fails still shows what it had said.
  const failed = (error: unknown): never => {
    startup.release();
    throw error;
  };
  for (const server of config.servers) checkCommandRunnable(server.name, server.command);
  let service: RunningService | null = null;
  let runtime: DaemonRuntime | null = null;
  const metrics = new DaemonMetrics({
    service: () => service,
    tunnel: () => runtime?.tunnelView() ?? { kind: 'off', reason: 'starting' },
    ready: () => runtime?.status().ready ?? false,
  });
  const onRequest = (record: RequestRecord) => {
    metrics.onRequest(record);
    logRequest(logger, record);
  };
  service = await startService(config, logger, {
    onRequest,
    onChannel: options.foreground ? firstStartProgress(logger) : undefined,
    onAwsMonitor: options.loginOffer ? (server, monitor) => options.loginOffer?.watch(server, monitor) : undefined,
  }).catch(failed);
  const running = service;
  running.statuses.on('change', (status, channel) => metrics.onServerStatus(status, channel));
  const notify = SdNotify.fromEnvironment({ logger });
  runtime = new DaemonRuntime({
    service: running,
    logger,
    metrics,
    recentErrors: options.recentErrors,
    notify,
    shutdownGraceMs: options.shutdownGraceMs,
    foreground: options.foreground,
    tunnelOffReason: options.tunnelOffReason,
  });
  const daemon = runtime;
  installSignalHandlers(
    {
      stop: () => daemon.stop(),
      killChildren: () => running.killChildren(),
      reload: options.reload ? reloader(options.reload, running, logger) : undefined,
    },
    logger,
    { deadlineMs: (options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS) + STOP_MARGIN_MS },
  );
  // Whatever ends the process (a crash included), no child process group outlives it: the
  // supervisor's own exit hook SIGKILLs every group it still tracks (exit-cleanup.ts), and its
  // watchdog covers SIGKILL of the daemon. Nothing to add here.
  if (options.admin) await startAdminOrClose(daemon, options.admin).catch(failed);
  for (const endpoint of describeEndpoints(running.address)) daemonLogger.info(`${endpoint.label}: ${endpoint.url}`, { url: endpoint.url });
  startup.release();
  for (const notice of options.notices ?? []) logger.info(notice);
  if (options.tunnel) daemon.startTunnel(options.tunnel);
  notify?.startWatchdog();
  const starting = running.startServers();
  // Watched from here, so the first state each server shows is "starting", not "not started yet".
  daemon.watch.start();
  try {
    await starting;
  } catch (err) {
    // Not fatal: the supervisor keeps retrying and /readyz reports why until it works.
    logger.error(`starting the servers failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  reportServers(running, logger);
  daemon.watch.check();
  return daemon;
}

function reloader(reload: NonNullable<RunOptions['reload']>, service: RunningService, logger: DaemonLogger): () => Promise<void> {
  const configReloader = new ConfigReloader(reload.initial, reload.load, service, logger);
  return () => configReloader.reload();
}

/** An admin listener that was asked for and cannot start ends the daemon: close what started first. */
async function startAdminOrClose(daemon: DaemonRuntime, admin: AdminSetting): Promise<void> {
  try {
    await daemon.startAdmin(admin);
  } catch (error) {
    await daemon.service.close().catch(() => undefined);
    throw error;
  }
}

function reportServers(service: RunningService, logger: DaemonLogger): void {
  for (const upstream of service.upstreams) {
    const readiness = upstream.readiness();
    if (readiness.ready) logger.info(`server ${upstream.name} is ready (${upstream.mode} sessions)`);
    else logger.warn(`server ${upstream.name} is not ready yet: ${readiness.reason}`, { state: readiness.state });
  }
}

/**
 * In the foreground, a shared child that is slow to answer its first initialize (uvx
 * downloading the AWS proxy) says so every few seconds, so the wait is not taken for a hang.
 */
function firstStartProgress(logger: DaemonLogger): NonNullable<ServerSetParts['onChannel']> {
  return (definition, channel, purpose) => {
    if (purpose !== 'shared') return;
    new FirstStartProgress({ server: definition.name, command: definition.command.command, log: (line) => logger.info(line) }).attach(channel);
  };
}
