import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream } from '../../upstream/types.js';
import { ENVELOPE_KEYS, type RequestEnvelope } from './envelope.js';
import { isPlainObject } from './era.js';

/**
 * Client -> child translations (2026-07-28 request -> the child's 2025-era request).
 *
 * T1. The per-request `_meta` envelope (protocolVersion, clientInfo, clientCapabilities,
 *     logLevel; spec basic/index#_meta) is removed. The bridge consumes it: the version was
 *     validated, capabilities gate the input requests the bridge may relay, the log level
 *     filters notifications/message. A 2025 child negotiated its version, identity and
 *     capabilities once, with the bridge, and would misread a second set. Other `_meta`
 *     keys (progressToken, traceparent, vendor keys) pass through.
 * T2. The MRTR retry channel `inputResponses` / `requestState` (basic/patterns/mrtr) is
 *     removed: the bridge answers the child's parked server->client requests from it; the
 *     child never saw an input_required exchange.
 * T4. `params.task` (2025-11-25 task augmentation) is removed: tasks left the core protocol
 *     and the bridge does not offer the tasks extension (R3), so a 2026-07-28 client could
 *     never poll or fetch a task the child made for it; the child runs the call directly
 *     (a tool whose taskSupport is "required" answers with its error instead).
 */
export function toChildRequest(message: JSONRPCRequest, id = message.id): JSONRPCRequest {
  const params = isPlainObject(message.params) ? { ...message.params } : undefined;
  if (params === undefined) return { jsonrpc: '2.0', id, method: message.method };
  delete params.inputResponses;
  delete params.requestState;
  delete params.task;
  const meta = withoutEnvelope(params._meta);
  if (meta === undefined) delete params._meta;
  else params._meta = meta;
  return { jsonrpc: '2.0', id, method: message.method, params };
}

/** The id of the bridge's initialize in T5; its answer is not relayed. */
export const CHILD_HANDSHAKE_ID = 'mcp-workstation-initialize';

/**
 * T5. per-session mode: each 2026-07-28 request (and each listen stream) gets a child of its
 *     own, and nobody initializes it: the era has no initialize, and the spare child the
 *     upstream keeps ready was at best primed for the latest 2025 client. Without it the
 *     child knows no client capabilities and refuses to ask for sampling or elicitation. The
 *     bridge opens the session with an initialize carrying the request's own clientInfo and
 *     clientCapabilities from its envelope (then notifications/initialized); the child reads
 *     stdin in order, so the request itself follows without waiting. Unlike the shared
 *     child, this one sees exactly what this client declared. Shared mode: nothing (the
 *     upstream initialized its child itself).
 */
export function childHandshake(upstream: Upstream, envelope: RequestEnvelope): JSONRPCMessage[] {
  if (upstream.mode !== 'per-session') return [];
  const protocolVersion = upstream.initializeResult()?.protocolVersion ?? LATEST_PROTOCOL_VERSION;
  const clientInfo = envelope.clientInfo ?? { name: 'mcp-workstation', version: '2026-07-28 bridge' };
  return [
    { jsonrpc: '2.0', id: CHILD_HANDSHAKE_ID, method: 'initialize', params: { protocolVersion, capabilities: envelope.clientCapabilities, clientInfo } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
  ];
}

function withoutEnvelope(meta: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(meta)) return undefined;
  const rest = Object.fromEntries(Object.entries(meta).filter(([key]) => !ENVELOPE_KEYS.includes(key)));
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** The params that identify "the same request" across MRTR retries: everything but `_meta` and the retry channel. */
export function requestFingerprint(message: JSONRPCRequest): string {
  const params = isPlainObject(message.params) ? { ...message.params } : {};
  delete params._meta;
  delete params.inputResponses;
  delete params.requestState;
  return `${message.method} ${canonicalJson(params)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
