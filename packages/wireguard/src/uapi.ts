import { connect } from 'node:net';
import path from 'node:path';
import { keyFromHex, publicKeyFromPrivate } from './keys.js';

/**
 * A client for the cross-platform WireGuard userspace API (wireguard.com/xplatform), the
 * unix socket wireguard-go serves. Talking to it directly keeps the private key out of argv
 * and temporary files (it travels only over a root-owned 0700 socket) and needs no `wg`.
 */

/** Where wireguard-go puts its sockets, on Linux and macOS alike. */
export const UAPI_SOCKET_DIRECTORY = '/var/run/wireguard';

export function uapiSocketPath(interfaceName: string, directory = UAPI_SOCKET_DIRECTORY): string {
  return path.join(directory, `${interfaceName}.sock`);
}

export interface UapiPeer {
  /** base64 */
  publicKey: string;
  endpoint: string | null;
  lastHandshakeTimeSec: number;
  lastHandshakeTimeNsec: number;
  rxBytes: number;
  txBytes: number;
  persistentKeepaliveInterval: number;
  allowedIps: string[];
}

export interface UapiDevice {
  /** base64, derived from the device's private key (which is read past, never kept); null: none set. */
  publicKey: string | null;
  listenPort: number | null;
  peers: UapiPeer[];
}

/** wireguard-go refused a request; `errno` is its (negative) error number. */
export class UapiError extends Error {
  constructor(
    message: string,
    readonly errno: number | null,
  ) {
    super(message);
    this.name = 'UapiError';
  }
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** Sends a `set=1` operation; `lines` are "key=value" without the trailing blank line. */
export async function uapiSet(socketPath: string, lines: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const response = await exchange(socketPath, `set=1\n${lines.map((line) => `${line}\n`).join('')}\n`, timeoutMs);
  checkErrno(response, 'set');
}

/** Sends a `get=1` operation and parses the device (the private key is read past, never kept). */
export async function uapiGet(socketPath: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<UapiDevice> {
  const response = await exchange(socketPath, 'get=1\n\n', timeoutMs);
  checkErrno(response, 'get');
  return parseDevice(response);
}

/** True when something answers on the socket (a stale socket file of a killed process does not). */
export function uapiSocketIsLive(socketPath: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const finish = (live: boolean): void => {
      socket.destroy();
      resolve(live);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * One request on a fresh connection. wireguard-go keeps the connection open for further
 * requests, so the answer ends at the blank line after `errno=`, not at end of stream.
 */
function exchange(socketPath: string, request: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let received = '';
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => fail(new UapiError(`no answer from wireguard-go on ${socketPath} within ${timeoutMs} ms`, null)));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(explainConnectError(error, socketPath)));
    socket.once('end', () => fail(new UapiError(`wireguard-go closed ${socketPath} before answering`, null)));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (answerErrno(received) !== null) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.once('connect', () => socket.write(request));
  });
}

function explainConnectError(error: NodeJS.ErrnoException, socketPath: string): UapiError {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
    return new UapiError(`wireguard-go is not running: nothing answers on ${socketPath}`, null);
  }
  return new UapiError(`cannot reach wireguard-go on ${socketPath}: ${error.message}`, null);
}

const ERRNO_MEANINGS: Record<number, string> = {
  [-98]: 'the UDP listen port is in use',
  [-22]: 'an invalid value (key, endpoint, allowed IP or port)',
  [-71]: 'a malformed request',
  [-5]: 'an I/O error',
};

/** The `errno=N` line that ends every answer (0: success), or null while the answer is incomplete. */
export function answerErrno(response: string): number | null {
  const match = /(?:^|\n)errno=(-?\d+)\n\n$/.exec(response);
  return match ? Number(match[1]) : null;
}

function checkErrno(response: string, operation: string): void {
  const errno = answerErrno(response) ?? NaN;
  if (errno === 0) return;
  const meaning = ERRNO_MEANINGS[errno] ?? 'see wireguard-go\'s log';
  throw new UapiError(`wireguard-go refused the ${operation} request (errno=${errno}: ${meaning})`, Number.isNaN(errno) ? null : errno);
}

/** Each `public_key=` line opens a peer; the lines after it belong to that peer. */
export function parseDevice(response: string): UapiDevice {
  const device: UapiDevice = { publicKey: null, listenPort: null, peers: [] };
  let peer: UapiPeer | null = null;
  for (const line of response.split('\n')) {
    const separator = line.indexOf('=');
    if (separator <= 0) continue;
    const key = line.slice(0, separator);
    const value = line.slice(separator + 1);
    if (key === 'public_key') {
      peer = emptyPeer(keyFromHex(value, 'public key'));
      device.peers.push(peer);
    } else if (peer) {
      applyPeerField(peer, key, value);
    } else if (key === 'listen_port') {
      device.listenPort = Number(value);
    } else if (key === 'private_key') {
      device.publicKey = publicKeyFromPrivate(keyFromHex(value, 'private key'));
    }
  }
  return device;
}

function emptyPeer(publicKey: string): UapiPeer {
  return {
    publicKey,
    endpoint: null,
    lastHandshakeTimeSec: 0,
    lastHandshakeTimeNsec: 0,
    rxBytes: 0,
    txBytes: 0,
    persistentKeepaliveInterval: 0,
    allowedIps: [],
  };
}

function applyPeerField(peer: UapiPeer, key: string, value: string): void {
  switch (key) {
    case 'endpoint':
      peer.endpoint = value;
      break;
    case 'last_handshake_time_sec':
      peer.lastHandshakeTimeSec = Number(value);
      break;
    case 'last_handshake_time_nsec':
      peer.lastHandshakeTimeNsec = Number(value);
      break;
    case 'rx_bytes':
      peer.rxBytes = Number(value);
      break;
    case 'tx_bytes':
      peer.txBytes = Number(value);
      break;
    case 'persistent_keepalive_interval':
      peer.persistentKeepaliveInterval = Number(value);
      break;
    case 'allowed_ip':
      peer.allowedIps.push(value);
      break;
    default:
      // preshared_key, protocol_version and future fields: not needed.
      break;
  }
}
