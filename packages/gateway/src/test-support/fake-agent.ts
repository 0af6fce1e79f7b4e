import * as http from 'node:http';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A small HTTP server standing in for an agent's bridge at its tunnel address: it records
 * what arrives, and its SSE answers wait on gates the test opens, so a test can see an event
 * reach the client while the agent has not finished.
 */
export class FakeAgent {
  readonly seen: SeenRequest[] = [];
  /** Paths whose answer was cut off (the connection closed before the answer ended). */
  readonly cutOff: string[] = [];
  /** Called with each chunk of a request body as it arrives. */
  onBodyChunk: (url: string, chunk: Buffer) => void = () => {};
  private readonly gates = new Map<string, () => void>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  port = 0;

  constructor(readonly host: string) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, this.host, resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const open of this.gates.values()) open();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Lets the SSE answer waiting on `name` go on. */
  open(name: string): void {
    this.gates.get(name)?.();
  }

  private gate(name: string): Promise<void> {
    return new Promise((resolve) => this.gates.set(name, resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.on('close', () => {
      if (!res.writableFinished) this.cutOff.push(req.url ?? '');
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      this.onBodyChunk(req.url ?? '', chunk);
    });
    req.on('end', () => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      void this.answer(req, res, Buffer.concat(chunks));
    });
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/servers/aws/mcp' && req.method === 'POST') {
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'session-from-agent' });
      return void res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { echoed: body.toString('utf8') } }));
    }
    if (path === '/servers/aws/mcp' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('id: 1\ndata: {"jsonrpc":"2.0","method":"first"}\n\n');
      await this.gate('mcp-stream');
      res.write('id: 2\ndata: {"jsonrpc":"2.0","method":"second"}\n\n');
      return void res.end();
    }
    if (path === '/servers/aws/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': comment before the endpoint\n\nevent: endpoint\ndata: /servers/aws/message?sessionId=abc-123\n\n');
      await this.gate('sse-stream');
      res.write('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
      return void res.end();
    }
    if (path === '/servers/aws/message') {
      res.writeHead(202);
      return void res.end('Accepted');
    }
    if (path === '/servers/big/mcp') {
      return this.bigAnswer(res);
    }
    if (path === '/servers/broken/mcp') {
      // Half of a promised body, then the connection dies: an agent that crashed mid-answer.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"jsonrpc":"2.0","id":1,');
      await this.gate('broken');
      return void res.socket?.destroy();
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32601, message: `unknown server: ${path}` } }));
  }

  /** 5 MB in 64 KiB writes, honouring back-pressure. */
  private async bigAnswer(res: http.ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let i = 0; i < 80; i += 1) {
      if (!res.write(bigChunk(i))) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }
}

export function bigChunk(i: number): Buffer {
  return Buffer.alloc(64 * 1024, i % 251);
}
