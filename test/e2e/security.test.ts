import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUp, connectClient, everythingChildren, everythingStdioLine, postMcp, rawRequest, resultText, startDaemon, wsUpgradeStatus } from './support';
import type { ConnectedClient, Daemon } from './support';

// Safe by default: loopback only, Host and Origin allow-lists against DNS rebinding, an
// optional bearer key. Attacks are answered 403/401 and disturb no live session.

afterEach(cleanUp);

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'attacker', version: '1' } },
};

async function stillServes(client: ConnectedClient, daemon: Daemon, childPid: number): Promise<void> {
  expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toBe('Echo: still here');
  expect(everythingChildren(daemon.pid)).toEqual([childPid]);
}


describe('Host and Origin checks (DNS rebinding)', () => {
  it('answers 403 to a foreign Host or Origin on every transport, and the live session goes on', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const port = new URL(daemon.endpoint).port;
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const [childPid] = everythingChildren(daemon.pid);

    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`]) {
      expect((await postMcp(daemon.endpoint, INITIALIZE, { host })).status).toBe(403);
    }
    const foreignOrigin = await postMcp(daemon.endpoint, INITIALIZE, { origin: 'http://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    expect((await rawRequest(`${daemon.origin}/sse`, { headers: { origin: 'http://evil.example', accept: 'text/event-stream' } })).status).toBe(403);
    expect(await wsUpgradeStatus(`ws://127.0.0.1:${port}/ws`, { origin: 'http://evil.example' })).toBe(403);
    expect(await wsUpgradeStatus(`ws://127.0.0.1:${port}/ws`, { host: `evil.example:${port}` })).toBe(403);

    await stillServes(client, daemon, childPid);
  });

  it('accepts the loopback names it listens on', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const port = new URL(daemon.endpoint).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const answer = await postMcp(daemon.endpoint, INITIALIZE, { host, origin: `http://${host}` });
      expect(answer.status).toBe(200);
    }
  });
});

describe('API key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpw-e2e-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function expectKeyRequired(daemon: Daemon, key: string): Promise<void> {
    expect((await postMcp(daemon.endpoint, INITIALIZE)).status).toBe(401);
    expect((await postMcp(daemon.endpoint, INITIALIZE, { authorization: 'Bearer wrong-key' })).status).toBe(401);
    const client = await connectClient('streamableHttp', daemon.endpoint, { headers: { authorization: `Bearer ${key}` } });
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'authorized' } }))).toBe('Echo: authorized');
    const sse = await connectClient('sse', `${daemon.origin}/sse`, { headers: { authorization: `Bearer ${key}` } });
    expect(resultText(await sse.client.callTool({ name: 'echo', arguments: { message: 'sse' } }))).toBe('Echo: sse');
    expect(daemon.output()).not.toContain(key);
  }

  it('requires the key from --api-key-file', async () => {
    const keyFile = join(dir, 'api-key');
    writeFileSync(keyFile, 'key-from-file-5f2a\n');
    chmodSync(keyFile, 0o600);
    const daemon = await startDaemon(['up', '--port', '0', '--api-key-file', keyFile]);
    await expectKeyRequired(daemon, 'key-from-file-5f2a');
  });

  it('requires the key from MCP_WORKSTATION_API_KEY', async () => {
    const daemon = await startDaemon(['bridge', '--stdio', everythingStdioLine(), '--outputTransport', 'streamableHttp', '--stateful', '--port', '0'], {
      env: { MCP_WORKSTATION_API_KEY: 'key-from-env-91c3' },
    });
    expect((await postMcp(daemon.endpoint, INITIALIZE)).status).toBe(401);
    const client = await connectClient('streamableHttp', daemon.endpoint, { headers: { authorization: 'Bearer key-from-env-91c3' } });
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'env' } }))).toBe('Echo: env');
  });
});
