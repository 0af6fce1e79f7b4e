import type { IncomingHttpHeaders } from 'node:http';

/** The credential of `Authorization: Bearer <credential>`, or null. */
export function bearerCredential(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match ? match[1]! : null;
}
