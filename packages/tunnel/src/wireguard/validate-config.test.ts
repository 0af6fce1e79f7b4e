import { sampleConfig } from './test-support/fixtures';
import { findConfigProblems, validateWireGuardConfig } from './validate-config';

describe('validateWireGuardConfig', () => {
  it('accepts a good config, IPv6 included', () => {
    expect(findConfigProblems(sampleConfig(), 'linux')).toEqual([]);
    const v6 = sampleConfig({ address: 'fd00::7/128', mtu: 1280 });
    v6.peer.endpoint = '[fd00::1]:51820';
    v6.peer.allowedIps = ['fd00::1/128'];
    expect(findConfigProblems(v6, 'linux')).toEqual([]);
  });

  it('names every problem at once', () => {
    const config = sampleConfig({ interfaceName: 'a-name-that-is-far-too-long', address: '198.51.100.7/40', mtu: 100, listenPort: 70000 });
    config.peer = { publicKey: 'short', endpoint: 'gw.example.com:51820', allowedIps: [], persistentKeepalive: -1 };
    const problems = findConfigProblems(config, 'linux');
    expect(problems).toEqual([
      expect.stringContaining('Linux allows at most 15'),
      'peer.publicKey is not a WireGuard key (44 characters of base64)',
      expect.stringContaining('address: invalid address block "198.51.100.7/40"'),
      expect.stringContaining('mtu 100 is out of range'),
      'listenPort 70000 is not a port number (0-65535)',
      expect.stringContaining('peer.endpoint "gw.example.com:51820" is not an address:port'),
      expect.stringContaining('peer.persistentKeepalive -1'),
      'peer.allowedIps is empty: the gateway would be unreachable',
    ]);
  });

  it.each(['192.0.2.2', '192.0.2.2:0', '[192.0.2.2]:51820', 'fd00::1:51820', '[fd00::1]:99999'])('rejects the endpoint %j', (endpoint) => {
    const config = sampleConfig();
    config.peer.endpoint = endpoint;
    expect(findConfigProblems(config, 'linux')).toEqual([expect.stringContaining('peer.endpoint')]);
  });

  it('asks IPv6 tunnels for an MTU of at least 1280', () => {
    expect(findConfigProblems(sampleConfig({ address: 'fd00::7/128', mtu: 1200 }), 'linux')).toEqual([expect.stringContaining('from 1280 to 65535')]);
  });

  it('never repeats the private key in its error', () => {
    const config = sampleConfig();
    const privateKey = config.privateKey;
    config.privateKey = `${privateKey}x`;
    expect(() => validateWireGuardConfig(config, 'linux')).toThrow('invalid WireGuard configuration: privateKey is not a WireGuard key');
    expect(() => validateWireGuardConfig(config, 'linux')).not.toThrow(privateKey);
  });
});
