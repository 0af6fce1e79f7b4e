// Public face of @mcp-workstation/protocol: the agent ⇄ gateway messages of
// ../shared/design/protocol.md (version 1) and their validation, shared by tunnel and gateway.
export { PROTOCOL_VERSION } from './version.js';
export type { Parsed } from './parse-result.js';
export { parseJson, parseWith } from './parse-result.js';
export {
  WireGuardKey,
  AgentName,
  ServerName,
  Endpoint,
  Cidr,
  isEndpoint,
  isCidr,
  splitEndpoint,
  agentNameFromHostname,
} from './primitives.js';
export * from './registration.js';
export * from './control.js';
export { Timing, fullJitterDelay } from './timing.js';
