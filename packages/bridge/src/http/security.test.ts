import { connect as connectTcp } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import WebSocket from 'ws';
import type { BridgeOptions } from '../types.js';
import { captureLogger } from './test-support/capture-logger.js';
import { InProcessUpstream } from './test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './test-support/bridge-harness.js';
import { mcpPostHeaders, rawRequest } from './test-support/raw-http.js';

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

/** The status a WebSocket handshake got: 101 when it opened, else the refusal's status and body. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['mcp'], { headers });
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    socket.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

describe('security', () => {
  let running: RunningBridge | undefined;
  const clients: Client[] = [];

  async function start(options: Partial<BridgeOptions> = {}): Promise<RunningBridge> {
    running = await startBridge({ upstreams: [new InProcessUpstream('alpha')], ...options });
    return running;
  }

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await running?.close();
    running = undefined;
  });

  describe('Host allow-list (DNS rebinding)', () => {
    it('refuses a foreign Host with 403 naming the host and the option that allows it', async () => {
      const { port } = await start();
      const res = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Host: 'evil.example' }), body: INIT });
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      expect(res.json().error.message).toContain('"evil.example"');
      expect(res.json().error.message).toContain('--allowed-hosts');
      // Health endpoints are behind the same check.
      expect((await rawRequest(port, { path: '/healthz', headers: { Host: 'evil.example' } })).status).toBe(403);
    });

    it('accepts the loopback names on the listener port only', async () => {
      const { port } = await start();
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
        expect((await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Host: host }), body: INIT })).status).toBe(200);
      }
      const otherPort = port === 65535 ? 1 : port + 1;
      expect((await rawRequest(port, { path: '/healthz', headers: { Host: `localhost:${otherPort}` } })).status).toBe(403);
    });

    it('refuses a request without a Host header', async () => {
      const { port } = await start();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connectTcp(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.0\r\n\r\n'));
        const chunks: Buffer[] = [];
        socket.on('data', (c) => chunks.push(c));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.[01] 403/);
      expect(answer).toContain('no Host header');
    });

    it('accepts a tunnel-style host on the ingress that allows it, and only there', async () => {
      const bridge = await start({ security: { allowedHosts: ['mcp.internal'] } });
      const tunnel = await bridge.addIngress({ name: 'tunnel', allowedHosts: ['10.77.0.2:8000'] });
      const viaTunnel = await rawRequest(tunnel.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Host: '10.77.0.2:8000' }), body: INIT });
      expect(viaTunnel.status).toBe(200);
      expect(viaTunnel.headers['mcp-session-id']).toBeDefined();
      expect((await rawRequest(tunnel.port, { path: '/healthz', headers: { Host: '10.77.0.2:9999' } })).status).toBe(403);
      expect((await rawRequest(bridge.port, { path: '/healthz', headers: { Host: '10.77.0.2:8000' } })).status).toBe(403);
      // A bridge-wide entry without a port allows that name on any port, on every ingress.
      expect((await rawRequest(bridge.port, { path: '/healthz', headers: { Host: 'mcp.internal:1234' } })).status).toBe(200);
      expect((await rawRequest(tunnel.port, { path: '/healthz', headers: { Host: 'MCP.internal' } })).status).toBe(200);
    });

    it('checks the Host of WebSocket upgrades and refuses on the raw socket', async () => {
      const { url } = await start();
      const wsUrl = url('/ws').replace('http', 'ws');
      const refused = await upgradeStatus(wsUrl, { Host: 'evil.example' });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error.message).toContain('evil.example');
      expect((await upgradeStatus(wsUrl)).status).toBe(101);
    });
  });

  describe('Origin allow-list', () => {
    it('refuses a foreign Origin with 403 and accepts the own loopback origin and listed ones', async () => {
      const { port } = await start({ security: { allowedOrigins: ['https://app.example'] } });
      const evil = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: 'http://evil.example' }), body: INIT });
      expect(evil.status).toBe(403);
      expect(evil.json().error.message).toContain('http://evil.example');
      const own = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: `http://localhost:${port}` }), body: INIT });
      expect(own.status).toBe(200);
      const listed = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: 'https://app.example' }), body: INIT });
      expect(listed.status).toBe(200);
      const otherLocal = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: 'http://localhost:3000' }), body: INIT });
      expect(otherLocal.status).toBe(403);
    });

    it('refuses an opaque or unparsable Origin with 403 and the usual JSON body, on requests and upgrades', async () => {
      const { port, url } = await start();
      for (const origin of ['null', 'http://[', 'file://', 'http://localhost:99999', '::::']) {
        const res = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: origin }), body: INIT });
        expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
        expect(res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringContaining(`Origin ${JSON.stringify(origin)} is not allowed`) } });
        expect((await rawRequest(port, { path: '/healthz', headers: { Origin: origin } })).status).toBe(403);
      }
      expect((await upgradeStatus(url('/ws').replace('http', 'ws'), { Origin: 'null' })).status).toBe(403);
    });

    it('serves Origin "null" only when it is listed', async () => {
      const { port } = await start({ security: { allowedOrigins: ['null'] } });
      expect((await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: 'null' }), body: INIT })).status).toBe(200);
    });

    it('checks the Origin of WebSocket upgrades', async () => {
      const { url } = await start();
      expect((await upgradeStatus(url('/ws').replace('http', 'ws'), { Origin: 'http://evil.example' })).status).toBe(403);
    });
  });

  describe('API key', () => {
    const KEY = 'k3y-that-must-never-appear-in-logs';

    it('refuses a missing or wrong key with 401 and WWW-Authenticate, serves the right one, never logs it', async () => {
      const logger = captureLogger();
      const { port, url } = await start({ security: { apiKey: KEY }, logger });
      const missing = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: INIT });
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(missing.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      const wrong = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Authorization: 'Bearer nope' }), body: INIT });
      expect(wrong.status).toBe(401);
      expect(wrong.headers['www-authenticate']).toContain('invalid_token');

      const client = new Client({ name: 'test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url('/mcp')), { requestInit: { headers: { Authorization: `Bearer ${KEY}` } } }));
      clients.push(client);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');

      // Liveness and readiness carry no secrets and are probed by tools without the key.
      expect((await rawRequest(port, { path: '/healthz' })).status).toBe(200);
      expect(logger.text()).not.toContain(KEY);
    });

    it('checks the key on WebSocket upgrades', async () => {
      const { url } = await start({ security: { apiKey: KEY } });
      const wsUrl = url('/ws').replace('http', 'ws');
      expect((await upgradeStatus(wsUrl)).status).toBe(401);
      expect((await upgradeStatus(wsUrl, { Authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await upgradeStatus(wsUrl, { Authorization: `Bearer ${KEY}` })).status).toBe(101);
    });
  });

  describe('CORS', () => {
    it('sends no CORS headers unless asked', async () => {
      const { port } = await start();
      const preflight = await rawRequest(port, {
        method: 'OPTIONS',
        path: '/mcp',
        headers: { Origin: `http://localhost:${port}`, 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const post = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: `http://localhost:${port}` }), body: INIT });
      expect(post.status).toBe(200);
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers preflights and exposes Mcp-Session-Id for the configured origins', async () => {
      const { port } = await start({ security: { corsOrigins: ['https://app.example'] } });
      const preflight = await rawRequest(port, {
        method: 'OPTIONS',
        path: '/mcp',
        headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'mcp-session-id' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
      for (const header of ['Mcp-Session-Id', 'MCP-Protocol-Version', 'Last-Event-ID', 'Authorization', 'Content-Type', 'Mcp-Method', 'Mcp-Name']) {
        expect(preflight.headers['access-control-allow-headers']).toContain(header);
      }
      const post = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: 'https://app.example' }), body: INIT });
      expect(post.status).toBe(200);
      expect(post.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(post.headers['access-control-expose-headers']).toContain('Mcp-Session-Id');
      const other = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: 'https://other.example' }), body: INIT });
      expect(other.status).toBe(403);
    });

    it("answers any origin with '*'", async () => {
      const { port } = await start({ security: { corsOrigins: ['*'] } });
      const post = await rawRequest(port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders({ Origin: 'https://anywhere.example' }), body: INIT });
      expect(post.status).toBe(200);
      expect(post.headers['access-control-allow-origin']).toBe('*');
    });
  });
});
