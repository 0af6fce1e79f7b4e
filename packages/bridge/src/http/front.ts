import type { BridgeConfig } from './config.js';
import type { CorsPolicy } from './cors.js';
import type { ReadinessMonitor } from './health.js';
import type { Router } from './router.js';
import type { ServerTable } from './server-table.js';

/** What the request and upgrade handlers share: built once per bridge, used by every ingress. */
export interface BridgeFront {
  config: BridgeConfig;
  router: Router;
  /** The servers served now (they change at runtime: look one up when it is used, not before an await). */
  servers: ServerTable;
  readiness: ReadinessMonitor;
  cors: CorsPolicy | undefined;
  /** True once close() began: new requests are refused with 503. */
  isClosing(): boolean;
}

/** Path and query of a request target; a target URL cannot parse routes nowhere (never throws). */
export function requestPath(url: string | undefined): { pathname: string; searchParams: URLSearchParams } {
  try {
    const parsed = new URL(url ?? '/', 'http://bridge.invalid');
    return { pathname: parsed.pathname, searchParams: parsed.searchParams };
  } catch {
    return { pathname: '(unparsable request target)', searchParams: new URLSearchParams() };
  }
}
