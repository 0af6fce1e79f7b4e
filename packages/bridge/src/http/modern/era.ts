/**
 * Vocabulary of protocol revision 2026-07-28 that the bridge needs by name.
 * Spec: https://modelcontextprotocol.io/specification/2026-07-28 (changelog, basic/index#_meta,
 * basic/transports/streamable-http). Written here rather than imported from the v2 SDK
 * packages because those are ESM-first, need zod 4 at runtime and pull a client stack into a
 * server package; the bridge needs a dozen names, not the SDK.
 */

/** Modern revisions the bridge serves. Revision ids are ISO dates, so they order as strings. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];
const FIRST_MODERN_PROTOCOL_VERSION = '2026-07-28';

/** A revision at or after 2026-07-28 (the per-request `_meta` era, spec basic/versioning#terminology). */
export function isModernProtocolVersion(version: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= FIRST_MODERN_PROTOCOL_VERSION;
}

/** Reserved `_meta` keys (spec basic/index#_meta). */
export const MetaKey = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** JSON-RPC error codes this era uses (spec basic/index#error-codes). */
export const ModernErrorCode = {
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Implementation-defined transport refusal, as the SDKs use it (405, 415). */
  TransportRefused: -32000,
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
  /** 2025 codes a 2026-07-28 server MUST NOT emit (basic/index#error-codes). */
  LegacyResourceNotFound: -32002,
  LegacyUrlElicitationRequired: -32042,
} as const;

/** The request methods of the 2026-07-28 registry (spec schema; the SDK's rev2026 registry). */
export const MODERN_REQUEST_METHODS: ReadonlySet<string> = new Set([
  'tools/call',
  'tools/list',
  'prompts/get',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
  'server/discover',
  'subscriptions/listen',
]);

/**
 * Requests of 2025-11-25 that 2026-07-28 removed (changelog major changes 2, 4, 5, 6). They
 * are answered 404/-32601 instead of being forwarded: the child would happily serve them
 * under legacy semantics, which is exactly the era confusion the spec warns about.
 */
export const REMOVED_REQUEST_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

/** Requests that may answer `input_required` (spec basic/patterns/mrtr#supported-requests). */
export const INPUT_REQUIRED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** The former server->client requests, now embedded input requests (spec basic/patterns/mrtr). */
export const INPUT_REQUEST_METHODS: ReadonlySet<string> = new Set(['elicitation/create', 'sampling/createMessage', 'roots/list']);

/** Results that carry the CacheableResult fields `ttlMs`/`cacheScope` (SEP-2549, changelog minor 5). */
export const CACHEABLE_RESULT_METHODS: ReadonlySet<string> = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'server/discover',
]);

/** The body field `Mcp-Name` mirrors (streamable-http#standard-request-headers). */
export const MCP_NAME_SOURCE: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

export const LOGGING_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LoggingLevel = (typeof LOGGING_LEVELS)[number];

export function isLoggingLevel(value: unknown): value is LoggingLevel {
  return typeof value === 'string' && (LOGGING_LEVELS as readonly string[]).includes(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
