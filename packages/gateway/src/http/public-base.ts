import type { IncomingMessage } from 'node:http';

const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The gateway's base URL as agents and clients see it: --public-url when the operator gave
 * one (behind a proxy, or a DNS name), else the URL this request came to (its Host header,
 * https when the listener has TLS), else the listen address.
 */
export function publicBaseFor(req: IncomingMessage, configured: URL | undefined, tls: boolean, listen: string): URL {
  if (configured) return configured;
  const host = req.headers.host && HOST_HEADER.test(req.headers.host) ? req.headers.host : listen;
  return new URL(`${tls ? 'https' : 'http'}://${host}/`);
}

/** The path of a base URL without its trailing slash ('' for the root). */
export function basePath(base: URL): string {
  return base.pathname.replace(/\/+$/, '');
}

/** protocol.md §1 controlUrl: ws:// for an http base, wss:// for https. */
export function controlUrlFor(base: URL, agentId: string): string {
  const url = new URL(base.href);
  url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${basePath(base)}/v1/agents/${agentId}/control`;
  url.search = '';
  url.hash = '';
  return url.href;
}
