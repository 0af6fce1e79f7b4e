import { BlockList, isIP } from 'node:net';

/** An address block such as 100.96.0.1/32 or fd00::/64. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 4 | 6;
}

/** Parses "address/prefix"; a bare address is a single host (/32 or /128). */
export function parseCidr(text: string): Cidr {
  const [addressPart, prefixPart, ...rest] = text.trim().split('/');
  const address = addressPart ?? '';
  const family = isIP(address);
  // A zone (fe80::1%eth0) names a local link, which means nothing in a rule.
  if (rest.length > 0 || address.includes('%') || (family !== 4 && family !== 6)) {
    throw new Error(`invalid address block "${text}": expected an IPv4 or IPv6 address with an optional /prefix, e.g. 100.96.0.1/32`);
  }
  const maximum = family === 4 ? 32 : 128;
  const prefix = prefixPart === undefined ? maximum : Number(prefixPart);
  if (!/^\d{1,3}$/.test(prefixPart ?? String(maximum)) || prefix > maximum) {
    throw new Error(`invalid address block "${text}": the prefix must be a whole number from 0 to ${maximum}`);
  }
  return { address, prefix, family };
}

/** The block with its host bits cleared (100.96.0.7/24 → 100.96.0.0/24), as `ip route` wants it. */
export function networkOf(text: string): string {
  const { address, prefix, family } = parseCidr(text);
  const bytes = family === 4 ? address.split('.').map(Number) : ipv6Bytes(address);
  const masked = bytes.map((byte, index) => byte & maskByte(prefix - index * 8));
  return `${family === 4 ? masked.join('.') : formatIpv6(masked)}/${prefix}`;
}

function maskByte(bitsLeft: number): number {
  if (bitsLeft >= 8) return 0xff;
  if (bitsLeft <= 0) return 0;
  return (0xff << (8 - bitsLeft)) & 0xff;
}

/** The 16 bytes of a valid IPv6 literal (with "::" and an embedded IPv4 tail handled). */
function ipv6Bytes(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const expand = (parts: string[]): number[] =>
    parts.flatMap((part) => (part.includes('.') ? part.split('.').map(Number) : [parseInt(part, 16) >> 8, parseInt(part, 16) & 0xff]));
  const front = expand(groups(head));
  const back = tail === undefined ? [] : expand(groups(tail));
  return [...front, ...new Array<number>(16 - front.length - back.length).fill(0), ...back];
}

function formatIpv6(bytes: number[]): string {
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) groups.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16));
  // ip(8) accepts the uncompressed form; compressing is cosmetic and not worth the code.
  return groups.join(':');
}

/**
 * The canonical form of a socket's remote address: an IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1, what a dual-stack socket reports) becomes plain IPv4, and an IPv6
 * zone (fe80::1%eth0) is dropped, so one rule matches however the kernel reported the peer.
 */
export function normalizeAddress(address: string): string {
  const withoutZone = address.split('%')[0] ?? '';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(withoutZone);
  return mapped?.[1] ?? withoutZone;
}

/**
 * A predicate that says whether an address lies inside any of `cidrs`. Matching itself is
 * Node's BlockList; this adds the parsing with clear errors and the normalization above.
 */
export function createAddressMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const blocks = new BlockList();
  for (const cidr of cidrs) {
    const { address, prefix, family } = parseCidr(cidr);
    blocks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (candidate: string): boolean => {
    const address = normalizeAddress(candidate);
    const family = isIP(address);
    if (family === 0) return false;
    return blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
