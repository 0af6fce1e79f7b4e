import { generatePrivateKey, keyFromHex, keyToHex, publicKeyFromPrivate } from './keys.js';
import { answerErrno, interfaceSetRequest, parsePeerStatistics, peerRemoveRequest, peerSetRequest } from './uapi-config.js';

const A = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
const B = 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=';
const hexA = Buffer.from(A, 'base64').toString('hex');
const hexB = Buffer.from(B, 'base64').toString('hex');

describe('UAPI requests', () => {
  it('sets the whole interface in one transaction, replacing all peers', () => {
    const privateKey = generatePrivateKey();
    expect(interfaceSetRequest(privateKey, 51820, [{ publicKey: A, address: '100.96.0.2' }, { publicKey: B, address: '100.96.0.3' }])).toBe(
      [
        'set=1',
        `private_key=${keyToHex(privateKey)}`,
        'listen_port=51820',
        'replace_peers=true',
        `public_key=${hexA}`,
        'replace_allowed_ips=true',
        'allowed_ip=100.96.0.2/32',
        `public_key=${hexB}`,
        'replace_allowed_ips=true',
        'allowed_ip=100.96.0.3/32',
        '',
        '',
      ].join('\n'),
    );
  });

  it('moves a peer to a new key in one transaction (old removed, new with the same /32)', () => {
    expect(peerSetRequest({ publicKey: B, address: '100.96.0.2' }, A)).toBe(
      `set=1\npublic_key=${hexA}\nremove=true\npublic_key=${hexB}\nreplace_allowed_ips=true\nallowed_ip=100.96.0.2/32\n\n`,
    );
    expect(peerSetRequest({ publicKey: A, address: '100.96.0.2' }, A)).toBe(`set=1\npublic_key=${hexA}\nreplace_allowed_ips=true\nallowed_ip=100.96.0.2/32\n\n`);
  });

  it('removes a peer', () => {
    expect(peerRemoveRequest(A)).toBe(`set=1\npublic_key=${hexA}\nremove=true\n\n`);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => peerRemoveRequest('c2hvcnQ=')).toThrow(/32 bytes/);
  });
});

describe('UAPI answers', () => {
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
    const stats = parsePeerStatistics(answer);
    expect(stats.get(A)).toEqual({ lastHandshakeAt: new Date(1_700_000_000_500), rxBytes: 1234, txBytes: 5678, endpoint: '10.0.0.2:41000' });
    expect(stats.get(B)).toEqual({ lastHandshakeAt: null, rxBytes: 0, txBytes: 0, endpoint: null });
  });
});

describe('keys', () => {
  it('converts between base64 and hex', () => {
    expect(keyFromHex(keyToHex(A))).toBe(A);
  });

  it('derives the public key `wg pubkey` prints (pair made with wireguard-tools)', () => {
    expect(publicKeyFromPrivate('YNqHbfBQKaGvzefSSuufuNKaRYlzPvdTPG3pLyVgIUk=')).toBe('pDQTks0Gc5VJ6CAfj7hrVXHgsaTElAQuOESoJtFIxmY=');
  });

  it('makes clamped private keys, as `wg genkey` does', () => {
    const raw = Buffer.from(generatePrivateKey(), 'base64');
    expect(raw.length).toBe(32);
    expect(raw[0]! & 7).toBe(0);
    expect(raw[31]! & 0xc0).toBe(0x40);
  });
});
