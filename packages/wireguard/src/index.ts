// Public face of @mcp-workstation/wireguard: the WireGuard plumbing that the agent's tunnel
// and the reference gateway share (architecture.md, packages): keys, the tools it runs and
// the userspace API (UAPI) of wireguard-go.

// Keys in wg(8)'s format.
export { generateKeyPair, publicKeyFromPrivate, isWireGuardKey, keyToHex, keyFromHex } from './keys.js';
export type { WireGuardKeyPair, GenerateKeyPair } from './keys.js';

// Running ip and wg: argv only, never a shell.
export { runCommand, CommandError } from './run-command.js';
export type { CommandRunner, CommandResult, CommandOptions } from './run-command.js';

// The cross-platform userspace API (wireguard.com/xplatform) that wireguard-go serves.
export { uapiGet, uapiSet, uapiSocketIsLive, uapiSocketPath, UapiError, UAPI_SOCKET_DIRECTORY } from './uapi.js';
export type { UapiDevice, UapiPeer } from './uapi.js';
