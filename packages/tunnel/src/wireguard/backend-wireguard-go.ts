import {
  NO_PEER_STATISTICS,
  RestartBackoff,
  WireGuardGoProcess,
  hasChanges,
  peerStatistics,
  runCommand,
  uapiSocketPath,
} from '@mcp-workstation/wireguard';
import type { WireGuardGoBackendOptions } from './backend-options.js';
import { errorMessage } from './backend-status.js';
import { InterfaceNetwork, networkSettings } from './interface-network.js';
import { OsBackend } from './os-backend.js';
import { assertPrerequisites } from './prerequisites.js';
import type { PeerStatistics, WireGuardConfig } from './types.js';
import { validateWireGuardConfig } from './validate-config.js';
import { changesBetween, fullConfiguration } from './wireguard-changes.js';

/**
 * WireGuard in userspace: one supervised `wireguard-go -f <ifname>` per interface,
 * configured over its UAPI socket, with addresses, MTU and routes set by `ip`.
 *
 * If wireguard-go dies, the state turns `starting` (or `failed` when it keeps dying) with
 * the reason, and the device is re-created and the whole config re-applied after a backoff,
 * so traffic resumes; the tunnel listener stays bound to the address throughout and serves
 * again as soon as the address is back.
 */
export class WireGuardGoBackend extends OsBackend {
  readonly kind = 'wireguard-go' as const;
  private device: WireGuardGoProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly network: InterfaceNetwork;
  private readonly backoff: RestartBackoff;

  constructor(private readonly options: WireGuardGoBackendOptions = {}) {
    super('wireguard-go', options.logger);
    this.network = new InterfaceNetwork(options.runCommand ?? runCommand, options.ipPath);
    this.backoff = new RestartBackoff(options.restartPolicy);
  }

  async statistics(): Promise<PeerStatistics> {
    const config = this.requireConfig('read statistics');
    if (!this.device) throw new Error(`no statistics while wireguard-go is not running (${this.reporter.status.reason})`);
    const peer = (await this.device.peers()).find((candidate) => candidate.publicKey === config.peer.publicKey);
    return peer ? peerStatistics(peer) : { ...NO_PEER_STATISTICS };
  }

  protected async bringUp(config: WireGuardConfig): Promise<void> {
    if (this.config) {
      throw new Error(`WireGuard interface ${this.config.interfaceName} is already up: use apply() to change it, or down() first`);
    }
    validateWireGuardConfig(config);
    this.reporter.set('starting', `starting wireguard-go for ${config.interfaceName}`);
    try {
      await (this.options.checkPrerequisites ?? assertPrerequisites)(this.kind, config.interfaceName);
      this.config = config;
      await this.startDevice(config);
      this.backoff.reset();
      this.reporter.set('up', `${config.interfaceName} is up with ${config.address}`);
    } catch (error) {
      await this.teardown();
      this.reporter.set('failed', errorMessage(error));
      throw error;
    }
  }

  /** Starts wireguard-go and writes the whole config (up() and every restart); all or nothing. */
  private async startDevice(config: WireGuardConfig): Promise<void> {
    const device = await WireGuardGoProcess.start({
      executable: this.options.wireguardGoPath ?? 'wireguard-go',
      interfaceName: config.interfaceName,
      socketPath: uapiSocketPath(config.interfaceName),
      logger: this.options.logger,
      startTimeoutMs: this.options.startTimeoutMs,
      logLevel: this.options.logLevel,
      onUnexpectedExit: (exited, description) => void this.queue.run(() => this.handleExit(exited, description)),
    });
    this.device = device;
    try {
      await device.configure(fullConfiguration(config));
      await this.network.apply(null, networkSettings(config));
    } catch (error) {
      this.device = null;
      await device.stop();
      throw error;
    }
  }

  protected async applyLive(next: WireGuardConfig): Promise<void> {
    const previous = this.requireConfig('apply a config');
    validateWireGuardConfig(next);
    if (next.interfaceName !== previous.interfaceName) {
      throw new Error(`the interface name cannot change live (${previous.interfaceName} → ${next.interfaceName}): call down() and up() instead`);
    }
    const device = this.device;
    if (!device) {
      this.config = next; // a restart is pending; it writes the whole new config
      return;
    }
    try {
      const changes = changesBetween(previous, next);
      if (hasChanges(changes)) await device.configure(changes);
      await this.network.apply(networkSettings(previous), networkSettings(next));
      this.config = next;
    } catch (error) {
      if (!device.hasExited) throw error;
      this.config = next; // it died under us; the restart writes the whole new config
    }
  }

  private async handleExit(device: WireGuardGoProcess, description: string): Promise<void> {
    if (device !== this.device) return; // already stopped or replaced
    this.device = null;
    await device.stop(); // removes the socket file a killed wireguard-go leaves behind
    this.scheduleRestart(`wireguard-go ${description}`);
  }

  private scheduleRestart(reason: string): void {
    if (this.restartTimer || !this.config) return;
    const { delayMs, failing } = this.backoff.next();
    this.reporter.set(failing ? 'failed' : 'starting', `${reason}; restarting in ${delayMs} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.queue.run(() => this.restart(reason));
    }, delayMs);
  }

  private async restart(reason: string): Promise<void> {
    const config = this.config;
    if (!config || this.device) return; // down() came first, or already running
    try {
      await this.startDevice(config);
      this.reporter.set('up', `${config.interfaceName} is up again after: ${reason}`);
    } catch (error) {
      this.scheduleRestart(`restarting wireguard-go failed: ${errorMessage(error)}`);
    }
  }

  /** Safe in any state, also after a failed up(): stops only what this backend started. */
  protected async teardown(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.config = null;
    await this.closeListeners();
    const device = this.device;
    this.device = null;
    // The interface, its addresses and routes belong to the process and vanish with it.
    await device?.stop();
  }
}
