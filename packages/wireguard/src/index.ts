// Public face of @mcp-workstation/wireguard: the WireGuard plumbing that the agent's tunnel
// and the reference gateway share (architecture.md, packages): keys, the tools it runs, the
// userspace API (UAPI), WireGuard devices behind one interface (the kernel's, a supervised
// wireguard-go process), and the private state files both keep.

// Keys in wg(8)'s format.
export { generateKeyPair, publicKeyFromPrivate, isWireGuardKey, keyToHex } from './keys.js';
export type { WireGuardKeyPair, GenerateKeyPair } from './keys.js';

// Running ip and wg: argv only, never a shell.
export { runCommand, CommandError } from './run-command.js';
export type { CommandRunner, CommandResult, CommandOptions, NamespaceOption } from './run-command.js';

// The cross-platform userspace API (wireguard.com/xplatform) that wireguard-go serves.
export { uapiGet, uapiSet, uapiSocketIsLive, uapiSocketPath, UapiError, UAPI_SOCKET_DIRECTORY } from './uapi.js';
export type { UapiDevice, UapiPeer } from './uapi.js';

// Devices: one interface, whatever runs WireGuard (kernel, wireguard-go; later in-process).
export type { WireGuardDevice, DeviceKind, DeviceChanges, PeerChange, DevicePeer, PeerStatistics, WireGuardLogger } from './device/types.js';
export { hasChanges, toUapiLines } from './device/changes.js';
export { NO_PEER_STATISTICS, peerStatistics } from './device/peer-statistics.js';
export { WireGuardGoProcess } from './device/wireguard-go-process.js';
export type { WireGuardGoProcessOptions } from './device/wireguard-go-process.js';
export { KernelDevice, KernelModuleMissingError } from './device/kernel-device.js';
export type { KernelDeviceOptions } from './device/kernel-device.js';
// A process that keeps dying is restarted ever more slowly, never given up on.
export { RestartBackoff } from './device/restart-backoff.js';
export type { RestartPolicy } from './device/restart-backoff.js';

// State files: a 0700 directory, 0600 files, atomic writes, one StateError shape.
export { StateError } from './state-files/state-error.js';
export { ensureStateDir, checkStateDir } from './state-files/state-dir.js';
export { formatMode, GROUP_OR_WORLD_ACCESS } from './state-files/permissions.js';
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
