import { CommandError, runCommand, type CommandRunner } from '../run-command.js';
import { hasChanges, toWgSetArgs } from './changes.js';
import { withPrivateKeyFile } from './private-key-file.js';
import type { DeviceChanges, DevicePeer, PeerChange, WireGuardDevice } from './types.js';
import { parseWgDump } from './wg-dump.js';

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

export interface KernelDeviceOptions {
  /** Runs `ip` and `wg`; tests substitute a recorder. */
  runCommand?: CommandRunner;
  /** iproute2's `ip`; default: `ip` on PATH. */
  ipPath?: string;
  /** wireguard-tools' `wg`; default: `wg` on PATH. */
  wgPath?: string;
  /** Where the short-lived private key file for `wg set` is made; default: os.tmpdir(). */
  keyFileDirectory?: string;
}

/**
 * WireGuard in the Linux kernel: an interface made with `ip link add <ifname> type wireguard`,
 * configured with `wg set` (the private key through a short-lived 0600 file, never argv) and
 * read with `wg show <ifname> dump`. Nothing to supervise: it lives in the kernel until close()
 * deletes it, and close() deletes only an interface this object created.
 */
export class KernelDevice implements WireGuardDevice {
  readonly kind = 'kernel' as const;
  private closed = false;
  /** Until the first configure(): a fresh interface has no peers to replace. */
  private fresh = true;

  private constructor(
    readonly interfaceName: string,
    private readonly run: CommandRunner,
    private readonly options: KernelDeviceOptions,
  ) {}

  /** Creates the interface; a kernel without the module is a KernelModuleMissingError. */
  static async create(interfaceName: string, options: KernelDeviceOptions = {}): Promise<KernelDevice> {
    const run = options.runCommand ?? runCommand;
    try {
      await run(options.ipPath ?? 'ip', ['link', 'add', 'dev', interfaceName, 'type', 'wireguard']);
    } catch (error) {
      if (error instanceof CommandError && isModuleMissing(error.stderr)) throw new KernelModuleMissingError(error.stderr);
      throw error;
    }
    return new KernelDevice(interfaceName, run, options);
  }

  async configure(changes: DeviceChanges): Promise<void> {
    const written = changes.replacePeers && !this.fresh ? await this.withOldPeersRemoved(changes) : changes;
    this.fresh = false;
    if (!hasChanges({ ...written, replacePeers: false })) return;
    const { privateKey } = written;
    if (privateKey === undefined) {
      await this.run(this.wg, toWgSetArgs(this.interfaceName, written));
      return;
    }
    await withPrivateKeyFile(privateKey, (file) => this.run(this.wg, toWgSetArgs(this.interfaceName, written, file)), this.options.keyFileDirectory);
  }

  async peers(): Promise<DevicePeer[]> {
    const { stdout } = await this.run(this.wg, ['show', this.interfaceName, 'dump']);
    return parseWgDump(stdout);
  }

  /** Deletes the interface (its addresses and routes go with it); one already gone is fine. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.run(this.options.ipPath ?? 'ip', ['link', 'del', 'dev', this.interfaceName]);
    } catch (error) {
      if (!isNoSuchDevice(error)) throw error;
    }
  }

  private get wg(): string {
    return this.options.wgPath ?? 'wg';
  }

  /** `wg set` cannot replace all peers at once: the peers the change does not name are removed first. */
  private async withOldPeersRemoved(changes: DeviceChanges): Promise<DeviceChanges> {
    const kept = new Set((changes.peers ?? []).map((peer) => peer.publicKey));
    const removals: PeerChange[] = (await this.peers()).filter((peer) => !kept.has(peer.publicKey)).map((peer) => ({ publicKey: peer.publicKey, remove: true }));
    return { ...changes, peers: [...removals, ...(changes.peers ?? [])] };
  }
}

/** What iproute2 and the kernel say when `type wireguard` is unknown. */
export function isModuleMissing(stderr: string): boolean {
  return /Unknown device type|Operation not supported|not supported|No such device/i.test(stderr);
}

/** iproute2's answer for a missing interface. */
function isNoSuchDevice(error: unknown): boolean {
  return error instanceof CommandError && /Cannot find device|does not exist/i.test(error.stderr);
}
