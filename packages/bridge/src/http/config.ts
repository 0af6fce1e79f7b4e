import type { Logger } from '@mcp-workstation/supervisor';
import { BridgeOptionsError } from '../options-error.js';
import type { BridgeOptions, SingleServerPaths } from '../types.js';
import type { Upstream } from '../upstream/types.js';
import { checkApiKey, checkBaseUrl, checkHosts, checkNumber, checkOrigins, checkPathValue, checkServedPaths, checkStringList, checkTransports } from './option-checks.js';

/**
 * BridgeOptions with every default filled in and checked once, so handlers never re-derive
 * them. Anything unusable is a BridgeOptionsError (option, value, what is allowed), thrown
 * before the bridge exists.
 */
export interface BridgeConfig {
  upstreams: Upstream[];
  /** The server the single-server paths serve; undefined when there are no upstreams. */
  defaultServer: string | undefined;
  transports: { streamableHttp: boolean; sse: boolean; ws: boolean };
  paths: SingleServerPaths;
  baseUrl: string;
  healthEndpoints: string[];
  allowedHosts: string[];
  allowedOrigins: string[];
  apiKey: string | undefined;
  corsOrigins: string[] | undefined;
  maxBodyBytes: number;
  maxSessions: number;
  sessionIdleMs: number;
  eventBufferPerStream: number;
  /** Bytes one outgoing stream may hold for a client that is not reading (outgoing-streams.ts). */
  streamBufferBytes: number;
  logger: Logger;
}

export const DEFAULT_PATHS: SingleServerPaths = { streamableHttp: '/mcp', sse: '/sse', message: '/message', ws: '/ws' };
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_SESSIONS = 1000;
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
export const DEFAULT_EVENT_BUFFER_PER_STREAM = 1000;
export const DEFAULT_STREAM_BUFFER_BYTES = 16 * 1024 * 1024;

const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

export function resolveConfig(options: BridgeOptions): BridgeConfig {
  const upstreams = [...options.upstreams];
  checkUniqueNames(upstreams);
  const defaultServer = options.defaultServer ?? upstreams[0]?.name;
  if (options.defaultServer !== undefined && !upstreams.some((u) => u.name === options.defaultServer)) {
    const known = upstreams.map((u) => `"${u.name}"`).join(', ') || '(none)';
    throw new BridgeOptionsError('defaultServer', options.defaultServer, 'is not a configured server', `the name of a configured server: ${known}`);
  }
  const limits = options.limits ?? {};
  const security = options.security ?? {};
  checkSecurity(security);
  checkTransports(options.transports);
  checkBaseUrl(options.baseUrl);
  checkStringList('healthEndpoints', options.healthEndpoints);
  options.healthEndpoints?.forEach((path, index) => checkPathValue(`healthEndpoints[${index}]`, path));
  const transports = {
    streamableHttp: options.transports?.streamableHttp ?? true,
    sse: options.transports?.sse ?? true,
    ws: options.transports?.ws ?? true,
  };
  const paths = resolvePaths(options.paths);
  const healthEndpoints = (options.healthEndpoints ?? []).map(normalizePath);
  checkServedPaths(paths, transports, healthEndpoints);
  return {
    upstreams,
    defaultServer,
    transports,
    paths,
    baseUrl: (options.baseUrl ?? '').replace(/\/+$/, ''),
    healthEndpoints,
    allowedHosts: security.allowedHosts ?? [],
    allowedOrigins: security.allowedOrigins ?? [],
    apiKey: security.apiKey === '' ? undefined : security.apiKey,
    corsOrigins: security.corsOrigins,
    maxBodyBytes: positive('limits.maxBodyBytes', limits.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    maxSessions: positive('limits.maxSessions', limits.maxSessions, DEFAULT_MAX_SESSIONS),
    sessionIdleMs: nonNegative('limits.sessionIdleMs', limits.sessionIdleMs, DEFAULT_SESSION_IDLE_MS),
    eventBufferPerStream: positive('limits.eventBufferPerStream', limits.eventBufferPerStream, DEFAULT_EVENT_BUFFER_PER_STREAM),
    streamBufferBytes: positive('limits.streamBufferBytes', limits.streamBufferBytes, DEFAULT_STREAM_BUFFER_BYTES),
    logger: options.logger ?? silentLogger,
  };
}

function checkSecurity(security: NonNullable<BridgeOptions['security']>): void {
  checkHosts('security.allowedHosts', security.allowedHosts);
  checkOrigins('security.allowedOrigins', security.allowedOrigins);
  checkOrigins('security.corsOrigins', security.corsOrigins);
  checkApiKey(security.apiKey);
}

function resolvePaths(paths: Partial<SingleServerPaths> | undefined): SingleServerPaths {
  const resolved = { ...DEFAULT_PATHS };
  for (const name of Object.keys(DEFAULT_PATHS) as Array<keyof SingleServerPaths>) {
    const given = paths?.[name];
    if (given === undefined) continue;
    checkPathValue(`paths.${name}`, given);
    resolved[name] = normalizePath(given);
  }
  return resolved;
}

/** "mcp/" and "/mcp" both mean "/mcp": supergateway users write either. */
function normalizePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') : withSlash;
}

function checkUniqueNames(upstreams: Upstream[]): void {
  const seen = new Set<string>();
  upstreams.forEach((upstream, index) => {
    if (seen.has(upstream.name)) {
      throw new BridgeOptionsError(`upstreams[${index}].name`, upstream.name, 'is the name of another server too', 'a name no other server has (names appear in /servers/<name>/ URLs)');
    }
    seen.add(upstream.name);
  });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  checkNumber(name, value, { allowZero: false });
  return value ?? fallback;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  checkNumber(name, value, { allowZero: true });
  return value ?? fallback;
}
