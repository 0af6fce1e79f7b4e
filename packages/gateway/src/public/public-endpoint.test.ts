import * as http from 'node:http';
import { ControlClient } from '../test-support/control-client.js';
import { FakeAgent, bigChunk } from '../test-support/fake-agent.js';
import { registerAgent, startTestGateway, type TestGateway } from '../test-support/gateway-harness.js';
import { openStream, rawRequest, StreamReader } from '../test-support/raw-http.js';
import { makeTempDir, removeDir } from '../test-support/temp-dir.js';
import { waitFor } from '../test-support/wait.js';

const API_KEY = 'test-api-key-0123456789abcdef';
const ALLOWED_ORIGIN = 'https://app.example.com';

/**
 * The agent's tunnel address is made a loopback address (pool 127.77.0.0/24, the agent gets
 * 127.77.0.2), where a plain node http server stands in for the agent: the proxy goes the same
 * path it goes through WireGuard, minus the tunnel.
 */
describe('public MCP endpoint (protocol.md §4)', () => {
  let dir: string;
  let upstream: FakeAgent;
  let harness: TestGateway;
  let control: ControlClient | undefined;
  let agentId: string;
  let base: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    upstream = new FakeAgent('127.77.0.2');
    await upstream.start();
    harness = await startTestGateway(dir, {
      addressPool: '127.77.0.0/24',
      agentListenPort: upstream.port,
      apiKeys: [API_KEY],
      allowedOrigins: [ALLOWED_ORIGIN],
    });
    const { key, registration } = await registerAgent(harness);
    agentId = registration.agentId;
    expect(registration.tunnel.address).toBe('127.77.0.2/32');
    control = await ControlClient.connect(registration.controlUrl, registration.agentSecret);
    control.hello(key.publicKey, registration.tunnel.address);
    await control.next('welcome');
    base = `${harness.url}/agents/${agentId}/servers/aws`;
  });
  afterEach(async () => {
    control?.close();
    await harness.gateway.close();
    await upstream.stop();
    await removeDir(dir);
  });

  const auth = { authorization: `Bearer ${API_KEY}` };

  it('forwards a POST with MCP headers both ways, Host set to the agent, Origin and Authorization dropped', async () => {
    const answer = await rawRequest(`${base}/mcp?probe=1`, {
      method: 'POST',
      headers: { ...auth, origin: ALLOWED_ORIGIN, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'session-from-client', 'mcp-protocol-version': '2025-06-18' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(answer.status).toBe(200);
    expect(answer.json.result.echoed).toBe('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(answer.headers['mcp-session-id']).toBe('session-from-agent');
    expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);

    const seen = upstream.seen[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/servers/aws/mcp?probe=1');
    expect(seen.headers.host).toBe(`127.77.0.2:${upstream.port}`);
    expect(seen.headers['mcp-session-id']).toBe('session-from-client');
    expect(seen.headers['mcp-protocol-version']).toBe('2025-06-18');
    expect(seen.headers.accept).toBe('application/json, text/event-stream');
    expect(seen.headers.origin).toBeUndefined();
    expect(seen.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain(API_KEY);
  });

  it('streams an SSE answer event by event: the first event arrives before the agent has finished', async () => {
    const { res } = await openStream(`${base}/mcp`, { ...auth, accept: 'text/event-stream' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const reader = new StreamReader(res);
    await reader.waitFor((r) => r.text.includes('"method":"first"'));
    expect(reader.text).not.toContain('second');
    expect(reader.ended).toBe(false);
    upstream.open('mcp-stream');
    await reader.waitFor((r) => r.ended);
    expect(reader.text).toBe('id: 1\ndata: {"jsonrpc":"2.0","method":"first"}\n\nid: 2\ndata: {"jsonrpc":"2.0","method":"second"}\n\n');
  });

  it('streams the request body: the agent sees the first chunk before the client has sent the rest', async () => {
    const firstChunkSeen = new Promise<void>((resolve) => (upstream.onBodyChunk = (url) => url.startsWith('/servers/aws/mcp') && resolve()));
    const answer = new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${base}/mcp`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, agent: false }, resolve);
      req.on('error', reject);
      req.write('{"jsonrpc":"2.0",'); // chunked: no content-length
      void firstChunkSeen.then(() => req.end('"id":7,"method":"ping"}'));
    });
    const res = await answer;
    const reader = new StreamReader(res);
    await reader.waitFor((r) => r.ended);
    expect(JSON.parse(reader.text).result.echoed).toBe('{"jsonrpc":"2.0","id":7,"method":"ping"}');
  });

  it('passes a 5 MB answer through intact', async () => {
    const answer = await rawRequest(`${harness.url}/agents/${agentId}/servers/big/mcp`, { method: 'POST', headers: auth, body: '{}' });
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBe(80 * 64 * 1024);
    expect(answer.body.equals(Buffer.concat(Array.from({ length: 80 }, (_, i) => bigChunk(i))))).toBe(true);
  });

  it('cuts the client\'s connection when the agent\'s answer breaks off midway, and keeps serving', async () => {
    const { res } = await openStream(`${harness.url}/agents/${agentId}/servers/broken/mcp`, auth, 'POST');
    const reader = new StreamReader(res);
    const broken = new Promise<string>((resolve) => {
      res.on('error', (err) => resolve(err.message));
      res.on('close', () => resolve(res.complete ? 'complete' : 'closed early'));
    });
    await reader.waitFor((r) => r.text.includes('"id":1'));
    upstream.open('broken');
    expect(await broken).not.toBe('complete');
    expect(reader.ended).toBe(false);
    const next = await rawRequest(`${base}/mcp`, { method: 'POST', headers: auth, body: '{"jsonrpc":"2.0","id":2,"method":"ping"}' });
    expect(next.status).toBe(200);
  });

  it('rewrites the legacy endpoint event to the public path, then relays the stream and the message POST', async () => {
    const { res } = await openStream(`${base}/sse`, { ...auth, accept: 'text/event-stream' });
    const reader = new StreamReader(res);
    await reader.waitFor((r) => r.text.includes('event: endpoint'));
    await reader.waitFor((r) => /data: .*\n\n/.test(r.text));
    expect(reader.text).toBe(`: comment before the endpoint\n\nevent: endpoint\ndata: /agents/${agentId}/servers/aws/message?sessionId=abc-123\n\n`);

    const posted = await rawRequest(`${harness.url}/agents/${agentId}/servers/aws/message?sessionId=abc-123`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(posted.status).toBe(202);
    expect(upstream.seen.some((r) => r.url === '/servers/aws/message?sessionId=abc-123' && r.body.includes('"ping"'))).toBe(true);

    upstream.open('sse-stream');
    await reader.waitFor((r) => r.ended);
    expect(reader.text).toContain('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
  });

  it('requires the API key: none or a wrong one is 401 and never reaches the agent', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-key-wrong-key-wrong' }, { authorization: `Basic ${API_KEY}` }];
    for (const headers of attempts) {
      const answer = await rawRequest(`${base}/mcp`, { method: 'POST', headers, body: '{}' });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    expect(upstream.seen).toEqual([]);
  });

  it('refuses an Origin that is not on the allow-list with 403, before anything else', async () => {
    const answer = await rawRequest(`${base}/mcp`, { method: 'POST', headers: { ...auth, origin: 'https://evil.example' }, body: '{}' });
    expect(answer.status).toBe(403);
    expect(answer.json.error.message).toContain('Origin https://evil.example is not allowed');
    expect(upstream.seen).toEqual([]);
  });

  it('answers a CORS preflight from an allowed Origin without the API key', async () => {
    const answer = await rawRequest(`${base}/mcp`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(answer.headers['access-control-allow-headers']).toBe('authorization, content-type');
  });

  it('answers 502 naming the agent when it is not connected, and 404 for an unknown agent', async () => {
    control!.close();
    await waitFor('the control connection to end', async () => !(await harness.gateway.operations.list())[0]!.connected);
    const answer = await rawRequest(`${base}/mcp`, { method: 'POST', headers: auth, body: '{}' });
    expect(answer.status).toBe(502);
    expect(answer.json.error.message).toBe(`agent ${agentId} (alice-laptop) is not connected to the gateway`);
    const unknown = await rawRequest(`${harness.url}/agents/agt_00000000000000000000/servers/aws/mcp`, { method: 'POST', headers: auth, body: '{}' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe('unknown agent: agt_00000000000000000000');
  });

  it('answers 502 naming the agent when nothing listens at its address', async () => {
    await upstream.stop();
    const answer = await rawRequest(`${base}/mcp`, { method: 'POST', headers: auth, body: '{}' });
    expect(answer.status).toBe(502);
    expect(answer.json.error.message).toBe(`agent ${agentId} (alice-laptop) refused the connection at 127.77.0.2:${upstream.port}`);
  });

  it('relays the agent\'s own errors unchanged', async () => {
    const answer = await rawRequest(`${harness.url}/agents/${agentId}/servers/nope/mcp`, { method: 'POST', headers: auth, body: '{}' });
    expect(answer.status).toBe(404);
    expect(answer.json.error.message).toBe('unknown server: /servers/nope/mcp');
  });

  it('ends the agent-side stream when the client goes away', async () => {
    const { req, res } = await openStream(`${base}/mcp`, { ...auth, accept: 'text/event-stream' });
    const reader = new StreamReader(res);
    await reader.waitFor((r) => r.text.includes('first'));
    expect(upstream.cutOff).toEqual([]);
    req.destroy();
    await waitFor('the agent-side answer to be cut off', () => upstream.cutOff.includes('/servers/aws/mcp'));
  });
});
