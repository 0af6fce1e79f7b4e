import type { CommandRunner, RestartPolicy } from '@mcp-workstation/wireguard';
import type { BackendKind, TunnelLogger } from './types.js';

/** What both OS backends (kernel, wireguard-go) can be given; every field has a default. */
export interface OsBackendOptions {
  logger?: TunnelLogger;
  /** iproute2's `ip`; default: `ip` on PATH. */
  ipPath?: string;
  /** Runs `ip`/`wg`; tests substitute a recorder. */
  runCommand?: CommandRunner;
  /** Runs before up(); default: assertPrerequisites (privileges, tools, interface name). */
  checkPrerequisites?: (kind: BackendKind, interfaceName: string) => Promise<void>;
}

export interface WireGuardGoBackendOptions extends OsBackendOptions {
  /** Default: `wireguard-go` on PATH. */
  wireguardGoPath?: string;
  startTimeoutMs?: number;
  restartPolicy?: RestartPolicy;
  /** wireguard-go's LOG_LEVEL; default `error`. */
  logLevel?: 'error' | 'verbose';
}

export interface KernelBackendOptions extends OsBackendOptions {
  /** wireguard-tools' `wg`; default: `wg` on PATH. */
  wgPath?: string;
  /** Where the short-lived private key file for `wg set` is made; default: os.tmpdir(). */
  keyFileDirectory?: string;
}
