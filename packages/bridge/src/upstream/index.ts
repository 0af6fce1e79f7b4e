import { PerSessionUpstream } from './per-session-upstream.js';
import { SharedUpstream } from './shared-upstream.js';
import type { Upstream, UpstreamOptions } from './types.js';

/**
 * One configured server as the transports see it. shared and stateless share one child
 * (stateless only differs in how the transports hand out sessions); per-session gives each
 * session its own child.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  switch (options.mode) {
    case 'shared':
    case 'stateless':
      return new SharedUpstream(options);
    case 'per-session':
      return new PerSessionUpstream(options);
    default:
      throw new Error(`Unknown sessionMode ${JSON.stringify(options.mode)}; use "shared", "stateless" or "per-session".`);
  }
}
