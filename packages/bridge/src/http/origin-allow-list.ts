/**
 * The Origin allow-list. Browsers send Origin on cross-site requests; a request without
 * one (curl, an SDK client, the gateway) passes. By default only the bridge's own
 * loopback origin is accepted; '*' in the list accepts any origin.
 */

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** "HTTP://LocalHost:80/" -> "http://localhost"; "null" stays "null"; garbage -> undefined. */
export function normalizeOrigin(value: string): string | undefined {
  const text = value.trim();
  if (text === 'null') return 'null';
  try {
    const url = new URL(text);
    return url.origin === 'null' ? undefined : url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export class OriginAllowList {
  private readonly anyOrigin: boolean;
  private readonly origins: Set<string>;

  constructor(entries: readonly string[]) {
    this.anyOrigin = entries.includes('*');
    this.origins = new Set();
    for (const entry of entries) {
      if (entry === '*') continue;
      const origin = normalizeOrigin(entry);
      if (origin === undefined) {
        throw new Error(`allowed origin "${entry}" is not an origin (example: "https://app.example" or "http://localhost:3000")`);
      }
      this.origins.add(origin);
    }
  }

  allows(originHeader: string, localPort: number | undefined): boolean {
    if (this.anyOrigin) return true;
    const origin = normalizeOrigin(originHeader);
    if (origin === undefined) return false;
    return this.origins.has(origin) || isOwnLoopbackOrigin(origin, localPort);
  }
}

/**
 * Same-origin requests from a page the bridge itself could serve: http://<loopback>:<listener port>.
 * "null" (a sandboxed frame, a file: or data: page) is an opaque origin, nobody's own: it
 * passes only when listed. Never throws: a value that is not a URL is simply not ours.
 */
function isOwnLoopbackOrigin(origin: string, localPort: number | undefined): boolean {
  if (origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.includes(url.hostname)) return false;
  return localPort === undefined || (url.port === '' ? '80' : url.port) === String(localPort);
}
