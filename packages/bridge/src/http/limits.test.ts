import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InProcessUpstream } from './test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './test-support/bridge-harness.js';
import { mcpPostHeaders, rawRequest } from './test-support/raw-http.js';
import { waitFor } from './test-support/wait-for.js';
import { validateMessages } from './json-rpc-validation.js';

const LIMIT = 64 * 1024;

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

function paddedRequest(bytes: number): string {
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x'.repeat(bytes) } } });
}

describe('limits and bad input', () => {
  let running: RunningBridge;
  let upstream: InProcessUpstream;
  const clients: Client[] = [];

  beforeEach(async () => {
    upstream = new InProcessUpstream('alpha');
    running = await startBridge({ upstreams: [upstream], limits: { maxBodyBytes: LIMIT, maxSessions: 2 } });
  });

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await running.close();
  });

  async function connect(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client({ name: 'test', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(running.url('/mcp')));
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  it('answers an over-limit body with 413 naming the limit, and other sessions keep working', async () => {
    const { client } = await connect();
    const declared = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: paddedRequest(LIMIT * 4) });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(declared.json().error.message).toContain(`${LIMIT} bytes`);
    expect(declared.json().error.message).toContain('limits.maxBodyBytes');

    // Chunked, no Content-Length: the limit is counted as bytes arrive.
    const piece = Buffer.from('x'.repeat(16 * 1024));
    const chunked = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), chunks: [Buffer.from('{"pad":"'), ...Array(8).fill(piece), Buffer.from('"}')] });
    expect(chunked.status).toBe(413);

    // fetch (undici) reads the early answer too.
    const viaFetch = await fetch(running.url('/mcp'), { method: 'POST', headers: mcpPostHeaders(), body: paddedRequest(LIMIT * 4) });
    expect(viaFetch.status).toBe(413);

    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toBe('alpha: still here');
    expect(upstream.openSessions()).toHaveLength(1);
  });

  it('accepts a body just under the limit', async () => {
    const { client } = await connect();
    const text = 'y'.repeat(LIMIT - 1024);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text } }))).toBe(`alpha: ${text}`);
  });

  it('answers malformed JSON with 400 / -32700 and a wrong content type with 415', async () => {
    const malformed = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: '{"jsonrpc": "2.0", "id": 1,' });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    const empty = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: '' });
    expect(empty.json().error.code).toBe(-32700);
    const wrongType = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ 'Content-Type': 'text/plain' }), body: '{}' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json().error.message).toContain('application/json');
    const sseMalformed = await rawRequest(running.port, { method: 'POST', path: '/message?sessionId=x', headers: { 'Content-Type': 'application/json' }, body: 'nope' });
    expect(sseMalformed.status).toBe(400);
    expect(sseMalformed.json().error.code).toBe(-32700);
  });

  it('answers JSON that is no JSON-RPC message with 400 / -32600 (Invalid Request), as JSON-RPC 2.0 says', async () => {
    const { transport } = await connect();
    const headers = mcpPostHeaders({ 'Mcp-Session-Id': transport.sessionId!, 'Mcp-Protocol-Version': '2025-06-18' });
    for (const body of ['{"foo":1}', '{"jsonrpc":"2.0","id":1}', '[{"foo":1}]', '"text"', '[]']) {
      const answer = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers, body });
      expect({ body, status: answer.status, code: answer.json().error?.code }).toEqual({ body, status: 400, code: -32600 });
    }
  });

  it('caps a batch at 100 messages: Streamable HTTP, and the check legacy SSE and WebSocket share', async () => {
    const { transport } = await connect();
    const headers = mcpPostHeaders({ 'Mcp-Session-Id': transport.sessionId!, 'Mcp-Protocol-Version': '2025-03-26' });
    const batch = (size: number) => JSON.stringify(Array.from({ length: size }, (_, i) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: i, progress: 1 } })));
    const refused = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers, body: batch(101) });
    expect(refused.status).toBe(400);
    expect(refused.json().error).toMatchObject({ code: -32600, message: expect.stringContaining('at most 100 messages') });
    expect((await rawRequest(running.port, { method: 'POST', path: '/mcp', headers, body: batch(100) })).status).toBe(202);
    expect(validateMessages(JSON.parse(batch(101)))).toMatchObject({ ok: false, message: expect.stringContaining('at most 100 messages') });
    expect(validateMessages(JSON.parse(batch(100)))).toMatchObject({ ok: true });
  });

  it('refuses input nested deeper than 128 levels with -32600 and the request id before the upstream sees it; 60 levels pass', async () => {
    const { client, transport } = await connect();
    const headers = mcpPostHeaders({ 'Mcp-Session-Id': transport.sessionId!, 'Mcp-Protocol-Version': '2025-06-18' });
    const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    const call = (id: number, levels: number) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"deep","extra":${nested(levels)}}}}`;
    const [session] = upstream.openSessions();
    const before = session!.received.length;
    for (const levels of [126, 5000, 30_000]) {
      const refused = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers, body: call(9, levels) });
      expect({ levels, status: refused.status }).toEqual({ levels, status: 400 });
      expect(refused.json()).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32600, message: expect.stringContaining('more than 128 levels') } });
    }
    expect(session!.received.length).toBe(before);
    // 125 levels of data + message, params, arguments = 128: the limit itself passes.
    const atLimit = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers, body: call(9, 125) });
    expect(atLimit.status).toBe(200);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'after', extra: JSON.parse(nested(60)) } }))).toBe('alpha: after');
    // Legacy SSE's message path reads its body the same way.
    const sse = await rawRequest(running.port, { method: 'POST', path: '/message?sessionId=x', headers: { 'Content-Type': 'application/json' }, body: call(3, 5000) });
    expect(sse.json()).toMatchObject({ id: 3, error: { code: -32600 } });
  });

  it('answers a session over limits.maxSessions with 503 and Retry-After, and frees the place on close', async () => {
    const first = await connect();
    await connect();
    const third = new Client({ name: 'test', version: '1' });
    await expect(third.connect(new StreamableHTTPClientTransport(new URL(running.url('/mcp'))))).rejects.toThrow(/503|Service Unavailable/);
    const raw = await rawRequest(running.port, {
      method: 'POST',
      path: '/mcp',
      headers: mcpPostHeaders(),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    expect(raw.status).toBe(503);
    expect(raw.headers['retry-after']).toBe('5');
    expect(raw.json().error.message).toContain('limits.maxSessions');

    await first.transport.terminateSession();
    await waitFor(() => upstream.openSessions().length === 1, 'the terminated session to free its place');
    const { client } = await connect();
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'in' } }))).toBe('alpha: in');
  });

  it('counts legacy SSE streams against the same limit', async () => {
    await connect();
    await connect();
    const sse = await rawRequest(running.port, { method: 'GET', path: '/sse', headers: { Accept: 'text/event-stream' } });
    expect(sse.status).toBe(503);
  });
});
