import { createServer, type Server } from 'node:http';
import { connect as connectTcp, type AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';
import { createBridge } from './bridge.js';
import { captureLogger } from './http/test-support/capture-logger.js';
import { InProcessUpstream } from './http/test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './http/test-support/bridge-harness.js';
import { mcpPostHeaders, rawRequest } from './http/test-support/raw-http.js';
import { waitFor } from './http/test-support/wait-for.js';
import type { Upstream } from './upstream/types.js';

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

describe('createBridge', () => {
  let running: RunningBridge | undefined;
  const clients: Client[] = [];

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await running?.close();
    running = undefined;
  });

  async function client(url: string): Promise<Client> {
    const c = new Client({ name: 'test', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(c);
    return c;
  }

  describe('routing', () => {
    it('answers an unknown server name with 404 and the exact JSON-RPC body, on HTTP and WebSocket', async () => {
      running = await startBridge({ upstreams: [new InProcessUpstream('alpha')] });
      const res = await rawRequest(running.port, { method: 'POST', path: '/servers/nope/mcp', headers: mcpPostHeaders(), body: INIT });
      expect(res.status).toBe(404);
      expect(res.text).toBe('{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"unknown server: nope"}}');
      const ws = await new Promise<number>((resolve) => {
        const socket = new WebSocket(running!.url('/servers/nope/ws').replace('http', 'ws'), ['mcp']);
        socket.once('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
        socket.once('error', () => undefined);
      });
      expect(ws).toBe(404);
    });

    it('serves the single-server paths for defaultServer, on configured paths', async () => {
      running = await startBridge({
        upstreams: [new InProcessUpstream('alpha'), new InProcessUpstream('beta')],
        defaultServer: 'beta',
        paths: { streamableHttp: '/custom-mcp' },
      });
      expect(textOf(await (await client(running.url('/custom-mcp'))).callTool({ name: 'echo', arguments: { text: 'a' } }))).toBe('beta: a');
      expect((await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: INIT })).status).toBe(404);
      expect(textOf(await (await client(running.url('/servers/alpha/mcp'))).callTool({ name: 'echo', arguments: { text: 'b' } }))).toBe('alpha: b');
    });

    it('does not route transports that are switched off', async () => {
      running = await startBridge({ upstreams: [new InProcessUpstream('alpha')], transports: { sse: false, ws: false } });
      expect((await rawRequest(running.port, { path: '/sse', headers: { Accept: 'text/event-stream' } })).status).toBe(404);
      expect((await rawRequest(running.port, { path: '/servers/alpha/sse', headers: { Accept: 'text/event-stream' } })).status).toBe(404);
      expect((await rawRequest(running.port, { method: 'POST', path: '/message?sessionId=x', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(404);
      expect((await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: INIT })).status).toBe(200);
    });

    it('answers 404 with the served paths for anything else, and 426 for a plain GET on the WebSocket path', async () => {
      running = await startBridge({ upstreams: [new InProcessUpstream('alpha')] });
      const other = await rawRequest(running.port, { path: '/elsewhere' });
      expect(other.status).toBe(404);
      expect(other.json().error.message).toContain('/mcp');
      expect((await rawRequest(running.port, { path: '/ws' })).status).toBe(426);
    });

    it('hands 2026-07-28 requests to the modern handler, after the security checks and body parsing', async () => {
      running = await startBridge({ upstreams: [new InProcessUpstream('alpha')] });
      const modern = { 'MCP-Protocol-Version': '2026-07-28', Accept: 'application/json, text/event-stream' };
      // The legacy path would ask for a session id (400); the modern era has no GET on this path (405).
      const get = await rawRequest(running.port, { path: '/mcp', headers: modern });
      expect(get.status).toBe(405);
      const foreign = await rawRequest(running.port, { path: '/mcp', headers: { ...modern, Host: 'evil.example' } });
      expect(foreign.status).toBe(403);
      const malformed = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: { ...modern, 'Content-Type': 'application/json' }, body: '{' });
      expect(malformed.status).toBe(400);
      expect(malformed.json().error.code).toBe(-32700);
    });

    it('answers an unparsable request target with 404 instead of crashing', async () => {
      running = await startBridge({ upstreams: [new InProcessUpstream('alpha')] });
      const port = running.port;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connectTcp(port, '127.0.0.1', () => socket.write(`GET http://a:99999/ HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`));
        const chunks: Buffer[] = [];
        socket.on('data', (c) => chunks.push(c));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 404/);
      expect((await rawRequest(port, { path: '/healthz' })).status).toBe(200);
    });

    it('refuses an unknown defaultServer and duplicate names when created', () => {
      expect(() => createBridge({ upstreams: [new InProcessUpstream('alpha')], defaultServer: 'beta' })).toThrow(/defaultServer = "beta": is not a configured server. Allowed: the name of a configured server: "alpha"/);
      expect(() => createBridge({ upstreams: [new InProcessUpstream('a'), new InProcessUpstream('a')] })).toThrow(/upstreams\[1\]\.name = "a": is the name of another server too/);
      expect(() => createBridge({ upstreams: [], security: { allowedHosts: ['http://x/'] } })).toThrow(/security\.allowedHosts\[0\] = "http:\/\/x\/"/);
    });
  });

  describe('lifecycle', () => {
    it('start() resolves when an upstream fails to start; readiness reports it', async () => {
      const broken = new InProcessUpstream('broken');
      broken.start = async () => {
        throw new Error('spawn uvx ENOENT');
      };
      broken.setReadiness({ ready: false, state: 'failed', reason: 'spawn uvx ENOENT' });
      const logger = captureLogger();
      running = await startBridge({ upstreams: [new InProcessUpstream('alpha'), broken], logger });
      const ready = await rawRequest(running.port, { path: '/readyz' });
      expect(ready.status).toBe(503);
      expect(ready.json().servers[1]).toMatchObject({ name: 'broken', ready: false, state: 'failed' });
      expect(logger.text()).toContain('spawn uvx ENOENT');
    });

    it('close() ends every session, then the upstreams, and refuses new requests', async () => {
      const upstream = new InProcessUpstream('alpha');
      running = await startBridge({ upstreams: [upstream] });
      await client(running.url('/mcp'));
      const socket = new WebSocket(running.url('/ws').replace('http', 'ws'), ['mcp']);
      await new Promise((resolve) => socket.once('open', resolve));
      await waitFor(() => upstream.openSessions().length === 2, 'two upstream sessions');
      const socketClosed = new Promise((resolve) => socket.once('close', resolve));

      await running.bridge.close();
      expect(upstream.openSessions()).toHaveLength(0);
      expect(upstream.closed).toBe(true);
      await socketClosed;
      const after = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: INIT });
      expect(after.status).toBe(503);
    });

    it('close() also ends stateless POSTs still in flight', async () => {
      const upstream = new InProcessUpstream('alpha', 'stateless');
      running = await startBridge({ upstreams: [upstream] });
      const call = fetch(running.url('/mcp'), {
        method: 'POST',
        headers: mcpPostHeaders(),
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'rendezvous', arguments: { text: 'alone' } } }),
      }).then((res) => res.text());
      await waitFor(() => upstream.openSessions().some((s) => s.received.length > 0), 'the call to reach the upstream');
      await running.bridge.close();
      expect(upstream.openSessions()).toHaveLength(0);
      await expect(call).resolves.not.toContain('alone');
    });

    it('answers 500 with a JSON-RPC error when a handler throws, and keeps serving', async () => {
      const upstream = new InProcessUpstream('alpha');
      let explode = true;
      const flaky = new Proxy(upstream, {
        get(target, property, receiver) {
          if (property === 'mode' && explode) throw new Error('boom');
          return Reflect.get(target, property, receiver);
        },
      }) as Upstream;
      const logger = captureLogger();
      running = await startBridge({ upstreams: [flaky], logger });
      const failed = await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: INIT });
      expect(failed.status).toBe(500);
      expect(failed.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32603 } });
      expect(logger.records.some((r) => r.level === 'error' && JSON.stringify(r.meta).includes('boom'))).toBe(true);
      explode = false;
      expect((await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: INIT })).status).toBe(200);
    });

    it('serves through handleRequest/handleUpgrade embedded in a caller-owned server', async () => {
      const bridge = createBridge({ upstreams: [new InProcessUpstream('alpha')] });
      await bridge.start();
      const server: Server = createServer((req, res) => bridge.handleRequest(req, res));
      server.on('upgrade', (req, socket, head) => bridge.handleUpgrade(req, socket, head));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        const c = await client(`http://127.0.0.1:${port}/mcp`);
        expect(textOf(await c.callTool({ name: 'echo', arguments: { text: 'embedded' } }))).toBe('alpha: embedded');
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['mcp']);
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        ws.close();
      } finally {
        await Promise.allSettled(clients.splice(0).map((c) => c.close()));
        await bridge.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
    });
  });
});
