import { isEndpoint, splitEndpoint, Timing } from '@mcp-workstation/protocol';
import type { GatewayLogger } from './log/logger.js';
import { normalizeOrigin } from './public/origins.js';
import { AddressPool } from './store/address-pool.js';
import type { GatewayWireGuard } from './wireguard/types.js';

export type WireGuardBackendName = 'wireguard-go' | 'none';

/** Everything `startGateway` accepts; only stateDir is required. */
export interface GatewayOptions {
  stateDir: string;
  /** host:port of the one HTTP(S) listener (registration, control, public MCP); default 127.0.0.1:8080. */
  listen?: string;
  /** The gateway's URL as agents and clients reach it (behind a proxy, a DNS name); default: the URL a request came to. */
  publicUrl?: string;
  tls?: { certFile: string; keyFile: string };
  /** 'wireguard-go' (default) or 'none': no tunnel, for development and the gateway's own unit tests. */
  wgBackend?: WireGuardBackendName;
  /** A WireGuard side to use instead of the backend (tests inject NoopWireGuard here). */
  wireguard?: GatewayWireGuard;
  /** The gateway's interface; unique per host, since wireguard-go's UAPI sockets are shared by all namespaces. */
  wgInterface?: string;
  /** Run the interface in this network namespace (`ip netns`); default: the gateway's own. */
  wgNetns?: string;
  wgListenPort?: number;
  /** host:port agents send WireGuard packets to; default the host of publicUrl (or of listen) and wgListenPort. */
  wgEndpoint?: string;
  addressPool?: string;
  /** The gateway's own tunnel address; default the pool's first host. */
  gatewayAddress?: string;
  mtu?: number;
  /** TCP port agents serve MCP on at their tunnel address. */
  agentListenPort?: number;
  persistentKeepalive?: number;
  apiKeys?: string[];
  allowedOrigins?: string[];
  registrationRateLimit?: { max: number; windowMs: number };
  /** How long the public side waits for a TCP connection into the tunnel. */
  connectTimeoutMs?: number;
  pingIntervalMs?: number;
  logger?: GatewayLogger;
}

export interface GatewayConfig {
  stateDir: string;
  listen: { host: string; port: number };
  publicUrl: URL | undefined;
  tls: { certFile: string; keyFile: string } | undefined;
  wgBackend: WireGuardBackendName;
  wgInterface: string;
  wgNetns: string | undefined;
  wgListenPort: number;
  wgEndpoint: string;
  pool: AddressPool;
  mtu: number;
  agentListenPort: number;
  persistentKeepalive: number;
  apiKeys: string[];
  allowedOrigins: string[];
  registrationRateLimit: { max: number; windowMs: number };
  connectTimeoutMs: number;
  pingIntervalMs: number;
}

export const DEFAULTS = {
  listen: '127.0.0.1:8080',
  wgInterface: 'mwgw0',
  wgListenPort: 51820,
  addressPool: '100.96.0.0/16',
  mtu: 1420,
  agentListenPort: 8000,
  persistentKeepalive: 25,
  registrationRateLimit: { max: 30, windowMs: 60_000 },
  connectTimeoutMs: 10_000,
} as const;

/** Checks and completes the options; every error names the option and the fix. */
export function resolveConfig(options: GatewayOptions): GatewayConfig {
  const listen = endpointOption('--listen', options.listen ?? DEFAULTS.listen);
  const publicUrl = options.publicUrl === undefined ? undefined : urlOption(options.publicUrl);
  const wgListenPort = portOption('--wg-listen-port', options.wgListenPort ?? DEFAULTS.wgListenPort);
  const mtu = options.mtu ?? DEFAULTS.mtu;
  if (!Number.isInteger(mtu) || mtu < 1280 || mtu > 9000) throw new Error(`--mtu ${mtu}: give a whole number from 1280 to 9000`);
  return {
    stateDir: options.stateDir,
    listen,
    publicUrl,
    tls: options.tls,
    wgBackend: options.wgBackend ?? 'wireguard-go',
    wgInterface: options.wgInterface ?? DEFAULTS.wgInterface,
    wgNetns: options.wgNetns,
    wgListenPort,
    wgEndpoint: wireguardEndpoint(options.wgEndpoint, publicUrl, listen.host, wgListenPort),
    pool: new AddressPool(options.addressPool ?? DEFAULTS.addressPool, options.gatewayAddress),
    mtu,
    agentListenPort: portOption('--agent-listen-port', options.agentListenPort ?? DEFAULTS.agentListenPort),
    persistentKeepalive: options.persistentKeepalive ?? DEFAULTS.persistentKeepalive,
    apiKeys: options.apiKeys ?? [],
    allowedOrigins: (options.allowedOrigins ?? []).map(normalizeOrigin),
    registrationRateLimit: options.registrationRateLimit ?? DEFAULTS.registrationRateLimit,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    pingIntervalMs: options.pingIntervalMs ?? Timing.pingIntervalMs,
  };
}

/** host:port; port 0 lets the OS choose (tests, and `--listen 127.0.0.1:0` when any port will do). */
function endpointOption(name: string, value: string): { host: string; port: number } {
  const checkable = value.endsWith(':0') ? `${value.slice(0, -1)}1` : value;
  if (!isEndpoint(checkable)) throw new Error(`${name} "${value}" is not host:port (an IPv6 address as [addr]:port), e.g. 127.0.0.1:8080`);
  return { host: splitEndpoint(checkable).host, port: splitEndpoint(value).port };
}

function portOption(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} ${value}: give a port from 1 to 65535`);
  return value;
}

function urlOption(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--public-url "${value}" is not a URL: give e.g. https://gw.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--public-url "${value}" must be an http:// or https:// URL`);
  if (url.search || url.hash) throw new Error(`--public-url "${value}" must not have a query or fragment`);
  return url;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * The endpoint every tunnel block names. It must be fixed at start: `welcome` and `config`
 * carry it too, and must not depend on which Host header a request happened to use.
 */
function wireguardEndpoint(configured: string | undefined, publicUrl: URL | undefined, listenHost: string, port: number): string {
  if (configured !== undefined) {
    if (!isEndpoint(configured)) throw new Error(`--wg-endpoint "${configured}" is not host:port (an IPv6 address as [addr]:port)`);
    return configured;
  }
  const host = publicUrl ? publicUrl.hostname.replace(/^\[(.*)\]$/, '$1') : listenHost;
  if (WILDCARD_HOSTS.has(host)) {
    throw new Error('give --wg-endpoint HOST:PORT (or --public-url): agents need a WireGuard endpoint to send to, and a wildcard listen address names none');
  }
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
