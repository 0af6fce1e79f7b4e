import type * as http from 'node:http';
import { ensureStateDir } from '@mcp-workstation/wireguard';
import type { GatewayOperations } from './admin/operations.js';
import { resolveConfig, type GatewayConfig, type GatewayOptions } from './config.js';
import { createListener, listen } from './http/listener.js';
import { createStreamLogger, type GatewayLogger } from './log/logger.js';
import { AgentStore } from './store/agent-store.js';
import { loadOrCreateGatewayKey } from './store/gateway-key.js';
import { TokenStore } from './store/token-store.js';
import { NoopWireGuard } from './wireguard/noop-wireguard.js';
import type { GatewayWireGuard } from './wireguard/types.js';
import { UserspaceWireGuard } from './wireguard/userspace-wireguard.js';
import { assembleGateway, type GatewayParts } from './wiring.js';

export interface RunningGateway {
  /** The listener's base URL, e.g. http://127.0.0.1:8080 (the actual port when 0 was asked for). */
  readonly url: string;
  readonly publicKey: string;
  readonly wireguard: GatewayWireGuard;
  readonly operations: GatewayOperations;
  readonly config: GatewayConfig;
  /** Closes control connections (1001: agents reconnect later), the listener, the admin socket and the interface. */
  close(): Promise<void>;
}

/**
 * Starts the reference gateway: state, the WireGuard side (every registered agent back as a
 * peer), the HTTP listener and the admin socket. Fails with a message naming the fix when any
 * part cannot start, and leaves nothing running behind.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const config = resolveConfig(options);
  const log = options.logger ?? createStreamLogger();
  await ensureStateDir(config.stateDir);
  const key = await loadOrCreateGatewayKey(config.stateDir);
  const store = await AgentStore.open(config.stateDir);
  const tokens = new TokenStore(config.stateDir);
  await tokens.pruneExpired();
  warnAboutAgentsOutsidePool(store, config, log);
  const wireguard = options.wireguard ?? wireguardFor(config, log);
  const server = await createListener(config.tls);
  const parts = assembleGateway({ config, log, key, store, tokens, wireguard });
  server.on('request', parts.front.onRequest);
  server.on('upgrade', parts.front.onUpgrade);

  const running = new ShutdownStack();
  running.push(async () => {
    parts.control.close();
    parts.upstreamAgent.destroy();
  });
  try {
    await parts.admin.listen(); // first: it refuses to start a second gateway on the same state directory
    running.push(() => parts.admin.close());
    await wireguard.start({
      privateKey: key.privateKey,
      listenPort: config.wgListenPort,
      address: config.pool.gatewayAddress,
      poolCidr: config.pool.cidr,
      mtu: config.mtu,
      peers: parts.directory.peers(),
    });
    running.push(() => wireguard.stop());
    const bound = await listen(server, config.listen.host, config.listen.port);
    running.push(() => closeServer(server));
    const url = `${config.tls ? 'https' : 'http'}://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
    announce(url, config, key.publicKey, wireguard, parts, log);
    return { url, publicKey: key.publicKey, wireguard, operations: parts.operations, config, close: () => stop(parts, running) };
  } catch (err) {
    await running.unwind();
    throw err;
  }
}

async function stop(parts: GatewayParts, running: ShutdownStack): Promise<void> {
  await parts.sessions.closeAll(1001, 'the gateway is shutting down');
  await running.unwind();
}

function announce(url: string, config: GatewayConfig, publicKey: string, wireguard: GatewayWireGuard, parts: GatewayParts, log: GatewayLogger): void {
  if (config.apiKeys.length === 0) log.warn('no gateway API key is configured: the public MCP endpoint refuses every request (give --api-key-file)');
  log.info(`gateway listening on ${url}`, { wireguard: wireguard.kind, publicKey, endpoint: config.wgEndpoint, agents: parts.directory.list().length });
}

function wireguardFor(config: GatewayConfig, log: GatewayLogger): GatewayWireGuard {
  if (config.wgBackend === 'none') {
    log.warn('WireGuard is off (--wg-backend none): agents are reached at their tunnel addresses without a tunnel; for development only');
    return new NoopWireGuard();
  }
  return new UserspaceWireGuard({ interfaceName: config.wgInterface, netns: config.wgNetns, log });
}

function warnAboutAgentsOutsidePool(store: AgentStore, config: GatewayConfig, log: GatewayLogger): void {
  for (const agent of store.list()) {
    if (!config.pool.contains(agent.address)) {
      log.warn(`agent ${agent.id} has the address ${agent.address}, outside --address-pool ${config.pool.cidr}: it is not routed; revoke it or widen the pool`);
    }
  }
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections(); // SSE answers would otherwise hold the close forever
  });
}

/** What has started so far, stopped in reverse order on shutdown or when a later step fails. */
class ShutdownStack {
  private readonly steps: (() => Promise<void>)[] = [];

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async unwind(): Promise<void> {
    while (this.steps.length > 0) await this.steps.pop()!().catch(() => undefined);
  }
}
