import { createHash, timingSafeEqual } from 'node:crypto';

export type ApiKeyVerdict = 'ok' | 'missing' | 'wrong';

/**
 * The optional bearer API key. Both sides are hashed first so timingSafeEqual always
 * compares equal-length buffers and the comparison time says nothing about the key's length.
 * The key itself is kept only as its digest.
 */
export class ApiKeyCheck {
  private readonly expected: Buffer;

  constructor(apiKey: string) {
    this.expected = digest(apiKey);
  }

  verify(authorizationHeader: string | undefined): ApiKeyVerdict {
    const token = bearerToken(authorizationHeader);
    if (token === undefined) return 'missing';
    return timingSafeEqual(digest(token), this.expected) ? 'ok' : 'wrong';
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(.+)$/i.exec(header.trim());
  return match ? match[1]!.trim() : undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
