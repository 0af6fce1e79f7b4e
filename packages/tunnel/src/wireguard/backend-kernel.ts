import type { KernelBackendOptions } from './backend-options.js';
import { errorMessage } from './backend-status.js';
import { InterfaceNetwork, networkSettings } from './interface-network.js';
import { OsBackend } from './os-backend.js';
import { NO_PEER_STATISTICS } from './peer-statistics.js';
import { assertPrerequisites } from './prerequisites.js';
import { withPrivateKeyFile } from './private-key-file.js';
import { CommandError, runCommand, type CommandRunner } from '@mcp-workstation/wireguard';
import type { PeerStatistics, WireGuardConfig } from './types.js';
import { validateWireGuardConfig } from './validate-config.js';
import { parseWgDump } from './wg-dump.js';
import { changesBetween, fullConfiguration, hasChanges, toWgSetArgs, type WireGuardChanges } from './wireguard-changes.js';

/** `ip link add … type wireguard` failed because this kernel has no WireGuard module. */
export class KernelModuleMissingError extends Error {
  constructor(detail: string) {
    super(
      `this kernel has no WireGuard module (${detail.trim()}): load it with \`sudo modprobe wireguard\` ` +
        '(built into Linux 5.6 and later; older kernels need the wireguard-dkms package), ' +
        'or use the wireguard-go backend (`auto` picks it when the module is missing)',
    );
    this.name = 'KernelModuleMissingError';
  }
}

/**
 * WireGuard in the Linux kernel: `ip link add <ifname> type wireguard`, configured with
 * `wg set` (the private key through a short-lived 0600 file, never argv) and read with `wg show <ifname> dump`.
 * Nothing to supervise: the interface lives in the kernel until down() deletes it.
 */
export class KernelBackend extends OsBackend {
  readonly kind = 'kernel' as const;
  /** Set only once this backend created the interface: down() never deletes another's. */
  private createdInterface: string | null = null;
  private readonly network: InterfaceNetwork;
  private readonly run: CommandRunner;
  private readonly ip: string;
  private readonly wg: string;

  constructor(private readonly options: KernelBackendOptions = {}) {
    super('kernel', options.logger);
    this.run = options.runCommand ?? runCommand;
    this.ip = options.ipPath ?? 'ip';
    this.wg = options.wgPath ?? 'wg';
    this.network = new InterfaceNetwork(this.run, this.ip);
  }

  async statistics(): Promise<PeerStatistics> {
    const config = this.requireConfig('read statistics');
    const { stdout } = await this.run(this.wg, ['show', config.interfaceName, 'dump']);
    const peer = parseWgDump(stdout).find((candidate) => candidate.publicKey === config.peer.publicKey);
    if (!peer) return { ...NO_PEER_STATISTICS };
    return { lastHandshakeAt: peer.lastHandshakeAt, rxBytes: peer.rxBytes, txBytes: peer.txBytes, endpoint: peer.endpoint };
  }

  protected async bringUp(config: WireGuardConfig): Promise<void> {
    if (this.config) {
      throw new Error(`WireGuard interface ${this.config.interfaceName} is already up: use apply() to change it, or down() first`);
    }
    validateKernelConfig(config);
    this.reporter.set('starting', `creating ${config.interfaceName}`);
    try {
      await (this.options.checkPrerequisites ?? assertPrerequisites)(this.kind, config.interfaceName);
      await this.createInterface(config.interfaceName);
      this.config = config;
      await this.writeWireGuard(config.interfaceName, fullConfiguration(config));
      await this.network.apply(null, networkSettings(config));
      this.reporter.set('up', `${config.interfaceName} is up with ${config.address}`);
    } catch (error) {
      await this.teardown();
      this.reporter.set('failed', errorMessage(error));
      throw error;
    }
  }

  private async createInterface(name: string): Promise<void> {
    try {
      await this.run(this.ip, ['link', 'add', 'dev', name, 'type', 'wireguard']);
    } catch (error) {
      if (error instanceof CommandError && isModuleMissing(error.stderr)) throw new KernelModuleMissingError(error.stderr);
      throw error;
    }
    this.createdInterface = name;
  }

  private async writeWireGuard(name: string, changes: WireGuardChanges): Promise<void> {
    const { privateKey } = changes;
    if (privateKey === undefined) {
      await this.run(this.wg, toWgSetArgs(name, changes));
      return;
    }
    await withPrivateKeyFile(privateKey, (file) => this.run(this.wg, toWgSetArgs(name, changes, file)), this.options.keyFileDirectory);
  }

  protected async applyLive(next: WireGuardConfig): Promise<void> {
    const previous = this.requireConfig('apply a config');
    validateKernelConfig(next);
    if (next.interfaceName !== previous.interfaceName) {
      throw new Error(`the interface name cannot change live (${previous.interfaceName} → ${next.interfaceName}): call down() and up() instead`);
    }
    const changes = changesBetween(previous, next);
    if (hasChanges(changes)) await this.writeWireGuard(next.interfaceName, changes);
    await this.network.apply(networkSettings(previous), networkSettings(next));
    this.config = next;
  }

  /** Safe in any state, also after a failed up(). */
  protected async teardown(): Promise<void> {
    this.config = null;
    await this.closeListeners();
    const created = this.createdInterface;
    this.createdInterface = null;
    // Deleting the interface takes its addresses and routes with it.
    if (created) await this.network.deleteLink(created);
  }
}

function validateKernelConfig(config: WireGuardConfig): void {
  // The kernel backend is Linux-only, whatever platform the caller runs the checks for.
  validateWireGuardConfig(config, 'linux');
}

/** What iproute2 and the kernel say when `type wireguard` is unknown. */
export function isModuleMissing(stderr: string): boolean {
  return /Unknown device type|Operation not supported|not supported|No such device/i.test(stderr);
}
