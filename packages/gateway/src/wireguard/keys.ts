import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

/** PKCS#8 DER header of a raw X25519 private key (RFC 8410): lets node:crypto load wg's raw keys. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** A private key the way `wg genkey` makes one: 32 random bytes, clamped for Curve25519. */
export function generatePrivateKey(): string {
  const raw = randomBytes(32);
  raw[0]! &= 248;
  raw[31]! &= 127;
  raw[31]! |= 64;
  return raw.toString('base64');
}

/** `wg pubkey`: only the private key is stored, so the two can never disagree. */
export function publicKeyFromPrivate(privateKey: string): string {
  const raw = Buffer.from(privateKey, 'base64');
  if (raw.length !== 32) throw new Error('a WireGuard private key is 32 bytes in base64');
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

/** wg(8) prints keys in base64; the UAPI speaks hex. */
export function keyToHex(base64Key: string): string {
  const raw = Buffer.from(base64Key, 'base64');
  if (raw.length !== 32) throw new Error('a WireGuard key is 32 bytes in base64');
  return raw.toString('hex');
}

export function keyFromHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}
