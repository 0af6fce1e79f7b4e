import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';
import { InProcessUpstream } from './test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './test-support/bridge-harness.js';
import { tapProgress } from './test-support/progress-tap.js';
import { waitFor } from './test-support/wait-for.js';

// Node 20 has no global WebSocket; the SDK's client transport expects one.
const globals = globalThis as { WebSocket?: unknown };
if (globals.WebSocket === undefined) globals.WebSocket = WebSocket;

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** A raw ws client that queues incoming frames so a test can await them in order. */
class FrameQueue {
  private readonly frames: string[] = [];
  constructor(socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(data.toString()));
  }
  async next(): Promise<any> {
    await waitFor(() => this.frames.length > 0, 'a WebSocket frame');
    return JSON.parse(this.frames.shift()!);
  }
}

function openSocket(url: string, protocols: string[] = ['mcp']): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('WebSocket', () => {
  let running: RunningBridge;
  let upstream: InProcessUpstream;
  const closers: Array<() => unknown> = [];

  beforeEach(async () => {
    upstream = new InProcessUpstream('alpha');
    running = await startBridge({ upstreams: [upstream, new InProcessUpstream('beta')] });
  });

  afterEach(async () => {
    await Promise.allSettled(closers.splice(0).map(async (close) => close()));
    await running.close();
  });

  it('round-trips tools/call with progress through the SDK WebSocket client', async () => {
    const client = new Client({ name: 'test', version: '1' });
    const transport = new WebSocketClientTransport(new URL(running.url('/ws').replace('http', 'ws')));
    await client.connect(transport);
    closers.push(() => client.close());
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('alpha: hi');
    const progress = tapProgress(transport);
    const result = await client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, { onprogress: () => undefined });
    expect(textOf(result)).toBe('done 2');
    expect(progress).toEqual([1, 2]);
  });

  it('accepts the "mcp" subprotocol and serves /servers/<name>/ws', async () => {
    const socket = await openSocket(running.url('/servers/beta/ws').replace('http', 'ws'));
    closers.push(() => socket.close());
    expect(socket.protocol).toBe('mcp');
    const frames = new FrameQueue(socket);
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
    expect((await frames.next()).result.serverInfo.name).toBe('test-beta');
  });

  it('answers a malformed frame with -32700 and keeps the socket usable', async () => {
    const socket = await openSocket(running.url('/ws').replace('http', 'ws'));
    closers.push(() => socket.close());
    const frames = new FrameQueue(socket);
    socket.send('this is not json');
    const error = await frames.next();
    expect(error).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'not-rpc' }));
    expect((await frames.next()).error.code).toBe(-32600);
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
    const answer = await frames.next();
    expect(answer.id).toBe(7);
    expect(answer.result.serverInfo.name).toBe('test-alpha');
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it('ends the upstream session when the socket closes', async () => {
    const socket = await openSocket(running.url('/ws').replace('http', 'ws'));
    await waitFor(() => upstream.openSessions().length === 1, 'the upstream session to open');
    socket.close();
    await waitFor(() => upstream.openSessions().length === 0, 'the upstream session to close');
  });

  it('closes a socket whose frame exceeds maxBodyBytes, without disturbing another socket', async () => {
    await running.close();
    upstream = new InProcessUpstream('alpha');
    running = await startBridge({ upstreams: [upstream], limits: { maxBodyBytes: 1024 } });
    const url = running.url('/ws').replace('http', 'ws');
    const healthy = await openSocket(url);
    closers.push(() => healthy.close());
    const big = await openSocket(url);
    const closed = new Promise<number>((resolve) => big.once('close', (code) => resolve(code)));
    big.send(JSON.stringify({ jsonrpc: '2.0', method: 'x', params: { pad: 'y'.repeat(4096) } }));
    expect(await closed).toBe(1009);
    const frames = new FrameQueue(healthy);
    healthy.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
    expect((await frames.next()).id).toBe(1);
  });
});
