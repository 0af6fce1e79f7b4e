import { MetaKey, isLoggingLevel, isPlainObject, type LoggingLevel } from './era.js';

/**
 * The per-request `_meta` envelope of 2026-07-28 (spec basic/index#_meta, "Per-request
 * protocol fields"): what replaced `initialize`. Every request declares its protocol version
 * and the client capabilities relevant to it; client info and a log level are optional.
 */
export interface RequestEnvelope {
  protocolVersion: string;
  clientCapabilities: ClientCapabilities;
  clientInfo?: { name: string; version: string; [key: string]: unknown };
  logLevel?: LoggingLevel;
}

export type ClientCapabilities = Record<string, unknown>;

export type EnvelopeReading =
  | { kind: 'absent' }
  | { kind: 'invalid'; key: string; problem: string }
  | { kind: 'valid'; envelope: RequestEnvelope };

export function requestMeta(params: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(params)) return undefined;
  return isPlainObject(params._meta) ? params._meta : undefined;
}

/**
 * Read the envelope of a request's params. A message claims the envelope mechanism exactly
 * when the protocol-version key is present (the same narrow claim rule the v2 SDK applies);
 * once claimed, any malformed required field is an error naming the key, never a silent
 * fallback.
 */
export function readEnvelope(params: unknown): EnvelopeReading {
  const meta = requestMeta(params);
  if (meta === undefined || !(MetaKey.protocolVersion in meta)) return { kind: 'absent' };
  const version = meta[MetaKey.protocolVersion];
  if (typeof version !== 'string' || version.length === 0) {
    return { kind: 'invalid', key: MetaKey.protocolVersion, problem: 'must be a protocol version string such as "2026-07-28"' };
  }
  const capabilities = meta[MetaKey.clientCapabilities];
  if (capabilities === undefined) return { kind: 'invalid', key: MetaKey.clientCapabilities, problem: 'is required (use {} for none)' };
  if (!isPlainObject(capabilities)) return { kind: 'invalid', key: MetaKey.clientCapabilities, problem: 'must be an object' };
  const clientInfo = meta[MetaKey.clientInfo];
  if (clientInfo !== undefined && !isImplementation(clientInfo)) {
    return { kind: 'invalid', key: MetaKey.clientInfo, problem: 'must be an object with string "name" and "version"' };
  }
  const logLevel = meta[MetaKey.logLevel];
  if (logLevel !== undefined && !isLoggingLevel(logLevel)) {
    return { kind: 'invalid', key: MetaKey.logLevel, problem: 'must be one of debug, info, notice, warning, error, critical, alert, emergency' };
  }
  return {
    kind: 'valid',
    envelope: {
      protocolVersion: version,
      clientCapabilities: capabilities,
      ...(clientInfo !== undefined && { clientInfo }),
      ...(logLevel !== undefined && { logLevel }),
    },
  };
}

function isImplementation(value: unknown): value is RequestEnvelope['clientInfo'] {
  return isPlainObject(value) && typeof value.name === 'string' && typeof value.version === 'string';
}

/** The envelope keys the bridge consumes; everything else in `_meta` belongs to the request. */
export const ENVELOPE_KEYS: readonly string[] = [MetaKey.protocolVersion, MetaKey.clientInfo, MetaKey.clientCapabilities, MetaKey.logLevel];
