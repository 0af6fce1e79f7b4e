import { generateKeyPair, keyToHex, toUapiLines } from '@mcp-workstation/wireguard';
import { interfaceChanges, peerChanges, peerRemoval } from './peer-changes.js';

// The lines of the UAPI `set=1` requests the gateway's changes become (the request framing,
// `set=1` and the closing blank line, is the UAPI client's, tested in packages/wireguard).

const A = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
const B = 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=';
const hexA = Buffer.from(A, 'base64').toString('hex');
const hexB = Buffer.from(B, 'base64').toString('hex');

describe('the gateway’s UAPI requests', () => {
  it('sets the whole interface in one transaction, replacing all peers', () => {
    const { privateKey } = generateKeyPair();
    expect(toUapiLines(interfaceChanges({ privateKey, listenPort: 51820 }, [{ publicKey: A, address: '100.96.0.2' }, { publicKey: B, address: '100.96.0.3' }]))).toEqual([
      `private_key=${keyToHex(privateKey)}`,
      'listen_port=51820',
      'replace_peers=true',
      `public_key=${hexA}`,
      'replace_allowed_ips=true',
      'allowed_ip=100.96.0.2/32',
      `public_key=${hexB}`,
      'replace_allowed_ips=true',
      'allowed_ip=100.96.0.3/32',
    ]);
  });

  it('moves a peer to a new key in one transaction (old removed, new with the same /32)', () => {
    expect(toUapiLines(peerChanges({ publicKey: B, address: '100.96.0.2' }, A))).toEqual([
      `public_key=${hexA}`,
      'remove=true',
      `public_key=${hexB}`,
      'replace_allowed_ips=true',
      'allowed_ip=100.96.0.2/32',
    ]);
    expect(toUapiLines(peerChanges({ publicKey: A, address: '100.96.0.2' }, A))).toEqual([`public_key=${hexA}`, 'replace_allowed_ips=true', 'allowed_ip=100.96.0.2/32']);
  });

  it('removes a peer', () => {
    expect(toUapiLines(peerRemoval(A))).toEqual([`public_key=${hexA}`, 'remove=true']);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => toUapiLines(peerRemoval('c2hvcnQ='))).toThrow(/32 bytes/);
  });
});
