import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer credentials the gateway hands out (registration tokens, agent secrets) are 32 random
 * bytes; the gateway keeps only their SHA-256, so its state files never hold one that works.
 * A prefix says what a leaked string is (and lets secret scanners find it).
 */
export function newCredential(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares a presented credential with a stored hash in constant time. */
export function matchesHash(presented: string, storedHex: string): boolean {
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  const expected = Buffer.from(storedHex, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

/** `agt_` and 20 hex characters: opaque, URL-safe, well under protocol.md's 64-character cap. */
export function newAgentId(): string {
  return `agt_${randomBytes(10).toString('hex')}`;
}
