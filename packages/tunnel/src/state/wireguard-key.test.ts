import { WireGuardKey } from '@mcp-workstation/protocol';
import { generateX25519KeyPair, publicKeyFromPrivate } from './wireguard-key.js';

const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

test('derives the public key of RFC 7748 §6.1 (Alice)', () => {
  const privateKey = hexToBase64('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  expect(publicKeyFromPrivate(privateKey)).toBe(hexToBase64('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'));
});

test('generates clamped key pairs in wg base64 whose public key matches the private one', () => {
  const a = generateX25519KeyPair();
  const b = generateX25519KeyPair();
  expect(a.privateKey).not.toBe(b.privateKey);
  for (const pair of [a, b]) {
    expect(WireGuardKey.safeParse(pair.privateKey).success).toBe(true);
    expect(WireGuardKey.safeParse(pair.publicKey).success).toBe(true);
    expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
    const raw = Buffer.from(pair.privateKey, 'base64');
    expect(raw[0]! & 7).toBe(0);
    expect(raw[31]! & 0xc0).toBe(0x40);
  }
});

test('refuses a private key that is not 32 bytes', () => {
  expect(() => publicKeyFromPrivate('c2hvcnQ=')).toThrow(/32 bytes/);
});
