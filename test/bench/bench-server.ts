import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/**
 * The one MCP server every contender serves: `stdio` for the bridges, `http --port <n>` for
 * the native floor (the SDK's own stateful Streamable HTTP, no bridge at all). Same tools,
 * same SDK, so the only difference between contenders is what sits in front of it.
 *
 *   node bench-server.js stdio
 *   node bench-server.js http --port 8123
 */

export const BYTES_TOOL_LIMIT = 16 * 1024 * 1024;

function createBenchServer(): McpServer {
  const server = new McpServer({ name: 'mcp-workstation-bench', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its text argument.', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool(
    'bytes',
    { description: 'Returns a text block of `size` bytes.', inputSchema: { size: z.number().int().min(0).max(BYTES_TOOL_LIMIT) } },
    async ({ size }) => ({ content: [{ type: 'text', text: 'x'.repeat(size) }] }),
  );
  return server;
}

async function serveStdio(): Promise<void> {
  await createBenchServer().connect(new StdioServerTransport());
}

/** The SDK's documented stateful pattern: a transport and a server per session, keyed by id. */
class NativeHttpSessions {
  private readonly transports = new Map<string, StreamableHTTPServerTransport>();

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = this.transports.get(sessionId);
      if (!transport) return reply(res, 404, 'unknown session');
      return transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') return reply(res, 400, 'missing Mcp-Session-Id');
    // A POST without a session must be an initialize; the transport itself answers 400 otherwise.
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void this.transports.set(id, transport),
    });
    const server = createBenchServer();
    transport.onclose = () => {
      if (transport.sessionId) this.transports.delete(transport.sessionId);
      void server.close();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    if (!transport.sessionId) await server.close();
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

async function serveHttp(port: number, host: string): Promise<void> {
  const sessions = new NativeHttpSessions();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return reply(res, 200, 'ok');
    if (path !== '/mcp') return reply(res, 404, 'not found');
    sessions.handle(req, res).catch((err: Error) => {
      process.stderr.write(`bench server: ${err.stack ?? err.message}\n`);
      if (!res.headersSent) reply(res, 500, 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  process.stderr.write(`bench server listening on http://${host}:${port}/mcp\n`);
  // A normal exit on SIGTERM, so `node --cpu-prof` writes its profile (npm run bench -- --prof cpu).
  process.once('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
}

function parsePort(args: string[]): number {
  const index = args.indexOf('--port');
  const port = Number(args[index + 1]);
  if (index < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error('http mode needs --port <1-65535>, e.g. `node bench-server.js http --port 8123`');
  }
  return port;
}

/** `--host <address>`: 127.0.0.1 unless told (the tunnel part puts it on the agent's tunnel address). */
function parseHost(args: string[]): string {
  const index = args.indexOf('--host');
  if (index < 0) return '127.0.0.1';
  const host = args[index + 1];
  if (!host || host.startsWith('--')) throw new Error('--host needs an address, e.g. `--host 127.0.0.1`');
  return host;
}

async function main(args: string[]): Promise<void> {
  const mode = args[0];
  if (mode === 'stdio') return serveStdio();
  if (mode === 'http') return serveHttp(parsePort(args), parseHost(args));
  throw new Error(`unknown mode ${JSON.stringify(mode)}: use \`bench-server.js stdio\` or \`bench-server.js http --port <n>\``);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`bench server: ${err.message}\n`);
    process.exit(1);
  });
}
