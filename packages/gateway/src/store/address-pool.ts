import { isIP } from 'node:net';

/**
 * The IPv4 prefix agents' tunnel addresses come from (default 100.96.0.0/16, inside the
 * CGNAT range that no LAN uses). The gateway's own tunnel address is in it too (the first
 * host by default); the network and broadcast addresses are never handed out.
 */
export class AddressPool {
  readonly cidr: string;
  readonly gatewayAddress: string;
  private readonly first: number;
  private readonly last: number;

  constructor(cidr: string, gatewayAddress?: string) {
    const { base, bits } = parseIpv4Cidr(cidr);
    const size = 2 ** (32 - bits);
    if (size < 4) throw new Error(`--address-pool ${cidr} is too small: it needs room for the gateway and an agent (a /30 at most)`);
    this.first = base + 1;
    this.last = base + size - 2;
    this.cidr = `${intToIpv4(base)}/${bits}`;
    this.gatewayAddress = gatewayAddress ?? intToIpv4(this.first);
    if (!this.contains(this.gatewayAddress)) {
      throw new Error(`the gateway tunnel address ${this.gatewayAddress} is not a host address of --address-pool ${this.cidr}`);
    }
  }

  /** Whether `address` is a host address of the pool (not its network or broadcast address). */
  contains(address: string): boolean {
    if (isIP(address) !== 4) return false;
    const value = ipv4ToInt(address);
    return value >= this.first && value <= this.last;
  }

  /** The lowest free host address, or null when every one is taken. */
  allocate(taken: ReadonlySet<string>): string | null {
    for (let value = this.first; value <= this.last; value += 1) {
      const address = intToIpv4(value);
      if (address !== this.gatewayAddress && !taken.has(address)) return address;
    }
    return null;
  }
}

export function parseIpv4Cidr(cidr: string): { base: number; bits: number } {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!match || isIP(match[1]!) !== 4 || Number(match[2]) > 32) {
    throw new Error(`--address-pool must be an IPv4 prefix such as 100.96.0.0/16, not "${cidr}"`);
  }
  const bits = Number(match[2]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ipv4ToInt(match[1]!) & mask) >>> 0, bits };
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
