/**
 * The Origins browsers may call the public endpoint from. Non-browser MCP clients send no
 * Origin and are not affected; any Origin not listed is refused (DNS rebinding, drive-by pages).
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;

  constructor(origins: string[]) {
    this.allowed = new Set(origins.map(normalizeOrigin));
  }

  allows(origin: string | undefined): boolean {
    return origin === undefined || this.allowed.has(origin.toLowerCase());
  }
}

/** `https://App.example.com:443/` → `https://app.example.com`: what a browser puts in Origin. */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--allowed-origin "${value}" is not an origin: give scheme://host[:port], e.g. https://app.example.com`);
  }
  if (url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`--allowed-origin "${value}" is not an origin: give scheme://host[:port] without a path`);
  }
  return url.origin.toLowerCase();
}
