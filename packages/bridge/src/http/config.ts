import type { Logger } from '@mcp-workstation/supervisor';
import type { BridgeOptions, SingleServerPaths } from '../types.js';
import type { Upstream } from '../upstream/types.js';

/** BridgeOptions with every default filled in and checked once, so handlers never re-derive them. */
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
  logger: Logger;
}

export const DEFAULT_PATHS: SingleServerPaths = { streamableHttp: '/mcp', sse: '/sse', message: '/message', ws: '/ws' };
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_SESSIONS = 1000;
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
export const DEFAULT_EVENT_BUFFER_PER_STREAM = 1000;

const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

export function resolveConfig(options: BridgeOptions): BridgeConfig {
  const upstreams = [...options.upstreams];
  checkUniqueNames(upstreams);
  const defaultServer = options.defaultServer ?? upstreams[0]?.name;
  if (options.defaultServer !== undefined && !upstreams.some((u) => u.name === options.defaultServer)) {
    const known = upstreams.map((u) => u.name).join(', ') || '(none)';
    throw new Error(`defaultServer "${options.defaultServer}" is not a configured server; configured: ${known}`);
  }
  const limits = options.limits ?? {};
  const security = options.security ?? {};
  return {
    upstreams,
    defaultServer,
    transports: {
      streamableHttp: options.transports?.streamableHttp ?? true,
      sse: options.transports?.sse ?? true,
      ws: options.transports?.ws ?? true,
    },
    paths: resolvePaths(options.paths),
    baseUrl: (options.baseUrl ?? '').replace(/\/+$/, ''),
    healthEndpoints: (options.healthEndpoints ?? []).map(normalizePath),
    allowedHosts: security.allowedHosts ?? [],
    allowedOrigins: security.allowedOrigins ?? [],
    apiKey: security.apiKey === '' ? undefined : security.apiKey,
    corsOrigins: security.corsOrigins,
    maxBodyBytes: positive('limits.maxBodyBytes', limits.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    maxSessions: positive('limits.maxSessions', limits.maxSessions, DEFAULT_MAX_SESSIONS),
    sessionIdleMs: nonNegative('limits.sessionIdleMs', limits.sessionIdleMs, DEFAULT_SESSION_IDLE_MS),
    eventBufferPerStream: positive('limits.eventBufferPerStream', limits.eventBufferPerStream, DEFAULT_EVENT_BUFFER_PER_STREAM),
    logger: options.logger ?? silentLogger,
  };
}

function resolvePaths(paths: Partial<SingleServerPaths> | undefined): SingleServerPaths {
  return {
    streamableHttp: normalizePath(paths?.streamableHttp ?? DEFAULT_PATHS.streamableHttp),
    sse: normalizePath(paths?.sse ?? DEFAULT_PATHS.sse),
    message: normalizePath(paths?.message ?? DEFAULT_PATHS.message),
    ws: normalizePath(paths?.ws ?? DEFAULT_PATHS.ws),
  };
}

/** "mcp/" and "/mcp" both mean "/mcp": supergateway users write either. */
function normalizePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') : withSlash;
}

function checkUniqueNames(upstreams: Upstream[]): void {
  const seen = new Set<string>();
  for (const upstream of upstreams) {
    if (seen.has(upstream.name)) throw new Error(`two servers are named "${upstream.name}"; server names must be unique`);
    seen.add(upstream.name);
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be 0 or a positive number, got ${value}`);
  return value;
}
