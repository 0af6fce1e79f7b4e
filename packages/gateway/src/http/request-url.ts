import type { IncomingMessage } from 'node:http';

/**
 * The request target as a URL. Appended to a fixed origin rather than resolved against it, so
 * a target such as `//other.host/x` stays a path and never names a host.
 */
export function requestUrl(req: IncomingMessage): URL {
  const target = req.url?.startsWith('/') ? req.url : '/';
  return new URL(`http://gateway.invalid${target}`);
}
