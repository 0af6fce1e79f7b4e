import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ECHO_TEXT, REQUEST_TIMEOUT_MS } from './load-session.js';
import { serveIpcCommands } from './ipc-commands.js';
import type { ProbeCommand, ProbeResult, Samples } from './tunnel-probe-protocol.js';

/**
 * A probe of the tunnel benchmark: started inside a network namespace by the orchestrator
 * (`ip netns exec <ns> node tunnel-probe.js`, with an IPC channel), it makes MCP calls or raw
 * TCP exchanges from there and answers with per-operation timings. The gateway needs an API
 * key, which load-session.ts's LoadSession has no place for; the key comes over IPC, never argv.
 */

/** An MCP session as load-session.ts makes it, plus request headers (the gateway's API key). */
class ProbeSession {
  private constructor(
    private readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport,
  ) {}

  static async open(url: string, bearer?: string): Promise<ProbeSession> {
    const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
    const client = new Client({ name: 'mcp-workstation-bench-tunnel', version: '1.0.0' }, { capabilities: {} });
    client.onerror = () => undefined; // the optional GET stream's ends are not the calls' business
    try {
      await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    return new ProbeSession(client, transport);
  }

  async call(tool: 'echo' | 'bytes', size: number): Promise<void> {
    const args = tool === 'echo' ? { text: ECHO_TEXT } : { size };
    const result = await this.client.callTool({ name: tool, arguments: args }, undefined, { timeout: REQUEST_TIMEOUT_MS * 4 });
    const text = (result.content as Array<{ type: string; text?: string }> | undefined)?.find((block) => block.type === 'text')?.text;
    if (tool === 'echo' && text !== ECHO_TEXT) throw new Error(`echo answered ${JSON.stringify(text?.slice(0, 80))}`);
    if (tool === 'bytes' && text?.length !== size) throw new Error(`bytes(${size}) answered ${text?.length} bytes`);
  }

  async close(): Promise<void> {
    try {
      await this.transport.terminateSession();
    } finally {
      await this.client.close();
    }
  }
}

const sessions = new Map<string, ProbeSession>();
const servers: Server[] = [];

/** Runs `operation` `count` times after `warmup` untimed ones, within `maxMs`; times each. */
async function timed(operation: () => Promise<void>, count: number, warmup: number, maxMs = Number.POSITIVE_INFINITY): Promise<Samples> {
  const started = performance.now();
  const deadline = started + maxMs;
  for (let i = 0; i < warmup && performance.now() < started + maxMs / 4; i++) await operation().catch(() => undefined);
  const result: Samples = { samplesMs: [], ok: 0, errors: 0 };
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const before = performance.now();
    try {
      await operation();
      result.samplesMs.push(performance.now() - before);
      result.ok += 1;
    } catch (err) {
      result.errors += 1;
      result.firstError ??= err instanceof Error ? err.message : String(err);
    }
  }
  return result;
}

function session(name: string): ProbeSession {
  const found = sessions.get(name);
  if (!found) throw new Error(`no open session ${name}`);
  return found;
}

async function serve(command: Extract<ProbeCommand, { kind: 'serve' }>): Promise<void> {
  const payload = Buffer.alloc(command.bulkBytes, 'x');
  const echo = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
  });
  const bulk = createServer((socket) => {
    socket.on('data', (chunk) => {
      for (let i = 0; i < chunk.length; i++) socket.write(payload);
    });
    socket.on('error', () => socket.destroy());
  });
  await listen(echo, command.host, command.echoPort);
  await listen(bulk, command.host, command.bulkPort);
  servers.push(echo, bulk);
}

async function relay(command: Extract<ProbeCommand, { kind: 'relay' }>): Promise<void> {
  const server = createServer({ noDelay: true }, (inbound) => {
    const outbound = connect({ host: command.targetHost, port: command.targetPort, noDelay: true });
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await listen(server, command.host, command.port);
  servers.push(server);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error(`no answer from ${host}:${port} within ${REQUEST_TIMEOUT_MS} ms`)));
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `out`, resolves once `expected` bytes came back on the socket. */
function exchange(socket: Socket, out: Buffer, expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received >= expected) finish(null);
    };
    const onEnd = () => finish(new Error(`the connection ended after ${received} of ${expected} bytes`));
    const finish = (err: Error | null) => {
      socket.off('data', onData).off('error', finish).off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    socket.on('data', onData).once('error', finish).once('end', onEnd);
    socket.write(out);
  });
}

async function overOneConnection(host: string, port: number, run: (socket: Socket) => Promise<Samples>): Promise<Samples> {
  const socket = await open(host, port);
  try {
    return await run(socket);
  } finally {
    socket.destroy();
  }
}

async function run(command: ProbeCommand): Promise<ProbeResult> {
  switch (command.kind) {
    case 'open':
      sessions.set(command.session, await ProbeSession.open(command.url, command.bearer));
      return { ok: true };
    case 'calls': {
      const target = session(command.session);
      return timed(() => target.call(command.tool, command.size ?? 0), command.calls, command.warmupCalls, command.maxMs);
    }
    case 'close':
      await sessions.get(command.session)?.close();
      sessions.delete(command.session);
      return { ok: true };
    case 'serve':
      await serve(command);
      return { ok: true };
    case 'relay':
      await relay(command);
      return { ok: true };
    case 'pingPong': {
      const message = Buffer.alloc(command.messageBytes, 'p');
      return overOneConnection(command.host, command.port, (socket) => timed(() => exchange(socket, message, command.messageBytes), command.count, command.warmup));
    }
    case 'bulk': {
      const request = Buffer.from('g');
      return overOneConnection(command.host, command.port, (socket) => timed(() => exchange(socket, request, command.bytes), command.transfers, command.warmup));
    }
  }
}

if (require.main === module) serveIpcCommands('tunnel-probe.js', run);
