import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';
import { createBridge } from './bridge.js';
import { BridgeOptionsError } from './options-error.js';
import { startBridge, type RunningBridge } from './http/test-support/bridge-harness.js';
import { InProcessUpstream, type RecordedSession } from './http/test-support/in-process-upstream.js';
import { mcpPostHeaders, rawRequest } from './http/test-support/raw-http.js';
import { waitFor } from './http/test-support/wait-for.js';

// Node 20 has no global WebSocket; the SDK's client transport expects one.
const globals = globalThis as { WebSocket?: unknown };
if (globals.WebSocket === undefined) globals.WebSocket = WebSocket;

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const UNKNOWN_BETA = '{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"unknown server: beta"}}';

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

function callBody(id: number, name: string, text: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { text } } });
}

function receivedCall(session: RecordedSession, tool: string): boolean {
  return session.received.some((m: JSONRPCMessage) => 'method' in m && m.method === 'tools/call' && (m.params as { name?: string } | undefined)?.name === tool);
}

describe('servers added, replaced and removed at runtime', () => {
  let running: RunningBridge;
  let alpha: InProcessUpstream;
  let beta: InProcessUpstream;
  const closers: Array<() => unknown> = [];

  beforeEach(async () => {
    alpha = new InProcessUpstream('alpha');
    beta = new InProcessUpstream('beta');
    running = await startBridge({ upstreams: [alpha, beta] });
  });

  afterEach(async () => {
    await Promise.allSettled(closers.splice(0).map(async (close) => close()));
    await running.close();
  });

  async function connect(path: string, port = running.port): Promise<{ client: Client; sessionId: string }> {
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}${path}`));
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport);
    closers.push(() => client.close());
    return { client, sessionId: transport.sessionId! };
  }

  async function connectWebSocket(path: string): Promise<{ client: Client; closed: () => boolean }> {
    const transport = new WebSocketClientTransport(new URL(running.url(path).replace('http', 'ws')));
    const client = new Client({ name: 'test', version: '1' });
    let closed = false;
    client.onclose = () => {
      closed = true;
    };
    await client.connect(transport);
    closers.push(() => client.close());
    return { client, closed: () => closed };
  }

  async function echo(client: Client, text: string): Promise<string> {
    return textOf(await client.callTool({ name: 'echo', arguments: { text } }));
  }

  /** The next request of a Streamable HTTP session, sent raw so the exact answer can be read. */
  function nextRequestOf(path: string, sessionId: string, id = 7) {
    return rawRequest(running.port, { method: 'POST', path, headers: mcpPostHeaders({ 'Mcp-Session-Id': sessionId, 'Mcp-Protocol-Version': '2025-06-18' }), body: callBody(id, 'echo', 'again') });
  }

  it('adds a server: served at /servers/<name>/mcp on every ingress, started, listed by /readyz', async () => {
    const tunnel = await running.addIngress({ name: 'tunnel', healthz: 'readiness' });
    expect((await rawRequest(running.port, { method: 'POST', path: '/servers/gamma/mcp', headers: mcpPostHeaders(), body: INIT })).status).toBe(404);

    const gamma = new InProcessUpstream('gamma');
    gamma.setReadiness({ ready: false, state: 'starting', reason: 'initializing the child' });
    let childAnswered: () => void = () => undefined;
    gamma.start = () => {
      gamma.started = true;
      return new Promise<void>((resolve) => (childAnswered = resolve));
    };
    let added = false;
    const adding = running.bridge.addServer(gamma).then(() => (added = true));

    // Routed and listed from the call on, while its start is still under way.
    expect(gamma.started).toBe(true);
    expect(running.bridge.serverNames()).toEqual(['alpha', 'beta', 'gamma']);
    expect(await echo((await connect('/servers/gamma/mcp')).client, 'loopback')).toBe('gamma: loopback');
    expect(await echo((await connect('/servers/gamma/mcp', tunnel.port)).client, 'tunnel')).toBe('gamma: tunnel');
    const starting = await rawRequest(running.port, { path: '/readyz' });
    expect(starting.status).toBe(503);
    expect(starting.json()).toMatchObject({ status: 'starting', servers: [{ name: 'alpha' }, { name: 'beta' }, { name: 'gamma', state: 'starting' }] });
    expect(added).toBe(false);
    childAnswered();
    await adding;
    gamma.setReadiness({ ready: true, state: 'ready', reason: 'initialized' });
    const ready = await rawRequest(tunnel.port, { path: '/healthz' });
    expect(ready.status).toBe(200);
    expect(ready.json().servers.map((s: { name: string }) => s.name)).toEqual(['alpha', 'beta', 'gamma']);
    // Adding does not move the default.
    expect(running.bridge.defaultServer()).toBe('alpha');
    expect(await echo((await connect('/mcp')).client, 'default')).toBe('alpha: default');
  });

  it('replaces a server: its sessions end, new ones reach the new upstream, another server\'s session goes on', async () => {
    const onAlpha = await connect('/servers/alpha/mcp');
    const onBeta = await connect('/servers/beta/mcp');
    expect(await echo(onAlpha.client, 'before')).toBe('alpha: before');
    expect(await echo(onBeta.client, 'before')).toBe('beta: before');
    expect((await rawRequest(running.port, { path: '/readyz' })).json().status).toBe('ready');

    const events: string[] = [];
    const closeOld = beta.close.bind(beta);
    beta.close = async () => {
      events.push(`old closed with ${beta.openSessions().length} sessions open`);
      await closeOld();
    };
    const beta2 = new InProcessUpstream('beta');
    beta2.setReadiness({ ready: false, state: 'starting', reason: 'initializing the child' });
    beta2.start = async () => {
      events.push('new started');
      beta2.started = true;
    };
    await running.bridge.replaceServer(beta2);

    expect(events).toEqual(['old closed with 0 sessions open', 'new started']);
    expect(beta.closed).toBe(true);
    // The new one is starting, not a lapse of the old ("degraded").
    expect((await rawRequest(running.port, { path: '/readyz' })).json()).toMatchObject({ status: 'starting', servers: [{ name: 'alpha' }, { name: 'beta', state: 'starting' }] });
    beta2.setReadiness({ ready: true, state: 'ready', reason: 'initialized' });
    // The old session is unknown now: its client initializes again and gets the new server.
    const stale = await nextRequestOf('/servers/beta/mcp', onBeta.sessionId);
    expect(stale.status).toBe(404);
    expect(stale.json().error.code).toBe(-32001);
    expect(await echo((await connect('/servers/beta/mcp')).client, 'after')).toBe('beta: after');
    expect(beta2.openSessions()).toHaveLength(1);
    // alpha: the same session, untouched.
    expect(await echo(onAlpha.client, 'after')).toBe('alpha: after');
    expect(alpha.sessions).toHaveLength(1);
    expect(alpha.openSessions()).toHaveLength(1);
    expect(alpha.closed).toBe(false);
    expect(running.bridge.serverNames()).toEqual(['alpha', 'beta']);
  });

  it('removes a server: its sessions get the unknown-server answer, its WebSocket closes, /readyz drops it, the others go on', async () => {
    const onAlpha = await connect('/servers/alpha/mcp');
    const alphaSocket = await connectWebSocket('/servers/alpha/ws');
    const onBeta = await connect('/servers/beta/mcp');
    const betaSocket = await connectWebSocket('/servers/beta/ws');
    expect(await echo(onBeta.client, 'before')).toBe('beta: before');

    await running.bridge.removeServer('beta');

    expect(beta.closed).toBe(true);
    expect(beta.openSessions()).toHaveLength(0);
    await waitFor(betaSocket.closed, "beta's WebSocket to close");
    const stale = await nextRequestOf('/servers/beta/mcp', onBeta.sessionId);
    expect(stale.status).toBe(404);
    expect(stale.text).toBe(UNKNOWN_BETA);
    const fresh = await rawRequest(running.port, { method: 'POST', path: '/servers/beta/mcp', headers: mcpPostHeaders(), body: INIT });
    expect(fresh.text).toBe(UNKNOWN_BETA);
    const ready = await rawRequest(running.port, { path: '/readyz' });
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', servers: [{ name: 'alpha', state: 'ready', ready: true, reason: 'in-process test server' }] });
    expect(running.bridge.serverNames()).toEqual(['alpha']);
    // alpha: the same Streamable HTTP session and WebSocket, still serving.
    expect(await echo(onAlpha.client, 'after')).toBe('alpha: after');
    expect(await echo(alphaSocket.client, 'after')).toBe('alpha: after');
    expect(alphaSocket.closed()).toBe(false);
    expect(alpha.sessions).toHaveLength(2);
    expect(alpha.openSessions()).toHaveLength(2);
  });

  it('ends a call in flight on the server it removes, without an answer', async () => {
    const { sessionId } = await connect('/servers/beta/mcp');
    const call = fetch(running.url('/servers/beta/mcp'), {
      method: 'POST',
      headers: mcpPostHeaders({ 'Mcp-Session-Id': sessionId, 'Mcp-Protocol-Version': '2025-06-18' }),
      body: callBody(3, 'gated', 'never answered'),
      // A stream the removal failed to end would hang: fail in bounded time instead.
      signal: AbortSignal.timeout(10_000),
    }).then((res) => res.text());
    await waitFor(() => beta.openSessions().some((s) => receivedCall(s, 'gated')), 'the call to reach beta');
    await running.bridge.removeServer('beta');
    beta.openGate();
    await expect(call).resolves.not.toContain('never answered');
  });

  it('completes a call in flight on one server while others are added, replaced and removed', async () => {
    const onAlpha = await connect('/servers/alpha/mcp');
    const call = onAlpha.client.callTool({ name: 'gated', arguments: { text: 'finished' } }, undefined, { timeout: 10_000 });
    await waitFor(() => alpha.openSessions().some((s) => receivedCall(s, 'gated')), 'the call to reach alpha');

    await running.bridge.addServer(new InProcessUpstream('gamma'));
    expect(await echo((await connect('/servers/gamma/mcp')).client, 'meanwhile')).toBe('gamma: meanwhile');
    await running.bridge.replaceServer(new InProcessUpstream('beta'));
    await running.bridge.removeServer('gamma');
    await running.bridge.removeServer('beta');

    alpha.openGate();
    expect(textOf(await call)).toBe('finished');
    expect(await echo(onAlpha.client, 'still')).toBe('alpha: still');
  });

  it('keeps the default a name: removing it leaves /mcp unknown until it comes back or another is named', async () => {
    const onDefault = await connect('/mcp');
    await running.bridge.removeServer('alpha');

    expect(running.bridge.defaultServer()).toBe('alpha');
    const stale = await nextRequestOf('/mcp', onDefault.sessionId);
    expect(stale.status).toBe(404);
    expect(stale.text).toBe('{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"unknown server: alpha"}}');
    const socketAnswer = await new Promise<number>((resolve) => {
      const socket = new WebSocket(running.url('/ws').replace('http', 'ws'), ['mcp']);
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', () => undefined);
    });
    expect(socketAnswer).toBe(404);

    await running.bridge.addServer(new InProcessUpstream('alpha'));
    expect(await echo((await connect('/mcp')).client, 'back')).toBe('alpha: back');

    running.bridge.setDefaultServer('beta');
    expect(await echo((await connect('/mcp')).client, 'moved')).toBe('beta: moved');
    expect(() => running.bridge.setDefaultServer('nope')).toThrow(BridgeOptionsError);
    expect(running.bridge.defaultServer()).toBe('beta');
  });

  it('answers a request whose server is removed while its body arrives as for an unknown server, and one replaced by the new server', async () => {
    // An ingress of our own, to know when the bridge has routed a request (its handler runs first).
    const ingress: Server = running.bridge.ingress();
    await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => ingress.close(resolve)));
    const port = (ingress.address() as AddressInfo).port;
    const slowPost = async (path: string, change: () => Promise<void>): Promise<{ status: number; text: string }> => {
      const routed = new Promise<void>((resolve) => ingress.once('request', () => resolve()));
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: mcpPostHeaders(), agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(INIT.slice(0, 10));
        void routed.then(change).then(() => req.end(INIT.slice(10)), reject);
      });
      return answer;
    };

    const removed = await slowPost('/servers/beta/mcp', () => running.bridge.removeServer('beta'));
    expect(removed).toEqual({ status: 404, text: UNKNOWN_BETA });
    expect(beta.sessions).toHaveLength(0);

    const alpha2 = new InProcessUpstream('alpha');
    const replaced = await slowPost('/servers/alpha/mcp', () => running.bridge.replaceServer(alpha2));
    expect(replaced.status).toBe(200);
    expect(alpha.sessions).toHaveLength(0);
    expect(alpha2.sessions).toHaveLength(1);
  });

  it('refuses a name in use, a name not served, an Upstream served already, and any change once closed, changing nothing', async () => {
    const duplicate = new InProcessUpstream('alpha');
    await expect(running.bridge.addServer(duplicate)).rejects.toThrow(/addServer\(upstream\)\.name = "alpha": is the name of a server the bridge serves already/);
    await expect(running.bridge.replaceServer(new InProcessUpstream('gamma'))).rejects.toThrow(/replaceServer\(upstream\)\.name = "gamma": is not the name of a server the bridge serves/);
    await expect(running.bridge.removeServer('gamma')).rejects.toThrow(/removeServer\(name\) = "gamma": is not the name of a server the bridge serves. Allowed: the name of a served server \("alpha", "beta"\)/);
    await expect(running.bridge.replaceServer(beta)).rejects.toThrow(/is the Upstream object server "beta" is served by already/);
    expect(duplicate.started).toBe(false);
    expect(beta.closed).toBe(false);
    expect(running.bridge.serverNames()).toEqual(['alpha', 'beta']);
    expect(await echo((await connect('/servers/alpha/mcp')).client, 'fine')).toBe('alpha: fine');

    await running.bridge.close();
    const late = new InProcessUpstream('late');
    await expect(running.bridge.addServer(late)).rejects.toThrow(/addServer: the bridge is closed/);
    await expect(running.bridge.removeServer('alpha')).rejects.toThrow(/removeServer: the bridge is closed/);
    expect(late.started).toBe(false);
    expect(running.bridge.serverNames()).toEqual(['alpha', 'beta']);
  });
});

describe('servers added before start() and to a bridge made without any', () => {
  it('starts an added server with start(), or at once after it; the first server added to an empty bridge becomes the default', async () => {
    const bridge = createBridge({ upstreams: [] });
    expect(bridge.defaultServer()).toBeUndefined();
    const early = new InProcessUpstream('early');
    await bridge.addServer(early);
    expect(early.started).toBe(false);
    expect(bridge.defaultServer()).toBe('early');

    await bridge.start();
    expect(early.started).toBe(true);
    const late = new InProcessUpstream('late');
    await bridge.addServer(late);
    expect(late.started).toBe(true);
    expect(bridge.defaultServer()).toBe('early');
    await bridge.close();
    expect(early.closed && late.closed).toBe(true);
  });

  it('serves /mcp from the first server added to an empty bridge, through a listening ingress', async () => {
    const running = await startBridge({ upstreams: [] });
    const client = new Client({ name: 'test', version: '1' });
    try {
      expect((await rawRequest(running.port, { method: 'POST', path: '/mcp', headers: mcpPostHeaders(), body: INIT })).status).toBe(404);
      await running.bridge.addServer(new InProcessUpstream('only'));
      await client.connect(new StreamableHTTPClientTransport(new URL(running.url('/mcp'))));
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('only: hi');
    } finally {
      await client.close();
      await running.close();
    }
  });
});
