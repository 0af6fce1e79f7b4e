import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
  Result,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * Cheap shape checks for messages that were already validated where they entered (the
 * transports parse client input, the supervisor frames child output). The SDK's own
 * `isJSONRPCRequest` & co. run a strict zod parse per call; on the hot path of every
 * message that buys nothing here, so these only look at which keys are present.
 */

export type JSONRPCResponseMessage = JSONRPCResultResponse | JSONRPCErrorResponse;

export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

export function isNotification(message: JSONRPCMessage): message is JSONRPCNotification {
  return 'method' in message && !('id' in message);
}

export function isResponse(message: JSONRPCMessage): message is JSONRPCResponseMessage {
  return 'result' in message || 'error' in message;
}

export function isErrorResponse(message: JSONRPCMessage): message is JSONRPCErrorResponse {
  return 'error' in message;
}

export function isResultResponse(message: JSONRPCMessage): message is JSONRPCResultResponse {
  return 'result' in message && 'id' in message;
}

/** The body of a JSON-RPC error: what `errorResponse` wraps. */
export interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export function resultResponse(id: RequestId, result: Result): JSONRPCResultResponse {
  return { jsonrpc: '2.0', id, result };
}

export function errorResponse(id: RequestId, error: JsonRpcErrorBody): JSONRPCErrorResponse {
  return { jsonrpc: '2.0', id, error };
}

export function notification(method: string, params?: Record<string, unknown>): JSONRPCNotification {
  return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
}

/** `params._meta.progressToken` of a request, if it asked for progress. */
export function progressTokenOf(request: JSONRPCRequest): string | number | undefined {
  const token = request.params?._meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}
