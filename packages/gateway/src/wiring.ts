import * as http from 'node:http';
import { AdminServer } from './admin/admin-server.js';
import { adminSocketPath } from './admin/admin-socket.js';
import { GatewayOperations } from './admin/operations.js';
import { AgentDirectory } from './agents/agent-directory.js';
import { Reachability } from './agents/reachability.js';
import { tunnelBlockFor, type TunnelSettings } from './agents/tunnel-block.js';
import type { GatewayConfig } from './config.js';
import { ControlServer } from './control/control-server.js';
import { SessionRegistry } from './control/session-registry.js';
import { Front } from './http/front.js';
import { basePath, publicBaseFor } from './http/public-base.js';
import { RateLimiter } from './http/rate-limiter.js';
import type { GatewayLogger } from './log/logger.js';
import { ApiKeys } from './public/api-keys.js';
import { OriginPolicy } from './public/origins.js';
import type { AgentStore } from './store/agent-store.js';
import type { GatewayKeyPair } from './store/gateway-key.js';
import type { TokenStore } from './store/token-store.js';
import type { GatewayWireGuard } from './wireguard/types.js';

/** Every long-lived part of a gateway, connected; nothing is listening or running yet. */
export interface GatewayParts {
  directory: AgentDirectory;
  sessions: SessionRegistry;
  operations: GatewayOperations;
  control: ControlServer;
  front: Front;
  admin: AdminServer;
  /** Keep-alive connections into the tunnel. */
  upstreamAgent: http.Agent;
}

export interface PartsInput {
  config: GatewayConfig;
  log: GatewayLogger;
  key: GatewayKeyPair;
  store: AgentStore;
  tokens: TokenStore;
  wireguard: GatewayWireGuard;
}

export function assembleGateway({ config, log, key, store, tokens, wireguard }: PartsInput): GatewayParts {
  const directory = new AgentDirectory(store, config.pool, wireguard, log);
  const sessions = new SessionRegistry();
  const reachability = new Reachability(sessions, wireguard);
  const operations = new GatewayOperations(directory, sessions, reachability, log);
  const tunnel = tunnelSettings(config, key);
  const control = new ControlServer({
    directory,
    sessions,
    log,
    session: { directory, tunnelFor: (agent) => tunnelBlockFor(agent, tunnel), log, pingIntervalMs: config.pingIntervalMs },
  });
  // noDelay: a request written in pieces must not wait for the agent's delayed ACK (Nagle).
  const upstreamAgent = new http.Agent({ keepAlive: true, noDelay: true, maxSockets: 256, maxFreeSockets: 16, timeout: 60_000, scheduling: 'lifo' });
  const prefix = config.publicUrl ? basePath(config.publicUrl) : '';
  const front = new Front({
    log,
    control,
    basePath: prefix,
    registration: {
      tokens,
      directory,
      limiter: new RateLimiter(config.registrationRateLimit.max, config.registrationRateLimit.windowMs),
      tunnel,
      log,
      baseFor: (req) => publicBaseFor(req, config.publicUrl, config.tls !== undefined, listenAddress(config)),
    },
    publicEndpoint: {
      apiKeys: new ApiKeys(config.apiKeys),
      origins: new OriginPolicy(config.allowedOrigins),
      directory,
      reachability,
      agentListenPort: config.agentListenPort,
      upstreamAgent,
      connectTimeoutMs: config.connectTimeoutMs,
      log,
      basePath: prefix,
    },
  });
  const admin = new AdminServer(adminSocketPath(config.stateDir), operations, log);
  return { directory, sessions, operations, control, front, admin, upstreamAgent };
}

function tunnelSettings(config: GatewayConfig, key: GatewayKeyPair): TunnelSettings {
  return {
    mtu: config.mtu,
    agentListenPort: config.agentListenPort,
    endpoint: config.wgEndpoint,
    gatewayAddress: config.pool.gatewayAddress,
    gatewayPublicKey: key.publicKey,
    persistentKeepalive: config.persistentKeepalive,
  };
}

/** host:port of the listener, an IPv6 host in brackets. */
export function listenAddress(config: GatewayConfig): string {
  const { host, port } = config.listen;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
