/** The URLs a person points an MCP client at, built from where the daemon really listens. */

export interface Endpoint {
  /** "MCP endpoint", "legacy SSE", …: the first one printed is the one to use. */
  label: string;
  url: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** `http://127.0.0.1:8000`; a wildcard bind is shown as localhost, an IPv6 address in brackets. */
export function baseUrl(host: string, port: number, scheme: 'http' | 'ws' = 'http'): string {
  const shown = WILDCARDS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shown}:${port}`;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}
