import { AddressPool } from './address-pool.js';

describe('AddressPool', () => {
  it('gives the gateway the first host and agents the lowest free ones', () => {
    const pool = new AddressPool('100.96.0.0/16');
    expect(pool.gatewayAddress).toBe('100.96.0.1');
    expect(pool.allocate(new Set())).toBe('100.96.0.2');
    expect(pool.allocate(new Set(['100.96.0.2', '100.96.0.4']))).toBe('100.96.0.3');
  });

  it('crosses octet boundaries and never hands out the broadcast address', () => {
    const pool = new AddressPool('10.0.0.0/23');
    const taken = new Set<string>();
    for (let i = 2; i <= 255; i += 1) taken.add(`10.0.0.${i}`);
    expect(pool.allocate(taken)).toBe('10.0.1.0');
    for (let i = 0; i <= 254; i += 1) taken.add(`10.0.1.${i}`);
    expect(pool.allocate(taken)).toBeNull(); // 10.0.1.255 is the broadcast address
  });

  it('runs out: a /30 holds the gateway and one agent', () => {
    const pool = new AddressPool('192.168.9.4/30');
    expect(pool.allocate(new Set())).toBe('192.168.9.6');
    expect(pool.allocate(new Set(['192.168.9.6']))).toBeNull();
  });

  it('normalizes the prefix and honours a chosen gateway address', () => {
    const pool = new AddressPool('100.96.3.77/24', '100.96.3.10');
    expect(pool.cidr).toBe('100.96.3.0/24');
    expect(pool.allocate(new Set())).toBe('100.96.3.1');
    expect(pool.contains('100.96.3.254')).toBe(true);
    expect(pool.contains('100.96.3.255')).toBe(false);
    expect(pool.contains('100.96.4.1')).toBe(false);
  });

  it.each([
    ['100.96.0.0', /IPv4 prefix/],
    ['fd00::/64', /IPv4 prefix/],
    ['100.96.0.0/33', /IPv4 prefix/],
    ['100.96.0.0/31', /too small/],
  ])('refuses %s with the reason', (cidr, reason) => {
    expect(() => new AddressPool(cidr)).toThrow(reason);
  });

  it('refuses a gateway address outside the pool', () => {
    expect(() => new AddressPool('100.96.0.0/24', '100.97.0.1')).toThrow(/not a host address of --address-pool 100.96.0.0\/24/);
  });
});
