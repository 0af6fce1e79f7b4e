import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

/** A WireGuard (Curve25519) key pair, both keys in standard base64 as wg(8) prints them. */
export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

export type GenerateKeyPair = () => KeyPair;

/** PKCS#8 DER header for a raw 32-byte X25519 private key (RFC 8410): lets node:crypto load wg's raw keys. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * The public key that belongs to a WireGuard private key. Only private keys are stored; deriving
 * the public one means the two can never disagree.
 */
export function publicKeyFromPrivate(privateKey: string): string {
  const raw = Buffer.from(privateKey, 'base64');
  if (raw.length !== 32) throw new Error('a WireGuard private key is 32 bytes in base64');
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

/**
 * A fresh key pair the way `wg genkey | wg pubkey` makes one: 32 random bytes, clamped as
 * Curve25519 requires. The wireguard package may offer its own generator; callers can inject it.
 */
export function generateX25519KeyPair(): KeyPair {
  const raw = randomBytes(32);
  raw[0]! &= 248;
  raw[31]! &= 127;
  raw[31]! |= 64;
  const privateKey = raw.toString('base64');
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}
