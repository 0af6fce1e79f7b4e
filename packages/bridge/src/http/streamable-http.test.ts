import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ToolListChangedNotificationSchema, type CallToolResult, type InitializeResult } from '@modelcontextprotocol/sdk/types.js';
import { QUICK_ANSWER_WINDOW_MS } from './quick-answer.js';
import { InProcessUpstream } from './test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './test-support/bridge-harness.js';
import { mcpPostHeaders, rawRequest } from './test-support/raw-http.js';
import { tapProgress } from './test-support/progress-tap.js';
import { SseReader, readJsonRpcAnswer } from './test-support/sse-reader.js';
import { waitFor } from './test-support/wait-for.js';

const INIT_BODY = (id: number | string = 1, protocolVersion = '2025-11-25') =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

describe('Streamable HTTP, stateful', () => {
  let running: RunningBridge;
  let upstream: InProcessUpstream;
  const clients: Client[] = [];

  beforeEach(async () => {
    upstream = new InProcessUpstream('alpha', 'shared');
    running = await startBridge({ upstreams: [upstream] });
  });

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await running.close();
  });

  async function connect(path = '/mcp', capabilities = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client({ name: 'test', version: '1' }, { capabilities });
    const transport = new StreamableHTTPClientTransport(new URL(running.url(path)));
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  it('round-trips tools/call and carries progress on the POST stream', async () => {
    const { client, transport } = await connect();
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('alpha: hi');
    const progress = tapProgress(transport);
    const result = await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, { onprogress: () => undefined });
    expect(textOf(result)).toBe('done 3');
    expect(progress).toEqual([1, 2, 3]);
  });

  it('relays a server->client request (sampling) and its answer', async () => {
    const { client } = await connect('/mcp', { sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      const content = request.params.messages[0]!.content;
      const first = Array.isArray(content) ? content[0] : content;
      return { role: 'assistant', model: 'test', content: { type: 'text', text: `re: ${first?.type === 'text' ? first.text : ''}` } };
    });
    expect(textOf(await client.callTool({ name: 'sample', arguments: { prompt: 'ping' } }))).toBe('sampled: re: ping');
  });

  it('delivers unrelated notifications on the GET stream', async () => {
    const { client } = await connect();
    let received = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      received += 1;
    });
    const session = upstream.openSessions()[0]!;
    // The client opens its GET stream on its own after initialize; notify until it is listening.
    await waitFor(() => {
      if (received === 0) session.server.sendToolListChanged();
      return received > 0;
    }, 'a tools/list_changed notification on the GET stream');
  });

  it('DELETE ends the session upstream and later requests get 404', async () => {
    const { transport } = await connect();
    const sessionId = transport.sessionId!;
    expect(upstream.openSessions()).toHaveLength(1);
    await transport.terminateSession();
    await waitFor(() => upstream.openSessions().length === 0, 'the upstream session to close');
    const after = await rawRequest(running.port, {
      method: 'POST',
      path: '/mcp',
      headers: mcpPostHeaders({ 'Mcp-Session-Id': sessionId }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
    expect(after.json().error.code).toBe(-32001);
  });

  it('answers an unknown session id with 404 and a missing one with 400', async () => {
    await connect();
    const unknown = await rawRequest(running.port, {
      method: 'POST',
      path: '/mcp',
      headers: mcpPostHeaders({ 'Mcp-Session-Id': '00000000-0000-4000-8000-000000000000' }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001 } });
    const missing = await rawRequest(running.port, {
      method: 'POST',
      path: '/mcp',
      headers: mcpPostHeaders(),
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(missing.status).toBe(400);
    expect(missing.json().error.message).toMatch(/Mcp-Session-Id header is required/);
    const getWithout = await rawRequest(running.port, { method: 'GET', path: '/mcp', headers: { Accept: 'text/event-stream' } });
    expect(getWithout.status).toBe(400);
  });

  /** initialize + notifications/initialized by hand; returns the headers later requests need. */
  async function rawSession(): Promise<Record<string, string>> {
    const init = await fetch(running.url('/mcp'), { method: 'POST', headers: mcpPostHeaders(), body: INIT_BODY() });
    expect(init.status).toBe(200);
    const sessionId = init.headers.get('mcp-session-id')!;
    expect((await readJsonRpcAnswer<{ result: InitializeResult }>(init)).result.serverInfo.name).toBe('test-alpha');
    const common = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' };
    const initialized = await fetch(running.url('/mcp'), {
      method: 'POST',
      headers: mcpPostHeaders(common),
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(initialized.status).toBe(202);
    return common;
  }

  it('sends an answer that comes at once as one whole SSE body (priming event with retry, then the answer), with its length and the session id', async () => {
    const common = await rawSession();
    const call = await rawRequest(running.port, {
      method: 'POST',
      path: '/mcp',
      headers: mcpPostHeaders(common),
      body: JSON.stringify({ jsonrpc: '2.0', id: 'quick', method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }),
    });
    expect(call.status).toBe(200);
    expect(call.headers['content-type']).toBe('text/event-stream');
    expect(Number(call.headers['content-length'])).toBe(Buffer.byteLength(call.text));
    expect(call.headers['mcp-session-id']).toBe(common['Mcp-Session-Id']);
    expect(call.headers['transfer-encoding']).toBeUndefined();
    const [priming, answer, rest] = call.text.split('\n\n');
    expect(priming).toMatch(/^id: \S+\nretry: 1000\ndata: $/);
    expect(answer).toMatch(/^event: message\nid: \S+\ndata: /);
    expect(JSON.parse(answer!.split('data: ')[1]!)).toEqual({ jsonrpc: '2.0', id: 'quick', result: { content: [{ type: 'text', text: 'alpha: hi' }] } });
    expect(rest).toBe('');
  });

  it('sends a quick answer as one JSON body to a client whose Accept ranks application/json first; equal ranks keep the SSE shape', async () => {
    const common = await rawSession();
    const call = (id: string, accept: string) =>
      rawRequest(running.port, {
        method: 'POST',
        path: '/mcp',
        headers: { ...mcpPostHeaders(common), Accept: accept },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: id } } }),
      });
    const json = await call('json', 'text/event-stream;q=0.5, application/json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(Number(json.headers['content-length'])).toBe(Buffer.byteLength(json.text));
    expect(json.headers['mcp-session-id']).toBe(common['Mcp-Session-Id']);
    expect(JSON.parse(json.text)).toEqual({ jsonrpc: '2.0', id: 'json', result: { content: [{ type: 'text', text: 'alpha: json' }] } });
    const equal = await call('equal', 'text/event-stream, application/json;q=1');
    expect(equal.headers['content-type']).toBe('text/event-stream');
    expect(equal.text).toMatch(/^id: \S+\nretry: 1000\ndata: \n\n/);
  });

  it('keeps streaming a slow answer to a client that prefers JSON (only a quick, whole answer can become one body)', async () => {
    const common = await rawSession();
    const call = await fetch(running.url('/mcp'), {
      method: 'POST',
      headers: { ...mcpPostHeaders(common), Accept: 'application/json, text/event-stream;q=0.1' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'slow-json', method: 'tools/call', params: { name: 'gated', arguments: { text: 'late' } } }),
    });
    expect(call.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = new SseReader(call);
    upstream.openGate();
    expect(JSON.parse((await reader.next()).data)).toMatchObject({ id: 'slow-json', result: { content: [{ type: 'text', text: 'late' }] } });
  });

  it(`opens an SSE stream at once when the answer takes longer than ${QUICK_ANSWER_WINDOW_MS} ms, then sends the answer on it`, async () => {
    const common = await rawSession();
    const call = await fetch(running.url('/mcp'), {
      method: 'POST',
      headers: mcpPostHeaders(common),
      body: JSON.stringify({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'gated', arguments: { text: 'late' } } }),
    });
    // fetch resolved on the headers while the tool is still held: the stream opened without its answer.
    expect(call.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = new SseReader(call);
    upstream.openGate();
    const answer = JSON.parse((await reader.next()).data);
    expect(answer).toMatchObject({ id: 'slow', result: { content: [{ type: 'text', text: 'late' }] } });
  });

  it('puts progress on the POST stream of the request it belongs to, then the result', async () => {
    const common = await rawSession();
    const call = await fetch(running.url('/mcp'), {
      method: 'POST',
      headers: mcpPostHeaders(common),
      body: JSON.stringify({ jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'progress', arguments: { steps: 2 }, _meta: { progressToken: 'tok' } } }),
    });
    expect(call.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = new SseReader(call);
    const messages = [];
    for (let i = 0; i < 3; i += 1) messages.push(JSON.parse((await reader.next()).data));
    expect(messages.map((m) => m.method ?? `result ${m.id}`)).toEqual(['notifications/progress', 'notifications/progress', 'result call-1']);
    expect(messages[0].params).toMatchObject({ progressToken: 'tok', progress: 1 });
  });

  it('resumes the GET stream with Last-Event-ID, replaying what was missed', async () => {
    const common = await rawSession();
    const session = upstream.openSessions()[0]!;

    const first = new AbortController();
    const stream = await fetch(running.url('/mcp'), { headers: { ...common, Accept: 'text/event-stream' }, signal: first.signal });
    expect(stream.status).toBe(200);
    const reader = new SseReader(stream);
    await session.server.sendLoggingMessage({ level: 'info', data: 'one' });
    const one = await reader.next();
    expect(JSON.parse(one.data).params.data).toBe('one');
    expect(one.id).toBeDefined();
    first.abort();
    await reader.cancel();

    await session.server.sendLoggingMessage({ level: 'info', data: 'two' });
    await session.server.sendLoggingMessage({ level: 'info', data: 'three' });

    // The server notices the dropped stream asynchronously; until then a resume is a 409 conflict.
    let resumed: Response | undefined;
    await waitFor(async () => {
      const attempt = await fetch(running.url('/mcp'), { headers: { ...common, Accept: 'text/event-stream', 'Last-Event-ID': one.id! } });
      if (attempt.status === 409) {
        await attempt.body?.cancel();
        return false;
      }
      resumed = attempt;
      return true;
    }, 'the resumed GET stream to be accepted');
    expect(resumed!.status).toBe(200);
    const replay = new SseReader(resumed!);
    const two = await replay.next();
    const three = await replay.next();
    expect([JSON.parse(two.data).params.data, JSON.parse(three.data).params.data]).toEqual(['two', 'three']);
    await replay.cancel();
  });

  it('serves every upstream under /servers/<name>/mcp', async () => {
    await running.close();
    const beta = new InProcessUpstream('beta', 'shared');
    running = await startBridge({ upstreams: [upstream, beta] });
    const { client } = await connect('/servers/beta/mcp');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('beta: x');
    const { client: viaDefault } = await connect('/mcp');
    expect(textOf(await viaDefault.callTool({ name: 'echo', arguments: { text: 'y' } }))).toBe('alpha: y');
  });

  it('closes sessions idle longer than limits.sessionIdleMs', async () => {
    await running.close();
    upstream = new InProcessUpstream('alpha', 'shared');
    running = await startBridge({ upstreams: [upstream], limits: { sessionIdleMs: 200 } });
    const { transport } = await connect();
    expect(upstream.sessions).toHaveLength(1);
    await transport.close(); // drops the GET stream, so nothing of the session is open any more
    await waitFor(() => upstream.openSessions().length === 0, 'the idle session to be closed', 5_000);
  });
});

describe('Streamable HTTP, stateless', () => {
  let running: RunningBridge;
  let upstream: InProcessUpstream;
  const clients: Client[] = [];

  beforeEach(async () => {
    upstream = new InProcessUpstream('alpha', 'stateless');
    running = await startBridge({ upstreams: [upstream] });
  });

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await running.close();
  });

  async function connect(): Promise<Client> {
    return (await connectWithTransport()).client;
  }

  async function connectWithTransport(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client({ name: 'test', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(running.url('/mcp')));
    await client.connect(transport);
    clients.push(client);
    expect(transport.sessionId).toBeUndefined();
    return { client, transport };
  }

  it('gives each concurrent POST its own transport: two clients with the same ids get their own answers', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const [ra, rb] = await Promise.all([
      a.callTool({ name: 'rendezvous', arguments: { text: 'from a' } }),
      b.callTool({ name: 'rendezvous', arguments: { text: 'from b' } }),
    ]);
    expect(textOf(ra)).toBe('from a');
    expect(textOf(rb)).toBe('from b');
    // Each POST was its own transient session, closed once answered.
    await waitFor(() => upstream.openSessions().length === 0, 'every transient session to close');
    expect(upstream.sessions.every((s) => s.peer.stateless)).toBe(true);
  });

  it('carries progress on the POST stream', async () => {
    const { client, transport } = await connectWithTransport();
    const progress = tapProgress(transport);
    const result = await client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, { onprogress: () => undefined });
    expect(textOf(result)).toBe('done 2');
    expect(progress).toEqual([1, 2]);
  });

  it('accepts a POST holding only a response (an answer to sampling) with 202 and hands it upstream', async () => {
    const answer = { jsonrpc: '2.0', id: 'srv-7', result: { role: 'assistant', model: 'm', content: { type: 'text', text: 'ok' } } };
    const res = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: JSON.stringify(answer) });
    expect(res.status).toBe(202);
    const session = upstream.sessions.at(-1)!;
    expect(session.peer.stateless).toBe(true);
    expect(session.received).toEqual([answer]);
    await waitFor(() => session.closed, 'the transient session to close');
  });

  it('answers GET and DELETE with 405', async () => {
    const get = await rawRequest(running.port, { method: 'GET', path: '/mcp', headers: { Accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const del = await rawRequest(running.port, { method: 'DELETE', path: '/mcp' });
    expect(del.status).toBe(405);
    expect(del.json().error.code).toBe(-32000);
  });
});
