import { cleanUp, connectClient, everythingChildren, everythingServerArgv, openRawSession, postMcp, rawRequest, resultText, startDaemon } from './support';
import type { ConnectedClient, Daemon } from './support';

// Every bad input gets its own clear answer, and none disturbs a live session or the child.

afterEach(cleanUp);

const MAX_BODY = 65_536;
const MAX_SESSIONS = 3;

interface Scene {
  daemon: Daemon;
  live: ConnectedClient;
  childPid: number;
  liveHeaders: Record<string, string>;
}

async function scene(): Promise<Scene> {
  const daemon = await startDaemon([
    'up', '--port', '0', '--name', 'everything',
    '--max-sessions', String(MAX_SESSIONS), '--max-body-bytes', String(MAX_BODY),
    '--', ...everythingServerArgv(),
  ]);
  const live = await connectClient('streamableHttp', daemon.endpoint);
  const [childPid] = everythingChildren(daemon.pid);
  const liveHeaders = { 'mcp-session-id': live.transport.sessionId as string, 'mcp-protocol-version': live.initializeResult.protocolVersion };
  return { daemon, live, childPid, liveHeaders };
}

async function expectUndisturbed({ daemon, live, childPid }: Scene): Promise<void> {
  expect(resultText(await live.client.callTool({ name: 'echo', arguments: { message: 'undisturbed' } }))).toBe('Echo: undisturbed');
  expect(everythingChildren(daemon.pid)).toEqual([childPid]);
}

function jsonRpcError(body: string): { code: number; message: string } {
  return (JSON.parse(body) as { error: { code: number; message: string } }).error;
}

describe('bad input', () => {
  it('answers a body over the limit with 413 and a JSON-RPC error', async () => {
    const s = await scene();
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(MAX_BODY) } } });
    const answer = await postMcp(s.daemon.endpoint, huge, s.liveHeaders);
    expect(answer.status).toBe(413);
    expect(jsonRpcError(answer.text)).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    await expectUndisturbed(s);
  });

  it('answers malformed JSON with -32700', async () => {
    const s = await scene();
    const answer = await postMcp(s.daemon.endpoint, '{"jsonrpc": "2.0", "id": 1, "method": ', s.liveHeaders);
    expect(answer.status).toBe(400);
    expect(jsonRpcError(answer.text).code).toBe(-32700);
    await expectUndisturbed(s);
  });

  it('answers an unknown session with 404', async () => {
    const s = await scene();
    const answer = await postMcp(
      s.daemon.endpoint,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { ...s.liveHeaders, 'mcp-session-id': 'no-such-session' },
    );
    expect(answer.status).toBe(404);
    await expectUndisturbed(s);
  });

  it('answers a request without a session id with 400', async () => {
    const s = await scene();
    const answer = await postMcp(s.daemon.endpoint, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '2025-11-25' });
    expect(answer.status).toBe(400);
    await expectUndisturbed(s);
  });

  it('answers 503 with Retry-After when sessions are at the limit, and accepts again once one ends', async () => {
    const s = await scene();
    const sessions = [];
    for (let i = 1; i < MAX_SESSIONS; i++) sessions.push(await openRawSession(s.daemon.endpoint));
    const refused = await postMcp(s.daemon.endpoint, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'one-too-many', version: '1' } },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    await expectUndisturbed(s);

    const ended = await rawRequest(s.daemon.endpoint, { method: 'DELETE', headers: sessions[0].headers });
    expect(ended.status).toBe(200);
    await openRawSession(s.daemon.endpoint);
  });

  it('answers GET on an unknown path with 404 and wrong methods with 405', async () => {
    const s = await scene();
    expect((await rawRequest(`${s.daemon.origin}/no-such-path`)).status).toBe(404);
    expect((await rawRequest(s.daemon.endpoint, { method: 'PUT', body: '{}' })).status).toBe(405);
    await expectUndisturbed(s);
  });
});
