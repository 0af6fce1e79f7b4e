import { McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { sharedHarness, type SharedHarness } from './test-support/harness.js';
import { connectClient, openRawSession, type ConnectedClient } from './test-support/peers.js';
import { waitFor } from './test-support/wait-for.js';

// The shared child exits and comes back: requests in flight fail at once, requests that
// arrive meanwhile wait (bounded) and go to the new child, which the bridge re-initializes.

let harness: SharedHarness;
const clients: ConnectedClient[] = [];

async function connect(label: string): Promise<ConnectedClient> {
  const connected = await connectClient(harness.upstream, label);
  clients.push(connected);
  return connected;
}

afterEach(async () => {
  for (const connected of clients.splice(0)) await connected.close();
  await harness.upstream.close();
});

test('a child exit fails every request in flight within a second, naming the server and the exit', async () => {
  harness = sharedHarness();
  await harness.upstream.start();
  const a = await connect('a');
  const b = await connect('b');
  // The SDK's own timeout is the deadline: were the error late, the call would fail with
  // RequestTimeout instead and the assertions below would not hold.
  const calls = [a, b].map((c) => c.client.callTool({ name: 'block', arguments: { key: 'never' } }, undefined, { timeout: 1_000 }).catch((error: unknown) => error));
  await waitFor('both calls at the child', () => harness.observer.toolCalls.length === 2);
  await harness.channel.exit('fixture "fixture" was killed by SIGKILL');
  for (const error of await Promise.all(calls)) {
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32000);
    expect((error as McpError).message).toMatch(/MCP server "fixture" exited .*killed by SIGKILL/);
    expect((error as McpError).data).toEqual({ server: 'fixture', reason: 'child-exit' });
  }
  expect(harness.records.filter((record) => record.outcome === 'child-exit')).toHaveLength(2);
  expect(harness.upstream.readiness()).toMatchObject({ ready: false, state: 'backoff' });
  expect(harness.upstream.sessionCount()).toBe(2); // sessions stay valid
});

test('requests during a restart wait and go to the new child, which the bridge re-initializes', async () => {
  harness = sharedHarness();
  await harness.upstream.start();
  const a = await connect('a');
  await a.client.subscribeResource({ uri: 'test://a' });
  await a.client.setLoggingLevel('warning');
  await harness.channel.exit();

  const echo = a.client.callTool({ name: 'echo', arguments: { text: 'after restart' } });
  const late = connectClient(harness.upstream, 'late'); // its initialize waits too
  await waitFor('both waiting for the child', () => harness.upstream.stats().awaitingChild === 2);
  await harness.channel.respawn();

  await expect(echo).resolves.toMatchObject({ content: [{ text: 'after restart' }] });
  const lateClient = await late;
  clients.push(lateClient);
  expect(lateClient.client.getInstructions()).toBe('fixture generation 2');
  expect(harness.observer.initializes).toEqual([
    { generation: 1, clientName: 'mcp-workstation' },
    { generation: 2, clientName: 'mcp-workstation' },
  ]);
  // What the sessions had set up on the old child was set up again on the new one.
  await waitFor('the subscription restored', () => harness.observer.subscribes.some((s) => s.generation === 2 && s.uri === 'test://a'));
  await waitFor('the log level restored', () => harness.observer.levels.some((l) => l.generation === 2 && l.level === 'warning'));
  expect(harness.upstream.readiness()).toMatchObject({ ready: true, state: 'ready' });

  await a.client.callTool({ name: 'touch', arguments: { uri: 'test://a' } });
  await waitFor('the update of the restored subscription', () => a.peer.messagesWithMethod('notifications/resources/updated').length === 1);
});

test('the supervisor restarting by itself: the call made right after the exit succeeds', async () => {
  harness = sharedHarness({}, { restartOnExit: true });
  await harness.upstream.start();
  const a = await connect('a');
  await harness.channel.exit();
  await expect(a.client.callTool({ name: 'echo', arguments: { text: 'x' } })).resolves.toMatchObject({ content: [{ text: 'x' }] });
});

test('a request waits at most restartWaitMs, then fails naming the server and its state', async () => {
  harness = sharedHarness({ restartWaitMs: 150 });
  await harness.upstream.start();
  const a = await connect('a');
  await harness.channel.exit('fixture "fixture" exited with code 3');
  const error = await a.client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(McpError);
  expect((error as McpError).code).toBe(-32001);
  expect((error as McpError).message).toMatch(/MCP server "fixture" is not ready \(state backoff: .*code 3/);
  expect(harness.records.find((record) => record.outcome === 'timeout')).toMatchObject({ method: 'tools/call' });
  expect(harness.upstream.stats().awaitingChild).toBe(0);
});

test('a cancelled waiting request is never sent to the new child', async () => {
  harness = sharedHarness();
  await harness.upstream.start();
  const { peer, session } = openRawSession(harness.upstream, 'raw');
  await harness.channel.exit();
  session.receive({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'gone' } } } as JSONRPCMessage);
  session.receive({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } } as JSONRPCMessage);
  session.receive({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'kept' } } } as JSONRPCMessage);
  await harness.channel.respawn();
  await peer.waitForResponse(2);
  expect(peer.responseTo(1)).toBeUndefined();
  expect(harness.observer.toolCalls.map((call) => call.name)).toEqual(['echo']);
  session.close();
});

test('an initialize that is never answered: start() resolves and readiness says why', async () => {
  harness = sharedHarness({ initializeTimeoutMs: 100 }, { swallow: (message) => 'method' in message && message.method === 'initialize' });
  await harness.upstream.start();
  expect(harness.upstream.readiness()).toEqual({
    ready: false,
    state: 'starting',
    reason: 'MCP server "fixture" did not answer initialize within 100 ms',
  });
  expect(harness.upstream.initializeResult()).toBeNull();
});

test('an initialize answered after the timeout still makes the child ready', async () => {
  let answer!: () => void;
  const slow = new Promise<void>((resolve) => (answer = resolve));
  harness = sharedHarness({ initializeTimeoutMs: 50 }, { delay: (message) => ('method' in message && message.method === 'initialize' ? slow : undefined) });
  await harness.upstream.start();
  expect(harness.upstream.readiness()).toMatchObject({ ready: false, reason: expect.stringContaining('did not answer initialize within 50 ms') });
  const a = connectClient(harness.upstream, 'a'); // waits for the child like any request
  answer();
  clients.push(await a);
  expect(harness.upstream.readiness()).toMatchObject({ ready: true, state: 'ready' });
});

test('a child that cannot be spawned: start() resolves, not ready, with the reason', async () => {
  harness = sharedHarness({}, { failToSpawn: 'command "uvx" not found on PATH=/usr/bin:/bin' });
  await harness.upstream.start();
  expect(harness.upstream.readiness()).toMatchObject({ ready: false, reason: expect.stringContaining('uvx') });
});

test('close() fails what is open, stops the child, and is idempotent', async () => {
  harness = sharedHarness();
  await harness.upstream.start();
  const { peer, session } = openRawSession(harness.upstream, 'raw');
  session.receive({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'block', arguments: { key: 'k' } } } as JSONRPCMessage);
  await waitFor('the call at the child', () => harness.observer.toolCalls.length === 1);
  await Promise.all([harness.upstream.close(), harness.upstream.close()]);
  expect(peer.responseTo(1)?.message).toMatchObject({ error: { message: expect.stringContaining('shutting down') } });
  expect(harness.channel.stopCount).toBe(1);
  expect(harness.upstream.readiness()).toMatchObject({ ready: false, state: 'stopped' });
  session.receive({ jsonrpc: '2.0', id: 2, method: 'ping' } as JSONRPCMessage);
  expect(peer.responseTo(2)?.message).toMatchObject({ error: { message: expect.stringContaining('shutting down') } });
});
