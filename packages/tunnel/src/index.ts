// Public face of @mcp-workstation/tunnel: registration, key and state files, WireGuard
// backends, the control WebSocket, the tunnel listener and tunnel health (protocol.md §1-3).

// State directory and files.
export { AgentStateStore, newestKeyPair } from './state/agent-state.js';
export type { AgentState, AgentIdentity, AgentKeys, Registration, RevocationNote, KeyConfirmation } from './state/agent-state.js';
export { resolveStateDir, ensureStateDir, checkStateDir, SYSTEM_STATE_DIR } from './state/state-dir.js';
export { StateError } from './state/state-error.js';
export { generateX25519KeyPair, publicKeyFromPrivate } from './state/wireguard-key.js';
export type { KeyPair, GenerateKeyPair } from './state/wireguard-key.js';

// Registration (§1).
export { register, type RegisterOptions } from './registration/register.js';
export { RegistrationError } from './registration/registration-error.js';
export { readRegistrationToken, defaultTokenSources, TOKEN_ENV_VAR } from './registration/token-source.js';
export type { TokenSource, RegistrationToken } from './registration/token-source.js';
export { checkGatewayUrl, checkControlUrl, isLoopbackHost } from './registration/url-policy.js';
export type { RegistrationLogger } from './registration/logger.js';

// Control channel (§2).
export * from './control/index.js';
