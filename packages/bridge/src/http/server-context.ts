import type { Logger } from '@mcp-workstation/supervisor';
import type { Upstream } from '../upstream/types.js';
import type { BridgeConfig } from './config.js';
import type { ModernState } from './modern/index.js';
import type { OutgoingStreams } from './outgoing-streams.js';
import type { SessionLimit } from './session-limit.js';

/** What every transport endpoint of one server shares. */
export interface ServerContext {
  name: string;
  upstream: Upstream;
  /** One limit across all of this server's transports. */
  limit: SessionLimit;
  config: BridgeConfig;
  logger: Logger;
  /** The bound on what this server's outgoing streams hold for clients that do not read. */
  outgoing: OutgoingStreams;
  /** What the 2026-07-28 era keeps for this server between requests. */
  modern: ModernState;
}

/** Session ids are bearer-like: logs carry only a prefix, enough to follow one session. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}
