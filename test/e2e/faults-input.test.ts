import { join } from 'node:path';
import WebSocket from 'ws';
import { FIXTURES, cleanUp, everythingStdioLine, openRawSession, postMcp, rawRequest, startDaemon, withDeadline } from './support';
import type { Daemon, RawResponse, RawSession } from './support';

// Faults and hostile input (issue 12): every request gets an answer in bounded time, with
// the JSON-RPC error the spec names, and nothing it does leaves the session worse off.

afterEach(cleanUp);

const LARGE_RESULT_SERVER = [process.execPath, join(FIXTURES, 'large-result-server.js')];
const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
const MAX_DEPTH = 128;
/** Long enough for a 33 MiB answer to cross the pipe on a slow machine, short of "forever". */
const ANSWER_DEADLINE_MS = 20_000;

function upLargeResult(extra: string[] = []): Promise<Daemon> {
  return startDaemon(['up', '--port', '0', '--name', 'big', ...extra, '--', ...LARGE_RESULT_SERVER]);
}

function call(session: RawSession, url: string, id: string | number, name: string, args: Record<string, unknown>, timeoutMs = ANSWER_DEADLINE_MS): Promise<RawResponse> {
  return rawPost(url, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }), session.headers, timeoutMs);
}

function rawPost(url: string, body: string, headers: Record<string, string>, timeoutMs = ANSWER_DEADLINE_MS): Promise<RawResponse> {
  return rawRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body,
    timeoutMs,
  });
}

function errorOf(response: RawResponse): { id?: unknown; error: { code: number; message: string } } {
  const message = response.messages[0] as { id?: unknown; error?: { code: number; message: string } } | undefined;
  if (!message?.error) throw new Error(`expected a JSON-RPC error, got HTTP ${response.status}: ${response.text.slice(0, 500)}`);
  return message as { id?: unknown; error: { code: number; message: string } };
}

function textOf(response: RawResponse): string {
  const result = response.messages[0]?.result as { content?: Array<{ text?: string }> } | undefined;
  if (!result) throw new Error(`expected a result, got HTTP ${response.status}: ${response.text.slice(0, 500)}`);
  return result.content?.[0]?.text ?? '';
}

/** `{"a":{"a":…1…}}`, `levels` objects deep, written as text: JSON.stringify itself overflows on deep values. */
function nestedText(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

function deepCall(id: number | string, levels: number): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":{"name":"echo","arguments":{"message":"deep","extra":${nestedText(levels)}}}}`;
}

/** One WebSocket session: send frames, receive the parsed answers (messages with an id). */
async function openWebSocket(url: string): Promise<{ send(text: string): void; next(what: string): Promise<Record<string, unknown>>; close(): void }> {
  const socket = new WebSocket(url, 'mcp');
  const received: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    if (!('id' in message)) return; // server-everything's own notifications come and go
    received.push(message);
    waiters.splice(0).forEach((wake) => wake());
  });
  await withDeadline(new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject)), 10_000, 'the WebSocket to open');
  return {
    send: (text) => socket.send(text),
    next: async (what) => {
      while (received.length === 0) await withDeadline(new Promise<void>((resolve) => waiters.push(resolve)), 10_000, what);
      return received.shift()!;
    },
    close: () => socket.terminate(),
  };
}

describe('an answer over maxMessageBytes', () => {
  it('becomes a JSON-RPC error to its request naming the limit and the key to raise, and the session goes on', async () => {
    const daemon = await upLargeResult();
    const session = await openRawSession(daemon.endpoint);
    const refused = await call(session, daemon.endpoint, 'too-big', 'large-result', { bytes: DEFAULT_MAX_MESSAGE_BYTES + 1024 * 1024 });
    const { id, error } = errorOf(refused);
    expect(id).toBe('too-big');
    expect(error.message).toContain(String(DEFAULT_MAX_MESSAGE_BYTES));
    expect(error.message).toContain('limits.maxMessageBytes');
    expect(error.message).toContain('"big"');
    // The same session, and the same id, work again.
    expect(textOf(await call(session, daemon.endpoint, 'too-big', 'echo', { message: 'after' }))).toBe('Echo: after');
    await daemon.waitForOutput(/over the limit of 33554432 bytes/);
  });

  it('follows limits.maxMessageBytes (--max-message-bytes): under it the answer passes whole, over it the error names the configured limit', async () => {
    const limit = 1024 * 1024;
    const daemon = await upLargeResult(['--max-message-bytes', String(limit)]);
    const session = await openRawSession(daemon.endpoint);
    expect(textOf(await call(session, daemon.endpoint, 1, 'large-result', { bytes: limit / 2 }))).toHaveLength(limit / 2);
    const { id, error } = errorOf(await call(session, daemon.endpoint, 2, 'large-result', { bytes: limit * 2 }));
    expect(id).toBe(2);
    expect(error.message).toContain(String(limit));
    expect(error.message).toContain('limits.maxMessageBytes');
  });
});

describe('input nested deeper than the limit', () => {
  it(`is refused at the door with -32600 naming the limit (${MAX_DEPTH}), and its id stays free`, async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const session = await openRawSession(daemon.endpoint);
    const refused = await rawPost(daemon.endpoint, deepCall(7, 5000), session.headers);
    expect(refused.status).toBe(400);
    const { id, error } = errorOf(refused);
    expect(error.code).toBe(-32600);
    expect(error.message).toContain(String(MAX_DEPTH));
    expect(id).toBe(7);
    // The id was never taken: the same id answers now.
    expect(textOf(await call(session, daemon.endpoint, 7, 'echo', { message: 'same id' }))).toBe('Echo: same id');
    // Nesting real traffic uses passes.
    expect(textOf(await rawPost(daemon.endpoint, deepCall(8, 60), session.headers))).toBe('Echo: deep');
  });

  it('is refused on a WebSocket frame too, and the connection goes on', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const ws = await openWebSocket(`${daemon.origin.replace('http', 'ws')}/ws`);
    try {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ws-raw', version: '1' } } }));
      expect(await ws.next('the initialize answer')).toHaveProperty('result');
      ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      ws.send(deepCall(2, 5000));
      const refused = (await ws.next('the answer to the deep call')) as { id?: unknown; error?: { code: number; message: string } };
      expect(refused.error?.code).toBe(-32600);
      expect(refused.error?.message).toContain(String(MAX_DEPTH));
      expect(refused.id).toBe(2);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'ws after' } } }));
      expect(await ws.next('the echo after')).toMatchObject({ id: 2, result: { content: [{ text: 'Echo: ws after' }] } });
    } finally {
      ws.close();
    }
  });
});

describe('unparsable Origin and Host', () => {
  const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'attacker', version: '1' } } };
  const ORIGINS = ['null', 'http://[', 'file://', '::::', 'http://localhost:99999'];

  async function expectRefusals(daemon: Daemon): Promise<void> {
    for (const origin of ORIGINS) {
      for (const path of ['/mcp', '/healthz']) {
        const answer = await rawRequest(`${daemon.origin}${path}`, { method: path === '/mcp' ? 'POST' : 'GET', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', origin }, body: path === '/mcp' ? JSON.stringify(INITIALIZE) : undefined });
        expect({ origin, path, status: answer.status }).toEqual({ origin, path, status: 403 });
        expect(JSON.parse(answer.text)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringContaining('Forbidden: Origin') } });
      }
    }
    for (const host of ['[::1', '127.0.0.1:8000:1', 'a b']) {
      const answer = await postMcp(daemon.endpoint, INITIALIZE, { host });
      expect({ host, status: answer.status }).toEqual({ host, status: 403 });
      expect(JSON.parse(answer.text)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    }
  }

  it('get 403 with the usual JSON body on `up`, the daemon\'s own /readyz included', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    await expectRefusals(daemon);
    const readyz = await rawRequest(`${daemon.origin}/readyz`, { headers: { origin: 'null' } });
    expect(readyz.status).toBe(403);
    expect(JSON.parse(readyz.text)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringContaining('Forbidden: Origin "null"') } });
    // The listener's own origin still passes.
    expect((await rawRequest(`${daemon.origin}/readyz`, { headers: { origin: daemon.origin } })).status).not.toBe(403);
  });

  it('get 403 with the usual JSON body on `bridge`', async () => {
    const daemon = await startDaemon(['bridge', '--stdio', everythingStdioLine(), '--outputTransport', 'streamableHttp', '--port', '0']);
    await expectRefusals(daemon);
  });
});

describe('JSON that is not JSON-RPC, and batches', () => {
  it('{"foo":1} gets -32600 (Invalid Request), not -32700, on Streamable HTTP', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const session = await openRawSession(daemon.endpoint);
    for (const body of ['{"foo":1}', '{"jsonrpc":"2.0","id":1}', '[{"foo":1}]', '42']) {
      const answer = await rawPost(daemon.endpoint, body, session.headers);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect({ body, code: errorOf(answer).error.code }).toEqual({ body, code: -32600 });
    }
    // Unparsable text is still a parse error.
    expect(errorOf(await rawPost(daemon.endpoint, '{"foo":', session.headers)).error.code).toBe(-32700);
  });

  it('a batch of more than 100 messages gets -32600 naming the cap, on Streamable HTTP and WebSocket', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const session = await openRawSession(daemon.endpoint, '2025-03-26');
    const batch = (size: number) => JSON.stringify(Array.from({ length: size }, (_, i) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: `t${i}`, progress: 1 } })));
    const refused = await rawPost(daemon.endpoint, batch(101), session.headers);
    expect(refused.status).toBe(400);
    expect(errorOf(refused).error).toMatchObject({ code: -32600, message: expect.stringContaining('100') });
    expect((await rawPost(daemon.endpoint, batch(100), session.headers)).status).toBe(202);

    const ws = await openWebSocket(`${daemon.origin.replace('http', 'ws')}/ws`);
    try {
      ws.send(batch(101));
      expect(await ws.next('the answer to the batch')).toMatchObject({ error: { code: -32600, message: expect.stringContaining('100') } });
    } finally {
      ws.close();
    }
  });
});
