import { generateKeyPair, keyToHex } from '../keys';
import { hasChanges, toUapiLines, toWgSetArgs } from './changes';
import type { DeviceChanges, PeerChange } from './types';

/** A whole single-peer configuration, as a fresh device gets it (TEST-NET addresses only). */
function fullChanges(): DeviceChanges & { privateKey: string; peers: [PeerChange] } {
  return {
    privateKey: generateKeyPair().privateKey,
    listenPort: 0,
    replacePeers: true,
    peers: [{ publicKey: generateKeyPair().publicKey, endpoint: '192.0.2.2:51820', persistentKeepalive: 25, allowedIps: ['198.51.100.1/32'] }],
  };
}

describe('toUapiLines', () => {
  it('writes the peers in order, a removal as public_key and remove=true only', () => {
    const [removed, added] = [generateKeyPair().publicKey, generateKeyPair().publicKey];
    expect(toUapiLines({ peers: [{ publicKey: removed, remove: true, endpoint: '192.0.2.9:1' }, { publicKey: added, allowedIps: ['198.51.100.2/32'] }] })).toEqual([
      `public_key=${keyToHex(removed)}`,
      'remove=true',
      `public_key=${keyToHex(added)}`,
      'replace_allowed_ips=true',
      'allowed_ip=198.51.100.2/32',
    ]);
  });

  it('writes nothing for no change', () => {
    expect(hasChanges({})).toBe(false);
    expect(hasChanges({ peers: [] })).toBe(false);
    expect(toUapiLines({})).toEqual([]);
  });
});

describe('toWgSetArgs', () => {
  it('names the key file, never the key, in argv', () => {
    const changes = fullChanges();
    const args = toWgSetArgs('mcpw0', changes, '/tmp/dir/private.key');
    expect(args).toEqual([
      'set', 'mcpw0', 'listen-port', '0', 'private-key', '/tmp/dir/private.key',
      'peer', changes.peers[0].publicKey, 'endpoint', '192.0.2.2:51820', 'persistent-keepalive', '25', 'allowed-ips', '198.51.100.1/32',
    ]);
    expect(args.join(' ')).not.toContain(changes.privateKey);
  });

  it('refuses to write a key change without a key file', () => {
    expect(() => toWgSetArgs('mcpw0', fullChanges())).toThrow(/no key file/);
  });

  it('says "off" for keepalive 0 and removes a replaced peer', () => {
    const [previous, next] = [generateKeyPair().publicKey, generateKeyPair().publicKey];
    const args = toWgSetArgs('mcpw0', {
      peers: [{ publicKey: previous, remove: true }, { publicKey: next, endpoint: '192.0.2.2:51820', persistentKeepalive: 0, allowedIps: ['198.51.100.1/32'] }],
    });
    expect(args.slice(0, 5)).toEqual(['set', 'mcpw0', 'peer', previous, 'remove']);
    expect(args).toEqual(expect.arrayContaining(['persistent-keepalive', 'off']));
  });
});
