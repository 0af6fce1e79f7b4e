import type { Upstream, UpstreamOptions } from './types.js';

/** STUB: one configured server as the transports see it (shared, stateless or per-session). */
export function createUpstream(_options: UpstreamOptions): Upstream {
  throw new Error('not implemented');
}
