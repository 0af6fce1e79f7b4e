import type { GatewayLogger } from '../log/logger.js';
import { checkInterfaceName, configureInterface, deleteInterface, interfaceExists } from './interface-setup.js';
import { keyToHex } from './keys.js';
import type { NamespaceOption } from './run-command.js';
import type { GatewayInterfaceConfig, GatewayPeer, GatewayWireGuard, PeerStatistics } from './types.js';
import { uapiRequest, uapiSocketPath } from './uapi-client.js';
import { GET_REQUEST, interfaceSetRequest, parsePeerStatistics, peerRemoveRequest, peerSetRequest } from './uapi-config.js';
import { WireGuardGoProcess } from './wireguard-go-process.js';

export interface UserspaceWireGuardOptions extends NamespaceOption {
  interfaceName: string;
  log: GatewayLogger;
  /** The wireguard-go program; default `wireguard-go` on PATH. */
  program?: string;
  /** Where wireguard-go puts UAPI sockets; default /var/run/wireguard. */
  runDir?: string;
}

const RESTART_BASE_MS = 1_000;
const RESTART_CAP_MS = 30_000;
/** Up this long and the restart backoff starts over. */
const HEALTHY_AFTER_MS = 60_000;

/**
 * The gateway's interface on wireguard-go, configured over UAPI (keys never in argv) with
 * routes by iproute2. It keeps the wanted configuration (key, port, peers) itself, so a
 * wireguard-go that dies is restarted with backoff and gets everything back.
 */
export class UserspaceWireGuard implements GatewayWireGuard {
  readonly kind = 'wireguard-go';
  private readonly process: WireGuardGoProcess;
  private readonly socketPath: string;
  private config: GatewayInterfaceConfig | null = null;
  private readonly peers = new Map<string, GatewayPeer>();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartAttempt = 0;
  private startedAt = 0;
  /** Set once wireguard-go ran here: only then is an interface of this name ours to delete. */
  private owned = false;

  constructor(private readonly options: UserspaceWireGuardOptions) {
    checkInterfaceName(options.interfaceName);
    this.socketPath = uapiSocketPath(options.interfaceName, options.runDir);
    this.process = new WireGuardGoProcess({
      interfaceName: options.interfaceName,
      socketPath: this.socketPath,
      program: options.program ?? 'wireguard-go',
      log: options.log,
      netns: options.netns,
    });
  }

  async start(config: GatewayInterfaceConfig): Promise<void> {
    this.config = config;
    this.stopping = false;
    for (const peer of config.peers) this.peers.set(peer.publicKey, peer);
    await this.reclaimLeftover(config.privateKey);
    await this.launch();
  }

  async setPeer(peer: GatewayPeer, replacing?: string): Promise<void> {
    if (replacing !== undefined) this.peers.delete(replacing);
    this.peers.set(peer.publicKey, peer);
    await this.apply(peerSetRequest(peer, replacing), `install peer ${peer.publicKey} (${peer.address})`);
  }

  async removePeer(publicKey: string): Promise<void> {
    this.peers.delete(publicKey);
    await this.apply(peerRemoveRequest(publicKey), `remove peer ${publicKey}`);
  }

  async statistics(): Promise<Map<string, PeerStatistics>> {
    if (!this.process.running) return new Map();
    try {
      return parsePeerStatistics(await uapiRequest(this.socketPath, GET_REQUEST));
    } catch (err) {
      this.options.log.warn(`cannot read WireGuard statistics: ${(err as Error).message}`);
      return new Map();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.process.stop();
    if (this.owned) await deleteInterface(this.options.interfaceName, this.options);
  }

  private async launch(): Promise<void> {
    const config = this.config!;
    await this.process.start((reason) => this.onUnexpectedExit(reason));
    this.owned = true;
    this.startedAt = Date.now();
    try {
      await uapiRequest(this.socketPath, interfaceSetRequest(config.privateKey, config.listenPort, [...this.peers.values()]));
      await configureInterface(this.options.interfaceName, config.address, config.poolCidr, config.mtu, this.options);
    } catch (err) {
      await this.process.stop();
      throw err;
    }
    this.options.log.info(`WireGuard interface ${this.options.interfaceName} is up`, {
      address: `${config.address}/32`,
      listenPort: config.listenPort,
      peers: this.peers.size,
    });
  }

  /** A change made while wireguard-go is down is only remembered: the restart applies it with the rest. */
  private async apply(request: string, what: string): Promise<void> {
    if (!this.process.running) {
      this.options.log.warn(`wireguard-go is not running; will ${what} when it is back`);
      return;
    }
    try {
      await uapiRequest(this.socketPath, request);
    } catch (err) {
      this.options.log.error(`cannot ${what}: ${(err as Error).message}`);
    }
  }

  private onUnexpectedExit(reason: string): void {
    if (this.stopping) return;
    if (Date.now() - this.startedAt > HEALTHY_AFTER_MS) this.restartAttempt = 0;
    const delay = Math.min(RESTART_CAP_MS, RESTART_BASE_MS * 2 ** this.restartAttempt);
    this.restartAttempt += 1;
    this.options.log.error(`${reason}; restarting it in ${delay} ms`, { interface: this.options.interfaceName });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      deleteInterface(this.options.interfaceName, this.options)
        .then(() => this.launch())
        .catch((err: Error) => this.onUnexpectedExit(`restarting wireguard-go failed: ${err.message}`));
    }, delay);
  }

  /**
   * An interface of this name left behind by an earlier run of this gateway (killed before it
   * could stop wireguard-go) is removed; one that belongs to anything else is not touched.
   */
  private async reclaimLeftover(privateKey: string): Promise<void> {
    const name = this.options.interfaceName;
    if (!(await interfaceExists(name, this.options))) return;
    const answer = await uapiRequest(this.socketPath, GET_REQUEST, 2_000).catch(() => '');
    if (!answer.includes(`private_key=${keyToHex(privateKey)}\n`)) {
      throw new Error(
        `the interface ${name} already exists and is not this gateway's: choose another --wg-interface, or remove it (ip link delete ${name})`,
      );
    }
    this.options.log.warn(`removing the interface ${name} left behind by an earlier run of this gateway`);
    await deleteInterface(name, this.options);
    const deadline = Date.now() + 5_000;
    while (await uapiRequest(this.socketPath, GET_REQUEST, 500).then(() => true, () => false)) {
      if (Date.now() > deadline) throw new Error(`the wireguard-go behind the leftover interface ${name} does not exit: kill it, then start again`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
