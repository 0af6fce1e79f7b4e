import { networkOf, parseCidr } from './cidr.js';
import { CommandError, type CommandRunner } from '@mcp-workstation/wireguard';
import type { WireGuardConfig } from './types.js';

/** What iproute2 sets on a WireGuard interface; the WireGuard part is the backend's own. */
export interface NetworkSettings {
  interfaceName: string;
  /** The agent's tunnel address with prefix. */
  address: string;
  mtu: number;
  /** The peer's allowedIps, routed through the interface. */
  routes: readonly string[];
}

export function networkSettings(config: WireGuardConfig): NetworkSettings {
  return { interfaceName: config.interfaceName, address: config.address, mtu: config.mtu, routes: config.peer.allowedIps };
}

/**
 * Addresses, MTU, link state and routes of one interface, through `ip` (iproute2) with
 * argv only. Shared by the kernel and wireguard-go backends, which differ only in the device
 * behind the interface (how it comes to exist, is configured and goes away).
 */
export class InterfaceNetwork {
  constructor(
    private readonly run: CommandRunner,
    private readonly ip = 'ip',
  ) {}

  /**
   * Moves the interface from `previous` (null: freshly created) to `next` with as few
   * changes as possible, so a live apply does not disturb what did not change.
   */
  async apply(previous: NetworkSettings | null, next: NetworkSettings): Promise<void> {
    const name = next.interfaceName;
    if (previous?.address !== next.address) await this.addAddress(name, next.address);
    if (previous && previous.address !== next.address) await this.removeAddress(name, previous.address);
    if (previous?.mtu !== next.mtu) await this.run(this.ip, ['link', 'set', 'dev', name, 'mtu', String(next.mtu), 'up']);
    const existing = new Set((previous?.routes ?? []).map(networkOf));
    const wanted = new Set(next.routes.map(networkOf));
    for (const route of wanted) {
      if (!existing.has(route)) await this.run(this.ip, ['route', 'replace', route, 'dev', name]);
    }
    for (const route of existing) {
      if (!wanted.has(route)) await this.deleteRoute(name, route);
    }
  }

  private async addAddress(name: string, address: string): Promise<void> {
    // nodad: an IPv6 address stays "tentative" during duplicate address detection and
    // the tunnel listener could not bind it yet; a point-to-point tunnel has no duplicates.
    const ipv6 = parseCidr(address).family === 6 ? ['nodad'] : [];
    await this.run(this.ip, ['address', 'replace', address, 'dev', name, ...ipv6]);
  }

  private async removeAddress(name: string, address: string): Promise<void> {
    try {
      await this.run(this.ip, ['address', 'del', address, 'dev', name]);
    } catch (error) {
      if (!(error instanceof CommandError && /Cannot assign requested address/i.test(error.stderr))) throw error;
    }
  }

  private async deleteRoute(name: string, route: string): Promise<void> {
    try {
      await this.run(this.ip, ['route', 'del', route, 'dev', name]);
    } catch (error) {
      if (!(error instanceof CommandError && /No such process|Cannot find device/i.test(error.stderr))) throw error;
    }
  }
}
