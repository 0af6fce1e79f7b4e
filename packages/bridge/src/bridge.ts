import type { Bridge, BridgeOptions } from './types.js';

/** STUB: the HTTP front of the bridge. */
export function createBridge(_options: BridgeOptions): Bridge {
  throw new Error('not implemented');
}
