import type { ServerResponse } from 'node:http';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { ModernErrorCode } from './era.js';

/**
 * A request the bridge answers itself with a JSON-RPC error, and the HTTP status the
 * 2026-07-28 transport binding gives that error (streamable-http#server-validation and
 * #protocol-version-header: 400 for header, version and envelope failures, 404 for an
 * unknown method).
 */
export interface ModernRejection {
  status: number;
  code: number;
  message: string;
  data?: unknown;
  headers?: Record<string, string>;
}

export function rejection(status: number, code: number, message: string, data?: unknown): ModernRejection {
  return data === undefined ? { status, code, message } : { status, code, message, data };
}

export function headerMismatch(message: string, header: string, body: string): ModernRejection {
  return rejection(400, ModernErrorCode.HeaderMismatch, `Header mismatch: ${message}`, { mismatch: { header, body } });
}

/** The id to echo: the body's own id when it has a usable one, else null (basic/index#error-responses). */
export function echoableId(body: unknown): RequestId | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const id = (body as { id?: unknown }).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)) ? id : null;
}

export function errorBody(id: RequestId | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

/** Write a rejection as a complete JSON answer; a response that already started can only be ended. */
export function sendRejection(res: ServerResponse, id: RequestId | null, rejected: ModernRejection): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = errorBody(id, rejected.code, rejected.message, rejected.data);
  res.writeHead(rejected.status, {
    ...rejected.headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
