import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { gatewayTunnelAddress, nudgeHandshake } from './handshake-nudge';

describe('the handshake nudge', () => {
  let receiver: Socket | undefined;

  afterEach(() => {
    receiver?.close();
    receiver = undefined;
  });

  it('sends one empty datagram to the address (what makes WireGuard check its session)', async () => {
    receiver = createSocket('udp4');
    const bound = receiver;
    await new Promise<void>((resolve) => bound.bind(0, '127.0.0.1', resolve));
    const received = new Promise<Buffer>((resolve) => bound.once('message', (message) => resolve(message)));
    await nudgeHandshake('127.0.0.1', (bound.address() as AddressInfo).port);
    expect((await received).length).toBe(0);
  });

  it('refuses something that is not an address', async () => {
    await expect(nudgeHandshake('gw.example.com')).rejects.toThrow(/not an address/);
  });

  it("takes the gateway's address from the first allowedIps entry", () => {
    expect(gatewayTunnelAddress(['100.96.0.1/32', 'fd00::1/128'])).toBe('100.96.0.1');
    expect(gatewayTunnelAddress(['fd00:77::1/128'])).toBe('fd00:77::1');
    expect(gatewayTunnelAddress([])).toBeNull();
  });
});
