import type { JSONRPCErrorResponse, JSONRPCNotification, RequestId } from '@modelcontextprotocol/sdk/types.js';

// The structural tests on messages the upstream hands back are the upstream's own
// (upstream/jsonrpc.ts); a request coming from the child is a server request here.
export { isErrorResponse, isNotification, isRequest as isServerRequest, isResultResponse } from '../../upstream/jsonrpc.js';

export function cancelledNotification(requestId: RequestId, reason: string): JSONRPCNotification {
  return { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason } };
}

export function errorResponse(id: RequestId, code: number, message: string): JSONRPCErrorResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
