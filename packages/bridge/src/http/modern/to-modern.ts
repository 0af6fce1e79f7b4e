import type { Implementation, JSONRPCNotification, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestEnvelope } from './envelope.js';
import { CACHEABLE_RESULT_METHODS, LOGGING_LEVELS, MetaKey, ModernErrorCode, isLoggingLevel, isPlainObject } from './era.js';

/**
 * Child -> client translations (the child's 2025-era messages -> 2026-07-28 shapes).
 *
 * R1. Every result gains `resultType: "complete"` (required since 2026-07-28; SEP-2322,
 *     changelog major 8, basic/index#resulttype). The v2 SDK client rejects a result
 *     without it ("servers implementing 2026-07-28 MUST include it").
 * R2. Cacheable results (tools/list, prompts/list, resources/list, resources/templates/list,
 *     resources/read, server/discover) gain the required `ttlMs` and `cacheScope` (SEP-2549,
 *     changelog minor 5) when the child did not send them: ttlMs 0 ("immediately stale")
 *     and cacheScope "private", because the bridge cannot know how long a child's lists stay
 *     true nor whether they differ per principal. These are the v2 SDK's own defaults.
 * R3. Tools lose `execution` (task support) and capabilities lose `tasks`: tasks left the
 *     core protocol for an extension (SEP-2663, changelog major 6) the bridge does not offer.
 * R4. Results carry `_meta["io.modelcontextprotocol/serverInfo"]`, the child's serverInfo from
 *     the bridge's own initialize (servers SHOULD identify themselves on every result since
 *     initialize is gone; changelog major 2, basic/index "Per-response protocol fields").
 * R5. Error -32002 (resource not found) becomes -32602, data kept (changelog minor 6;
 *     basic/index#error-codes: 2026-07-28 implementations MUST NOT emit -32002).
 * R6. Error -32042 (URL elicitation required, 2025-11-25 only, MUST NOT be emitted) becomes
 *     an input_required result with URL-mode elicitation input requests: the MRTR form of
 *     the same instruction "complete these URLs, then retry" (basic/patterns/mrtr).
 * R7. Server->client requests (sampling/createMessage, elicitation/create, roots/list) become
 *     embedded input requests of an input_required result (MRTR, SEP-2322): `_meta` and the
 *     2025-only `task` are dropped, URL elicitation loses `elicitationId` (changelog minor 11).
 * R8. Notifications on a request's stream: notifications/progress passes (it belongs to the
 *     request's progressToken); notifications/message passes only when the request set
 *     `io.modelcontextprotocol/logLevel` and the message is at least that severe (changelog
 *     major 5: servers MUST NOT emit it otherwise); list_changed / resources/updated belong
 *     on subscriptions/listen streams only; notifications/elicitation/complete was removed
 *     (changelog minor 11). Everything else is dropped.
 */

export function toModernResult(method: string, result: unknown, serverInfo?: Implementation): Record<string, unknown> {
  const translated: Record<string, unknown> = isPlainObject(result) ? { ...result } : {};
  if (method === 'tools/list' && Array.isArray(translated.tools)) translated.tools = translated.tools.map(withoutExecution);
  if (CACHEABLE_RESULT_METHODS.has(method)) addCacheFields(translated);
  translated.resultType = 'complete';
  return withServerInfo(translated, serverInfo);
}

export function toModernCapabilities(capabilities: Record<string, unknown>): Record<string, unknown> {
  const modern = { ...capabilities };
  delete modern.tasks;
  return modern;
}

function withoutExecution(tool: unknown): unknown {
  if (!isPlainObject(tool) || !('execution' in tool)) return tool;
  const rest = { ...tool };
  delete rest.execution;
  return rest;
}

function addCacheFields(result: Record<string, unknown>): void {
  const ttl = result.ttlMs;
  if (!(typeof ttl === 'number' && Number.isSafeInteger(ttl) && ttl >= 0)) result.ttlMs = 0;
  if (result.cacheScope !== 'public' && result.cacheScope !== 'private') result.cacheScope = 'private';
}

export function withServerInfo(result: Record<string, unknown>, serverInfo?: Implementation): Record<string, unknown> {
  if (serverInfo === undefined) return result;
  const meta = result._meta;
  if (meta !== undefined && !isPlainObject(meta)) return result;
  if (meta?.[MetaKey.serverInfo] !== undefined) return result;
  return { ...result, _meta: { ...meta, [MetaKey.serverInfo]: serverInfo } };
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export function toModernError(error: JsonRpcErrorObject): JsonRpcErrorObject {
  if (error.code !== ModernErrorCode.LegacyResourceNotFound) return error;
  return { ...error, code: ModernErrorCode.InvalidParams };
}

/** An embedded input request: a de-JSON-RPC'd `{method, params}` (spec schema InputRequest). */
export interface InputRequest {
  method: string;
  params?: Record<string, unknown>;
}

export function toInputRequest(request: JSONRPCRequest): InputRequest {
  if (!isPlainObject(request.params)) return { method: request.method };
  const params: Record<string, unknown> = { ...request.params };
  delete params._meta;
  delete params.task;
  if (request.method === 'elicitation/create' && params.mode === 'url') delete params.elicitationId;
  return { method: request.method, params };
}

/** R6: the URL elicitations a -32042 error asks for, as embedded input requests; undefined when the error is not one. */
export function urlElicitationsOf(error: JsonRpcErrorObject): InputRequest[] | undefined {
  if (error.code !== ModernErrorCode.LegacyUrlElicitationRequired || !isPlainObject(error.data)) return undefined;
  const elicitations = error.data.elicitations;
  if (!Array.isArray(elicitations) || elicitations.length === 0) return undefined;
  const requests: InputRequest[] = [];
  for (const elicitation of elicitations) {
    if (!isPlainObject(elicitation) || typeof elicitation.url !== 'string' || typeof elicitation.message !== 'string') return undefined;
    requests.push({ method: 'elicitation/create', params: { mode: 'url', message: elicitation.message, url: elicitation.url } });
  }
  return requests;
}

export function inputRequiredResult(
  inputRequests: Record<string, InputRequest>,
  requestState: string | undefined,
  serverInfo?: Implementation,
): Record<string, unknown> {
  const result: Record<string, unknown> = { resultType: 'input_required', inputRequests };
  if (requestState !== undefined) result.requestState = requestState;
  return withServerInfo(result, serverInfo);
}

/** R8: may this notification from the child go onto the stream of the request with this envelope? */
export function belongsOnRequestStream(notification: JSONRPCNotification, envelope: RequestEnvelope, progressToken: unknown): boolean {
  const params = isPlainObject(notification.params) ? notification.params : {};
  switch (notification.method) {
    case 'notifications/progress':
      return progressToken !== undefined && params.progressToken === progressToken;
    case 'notifications/message':
      return envelope.logLevel !== undefined && isLoggingLevel(params.level) && severity(params.level) >= severity(envelope.logLevel);
    default:
      return false;
  }
}

function severity(level: (typeof LOGGING_LEVELS)[number]): number {
  return LOGGING_LEVELS.indexOf(level);
}
