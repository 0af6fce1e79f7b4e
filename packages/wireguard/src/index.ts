// Public face of @mcp-workstation/wireguard: the WireGuard plumbing that the agent's tunnel
// and the reference gateway share (architecture.md, packages): keys, the tools it runs, the
// userspace API (UAPI) of wireguard-go, and the private state files both keep.

// Keys in wg(8)'s format.
export { generateKeyPair, publicKeyFromPrivate, isWireGuardKey, keyToHex, keyFromHex } from './keys.js';
export type { WireGuardKeyPair, GenerateKeyPair } from './keys.js';

// Running ip and wg: argv only, never a shell.
export { runCommand, CommandError } from './run-command.js';
export type { CommandRunner, CommandResult, CommandOptions } from './run-command.js';

// The cross-platform userspace API (wireguard.com/xplatform) that wireguard-go serves.
export { uapiGet, uapiSet, uapiSocketIsLive, uapiSocketPath, UapiError, UAPI_SOCKET_DIRECTORY } from './uapi.js';
export type { UapiDevice, UapiPeer } from './uapi.js';

// State files: a 0700 directory, 0600 files, atomic writes, one StateError shape.
export { StateError } from './state-files/state-error.js';
export { ensureStateDir, checkStateDir } from './state-files/state-dir.js';
export { assertPrivate, formatMode, GROUP_OR_WORLD_ACCESS } from './state-files/permissions.js';
export {
  writeFileAtomic,
  writeJsonAtomic,
  readPrivateFile,
  readJsonFile,
  removeFile,
  removeStaleTempFiles,
  syncDirectory,
} from './state-files/atomic-file.js';
export type { ParseResult } from './state-files/atomic-file.js';
