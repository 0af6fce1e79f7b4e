import type { DaemonLogger } from '../logging/logger.js';
import { startService } from '../wiring.js';
import type { RunningService, ServiceConfig } from '../wiring.js';
import type { Endpoint } from './endpoints.js';
import { checkCommandRunnable } from './preflight.js';
import { installShutdownHandlers } from './shutdown.js';
import { startTunnelLink, type TunnelLink, type TunnelPlan } from './tunnel-link.js';

export interface RunOptions {
  /** A checked registration (planTunnel): the servers are also served through the tunnel. */
  tunnel?: TunnelPlan | null;
}

/**
 * What `bridge` and `up` share once their flags became a ServiceConfig: check the commands,
 * listen, say where to connect, install the signal handlers, then start the servers (and the
 * tunnel, alongside: its hello reports them as starting, its status follows them).
 * Listening comes first so a busy port fails before any child is spawned, and so a slow
 * first start (uvx downloading) does not hide the URL; requests wait for the child.
 */
export async function runService(
  config: ServiceConfig,
  logger: DaemonLogger,
  describeEndpoints: (address: { host: string; port: number }) => Endpoint[],
  options: RunOptions = {},
): Promise<RunningService> {
  for (const server of config.servers) checkCommandRunnable(server.name, server.command);
  const service = await startService(config, logger);
  let tunnel: TunnelLink | null = null;
  installShutdownHandlers(
    {
      // The tunnel first (bye, then WireGuard down) so the gateway stops sending before the servers go.
      close: async () => {
        await tunnel?.stop();
        await service.close();
      },
      killChildren: () => service.killChildren(),
    },
    logger,
  );
  // Whatever ends the process (a crash included), no child process group may outlive it.
  process.once('exit', () => service.killChildren());
  for (const endpoint of describeEndpoints(service.address)) logger.info(`${endpoint.label}: ${endpoint.url}`, { url: endpoint.url });
  if (options.tunnel) tunnel = startTunnelLink(options.tunnel, service, logger);
  try {
    await service.startServers();
  } catch (err) {
    // Not fatal: the supervisor keeps retrying and /readyz reports why until it works.
    logger.error(`starting the servers failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  reportReadiness(service, logger);
  return service;
}

function reportReadiness(service: RunningService, logger: DaemonLogger): void {
  for (const upstream of service.upstreams) {
    const readiness = upstream.readiness();
    if (readiness.ready) logger.info(`server ${upstream.name} is ready (${upstream.mode} sessions)`);
    else logger.warn(`server ${upstream.name} is not ready yet: ${readiness.reason}`, { state: readiness.state });
  }
}
