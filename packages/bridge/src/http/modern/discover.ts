import type { InitializeResult } from '@modelcontextprotocol/sdk/types.js';
import { MODERN_PROTOCOL_VERSIONS } from './era.js';
import { toModernCapabilities, toModernResult } from './to-modern.js';

/**
 * `server/discover` (spec server/discover, changelog major 3), answered by the bridge from
 * the child's InitializeResult to the bridge's own initialize:
 *
 * D1. supportedVersions lists the modern revisions the bridge serves on this endpoint. Like
 *     the v2 SDK, only modern ones: 2025-era versions are negotiated with initialize, and a
 *     legacy version here would make a modern client pick it without a handshake.
 * D2. capabilities are the child's, minus `tasks` (R3). The listChanged/subscribe bits stay:
 *     the bridge serves them on subscriptions/listen streams.
 * D3. instructions pass through; serverInfo moved from the result body into
 *     `_meta["io.modelcontextprotocol/serverInfo"]` (spec PR #3002, R4).
 * D4. resultType/ttlMs/cacheScope as for every cacheable result (R1, R2).
 * The child's own protocolVersion is not exposed: the client speaks 2026-07-28 to the bridge.
 */
export function discoverResult(initialized: InitializeResult): Record<string, unknown> {
  const body: Record<string, unknown> = {
    supportedVersions: [...MODERN_PROTOCOL_VERSIONS],
    capabilities: toModernCapabilities({ ...initialized.capabilities }),
  };
  if (initialized.instructions !== undefined) body.instructions = initialized.instructions;
  return toModernResult('server/discover', body, initialized.serverInfo);
}
