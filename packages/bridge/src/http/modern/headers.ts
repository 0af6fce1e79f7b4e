import type { IncomingMessage } from 'node:http';
import { mediaRanges } from '../media-ranges.js';

/**
 * Reading the request-metadata headers of 2026-07-28 Streamable HTTP
 * (spec basic/transports/streamable-http#request-metadata).
 */

export interface StandardHeaders {
  protocolVersion?: string;
  method?: string;
  name?: string;
}

/** One header's value with RFC 9110 optional whitespace trimmed; repeated headers joined as Node does. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name.toLowerCase()];
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  return value === undefined ? undefined : value.replace(/^[ \t]+|[ \t]+$/g, '');
}

export function standardHeaders(req: IncomingMessage): StandardHeaders {
  return {
    protocolVersion: headerValue(req, 'mcp-protocol-version'),
    method: headerValue(req, 'mcp-method'),
    name: headerValue(req, 'mcp-name'),
  };
}

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decode a `Mcp-Name` / `Mcp-Param-*` value: plain values pass through, `=?base64?…?=` values
 * are decoded as UTF-8 (streamable-http#value-encoding). Undefined when the sentinel carries
 * non-canonical Base64 or invalid UTF-8, which the spec says a server must reject.
 */
export function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX))) return value;
  const payload = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length);
  if (!CANONICAL_BASE64.test(payload)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(payload, 'base64'));
  } catch {
    return undefined;
  }
}

/** True when the client can take an SSE answer (`Accept: text/event-stream` or a wildcard). */
export function acceptsEventStream(req: IncomingMessage): boolean {
  return mediaRanges(headerValue(req, 'accept')).some(({ type }) => type === 'text/event-stream' || type === 'text/*' || type === '*/*');
}

/** `Content-Type` names JSON (application/json, any parameters). */
export function isJsonContentType(req: IncomingMessage): boolean {
  const type = headerValue(req, 'content-type');
  return type !== undefined && type.split(';')[0].trim().toLowerCase() === 'application/json';
}
