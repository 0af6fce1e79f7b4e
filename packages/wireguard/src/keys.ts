import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

/** A WireGuard key pair in wg(8)'s format: 32-byte Curve25519 keys in standard base64. */
export interface WireGuardKeyPair {
  privateKey: string;
  publicKey: string;
}

/** How the state store and registration make key pairs (injectable for tests). */
export type GenerateKeyPair = () => WireGuardKeyPair;

const KEY_BYTES = 32;
/** The fixed DER header of a PKCS#8 X25519 private key (RFC 8410); the raw 32 bytes follow it. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * A fresh key pair, made in-process with node:crypto's X25519 so the private key never
 * passes through a subprocess's pipes (no `wg genkey`). The private key is clamped exactly
 * as `wg genkey` clamps it, so both tools print interchangeable keys.
 */
export function generateKeyPair(): WireGuardKeyPair {
  const secret = clampPrivateKey(randomBytes(KEY_BYTES));
  const privateKey = secret.toString('base64');
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}

/** The public key that belongs to `privateKey` (what `wg pubkey` prints for it). */
export function publicKeyFromPrivate(privateKey: string): string {
  const secret = decodeKey(privateKey, 'private key');
  const keyObject = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - KEY_BYTES).toString('base64');
}

/** True for a 44-character standard base64 string that decodes to 32 bytes. */
export function isWireGuardKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === KEY_BYTES;
}

/** wg base64 → the lowercase hex the UAPI protocol speaks. */
export function keyToHex(key: string, what = 'key'): string {
  return decodeKey(key, what).toString('hex');
}

/** UAPI hex → wg base64. */
export function keyFromHex(hex: string, what = 'key'): string {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`invalid WireGuard ${what} in hex: expected 64 hex digits`);
  return Buffer.from(hex, 'hex').toString('base64');
}

function decodeKey(key: string, what: string): Buffer {
  // Never echo the value: it may be a private key.
  if (!isWireGuardKey(key)) {
    throw new Error(`invalid WireGuard ${what}: expected 44 characters of standard base64 (32 bytes), as \`wg genkey\` prints`);
  }
  return Buffer.from(key, 'base64');
}

/** RFC 7748 clamping, as wg genkey does. */
function clampPrivateKey(secret: Buffer): Buffer {
  secret[0] &= 248;
  secret[31] = (secret[31] & 127) | 64;
  return secret;
}
