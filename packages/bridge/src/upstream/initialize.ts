import {
  InitializeResultSchema,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type ClientCapabilities,
  type InitializeRequest,
  type InitializeResult,
} from '@modelcontextprotocol/sdk/types.js';
import { BRIDGE_CLIENT_NAME, BRIDGE_VERSION } from './version.js';

/**
 * The bridge as the child's client. It declares every client capability so that whatever a
 * connected client supports can be used; the bridge then routes each server->client request
 * only to a session whose client declared the capability it needs.
 */
export const BRIDGE_CLIENT_CAPABILITIES: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

export function bridgeInitializeParams(protocolVersion: string | undefined): InitializeRequest['params'] {
  return {
    protocolVersion: protocolVersion ?? LATEST_PROTOCOL_VERSION,
    capabilities: BRIDGE_CLIENT_CAPABILITIES,
    clientInfo: { name: BRIDGE_CLIENT_NAME, version: BRIDGE_VERSION },
  };
}

/** The child's answer to the bridge's initialize, checked once so later sessions get a sound result. */
export function parseInitializeResult(result: unknown): InitializeResult {
  const parsed = InitializeResultSchema.safeParse(result);
  if (!parsed.success) {
    throw new Error(`the server answered initialize with a result that is not an InitializeResult: ${parsed.error.message}`);
  }
  // Keep the child's own object (unknown keys included), not zod's stripped copy.
  return result as InitializeResult;
}

/**
 * A client's initialize, answered from the child's cached result. The version is negotiated
 * per session: a version the SDK supports is echoed back (the bridge speaks it to the client),
 * anything else gets the child's version, which the client may then refuse.
 */
export function answerFromCache(cached: InitializeResult, requestedVersion: unknown): InitializeResult {
  const protocolVersion =
    typeof requestedVersion === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requestedVersion)
      ? requestedVersion
      : cached.protocolVersion;
  return { ...cached, protocolVersion };
}

/** The capabilities a client declared in its initialize, or {} for a malformed one. */
export function declaredCapabilities(params: InitializeRequest['params'] | Record<string, unknown> | undefined): ClientCapabilities {
  const capabilities = params?.capabilities;
  return capabilities && typeof capabilities === 'object' ? (capabilities as ClientCapabilities) : {};
}
