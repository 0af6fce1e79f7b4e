import type { JSONRPCNotification, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { MCP_NAME_SOURCE, MODERN_PROTOCOL_VERSIONS, ModernErrorCode, MetaKey, isPlainObject } from './era.js';
import { readEnvelope, type RequestEnvelope } from './envelope.js';
import { decodeHeaderValue, type StandardHeaders } from './headers.js';
import { headerMismatch, rejection, type ModernRejection } from './rejection.js';

/**
 * The inbound validation ladder for one 2026-07-28 POST, in the order the v2 SDK applies it
 * (its INBOUND_VALIDATION_LADDER): body shape, then the envelope and header/body
 * cross-checks, then the supported-version gate, then header presence. A request failing
 * several rungs is answered by the first.
 */

export type ValidatedMessage =
  | { kind: 'request'; message: JSONRPCRequest; envelope: RequestEnvelope }
  | { kind: 'notification'; message: JSONRPCNotification };

export type Validation = { ok: true; value: ValidatedMessage } | { ok: false; rejection: ModernRejection };

export interface ValidationOptions {
  /** Versions listed in UnsupportedProtocolVersion errors besides the modern ones (the legacy versions this endpoint also serves). */
  legacyVersions: readonly string[];
}

export function validateModernMessage(body: unknown, headers: StandardHeaders, options: ValidationOptions): Validation {
  const shape = classifyShape(body);
  if (shape.kind === 'invalid') return fail(shape.rejection);
  if (shape.kind === 'notification') {
    const problem = notificationProblem(shape.message, headers);
    return problem ? fail(problem) : { ok: true, value: shape };
  }
  const checked = checkRequest(shape.message, headers, options);
  return 'rejection' in checked ? fail(checked.rejection) : { ok: true, value: { kind: 'request', message: shape.message, envelope: checked.envelope } };
}

function fail(rejected: ModernRejection): Validation {
  return { ok: false, rejection: rejected };
}

type Shape =
  | { kind: 'request'; message: JSONRPCRequest }
  | { kind: 'notification'; message: JSONRPCNotification }
  | { kind: 'invalid'; rejection: ModernRejection };

function classifyShape(body: unknown): Shape {
  if (Array.isArray(body)) {
    return invalidShape('JSON-RPC batches are not allowed: protocol revision 2026-07-28 takes exactly one request or notification per POST');
  }
  if (!isPlainObject(body) || body.jsonrpc !== '2.0') return invalidShape('the body is not a JSON-RPC 2.0 message');
  if ('result' in body || 'error' in body) {
    return invalidShape(
      'JSON-RPC responses cannot be posted: in protocol revision 2026-07-28 a client answers input requests by retrying the original request with inputResponses',
    );
  }
  if (typeof body.method !== 'string') return invalidShape('the body has no "method" string');
  if (body.params !== undefined && !isPlainObject(body.params)) return invalidShape('"params" must be an object');
  if (!('id' in body)) return { kind: 'notification', message: body as JSONRPCNotification };
  const id = body.id;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id))) return { kind: 'request', message: body as JSONRPCRequest };
  return invalidShape('"id" must be a string or an integer (null is not allowed)');
}

function invalidShape(message: string): Shape {
  return { kind: 'invalid', rejection: rejection(400, ModernErrorCode.InvalidRequest, `Invalid request: ${message}`) };
}

function checkRequest(
  message: JSONRPCRequest,
  headers: StandardHeaders,
  options: ValidationOptions,
): { envelope: RequestEnvelope } | { rejection: ModernRejection } {
  const reading = readEnvelope(message.params);
  if (reading.kind === 'absent') return { rejection: envelopeAbsent(message.method, headers) };
  if (reading.kind === 'invalid') {
    return {
      rejection: rejection(400, ModernErrorCode.InvalidParams, `Invalid params: _meta["${reading.key}"] ${reading.problem}`, {
        envelope: { key: reading.key, problem: reading.problem },
      }),
    };
  }
  const { envelope } = reading;
  const problem =
    versionCrossCheck(envelope.protocolVersion, headers) ??
    methodCrossCheck(message.method, headers) ??
    unsupportedVersion(envelope.protocolVersion, options) ??
    nameCheck(message, headers);
  return problem ? { rejection: problem } : { envelope };
}

/** No envelope on a request sent with a modern version header: the SDK's "modern-header-without-claim" cell. */
function envelopeAbsent(method: string, headers: StandardHeaders): ModernRejection {
  if (method === 'initialize') {
    return headerMismatch(
      `an initialize request was sent with MCP-Protocol-Version: ${headers.protocolVersion}. Protocol revision 2026-07-28 has no initialize handshake: ` +
        'send requests with the per-request _meta envelope (and server/discover to learn the server), or drop the header to use the legacy handshake',
      headers.protocolVersion ?? '(missing)',
      'initialize',
    );
  }
  const missing = [MetaKey.protocolVersion, MetaKey.clientCapabilities];
  return rejection(
    400,
    ModernErrorCode.InvalidParams,
    `Invalid params: the MCP-Protocol-Version header names ${headers.protocolVersion ?? 'a modern revision'}, but params._meta lacks the required per-request keys ${missing.join(', ')}`,
    { envelope: { missing } },
  );
}

function versionCrossCheck(bodyVersion: string, headers: StandardHeaders): ModernRejection | undefined {
  if (headers.protocolVersion === undefined) {
    return headerMismatch(
      `the required MCP-Protocol-Version header is absent (the body names ${bodyVersion})`,
      '(missing)',
      bodyVersion,
    );
  }
  if (headers.protocolVersion === bodyVersion) return undefined;
  return headerMismatch(
    `MCP-Protocol-Version header is ${headers.protocolVersion} but params._meta["${MetaKey.protocolVersion}"] is ${bodyVersion}`,
    headers.protocolVersion,
    bodyVersion,
  );
}

function methodCrossCheck(method: string, headers: StandardHeaders): ModernRejection | undefined {
  if (headers.method === undefined || headers.method === method) return undefined;
  return headerMismatch(`Mcp-Method header is "${headers.method}" but the body's method is "${method}"`, headers.method, method);
}

function unsupportedVersion(version: string, options: ValidationOptions): ModernRejection | undefined {
  if (MODERN_PROTOCOL_VERSIONS.includes(version)) return undefined;
  // data.supported lists what this request shape can use, the same list server/discover gives
  // (a client may pick any of them and retry); the legacy versions need initialize, so only
  // the message names them.
  const supported = [...MODERN_PROTOCOL_VERSIONS];
  const legacy = options.legacyVersions.filter((v) => !MODERN_PROTOCOL_VERSIONS.includes(v));
  const withInitialize = legacy.length > 0 ? `; ${legacy.join(', ')} with initialize` : '';
  return rejection(
    400,
    ModernErrorCode.UnsupportedProtocolVersion,
    `Unsupported protocol version: ${version} (this server supports ${supported.join(', ')} without initialize${withInitialize})`,
    { supported, requested: version },
  );
}

/** Presence of Mcp-Method and the Mcp-Name mirror (streamable-http#standard-request-headers). */
function nameCheck(message: JSONRPCRequest, headers: StandardHeaders): ModernRejection | undefined {
  if (headers.method === undefined) {
    return headerMismatch(`the required Mcp-Method header is absent (the body's method is "${message.method}")`, '(missing)', message.method);
  }
  const field = Object.hasOwn(MCP_NAME_SOURCE, message.method) ? MCP_NAME_SOURCE[message.method] : undefined;
  if (field === undefined) return undefined;
  const bodyValue = message.params?.[field];
  if (typeof bodyValue !== 'string') return undefined;
  if (headers.name === undefined) {
    return headerMismatch(`the required Mcp-Name header is absent (params.${field} is "${bodyValue}")`, '(missing)', bodyValue);
  }
  const decoded = decodeHeaderValue(headers.name);
  if (decoded === undefined) return headerMismatch('the Mcp-Name header carries an invalid =?base64?…?= value', headers.name, bodyValue);
  if (decoded === bodyValue) return undefined;
  return headerMismatch(`Mcp-Name header is "${decoded}" but params.${field} is "${bodyValue}"`, headers.name, bodyValue);
}

/** Notifications carry no required headers in this revision; disagreeing ones are still refused (the SDK's defensive posture). */
function notificationProblem(message: JSONRPCNotification, headers: StandardHeaders): ModernRejection | undefined {
  const reading = readEnvelope(message.params);
  if (reading.kind === 'valid' && headers.protocolVersion !== undefined && headers.protocolVersion !== reading.envelope.protocolVersion) {
    return versionCrossCheck(reading.envelope.protocolVersion, headers);
  }
  return methodCrossCheck(message.method, headers);
}
