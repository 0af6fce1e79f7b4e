// Public face of @mcp-workstation/gateway: the reference gateway of protocol.md (the gateway
// side of §1-§3 and the public MCP endpoint of §4), as a library and as the
// `mcp-workstation-gateway` CLI.
export { startGateway, type RunningGateway } from './gateway.js';
export { resolveConfig, DEFAULTS, type GatewayOptions, type GatewayConfig, type WireGuardBackendName } from './config.js';
export { runCli, MAIN_HELP } from './cli/run-cli.js';
export { GatewayOperations, type AgentListing, type RotateResult } from './admin/operations.js';
export { adminSocketPath } from './admin/admin-socket.js';
export { TokenStore } from './store/token-store.js';
export { defaultStateDir } from './store/state-dir.js';
// What the stores throw for an unusable state directory or file (shared with the agent).
export { StateError } from '@mcp-workstation/wireguard';
export { AddressPool } from './store/address-pool.js';
export { loadApiKeys, API_KEYS_ENV } from './public/api-keys.js';
export type { GatewayWireGuard, GatewayPeer, GatewayInterfaceConfig, PeerStatistics } from './wireguard/types.js';
export { UserspaceWireGuard, type UserspaceWireGuardOptions } from './wireguard/userspace-wireguard.js';
/** For tests and development only: a WireGuard side that installs nothing (see its comment). */
export { NoopWireGuard } from './wireguard/noop-wireguard.js';
export { createStreamLogger, silentLogger, type GatewayLogger, type LogLevel } from './log/logger.js';
export { GATEWAY_VERSION } from './version.js';
