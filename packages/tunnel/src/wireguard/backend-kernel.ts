import { KernelDevice, NO_PEER_STATISTICS, hasChanges, peerStatistics, runCommand, type KernelDeviceOptions } from '@mcp-workstation/wireguard';
import type { KernelBackendOptions } from './backend-options.js';
import { errorMessage } from './backend-status.js';
import { InterfaceNetwork, networkSettings } from './interface-network.js';
import { OsBackend } from './os-backend.js';
import { assertPrerequisites } from './prerequisites.js';
import type { PeerStatistics, WireGuardConfig } from './types.js';
import { validateWireGuardConfig } from './validate-config.js';
import { changesBetween, fullConfiguration } from './wireguard-changes.js';

/**
 * WireGuard in the Linux kernel: a KernelDevice (`ip link add <ifname> type wireguard`,
 * configured with `wg set`, read with `wg show <ifname> dump`), with addresses, MTU and routes
 * set by `ip`. Nothing to supervise: the interface lives in the kernel until down() deletes it.
 */
export class KernelBackend extends OsBackend {
  readonly kind = 'kernel' as const;
  /** Set only once this backend created the interface: down() never deletes another's. */
  private device: KernelDevice | null = null;
  private readonly network: InterfaceNetwork;
  private readonly deviceOptions: KernelDeviceOptions;

  constructor(private readonly options: KernelBackendOptions = {}) {
    super('kernel', options.logger);
    const run = options.runCommand ?? runCommand;
    this.deviceOptions = { runCommand: run, ipPath: options.ipPath, wgPath: options.wgPath, keyFileDirectory: options.keyFileDirectory };
    this.network = new InterfaceNetwork(run, options.ipPath);
  }

  async statistics(): Promise<PeerStatistics> {
    const config = this.requireConfig('read statistics');
    const peer = (await this.requireDevice().peers()).find((candidate) => candidate.publicKey === config.peer.publicKey);
    return peer ? peerStatistics(peer) : { ...NO_PEER_STATISTICS };
  }

  protected async bringUp(config: WireGuardConfig): Promise<void> {
    if (this.config) {
      throw new Error(`WireGuard interface ${this.config.interfaceName} is already up: use apply() to change it, or down() first`);
    }
    validateKernelConfig(config);
    this.reporter.set('starting', `creating ${config.interfaceName}`);
    try {
      await (this.options.checkPrerequisites ?? assertPrerequisites)(this.kind, config.interfaceName);
      this.device = await KernelDevice.create(config.interfaceName, this.deviceOptions);
      this.config = config;
      await this.device.configure(fullConfiguration(config));
      await this.network.apply(null, networkSettings(config));
      this.reporter.set('up', `${config.interfaceName} is up with ${config.address}`);
    } catch (error) {
      await this.teardown();
      this.reporter.set('failed', errorMessage(error));
      throw error;
    }
  }

  protected async applyLive(next: WireGuardConfig): Promise<void> {
    const previous = this.requireConfig('apply a config');
    validateKernelConfig(next);
    if (next.interfaceName !== previous.interfaceName) {
      throw new Error(`the interface name cannot change live (${previous.interfaceName} → ${next.interfaceName}): call down() and up() instead`);
    }
    const changes = changesBetween(previous, next);
    if (hasChanges(changes)) await this.requireDevice().configure(changes);
    await this.network.apply(networkSettings(previous), networkSettings(next));
    this.config = next;
  }

  /** Safe in any state, also after a failed up(). */
  protected async teardown(): Promise<void> {
    this.config = null;
    await this.closeListeners();
    const device = this.device;
    this.device = null;
    // Deleting the interface takes its addresses and routes with it.
    await device?.close();
  }

  /** The device exists whenever a config does (up() sets both, teardown() clears both). */
  private requireDevice(): KernelDevice {
    if (!this.device) throw new Error('the WireGuard interface is not up (call up() first)');
    return this.device;
  }
}

function validateKernelConfig(config: WireGuardConfig): void {
  // The kernel backend is Linux-only, whatever platform the caller runs the checks for.
  validateWireGuardConfig(config, 'linux');
}
