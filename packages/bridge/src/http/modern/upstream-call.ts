import type { JSONRPCErrorResponse, JSONRPCResultResponse } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream } from '../../upstream/types.js';
import { isErrorResponse, isResultResponse } from './messages.js';

let nextCallId = 0;

/**
 * A request the bridge itself sends to the child (not on behalf of one client request),
 * through its own transient session. Rejects after `timeoutMs` so a hung child cannot hold a
 * session open forever.
 */
export function callUpstream(
  upstream: Upstream,
  method: string,
  params: Record<string, unknown>,
  timeoutMs: number,
): Promise<JSONRPCResultResponse | JSONRPCErrorResponse> {
  const id = `bridge-modern-${++nextCallId}`;
  return new Promise((resolve, reject) => {
    const session = upstream.open({
      label: `modern bridge ${method}`,
      stateless: true,
      send: (message) => {
        if ((isResultResponse(message) || isErrorResponse(message)) && message.id === id) settle(() => resolve(message));
      },
    });
    const timer = setTimeout(() => settle(() => reject(new Error(`${method} got no answer from server "${upstream.name}" within ${timeoutMs} ms`))), timeoutMs);
    let settled = false;
    function settle(outcome: () => void): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.close();
      outcome();
    }
    session.receive({ jsonrpc: '2.0', id, method, params });
  });
}
