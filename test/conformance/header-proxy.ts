import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Why this exists: the gateway's public endpoint requires `Authorization: Bearer <API key>`,
 * and the official conformance CLI (`conformance server --url U`) has no way to send a header
 * of its own. So the tunnel conformance test points the CLI at this proxy, which listens on
 * loopback only and forwards every request to the gateway unchanged (method, path, every
 * end-to-end header, Host included, and the body) with the Authorization added, and every
 * answer back unchanged. Both bodies stream chunk by chunk (an SSE answer reaches the CLI
 * event by event, a long GET stream stays open), and a side that goes away takes the other
 * with it. It adds a hop on loopback and nothing else: what the suites measure is the gateway,
 * the tunnel and the agent.
 */

/** RFC 9110 §7.6.1: about one connection; node:http writes its own for each side. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set((headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()));
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value;
  }
  return out;
}

export interface HeaderProxy {
  /** The proxy's URL for the target's path: what the CLI is given. */
  urlFor(targetUrl: string): string;
  /** Requests forwarded so far (to show the CLI went through it). */
  readonly forwarded: number;
  close(): Promise<void>;
}

/** A proxy on 127.0.0.1 (a free port) to `targetOrigin` (http only) that adds `authorization` to each request. */
export async function startHeaderProxy(targetOrigin: string, authorization: string): Promise<HeaderProxy> {
  const target = new URL(targetOrigin);
  if (target.protocol !== 'http:') throw new Error(`the header proxy forwards to http:// only, not ${targetOrigin}`);
  const agent = new http.Agent({ keepAlive: true });
  let forwarded = 0;

  const server = http.createServer((req, res) => {
    forwarded += 1;
    const upstream = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...endToEnd(req.headers), authorization },
      agent,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
      // An SSE client waits for the headers before anything else: send them now.
      res.flushHeaders();
      answer.on('error', () => res.destroy());
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`header proxy: the gateway at ${targetOrigin} failed: ${err.message}\n`);
    });
    // The CLI went away (an abandoned GET stream, a scenario's abort): drop the gateway request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    urlFor(targetUrl: string): string {
      const url = new URL(targetUrl);
      if (url.origin !== target.origin) throw new Error(`${targetUrl} is not on ${targetOrigin}`);
      return `http://127.0.0.1:${port}${url.pathname}${url.search}`;
    },
    get forwarded() {
      return forwarded;
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
    },
  };
}
