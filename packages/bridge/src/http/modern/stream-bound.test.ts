import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startBridge, type RunningBridge } from '../test-support/bridge-harness.js';
import { captureLogger } from '../test-support/capture-logger.js';
import { waitFor } from '../test-support/wait-for.js';
import { InProcessUpstream } from './test-support/in-process-upstream.js';
import { envelope, headersFor } from './test-support/modern-harness.js';

/**
 * Issue 12, item 2, for the 2026-07-28 era: a client that stops reading its listen stream or
 * a request's response stream must not make the bridge buffer without bound. Through a real
 * bridge (the wiring from the server's endpoints included) and real sockets: the client reads
 * the response headers, then stops reading while the child floods the stream. Past a small
 * limits.streamBufferBytes the stream is closed, logged and counted, its queue is no longer
 * counted, and the child-side session it held ends.
 */

const LIMIT = 64 * 1024;
const PAD = 'x'.repeat(32 * 1024);
/** Far beyond the limit plus what loopback's socket buffers take on both sides (without a bound, all of it is held). */
const MOST_NOTIFICATIONS = 2000;
/** A stream holds at most the limit plus the one message it was let through with. */
const MOST_BUFFERED = LIMIT + PAD.length + 4096;

let running: RunningBridge;
let upstream: InProcessUpstream;
let child: Server;
let logger: ReturnType<typeof captureLogger>;
/** The most the server's streams held, sampled after each notification the child sent. */
let mostBuffered: number;
const clients: ClientRequest[] = [];

beforeEach(async () => {
  mostBuffered = 0;
  child = floodServer();
  upstream = new InProcessUpstream(child, { name: 'flood' });
  logger = captureLogger();
  running = await startBridge({ upstreams: [upstream], limits: { streamBufferBytes: LIMIT }, logger });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await running.close();
});

/** A child whose `flood` tool sends padded progress until it is cancelled (yielding between them, so the bridge can act). */
function floodServer(): Server {
  const server = new Server({ name: 'flood', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'flood', inputSchema: { type: 'object' } }] }));
  server.setRequestHandler(CallToolRequestSchema, async (call, extra) => {
    const progressToken = call.params._meta?.progressToken ?? 'none';
    let sent = 0;
    while (!extra.signal.aborted && sent < MOST_NOTIFICATIONS) {
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: ++sent, message: PAD } });
      sampleBuffered();
      await new Promise(setImmediate);
    }
    return { content: [{ type: 'text', text: extra.signal.aborted ? `cancelled after ${sent}` : `sent ${sent}` }] };
  });
  return server;
}

function stats() {
  return running.bridge.streamStats()[0]!;
}

function sampleBuffered(): void {
  mostBuffered = Math.max(mostBuffered, stats().bufferedBytes);
}

/** A 2026-07-28 POST whose response is read up to its headers and then not at all. */
function stuckPost(method: string, params: Record<string, unknown>): Promise<IncomingMessage> {
  const body = { jsonrpc: '2.0', id: `${method}-1`, method, params: { ...params, _meta: { ...envelope(), ...(params._meta as object) } } };
  return new Promise((resolve, reject) => {
    const req = request(running.url('/mcp'), { method: 'POST', headers: headersFor(body) }, (res) => {
      res.pause();
      resolve(res);
    });
    clients.push(req);
    req.on('error', () => undefined);
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Reads what is left of a response: whether it ended complete, and its text. */
function readToEnd(res: IncomingMessage): Promise<{ complete: boolean; text: string }> {
  let text = '';
  return new Promise((resolve) => {
    res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    res.on('error', () => undefined);
    res.once('close', () => resolve({ complete: res.complete, text }));
    res.resume();
  });
}

function overflowWarning(stream: string) {
  return logger.records.find((record) => record.level === 'warn' && record.message.includes(`its ${stream} held more than limits.streamBufferBytes`));
}

test('a listen stream whose client stopped reading is closed past the limit, counted, and its subscription ended', async () => {
  const res = await stuckPost('subscriptions/listen', { notifications: { toolsListChanged: true } });
  expect(res.statusCode).toBe(200);
  expect(upstream.sessionCount()).toBe(1);

  for (let sent = 0; sent < MOST_NOTIFICATIONS && stats().overflows['streamable-http'] === 0; sent++) {
    await child.notification({ method: 'notifications/tools/list_changed', params: { pad: PAD } });
    sampleBuffered();
    await new Promise(setImmediate);
  }

  expect(stats().overflows['streamable-http']).toBe(1);
  expect(mostBuffered).toBeGreaterThan(LIMIT);
  expect(mostBuffered).toBeLessThanOrEqual(MOST_BUFFERED);
  const warning = overflowWarning('listen stream (2026-07-28)');
  expect(warning?.message).toContain('listen again');
  expect(warning?.meta).toMatchObject({ server: 'flood', transport: 'streamable-http', limitBytes: LIMIT });
  // The memory comes back: the queue is no longer held or counted, the child-side session is gone.
  await waitFor(() => stats().bufferedBytes === 0, 'no bytes counted as waiting');
  await waitFor(() => upstream.sessionCount() === 0, 'the listen stream\'s upstream session to end');
  // The client sees its stream end without the listen result.
  const rest = await readToEnd(res);
  expect(rest.complete).toBe(false);
  expect(rest.text).not.toContain('"resultType"');
});

test('a request whose response stream is not read is closed past the limit, counted, and cancelled at the child', async () => {
  const res = await stuckPost('tools/call', { name: 'flood', arguments: {}, _meta: { progressToken: 'flood-progress' } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);

  await waitFor(() => stats().overflows['streamable-http'] === 1 || upstream.sessionCount() === 0, 'the stream to be cut or the flood to end', 20_000);

  expect(stats().overflows['streamable-http']).toBe(1);
  expect(mostBuffered).toBeGreaterThan(LIMIT);
  expect(mostBuffered).toBeLessThanOrEqual(MOST_BUFFERED);
  expect(overflowWarning('POST stream (2026-07-28)')?.message).toContain('send the request again');
  await waitFor(() => stats().bufferedBytes === 0, 'no bytes counted as waiting');
  await waitFor(() => upstream.sessionCount() === 0, "the request's upstream session to end");
  expect(upstream.serverInbox).toContainEqual(expect.objectContaining({ method: 'notifications/cancelled' }));
  const rest = await readToEnd(res);
  expect(rest.complete).toBe(false);
  expect(rest.text).not.toContain('"result"');
});
