// Public face of @mcp-workstation/tunnel: registration, key and state files, WireGuard
// backends, the control WebSocket, the tunnel listener and tunnel health (protocol.md §1-3).

// The agent: everything below, wired together.
export * from './agent/index.js';

// State directory and files.
export { AgentStateStore, newestKeyPair } from './state/agent-state.js';
export type { AgentState, AgentIdentity, AgentKeys, Registration, RevocationNote, KeyConfirmation } from './state/agent-state.js';
export { resolveStateDir, SYSTEM_STATE_DIR } from './state/state-dir.js';
// The state directory's checks and its error are shared with the gateway (@mcp-workstation/wireguard).
export { ensureStateDir, checkStateDir, StateError } from '@mcp-workstation/wireguard';

// Registration (§1).
export { register, type RegisterOptions } from './registration/register.js';
export { RegistrationError } from './registration/registration-error.js';
export { readRegistrationToken, defaultTokenSources, TOKEN_ENV_VAR } from './registration/token-source.js';
export type { TokenSource, RegistrationToken } from './registration/token-source.js';
export { checkGatewayUrl, checkControlUrl, isLoopbackHost } from './registration/url-policy.js';
export type { RegistrationLogger } from './registration/logger.js';

// Control channel (§2).
export * from './control/index.js';

// WireGuard backends and the tunnel listener (§3).
export * from './wireguard/types.js';
export { createWireGuardBackend, parseBackendChoice, BACKEND_CHOICES, kernelWireGuardAvailable } from './wireguard/select-backend.js';
export type { BackendChoice, SelectBackendOptions } from './wireguard/select-backend.js';
export { WireGuardGoBackend } from './wireguard/backend-wireguard-go.js';
export { KernelBackend } from './wireguard/backend-kernel.js';
export { KernelModuleMissingError } from '@mcp-workstation/wireguard';
export type { OsBackendOptions, WireGuardGoBackendOptions, KernelBackendOptions } from './wireguard/backend-options.js';
export { assertPrerequisites, findPrerequisiteProblems, PrerequisiteError } from './wireguard/prerequisites.js';
export type { PrerequisiteProblem, PrerequisiteCode } from './wireguard/prerequisites.js';
export { interfaceNameProblem } from './wireguard/interface-name.js';
export { validateWireGuardConfig } from './wireguard/validate-config.js';
export { listenOnTunnelAddress } from './wireguard/tunnel-listener.js';
export { createAddressMatcher } from './wireguard/cidr.js';
// Keys, for callers that make or check them; they live in @mcp-workstation/wireguard.
export { generateKeyPair, publicKeyFromPrivate, isWireGuardKey } from '@mcp-workstation/wireguard';
export type { WireGuardKeyPair, GenerateKeyPair } from '@mcp-workstation/wireguard';
