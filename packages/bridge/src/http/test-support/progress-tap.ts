import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * Records the progress values a client transport receives, before the SDK Client sees them.
 * The Client runs notification handlers a microtask later than it settles responses, so when
 * progress and the response arrive in one read (one WebSocket chunk, one SSE chunk) its
 * `onprogress` callback can miss them although they were delivered in order; what the bridge
 * is responsible for is the delivery, which is what this records.
 * Call after client.connect(), which installs the handler this wraps.
 */
export function tapProgress(transport: Transport): number[] {
  const seen: number[] = [];
  const original = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if ('method' in message && message.method === 'notifications/progress') seen.push(Number(message.params?.progress));
    original?.(message, extra);
  };
  return seen;
}
