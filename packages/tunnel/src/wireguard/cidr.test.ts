import { createAddressMatcher, networkOf, normalizeAddress, parseCidr } from './cidr';

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 blocks, and a bare address as one host', () => {
    expect(parseCidr('100.96.0.1/32')).toEqual({ address: '100.96.0.1', prefix: 32, family: 4 });
    expect(parseCidr('fd00::/64')).toEqual({ address: 'fd00::', prefix: 64, family: 6 });
    expect(parseCidr('192.0.2.9')).toEqual({ address: '192.0.2.9', prefix: 32, family: 4 });
    expect(parseCidr('fd00::1')).toEqual({ address: 'fd00::1', prefix: 128, family: 6 });
  });

  it.each(['', 'gateway', 'fe80::1%eth0/64', '300.1.1.1/32', '192.0.2.1/33', 'fd00::/129', '192.0.2.1/', '192.0.2.1/x', '192.0.2.1/24/1', '192.0.2.1/-1'])(
    'rejects %j with the expected form in the message',
    (text) => {
      expect(() => parseCidr(text)).toThrow(/invalid address block/);
    },
  );
});

describe('normalizeAddress', () => {
  it('turns an IPv4-mapped IPv6 address into IPv4 and drops IPv6 zones', () => {
    expect(normalizeAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('fd00::1')).toBe('fd00::1');
  });
});

describe('createAddressMatcher', () => {
  const allowed = createAddressMatcher(['100.96.0.1/32', '198.51.100.0/24', 'fd00:1::/64']);

  it('accepts addresses inside the blocks, however the socket reports them', () => {
    expect(allowed('100.96.0.1')).toBe(true);
    expect(allowed('::ffff:100.96.0.1')).toBe(true);
    expect(allowed('198.51.100.200')).toBe(true);
    expect(allowed('fd00:1::abcd')).toBe(true);
  });

  it('refuses everything else', () => {
    expect(allowed('100.96.0.2')).toBe(false);
    expect(allowed('::ffff:100.96.0.2')).toBe(false);
    expect(allowed('198.51.101.1')).toBe(false);
    expect(allowed('fd00:2::1')).toBe(false);
    expect(allowed('127.0.0.1')).toBe(false);
    expect(allowed('')).toBe(false);
    expect(allowed('garbage')).toBe(false);
  });

  it('refuses everything when no block is given', () => {
    expect(createAddressMatcher([])('100.96.0.1')).toBe(false);
  });

  it('fails on a malformed block instead of ignoring it', () => {
    expect(() => createAddressMatcher(['100.96.0.1/32', 'nonsense'])).toThrow(/invalid address block "nonsense"/);
  });
});

describe('networkOf', () => {
  it('clears host bits, as ip route wants', () => {
    expect(networkOf('100.96.0.7/24')).toBe('100.96.0.0/24');
    expect(networkOf('100.96.0.7/32')).toBe('100.96.0.7/32');
    expect(networkOf('100.96.0.7/0')).toBe('0.0.0.0/0');
    expect(networkOf('192.0.2.130/25')).toBe('192.0.2.128/25');
    expect(networkOf('fd00:1:2:3::9/64')).toBe('fd00:1:2:3:0:0:0:0/64');
    expect(networkOf('fd00::1')).toBe('fd00:0:0:0:0:0:0:1/128');
    expect(networkOf('::ffff:192.0.2.3/120')).toBe('0:0:0:0:0:ffff:c000:200/120');
  });
});
