import { hasChanges, keyToHex, toUapiLines } from '@mcp-workstation/wireguard';
import { sampleConfig } from './test-support/fixtures';
import { changesBetween, fullConfiguration } from './wireguard-changes';

describe('fullConfiguration → UAPI', () => {
  it('writes key, port, the single peer and its allowed IPs, with keys in hex', () => {
    const config = sampleConfig({ listenPort: 40000 });
    expect(toUapiLines(fullConfiguration(config))).toEqual([
      `private_key=${keyToHex(config.privateKey)}`,
      'listen_port=40000',
      'replace_peers=true',
      `public_key=${keyToHex(config.peer.publicKey)}`,
      'endpoint=192.0.2.2:51820',
      'persistent_keepalive_interval=25',
      'replace_allowed_ips=true',
      'allowed_ip=198.51.100.1/32',
    ]);
  });

  it('lets the OS pick the port and turns keepalive off when they are not given', () => {
    const config = sampleConfig();
    config.peer.persistentKeepalive = undefined;
    const lines = toUapiLines(fullConfiguration(config));
    expect(lines).toContain('listen_port=0');
    expect(lines).toContain('persistent_keepalive_interval=0');
  });
});

describe('changesBetween', () => {
  const previous = sampleConfig();

  it('finds nothing to write when only iproute2 settings changed', () => {
    const changes = changesBetween(previous, { ...previous, mtu: 1380, address: '198.51.100.8/32' });
    expect(hasChanges(changes)).toBe(false);
    expect(toUapiLines(changes)).toEqual([]);
  });

  it('updates the peer in place for endpoint and keepalive, so its session survives', () => {
    const next = { ...previous, peer: { ...previous.peer, endpoint: '192.0.2.3:51821', persistentKeepalive: 10 } };
    expect(toUapiLines(changesBetween(previous, next))).toEqual([
      `public_key=${keyToHex(previous.peer.publicKey)}`,
      'endpoint=192.0.2.3:51821',
      'persistent_keepalive_interval=10',
    ]);
  });

  it('replaces allowed IPs only when the set changed', () => {
    const reordered = { ...previous, peer: { ...previous.peer, allowedIps: [...previous.peer.allowedIps] } };
    expect(hasChanges(changesBetween(previous, reordered))).toBe(false);
    const grown = { ...previous, peer: { ...previous.peer, allowedIps: ['198.51.100.1/32', 'fd00::1/128'] } };
    expect(toUapiLines(changesBetween(previous, grown))).toEqual([
      `public_key=${keyToHex(previous.peer.publicKey)}`,
      'replace_allowed_ips=true',
      'allowed_ip=198.51.100.1/32',
      'allowed_ip=fd00::1/128',
    ]);
  });

  it('removes the old peer and adds the new one when the gateway key changed', () => {
    const next = sampleConfig({ privateKey: previous.privateKey });
    const lines = toUapiLines(changesBetween(previous, next));
    expect(lines.slice(0, 3)).toEqual([`public_key=${keyToHex(previous.peer.publicKey)}`, 'remove=true', `public_key=${keyToHex(next.peer.publicKey)}`]);
    expect(lines).toContain('endpoint=192.0.2.2:51820');
    expect(lines).not.toContain('replace_peers=true');
  });

  it('writes a new private key (rotation) without touching the peer', () => {
    const next = { ...previous, privateKey: sampleConfig().privateKey };
    expect(toUapiLines(changesBetween(previous, next))).toEqual([`private_key=${keyToHex(next.privateKey)}`]);
  });
});
