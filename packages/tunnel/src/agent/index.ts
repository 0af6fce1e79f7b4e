export { TunnelAgent } from './tunnel-agent.js';
export type { TunnelAgentOptions, TunnelServerReport } from './tunnel-agent.js';
export type { TunnelHealth, ComponentHealth, ComponentState } from './tunnel-health.js';
export { resolveEndpoint } from './endpoint-resolver.js';
