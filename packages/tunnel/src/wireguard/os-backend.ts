import { BackendStatusReporter } from './backend-status.js';
import { parseCidr } from './cidr.js';
import { nudgeThroughTunnel } from './handshake-nudge.js';
import { ListenerSet } from './listener-set.js';
import { SerialQueue } from './serial-queue.js';
import type { BackendKind, BackendStatus, PeerStatistics, TunnelListener, TunnelListenOptions, TunnelLogger, WireGuardBackend, WireGuardConfig } from './types.js';

/**
 * What the kernel and wireguard-go backends share: one operation at a time (up, apply and down
 * queue behind each other), the status and its subscribers, the tunnel listeners bound to the
 * current address, and the config the interface is up with. Each backend brings its own way
 * to bring the interface up, change it live, tear it down and read its statistics.
 */
export abstract class OsBackend implements WireGuardBackend {
  abstract readonly kind: BackendKind;
  /** The config the interface is up with; null while it is down. */
  protected config: WireGuardConfig | null = null;
  protected readonly queue = new SerialQueue();
  protected readonly reporter: BackendStatusReporter;
  private readonly listeners = new ListenerSet();

  protected constructor(
    kind: BackendKind,
    private readonly logger: TunnelLogger | undefined,
  ) {
    this.reporter = new BackendStatusReporter(kind, logger);
  }

  up(config: WireGuardConfig): Promise<void> {
    return this.queue.run(() => this.bringUp(config));
  }

  apply(config: WireGuardConfig): Promise<void> {
    return this.queue.run(() => this.applyLive(config));
  }

  down(): Promise<void> {
    return this.queue.run(async () => {
      await this.teardown();
      this.reporter.set('down', 'stopped');
    });
  }

  rehandshake(): Promise<void> {
    return nudgeThroughTunnel(this.config);
  }

  /** Binds the current tunnel address; after apply() moves the address, listen again. */
  async listen(options: TunnelListenOptions): Promise<TunnelListener> {
    const config = this.requireConfig('listen');
    return this.listeners.listen(parseCidr(config.address).address, options, this.logger);
  }

  status(): BackendStatus {
    return this.reporter.status;
  }

  onStatus(listener: (status: BackendStatus) => void): () => void {
    return this.reporter.subscribe(listener);
  }

  abstract statistics(): Promise<PeerStatistics>;
  protected abstract bringUp(config: WireGuardConfig): Promise<void>;
  protected abstract applyLive(next: WireGuardConfig): Promise<void>;
  /** Safe in any state, also after a failed up(); closeListeners() is part of it. */
  protected abstract teardown(): Promise<void>;

  protected closeListeners(): Promise<void> {
    return this.listeners.closeAll();
  }

  protected requireConfig(action: string): WireGuardConfig {
    if (!this.config) throw new Error(`cannot ${action}: the WireGuard interface is not up (call up() first)`);
    return this.config;
  }
}
