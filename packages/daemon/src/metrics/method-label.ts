import { ClientRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/**
 * The `method` label of request metrics. A client may send any method name, and every label
 * value is a time series kept for ever: only the methods MCP defines get their own value,
 * anything else is "other". The list comes from the SDK's schema of client requests, plus the
 * 2026-07-28 era's server/discover, which the bridge answers too.
 */

function methodsOfSchema(): string[] {
  const options = (ClientRequestSchema as unknown as { options?: Array<{ shape?: { method?: { value?: unknown } } }> }).options ?? [];
  return options.map((option) => option.shape?.method?.value).filter((method): method is string => typeof method === 'string');
}

const KNOWN_METHODS = new Set([...methodsOfSchema(), 'server/discover']);

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}

export function knownMethods(): string[] {
  return [...KNOWN_METHODS];
}
