import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  WebStandardStreamableHTTPServerTransport,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The SDK's own Streamable HTTP transport (all of the protocol: sessions, SSE, resumption,
 * version checks), served to Node's http by hand instead of through @hono/node-server.
 *
 * Why: hono's response writer, seeing a streamed body whose first chunk is not followed at
 * once by a second, waits on a timer before it writes even the headers. At protocol 2025-11-25
 * every POST answer opens with an SSE priming event, so that timer added over 1 ms to every
 * call (docs/performance.md). Here the status and headers go out at once, each chunk is written
 * as it comes, and a JSON answer is sent whole with its Content-Length.
 */
export class NodeStreamableTransport implements Transport {
  private readonly web: WebStandardStreamableHTTPServerTransport;

  constructor(options: WebStandardStreamableHTTPServerTransportOptions) {
    this.web = new WebStandardStreamableHTTPServerTransport(options);
  }

  get sessionId(): string | undefined {
    return this.web.sessionId;
  }
  set onclose(handler: (() => void) | undefined) {
    this.web.onclose = handler;
  }
  get onclose(): (() => void) | undefined {
    return this.web.onclose;
  }
  set onerror(handler: ((error: Error) => void) | undefined) {
    this.web.onerror = handler;
  }
  get onerror(): ((error: Error) => void) | undefined {
    return this.web.onerror;
  }
  set onmessage(handler: Transport['onmessage']) {
    this.web.onmessage = handler;
  }
  get onmessage(): Transport['onmessage'] {
    return this.web.onmessage;
  }

  start(): Promise<void> {
    return this.web.start();
  }
  close(): Promise<void> {
    return this.web.close();
  }
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.web.send(message, options);
  }

  /** Serves one HTTP request; `parsedBody` is the POST body the bridge already read and parsed. */
  async handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    const response = await this.web.handleRequest(toWebRequest(req), { parsedBody });
    await writeWebResponse(response, res);
  }
}

function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  // The body was read (with the bridge's own limit) and parsed already: it travels as parsedBody.
  return new Request(url, { method: req.method, headers });
}

async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const streaming = (headers['content-type'] ?? '').startsWith('text/event-stream');
  if (!response.body || !streaming) {
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
    if (body) headers['content-length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  await pipeStream(response.body, res);
}

/** Copies an SSE body to the socket with backpressure; a client that goes away cancels the stream. */
async function pipeStream(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  let finished = false;
  const cancelOnClose = (): void => {
    if (!finished) void reader.cancel().catch(() => undefined);
  };
  res.once('close', cancelOnClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (res.destroyed) break;
    }
    finished = true;
    if (!res.destroyed) res.end();
  } catch {
    finished = true;
    res.destroy();
  } finally {
    res.off('close', cancelOnClose);
  }
}
