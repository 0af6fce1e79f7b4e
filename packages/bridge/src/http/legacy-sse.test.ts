import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InProcessUpstream } from './test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './test-support/bridge-harness.js';
import { rawRequest } from './test-support/raw-http.js';
import { SseReader } from './test-support/sse-reader.js';
import { tapProgress } from './test-support/progress-tap.js';
import { waitFor } from './test-support/wait-for.js';

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

describe('legacy HTTP+SSE (2024-11-05)', () => {
  let running: RunningBridge;
  let upstream: InProcessUpstream;
  const clients: Client[] = [];

  beforeEach(async () => {
    upstream = new InProcessUpstream('alpha');
    running = await startBridge({ upstreams: [upstream, new InProcessUpstream('beta')] });
  });

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await running.close();
  });

  async function connect(path: string): Promise<Client> {
    return (await connectWithTransport(path)).client;
  }

  async function connectWithTransport(path: string): Promise<{ client: Client; transport: SSEClientTransport }> {
    const client = new Client({ name: 'test', version: '1' });
    const transport = new SSEClientTransport(new URL(running.url(path)));
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  it('round-trips tools/call with progress through /sse and /message', async () => {
    const { client, transport } = await connectWithTransport('/sse');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('alpha: hi');
    const progress = tapProgress(transport);
    const result = await client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, { onprogress: () => undefined });
    expect(textOf(result)).toBe('done 2');
    expect(progress).toEqual([1, 2]);
  });

  it('names the multi-server message path in the endpoint event and serves that server', async () => {
    const stream = await fetch(running.url('/servers/beta/sse'), { headers: { Accept: 'text/event-stream' } });
    const reader = new SseReader(stream);
    const endpoint = await reader.next();
    expect(endpoint.event).toBe('endpoint');
    expect(endpoint.data).toMatch(/^\/servers\/beta\/message\?sessionId=[0-9a-f-]{36}$/);
    await reader.cancel();

    const client = await connect('/servers/beta/sse');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('beta: x');
  });

  it('uses baseUrl + the message path for the single-server layout, like supergateway', async () => {
    await running.close();
    upstream = new InProcessUpstream('alpha');
    running = await startBridge({ upstreams: [upstream], baseUrl: 'http://localhost:9999/prefix/', paths: { sse: '/events', message: '/msg' } });
    const stream = await fetch(running.url('/events'), { headers: { Accept: 'text/event-stream' } });
    const reader = new SseReader(stream);
    const endpoint = await reader.next();
    // The SDK's transport keeps only the path and query of the endpoint it is given.
    expect(endpoint.data).toMatch(/^\/prefix\/msg\?sessionId=/);
    await reader.cancel();
  });

  it('ends the upstream session when the stream closes', async () => {
    const client = await connect('/sse');
    await waitFor(() => upstream.openSessions().length === 1, 'the upstream session to open');
    await client.close();
    await waitFor(() => upstream.openSessions().length === 0, 'the upstream session to close');
  });

  it('answers an unknown or missing sessionId with 404 / 400', async () => {
    const message = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const unknown = await rawRequest(running.port, { method: 'POST', path: '/message?sessionId=nope', headers: { 'Content-Type': 'application/json' }, body: message });
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe(-32001);
    const missing = await rawRequest(running.port, { method: 'POST', path: '/message', headers: { 'Content-Type': 'application/json' }, body: message });
    expect(missing.status).toBe(400);
  });

  it('rejects a POST that is JSON but not JSON-RPC with -32600', async () => {
    const stream = await fetch(running.url('/sse'), { headers: { Accept: 'text/event-stream' } });
    const reader = new SseReader(stream);
    const endpoint = await reader.next();
    const res = await rawRequest(running.port, { method: 'POST', path: endpoint.data, headers: { 'Content-Type': 'application/json' }, body: '{"hello":1}' });
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe(-32600);
    await reader.cancel();
  });
});
