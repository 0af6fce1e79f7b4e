import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export type ParsedLine = { message: JSONRPCMessage } | { problem: string };

/**
 * Parses one stdout line into a JSON-RPC message, or says why it is not one.
 *
 * This runs for every message a server sends, so it checks the envelope structurally
 * instead of running the SDK's JSONRPCMessageSchema: the zod union tries up to four strict
 * object schemas and deep-copies the payload (a tools/call result can be megabytes), while
 * the envelope is all the supervisor needs to know. The payload itself is validated by the
 * SDK on the side that consumes it (the bridge's client or the MCP client).
 */
export function parseJsonRpcLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: 'not JSON' };
  }
  return isJsonRpcMessage(value) ? { message: value } : { problem: 'JSON, but not a JSON-RPC 2.0 message' };
}

/**
 * The JSON-RPC 2.0 envelope, as MCP uses it: a request (method + id), a notification
 * (method, no id), a result (id + result object) or an error (error with numeric code and
 * string message; id may be absent when the request could not be read).
 */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (!isObject(value) || value.jsonrpc !== '2.0') return false;
  if ('method' in value) return typeof value.method === 'string' && (!('id' in value) || isRequestId(value.id));
  if ('result' in value) return isRequestId(value.id) && isObject(value.result);
  if ('error' in value) return (!('id' in value) || isRequestId(value.id)) && isErrorObject(value.error);
  return false;
}

function isRequestId(id: unknown): boolean {
  return typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id));
}

function isErrorObject(error: unknown): boolean {
  return isObject(error) && typeof error.message === 'string' && Number.isInteger(error.code);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
