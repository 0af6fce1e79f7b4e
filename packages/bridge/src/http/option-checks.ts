import { BridgeOptionsError } from '../options-error.js';
import type { SingleServerPaths } from '../types.js';
import { parseHost } from './host-allow-list.js';
import { normalizeOrigin } from './origin-allow-list.js';

/**
 * Checks of the BridgeOptions values that need more than a type: each failure is a
 * BridgeOptionsError naming the option, the value and what is allowed. The allow-lists and
 * the router trust what passed here.
 */

const HOST_ALLOWED = 'a host name or IP address with an optional :port, without scheme or path ("mcp.internal", "10.0.0.2:8000", "[fd00::2]:8000")';
const ORIGIN_ALLOWED = 'an origin: scheme, host and optional port ("https://app.example", "http://localhost:3000"), or "*" for any origin';
const PATH_ALLOWED = 'a URL path such as "/mcp": no spaces, query ("?") or fragment ("#"), not /healthz, /readyz or under /servers/';
const RESERVED_PATHS = ['/healthz', '/readyz'];

/** Names of the single-server paths, by transport, as BridgeOptions spells them. */
const PATH_TRANSPORT: Record<keyof SingleServerPaths, 'streamableHttp' | 'sse' | 'ws'> = {
  streamableHttp: 'streamableHttp',
  sse: 'sse',
  message: 'sse',
  ws: 'ws',
};

export function checkStringList(option: string, value: unknown): asserts value is string[] | undefined {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new BridgeOptionsError(option, value, 'is not a list', 'an array of strings');
  value.forEach((entry, index) => {
    if (typeof entry !== 'string') throw new BridgeOptionsError(`${option}[${index}]`, entry, 'is not a string', 'a string');
  });
}

export function checkHosts(option: string, entries: unknown): void {
  checkStringList(option, entries);
  entries?.forEach((entry, index) => {
    if (!parseHost(entry)) throw new BridgeOptionsError(`${option}[${index}]`, entry, 'is not a host name or host:port', HOST_ALLOWED);
  });
}

export function checkOrigins(option: string, entries: unknown): void {
  checkStringList(option, entries);
  entries?.forEach((entry, index) => {
    if (entry !== '*' && normalizeOrigin(entry) === undefined) throw new BridgeOptionsError(`${option}[${index}]`, entry, 'is not an origin', ORIGIN_ALLOWED);
  });
}

/** The API key goes in an Authorization header: it must be a visible-ASCII token. Never repeated in the error. */
export function checkApiKey(apiKey: unknown): void {
  if (apiKey === undefined || apiKey === '') return;
  if (typeof apiKey !== 'string') throw new BridgeOptionsError('security.apiKey', undefined, 'is not a string', 'a string of visible ASCII characters');
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new BridgeOptionsError('security.apiKey', undefined, 'contains a space, a control character or a non-ASCII character (a client could not send it in an Authorization header)', 'visible ASCII characters only');
  }
}

export function checkTransports(transports: unknown): void {
  if (transports === undefined) return;
  if (typeof transports !== 'object' || transports === null) throw new BridgeOptionsError('transports', transports, 'is not an object', '{ streamableHttp?, sse?, ws? } with true or false');
  for (const [name, enabled] of Object.entries(transports)) {
    if (!['streamableHttp', 'sse', 'ws'].includes(name)) throw new BridgeOptionsError(`transports.${name}`, enabled, 'is not a transport', 'streamableHttp, sse or ws');
    if (enabled !== undefined && typeof enabled !== 'boolean') throw new BridgeOptionsError(`transports.${name}`, enabled, 'is not true or false', 'true or false');
  }
}

export function checkPathValue(option: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path.trim() === '' || /[\s?#]/.test(path)) throw new BridgeOptionsError(option, path, 'is not a URL path', PATH_ALLOWED);
}

/**
 * The single-server paths of the transports that are on, after normalization: none may be a
 * path the bridge answers itself, and no two may be the same. A switched-off transport's path
 * is not served, so it may be anything (it never shadows another transport).
 */
export function checkServedPaths(paths: SingleServerPaths, enabled: { streamableHttp: boolean; sse: boolean; ws: boolean }, healthEndpoints: string[]): void {
  const served = new Map<string, keyof SingleServerPaths>();
  for (const name of Object.keys(paths) as Array<keyof SingleServerPaths>) {
    if (!enabled[PATH_TRANSPORT[name]]) continue;
    const path = paths[name];
    if (RESERVED_PATHS.includes(path) || path.startsWith('/servers/')) {
      throw new BridgeOptionsError(`paths.${name}`, path, 'is a path the bridge answers itself', PATH_ALLOWED);
    }
    const other = served.get(path);
    if (other) {
      throw new BridgeOptionsError(`paths.${name}`, path, `is also paths.${other}, and both transports are on`, `a path no other transport that is on uses (paths.${other} is ${JSON.stringify(path)})`);
    }
    if (healthEndpoints.includes(path)) {
      throw new BridgeOptionsError(`paths.${name}`, path, 'is also one of healthEndpoints', 'a path that is not a health endpoint');
    }
    served.set(path, name);
  }
}

/** The prefix of the legacy SSE `endpoint` event: an absolute http(s) URL or a path. */
export function checkBaseUrl(baseUrl: unknown): void {
  if (baseUrl === undefined || baseUrl === '') return;
  const allowed = 'an http(s) URL such as "http://localhost:8000" or a path such as "/proxy"';
  if (typeof baseUrl !== 'string') throw new BridgeOptionsError('baseUrl', baseUrl, 'is not a string', allowed);
  if (baseUrl.startsWith('/') && !/[\s?#]/.test(baseUrl)) return;
  let protocol: string | undefined;
  try {
    protocol = new URL(baseUrl).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new BridgeOptionsError('baseUrl', baseUrl, 'is not an http(s) URL or a path', allowed);
}

export function checkNumber(option: string, value: unknown, { allowZero }: { allowZero: boolean }): asserts value is number | undefined {
  if (value === undefined) return;
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) throw new BridgeOptionsError(option, value, allowZero ? 'must be 0 or a positive number' : 'must be a positive number', allowZero ? 'a number >= 0' : 'a number > 0');
}
