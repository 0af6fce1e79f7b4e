import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { listenOnTunnelAddress } from './tunnel-listener';
import type { TunnelListener } from './types';

// Loopback stands in for the tunnel address here: the filtering and hand-over are the same
// code whatever interface holds the address (test/e2e/wireguard-backend covers WireGuard).

interface Exchange {
  reply: string;
  closedWithoutData: boolean;
}

function exchange(port: number, localAddress: string, host = '127.0.0.1'): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port, localAddress });
    let reply = '';
    socket.setTimeout(10_000, () => reject(new Error('no answer and no close within 10 s')));
    socket.on('connect', () => socket.write('ping'));
    socket.on('data', (data) => {
      reply += data;
      socket.end();
    });
    socket.on('error', () => undefined); // a reset after the refusal is part of "closed"
    socket.on('close', () => resolve({ reply, closedWithoutData: reply === '' }));
  });
}

describe('listenOnTunnelAddress', () => {
  let listener: TunnelListener | undefined;
  const accepted: string[] = [];
  const refused: string[] = [];

  afterEach(async () => {
    await listener?.close();
    listener = undefined;
    accepted.length = 0;
    refused.length = 0;
  });

  async function listen(allowedSources: string[], host = '127.0.0.1'): Promise<TunnelListener> {
    listener = await listenOnTunnelAddress(host, {
      port: 0,
      allowedSources,
      onConnection: (socket: Duplex, remoteAddress: string) => {
        accepted.push(remoteAddress);
        socket.on('data', (data) => socket.write(`echo:${data}`));
      },
      onRefused: (remoteAddress) => refused.push(remoteAddress),
    });
    return listener;
  }

  it('hands connections from allowed sources to onConnection', async () => {
    const { port, address } = await listen(['127.0.0.1/32']);
    expect(address).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    await expect(exchange(port, '127.0.0.1')).resolves.toEqual({ reply: 'echo:ping', closedWithoutData: false });
    expect(accepted).toEqual(['127.0.0.1']);
    expect(refused).toEqual([]);
  });

  it('closes a connection from any other source at once and reports it', async () => {
    const { port } = await listen(['127.0.0.1/32']);
    await expect(exchange(port, '127.0.0.2')).resolves.toEqual({ reply: '', closedWithoutData: true });
    expect(refused).toEqual(['127.0.0.2']);
    expect(accepted).toEqual([]);
  });

  it('matches sources by block, not only by host', async () => {
    const { port } = await listen(['127.0.0.0/30']);
    await expect(exchange(port, '127.0.0.3')).resolves.toMatchObject({ reply: 'echo:ping' });
    await expect(exchange(port, '127.0.0.4')).resolves.toMatchObject({ closedWithoutData: true });
    expect(accepted).toEqual(['127.0.0.3']);
    expect(refused).toEqual(['127.0.0.4']);
  });

  it('serves IPv6 tunnel addresses', async () => {
    const { port, address } = await listen(['::1/128'], '::1');
    expect(address).toBe('::1');
    await expect(exchange(port, '::1', '::1')).resolves.toMatchObject({ reply: 'echo:ping' });
    expect(accepted).toEqual(['::1']);
  });

  it('destroys the connections it handed out when closed, and a second close is harmless', async () => {
    const { port } = await listen(['127.0.0.1/32']);
    const socket = connect({ host: '127.0.0.1', port });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await waitUntil(() => accepted.length === 1);
    await listener!.close();
    await closed;
    await listener!.close();
    await expect(connectionError(port)).resolves.toBe('ECONNREFUSED');
  });

  it('explains an address that no interface holds', async () => {
    // TEST-NET-1 is never configured on this host; binding sends no traffic.
    await expect(listen(['192.0.2.1/32'], '192.0.2.77')).rejects.toThrow(
      'cannot listen on the tunnel address 192.0.2.77:0: no interface has that address (is the WireGuard interface up with its address?)',
    );
  });

  it('explains a port in use', async () => {
    const first = await listen(['127.0.0.1/32']);
    await expect(
      listenOnTunnelAddress('127.0.0.1', { port: first.port, allowedSources: ['127.0.0.1/32'], onConnection: () => undefined }),
    ).rejects.toThrow(/the port is in use by another program/);
  });

  it('rejects malformed allowed sources before listening', async () => {
    await expect(listen(['not-a-block'])).rejects.toThrow(/invalid address block "not-a-block"/);
  });
});

function connectionError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
