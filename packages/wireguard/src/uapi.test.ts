import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { peerFromUapi, peerStatistics } from './device/peer-statistics';
import { generateKeyPair, keyFromHex, keyToHex, publicKeyFromPrivate } from './keys';
import { answerErrno, parseDevice, uapiGet, uapiSet, uapiSocketIsLive, uapiSocketPath } from './uapi';

// A stand-in for wireguard-go's side of the socket that speaks the protocol the way
// wireguard-go does (it keeps the connection open after each answer); the real one is
// exercised in test/e2e/wireguard-backend.test.ts.
function standIn(socketPath: string, answer: (request: string) => string): Promise<{ server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk;
      if (!buffered.endsWith('\n\n')) return;
      requests.push(buffered);
      socket.write(answer(buffered));
      buffered = '';
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(socketPath, () => resolve({ server, requests })));
}

describe('the UAPI client', () => {
  let dir: string;
  let server: Server | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'uapi-test-'));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a set request as key=value lines ending in a blank line and accepts errno=0', async () => {
    const socketPath = path.join(dir, 'wg0.sock');
    const standInServer = await standIn(socketPath, () => 'errno=0\n\n');
    server = standInServer.server;
    await uapiSet(socketPath, ['listen_port=51820', 'replace_peers=true']);
    expect(standInServer.requests).toEqual(['set=1\nlisten_port=51820\nreplace_peers=true\n\n']);
  });

  it('turns a non-zero errno into an error that says what it means', async () => {
    const socketPath = path.join(dir, 'wg0.sock');
    server = (await standIn(socketPath, () => 'errno=-98\n\n')).server;
    await expect(uapiSet(socketPath, ['listen_port=51820'])).rejects.toThrow('wireguard-go refused the set request (errno=-98: the UDP listen port is in use)');
  });

  it('reads a device with get=1', async () => {
    const socketPath = path.join(dir, 'wg0.sock');
    const peer = generateKeyPair().publicKey;
    server = (
      await standIn(socketPath, () => `private_key=${'11'.repeat(32)}\nlisten_port=40000\npublic_key=${keyToHex(peer)}\nrx_bytes=5\nerrno=0\n\n`)
    ).server;
    await expect(uapiGet(socketPath)).resolves.toMatchObject({ listenPort: 40000, peers: [{ publicKey: peer, rxBytes: 5 }] });
  });

  it('says plainly when nothing serves the socket, and a stale socket file is not live', async () => {
    const socketPath = path.join(dir, 'gone.sock');
    await expect(uapiGet(socketPath)).rejects.toThrow(`wireguard-go is not running: nothing answers on ${socketPath}`);
    expect(await uapiSocketIsLive(socketPath)).toBe(false);
  });

  it('gives up on a silent server after the timeout', async () => {
    const socketPath = path.join(dir, 'silent.sock');
    server = createServer((socket) => socket.resume()); // reads, never answers
    await new Promise<void>((resolve) => server!.listen(socketPath, () => resolve()));
    expect(await uapiSocketIsLive(socketPath)).toBe(true);
    await expect(uapiGet(socketPath, 200)).rejects.toThrow(/no answer from wireguard-go .* within 200 ms/);
  });

  it('names sockets as wireguard-go does', () => {
    expect(uapiSocketPath('wg0')).toBe('/var/run/wireguard/wg0.sock');
  });
});

describe('parseDevice', () => {
  it('reads each peer section and never keeps the private key, only the public key it makes', () => {
    const first = generateKeyPair().publicKey;
    const second = generateKeyPair().publicKey;
    const response = [
      `private_key=${'ab'.repeat(32)}`,
      'listen_port=51820',
      `public_key=${keyToHex(first)}`,
      'endpoint=192.0.2.2:51820',
      'last_handshake_time_sec=1700000000',
      'last_handshake_time_nsec=500000000',
      'tx_bytes=1000',
      'rx_bytes=2000',
      'persistent_keepalive_interval=25',
      'allowed_ip=100.96.0.1/32',
      'allowed_ip=fd00::1/128',
      'protocol_version=1',
      `public_key=${keyToHex(second)}`,
      'errno=0',
      '',
      '',
    ].join('\n');
    const device = parseDevice(response);
    expect(device).toEqual({
      publicKey: publicKeyFromPrivate(keyFromHex('ab'.repeat(32))),
      listenPort: 51820,
      peers: [
        {
          publicKey: first,
          endpoint: '192.0.2.2:51820',
          lastHandshakeTimeSec: 1700000000,
          lastHandshakeTimeNsec: 500000000,
          txBytes: 1000,
          rxBytes: 2000,
          persistentKeepaliveInterval: 25,
          allowedIps: ['100.96.0.1/32', 'fd00::1/128'],
        },
        expect.objectContaining({ publicKey: second, endpoint: null, allowedIps: [] }),
      ],
    });
    expect(JSON.stringify(device)).not.toContain('ab'.repeat(32));
  });
});

// Moved from the gateway's UAPI tests, where it read answers with a parser of its own.
describe('UAPI answers', () => {
  const A = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
  const B = 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=';
  const hexA = Buffer.from(A, 'base64').toString('hex');
  const hexB = Buffer.from(B, 'base64').toString('hex');

  it('reads errno', () => {
    expect(answerErrno('errno=0\n\n')).toBe(0);
    expect(answerErrno('private_key=00\nerrno=-22\n\n')).toBe(-22);
    expect(answerErrno('')).toBeNull();
  });

  it('reads per-peer statistics keyed by base64 key', () => {
    const answer = [
      'private_key=' + '11'.repeat(32),
      'listen_port=51820',
      `public_key=${hexA}`,
      'endpoint=10.0.0.2:41000',
      'last_handshake_time_sec=1700000000',
      'last_handshake_time_nsec=500000000',
      'rx_bytes=1234',
      'tx_bytes=5678',
      'allowed_ip=100.96.0.2/32',
      `public_key=${hexB}`,
      'last_handshake_time_sec=0',
      'last_handshake_time_nsec=0',
      'rx_bytes=0',
      'tx_bytes=0',
      'errno=0',
      '',
      '',
    ].join('\n');
    const stats = new Map(parseDevice(answer).peers.map((peer) => [peer.publicKey, peerStatistics(peerFromUapi(peer))]));
    expect(stats.get(A)).toEqual({ lastHandshakeAt: new Date(1_700_000_000_500), rxBytes: 1234, txBytes: 5678, endpoint: '10.0.0.2:41000' });
    expect(stats.get(B)).toEqual({ lastHandshakeAt: null, rxBytes: 0, txBytes: 0, endpoint: null });
  });
});
