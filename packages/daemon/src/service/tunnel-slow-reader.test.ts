import { request, type ClientRequest } from 'node:http';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { listenOnTunnelAddress, type TunnelListener } from '@mcp-workstation/tunnel';
import { createLogger } from '../logging/logger.js';
import { startService, type RunningService } from '../wiring.js';

// Issue 12, item 2, the tunnel's part: the tunnel listener hands each accepted socket to the
// bridge (`ingress.emit('connection', socket)`, as tunnel-link.ts does) and keeps no buffer of
// its own, so a client behind the tunnel that stops reading is bounded by the same
// limits.streamBufferBytes as a local one. Real parts: the OS backends' listener, the
// daemon's service and bridge, the flood fixture as the child. A small limit keeps it quick.

const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/fault-flood-server.js');
const LIMIT = 1024 * 1024;
const MESSAGE_BYTES = 64 * 1024;
/** Beyond the limit plus what loopback's socket buffers take on both sides. */
const FLOOD = { count: 640, bytes: MESSAGE_BYTES };

let service: RunningService | null = null;
let listener: TunnelListener | null = null;
const requests: ClientRequest[] = [];

afterEach(async () => {
  for (const req of requests.splice(0)) req.destroy();
  await listener?.close();
  listener = null;
  await service?.close();
  service = null;
});

jest.setTimeout(60_000);

function captureLogger(lines: string[]) {
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return createLogger({ level: 'warn', format: 'json', stream });
}

async function waitUntil<T>(probe: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** POST one JSON-RPC message through the tunnel listener; the body (JSON or SSE) as text. */
async function post(base: string, message: unknown, headers: Record<string, string> = {}): Promise<{ status: number; sessionId: string | null; text: string }> {
  const answer = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(message),
  });
  return { status: answer.status, sessionId: answer.headers.get('mcp-session-id'), text: await answer.text() };
}

async function openSession(base: string): Promise<Record<string, string>> {
  const init = await post(base, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'tunnel-test', version: '1' } } });
  if (init.status !== 200 || !init.sessionId) throw new Error(`initialize failed: ${init.status} ${init.text}`);
  const headers = { 'mcp-session-id': init.sessionId, 'mcp-protocol-version': '2025-06-18' };
  await post(base, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  return headers;
}

test('a client behind the tunnel listener that stops reading its GET stream is cut at limits.streamBufferBytes', async () => {
  const logLines: string[] = [];
  service = await startService(
    { host: '127.0.0.1', port: 0, bridge: { limits: { streamBufferBytes: LIMIT } }, servers: [{ name: 'flood', mode: 'shared', command: { command: process.execPath, args: [FIXTURE] } }] },
    captureLogger(logLines),
  );
  await service.startServers();
  const ingress = service.ingress({ name: 'tunnel', healthz: 'readiness' });
  listener = await listenOnTunnelAddress('127.0.0.1', { port: 0, allowedSources: ['127.0.0.1/32'], onConnection: (socket) => ingress.emit('connection', socket) });
  const base = `http://127.0.0.1:${listener.port}/mcp`;
  const bridge = service.servers.get('flood')!.bridge;

  const stuck = await openSession(base);
  const starter = await openSession(base);
  await post(base, { jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'error' } }, starter);
  await new Promise<void>((resolve, reject) => {
    const req = request(base, { headers: { ...stuck, accept: 'text/event-stream' } }, (res) => {
      res.pause();
      resolve();
    });
    requests.push(req);
    req.on('error', reject);
    req.end();
  });

  let mostBuffered = 0;
  const sampler = setInterval(() => {
    mostBuffered = Math.max(mostBuffered, bridge.streamStats()[0]!.bufferedBytes);
  }, 5);
  try {
    const flood = await post(base, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'flood', arguments: FLOOD } }, starter);
    expect(flood.text).toContain(`sent ${FLOOD.count}`);
    await waitUntil(() => bridge.streamStats()[0]!.overflows['streamable-http'] >= 1, 'the stuck stream to be cut');
  } finally {
    clearInterval(sampler);
  }
  expect(mostBuffered).toBeLessThanOrEqual(LIMIT + MESSAGE_BYTES + 4096);
  expect(logLines.join('')).toMatch(new RegExp(`stopped reading.*limits\\.streamBufferBytes.*"session":"${stuck['mcp-session-id']!.slice(0, 8)}`));
  await waitUntil(() => bridge.streamStats()[0]!.bufferedBytes === 0, 'nothing left waiting in the cut stream');
});
