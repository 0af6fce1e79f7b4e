import type { ServerResponse } from 'node:http';

/**
 * JSON-RPC error answers of the HTTP front. Codes follow the SDK's Streamable HTTP
 * transport (-32000 for transport-level refusals, -32001 for an unknown session, -32700
 * for unparsable input) so a client sees the same shapes from the bridge as from an SDK server.
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InternalError: -32603,
  TransportRefused: -32000,
  SessionNotFound: -32001,
} as const;

/** A refusal decided before the request reaches a transport: status, JSON-RPC error and extra headers. */
export interface HttpRefusal {
  status: number;
  code: number;
  message: string;
  headers?: Record<string, string>;
  /** The id of the refused request, when it could be read; null otherwise. */
  id?: string | number;
}

export function jsonRpcErrorBody(code: number, message: string, id: string | number | null = null): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
}

/** Answer with a JSON-RPC error; if a response already started, end it instead (nothing else can be said). */
export function sendRefusal(res: ServerResponse, refusal: HttpRefusal): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = jsonRpcErrorBody(refusal.code, refusal.message, refusal.id);
  res.writeHead(refusal.status, {
    ...refusal.headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function refusal(status: number, code: number, message: string, headers?: Record<string, string>): HttpRefusal {
  return headers ? { status, code, message, headers } : { status, code, message };
}

/** The answer for a server the bridge does not serve (it never did, or it was removed): the same on every transport. */
export function unknownServer(name: string): HttpRefusal {
  return refusal(404, ErrorCode.MethodNotFound, `unknown server: ${name}`);
}

/** Status line texts for refusals written on a raw socket (upgrade requests have no ServerResponse). */
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The bytes of a complete HTTP/1.1 refusal, for a socket that was never handed to http.ServerResponse. */
export function rawRefusal(refusal: HttpRefusal): string {
  const body = jsonRpcErrorBody(refusal.code, refusal.message);
  const headers: Record<string, string | number> = {
    ...refusal.headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  const statusText = STATUS_TEXT[refusal.status] ?? 'Error';
  return `HTTP/1.1 ${refusal.status} ${statusText}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
