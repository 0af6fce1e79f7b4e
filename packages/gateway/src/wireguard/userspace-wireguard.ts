import {
  RestartBackoff,
  WireGuardGoProcess,
  peerStatistics,
  publicKeyFromPrivate,
  uapiGet,
  uapiSocketIsLive,
  uapiSocketPath,
  type DeviceChanges,
  type NamespaceOption,
  type RestartPolicy,
} from '@mcp-workstation/wireguard';
import type { GatewayLogger } from '../log/logger.js';
import { checkInterfaceName, configureInterface, deleteInterface, interfaceExists } from './interface-setup.js';
import { interfaceChanges, peerChanges, peerRemoval } from './peer-changes.js';
import type { GatewayInterfaceConfig, GatewayPeer, GatewayWireGuard, PeerStatistics } from './types.js';

export interface UserspaceWireGuardOptions extends NamespaceOption {
  interfaceName: string;
  log: GatewayLogger;
  /** The wireguard-go program; default `wireguard-go` on PATH. */
  program?: string;
  /** Where wireguard-go puts UAPI sockets; default /var/run/wireguard. */
  runDir?: string;
}

/**
 * The gateway's restart pace: about a second before the first restart, at most 30 s between
 * them; exits older than a minute are forgotten. (The gateway has no `failed` state to report.)
 */
const RESTART_POLICY: RestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, failedAfterExits: 5, windowMs: 60_000 };

/**
 * The gateway's interface on wireguard-go, configured over UAPI (keys never in argv) with
 * routes by iproute2. It keeps the wanted configuration (key, port, peers) itself, so a
 * wireguard-go that dies is restarted with backoff and gets everything back.
 */
export class UserspaceWireGuard implements GatewayWireGuard {
  readonly kind = 'wireguard-go';
  private device: WireGuardGoProcess | null = null;
  private readonly socketPath: string;
  private config: GatewayInterfaceConfig | null = null;
  private readonly peers = new Map<string, GatewayPeer>();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** A restart in progress, so stop() waits for it instead of leaving its process behind. */
  private restarting: Promise<void> | null = null;
  private readonly backoff = new RestartBackoff(RESTART_POLICY);
  /** Set once wireguard-go ran here: only then is an interface of this name ours to delete. */
  private owned = false;

  constructor(private readonly options: UserspaceWireGuardOptions) {
    checkInterfaceName(options.interfaceName);
    this.socketPath = uapiSocketPath(options.interfaceName, options.runDir);
  }

  async start(config: GatewayInterfaceConfig): Promise<void> {
    this.config = config;
    this.stopping = false;
    this.backoff.reset();
    for (const peer of config.peers) this.peers.set(peer.publicKey, peer);
    await this.reclaimLeftover(config.privateKey);
    await this.launch();
  }

  async setPeer(peer: GatewayPeer, replacing?: string): Promise<void> {
    if (replacing !== undefined) this.peers.delete(replacing);
    this.peers.set(peer.publicKey, peer);
    await this.apply(peerChanges(peer, replacing), `install peer ${peer.publicKey} (${peer.address})`);
  }

  async removePeer(publicKey: string): Promise<void> {
    this.peers.delete(publicKey);
    await this.apply(peerRemoval(publicKey), `remove peer ${publicKey}`);
  }

  async statistics(): Promise<Map<string, PeerStatistics>> {
    const device = this.device;
    if (!device) return new Map();
    try {
      return new Map((await device.peers()).map((peer) => [peer.publicKey, peerStatistics(peer)]));
    } catch (err) {
      this.options.log.warn(`cannot read WireGuard statistics: ${(err as Error).message}`);
      return new Map();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.restarting?.catch(() => undefined);
    const device = this.device;
    this.device = null;
    await device?.stop();
    if (this.owned) await deleteInterface(this.options.interfaceName, this.options);
  }

  private async launch(): Promise<void> {
    const config = this.config!;
    const device = await this.startProcess();
    this.device = device;
    this.owned = true;
    try {
      await device.configure(interfaceChanges(config, [...this.peers.values()]));
      await configureInterface(this.options.interfaceName, config.address, config.poolCidr, config.mtu, this.options);
    } catch (err) {
      this.device = null;
      await device.stop();
      throw err;
    }
    this.options.log.info(`WireGuard interface ${this.options.interfaceName} is up`, {
      address: `${config.address}/32`,
      listenPort: config.listenPort,
      peers: this.peers.size,
    });
  }

  /** wireguard-go in its own process group, stopped on this process's exit too (the shared wrapper). */
  private async startProcess(): Promise<WireGuardGoProcess> {
    const program = this.options.program ?? 'wireguard-go';
    try {
      return await WireGuardGoProcess.start({
        executable: program,
        interfaceName: this.options.interfaceName,
        socketPath: this.socketPath,
        netns: this.options.netns,
        logger: this.options.log,
        onUnexpectedExit: (exited, description) => void this.onUnexpectedExit(exited, `wireguard-go ${description}`),
      });
    } catch (err) {
      throw new Error(explainStartFailure(program, (err as Error).message));
    }
  }

  /** A change made while wireguard-go is down is only remembered: the restart applies it with the rest. */
  private async apply(changes: DeviceChanges, what: string): Promise<void> {
    const device = this.device;
    if (!device) {
      this.options.log.warn(`wireguard-go is not running; will ${what} when it is back`);
      return;
    }
    try {
      await device.configure(changes);
    } catch (err) {
      this.options.log.error(`cannot ${what}: ${(err as Error).message}`);
    }
  }

  private async onUnexpectedExit(exited: WireGuardGoProcess, reason: string): Promise<void> {
    if (exited !== this.device) return; // already stopped or replaced
    this.device = null;
    await exited.stop(); // removes the socket file a killed wireguard-go leaves behind
    this.scheduleRestart(reason);
  }

  private scheduleRestart(reason: string): void {
    if (this.stopping || this.restartTimer) return;
    const { delayMs } = this.backoff.next();
    this.options.log.error(`${reason}; restarting it in ${delayMs} ms`, { interface: this.options.interfaceName });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.restarting = deleteInterface(this.options.interfaceName, this.options)
        .then(() => this.launch())
        .catch((err: Error) => this.scheduleRestart(`restarting wireguard-go failed: ${err.message}`))
        .finally(() => (this.restarting = null));
    }, delayMs);
  }

  /**
   * An interface of this name left behind by an earlier run of this gateway (killed before it
   * could stop wireguard-go) is removed; one that belongs to anything else is not touched.
   */
  private async reclaimLeftover(privateKey: string): Promise<void> {
    const name = this.options.interfaceName;
    if (!(await interfaceExists(name, this.options))) return;
    const leftover = await uapiGet(this.socketPath, 2_000).catch(() => null);
    if (leftover?.publicKey !== publicKeyFromPrivate(privateKey)) {
      throw new Error(
        `the interface ${name} already exists and is not this gateway's: choose another --wg-interface, or remove it (ip link delete ${name})`,
      );
    }
    this.options.log.warn(`removing the interface ${name} left behind by an earlier run of this gateway`);
    await deleteInterface(name, this.options);
    const deadline = Date.now() + 5_000;
    while (await uapiSocketIsLive(this.socketPath, 500)) {
      if (Date.now() > deadline) throw new Error(`the wireguard-go behind the leftover interface ${name} does not exit: kill it, then start again`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The shared wrapper's start error, with what a gateway operator can do about it. */
function explainStartFailure(program: string, message: string): string {
  if (/ENOENT|exec of .* failed: No such file/.test(message)) {
    return `${message}: ${program} is not installed (or not on PATH): install it (Debian/Ubuntu: apt-get install wireguard-go wireguard-tools iproute2; macOS: brew install wireguard-go wireguard-tools), or run serve --wg-backend none for development without a tunnel`;
  }
  if (/permitted|permission|denied|EPERM|EACCES/i.test(message)) {
    return `${message}; the gateway's WireGuard interface needs root (or CAP_NET_ADMIN) and /dev/net/tun: run serve as root, or with --wg-backend none for development without a tunnel`;
  }
  return message;
}
