import { promises as fs } from 'node:fs';
import { endianness } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which local user opened a loopback TCP connection, on Linux: the kernel lists every TCP
 * socket in /proc/net/tcp and /proc/net/tcp6 with the uid that created it, as identd servers
 * have long used. The client's socket is the entry whose local address and port are the
 * remote end of our accepted socket, and whose remote end is ours.
 *
 * Elsewhere (macOS, the BSDs, Windows) there is no such table: the owner is unknown.
 */

export type SocketOwner =
  /** The uid of the process that opened the client's socket. */
  | { kind: 'uid'; uid: number }
  /** The peer is on another machine (or, off Linux, not on loopback): no local user to identify. */
  | { kind: 'remote' }
  /** This system does not say (not Linux, or /proc/net cannot be read). */
  | { kind: 'unknown'; reason: string }
  /** Linux, loopback, the tables read, and no entry for the client's end (it is gone already). */
  | { kind: 'not-found' };

export interface ConnectionEnds {
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
}

export interface SocketOwnerOptions {
  platform?: NodeJS.Platform;
  /** Where tcp and tcp6 are; a test may point elsewhere. Default /proc/net. */
  procNetDir?: string;
}

export async function socketOwner(ends: ConnectionEnds, options: SocketOwnerOptions = {}): Promise<SocketOwner> {
  const { localAddress, localPort, remoteAddress, remotePort } = ends;
  if (remoteAddress === undefined || remotePort === undefined || localAddress === undefined || localPort === undefined) {
    return { kind: 'unknown', reason: 'the connection is not TCP' };
  }
  const loopback = isLoopbackAddress(remoteAddress);
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return loopback ? { kind: 'unknown', reason: `${platform} does not tell which user opened a connection` } : { kind: 'remote' };
  const dir = options.procNetDir ?? '/proc/net';
  // The client's socket is where our remote end is its local one: its own family's table,
  // or tcp6 in the IPv4-mapped form when it used an IPv6 socket for an IPv4 address. A peer
  // on one of this machine's other addresses (a LAN address of a 0.0.0.0 listener) is found
  // the same way; one on another machine is in no table here.
  const needles = tableKeys(remoteAddress, remotePort, localAddress, localPort);
  const scanner = scannerFor(options.procNetDir ?? '/proc/net');
  let readAny = false;
  for (const table of ['tcp', 'tcp6'] as const) {
    const wanted = needles[table];
    if (wanted === undefined) continue;
    const found = await scanner.find(table, wanted);
    if (found === 'unreadable') continue;
    readAny = true;
    if (found !== undefined) return { kind: 'uid', uid: found };
  }
  if (!loopback) return { kind: 'remote' };
  return readAny ? { kind: 'not-found' } : { kind: 'unknown', reason: `${options.procNetDir ?? '/proc/net'}/tcp and tcp6 cannot be read` };
}

/**
 * Reads of /proc/net/tcp are not cheap: the kernel walks its whole established-connection
 * hash table (a fixed cost of milliseconds on a large machine, paid again by every reader).
 * So lookups share scans: one scan of a table serves every lookup waiting when it starts,
 * answers each as soon as its line goes by, and stops once all are answered. Lookups that
 * arrive during a scan wait for the next one (a scan begun before their connection was
 * accepted might have passed its bucket already). A storm of new connections costs a few
 * scans, not one each.
 */
class TableScanner {
  private readonly waiting = new Map<string, Array<(uid: number | undefined | 'unreadable') => void>>();
  private scanning = false;

  constructor(private readonly file: string) {}

  find(needle: string): Promise<number | undefined | 'unreadable'> {
    return new Promise((resolve) => {
      const list = this.waiting.get(needle);
      if (list) list.push(resolve);
      else this.waiting.set(needle, [resolve]);
      if (!this.scanning) void this.scan();
    });
  }

  private async scan(): Promise<void> {
    this.scanning = true;
    while (this.waiting.size > 0) {
      const pending = new Map(this.waiting);
      this.waiting.clear();
      await this.scanOnce(pending);
    }
    this.scanning = false;
  }

  private async scanOnce(pending: Map<string, Array<(uid: number | undefined | 'unreadable') => void>>): Promise<void> {
    const settle = (needle: string, value: number | undefined | 'unreadable') => {
      for (const resolve of pending.get(needle) ?? []) resolve(value);
      pending.delete(needle);
    };
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch {
      for (const needle of [...pending.keys()]) settle(needle, 'unreadable');
      return;
    }
    try {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      let carry = '';
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        const text = carry + buffer.toString('latin1', 0, bytesRead);
        const end = text.lastIndexOf('\n') + 1;
        carry = text.slice(end);
        const lines = text.slice(0, end);
        for (const needle of [...pending.keys()]) {
          const uid = uidOfEntry(lines, needle);
          if (uid !== undefined) settle(needle, uid);
        }
        if (pending.size === 0) return;
      }
      for (const needle of [...pending.keys()]) settle(needle, uidOfEntry(carry, needle));
    } catch {
      for (const needle of [...pending.keys()]) settle(needle, 'unreadable');
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}

const scanners = new Map<string, { tcp: TableScanner; tcp6: TableScanner }>();

function scannerFor(dir: string): { find(table: 'tcp' | 'tcp6', needle: string): Promise<number | undefined | 'unreadable'> } {
  let pair = scanners.get(dir);
  if (!pair) {
    pair = { tcp: new TableScanner(`${dir}/tcp`), tcp6: new TableScanner(`${dir}/tcp6`) };
    scanners.set(dir, pair);
  }
  const tables = pair;
  return { find: (table, needle) => tables[table].find(needle) };
}

/** " <local> <remote> " of the client's entry, in each table where it can be. */
function tableKeys(clientAddress: string, clientPort: number, ourAddress: string, ourPort: number): { tcp?: string; tcp6?: string } {
  const client4 = asIPv4(clientAddress);
  const ours4 = asIPv4(ourAddress);
  const keys: { tcp?: string; tcp6?: string } = {};
  if (client4 !== undefined && ours4 !== undefined) {
    keys.tcp = ` ${hexIPv4(client4)}:${hexPort(clientPort)} ${hexIPv4(ours4)}:${hexPort(ourPort)} `;
    keys.tcp6 = ` ${hexIPv6(`::ffff:${client4}`)}:${hexPort(clientPort)} ${hexIPv6(`::ffff:${ours4}`)}:${hexPort(ourPort)} `;
  } else if (isIPv6(clientAddress) && isIPv6(ourAddress)) {
    keys.tcp6 = ` ${hexIPv6(clientAddress)}:${hexPort(clientPort)} ${hexIPv6(ourAddress)}:${hexPort(ourPort)} `;
  }
  return keys;
}

/** The uid column (the 8th) of the line holding `key`, if any. */
function uidOfEntry(table: string, key: string): number | undefined {
  const at = table.indexOf(key);
  if (at < 0) return undefined;
  const lineStart = table.lastIndexOf('\n', at) + 1;
  const lineEnd = table.indexOf('\n', at);
  const fields = table.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim().split(/\s+/);
  const uid = Number(fields[7]);
  return Number.isInteger(uid) && uid >= 0 ? uid : undefined;
}

export function isLoopbackAddress(address: string): boolean {
  const v4 = asIPv4(address);
  if (v4 !== undefined) return v4.startsWith('127.');
  return isIPv6(address) && hexIPv6(address) === hexIPv6('::1');
}

/** "127.0.0.1" and "::ffff:127.0.0.1" -> "127.0.0.1"; other addresses -> undefined. */
function asIPv4(address: string): string | undefined {
  if (isIPv4(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped && isIPv4(mapped[1]!) ? mapped[1] : undefined;
}

const LITTLE_ENDIAN = endianness() === 'LE';

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/** The kernel prints the 32-bit address as it sits in memory, read as a native integer (%08X). */
function hexIPv4(address: string): string {
  return hexWord(address.split('.').map(Number));
}

/** Four 32-bit words, each printed as hexIPv4 prints its one. */
function hexIPv6(address: string): string {
  const bytes = ipv6Bytes(address);
  let out = '';
  for (let i = 0; i < 16; i += 4) out += hexWord(bytes.slice(i, i + 4));
  return out;
}

function hexWord(bytes: number[]): string {
  const ordered = LITTLE_ENDIAN ? [...bytes].reverse() : bytes;
  return ordered.map((byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** The 16 bytes of an IPv6 address in text form ("::1", "fe80::1%eth0", "::ffff:127.0.0.1"). */
function ipv6Bytes(address: string): number[] {
  const text = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...mapped[1]!.split('.').map(Number)];
  const [headText, tailText] = text.split('::') as [string, string | undefined];
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === undefined || tailText === '' ? [] : tailText.split(':');
  const groups = tailText === undefined ? head : [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return groups.flatMap((group) => {
    const value = parseInt(group, 16) || 0;
    return [(value >> 8) & 0xff, value & 0xff];
  });
}
