import type { ClientCapabilities, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';

/** What a client must have declared to be sent a given server->client request. */
export interface CapabilityNeed {
  /** For messages: the capability's name. */
  readonly name: string;
  readonly test: (capabilities: ClientCapabilities) => boolean;
}

const sampling: CapabilityNeed = { name: 'sampling', test: (c) => c.sampling !== undefined };
const roots: CapabilityNeed = { name: 'roots', test: (c) => c.roots !== undefined };
const urlElicitation: CapabilityNeed = { name: 'elicitation.url', test: (c) => c.elicitation?.url !== undefined };
// `elicitation: {}` is the pre-2025-11-25 spelling of form support.
const formElicitation: CapabilityNeed = {
  name: 'elicitation',
  test: (c) => c.elicitation !== undefined && (Object.keys(c.elicitation).length === 0 || c.elicitation.form !== undefined),
};

/** null: any client can take it (ping, methods the bridge does not know). */
export function capabilityNeededFor(request: JSONRPCRequest): CapabilityNeed | null {
  switch (request.method) {
    case 'sampling/createMessage':
      return sampling;
    case 'elicitation/create':
      return request.params?.mode === 'url' ? urlElicitation : formElicitation;
    case 'roots/list':
      return roots;
    default:
      return null;
  }
}
