import { McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createUpstream } from './index.js';
import { PerSessionUpstream } from './per-session-upstream.js';
import { perSessionHarness, type PerSessionHarness } from './test-support/harness.js';
import { connectClient, openRawSession, type ConnectedClient } from './test-support/peers.js';
import { waitFor } from './test-support/wait-for.js';

// per-session mode: a child per session (in-process fixture servers named fixture-<n>, in
// the order the upstream asked for them: 1 is the start-up probe, 2 the first spare).

let harness: PerSessionHarness;
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

test('createUpstream picks the per-session implementation', () => {
  harness = perSessionHarness();
  const upstream = createUpstream({ name: 'x', mode: 'per-session', createChannel: () => harness.channels[0] });
  expect(upstream).toBeInstanceOf(PerSessionUpstream);
});

test('start() probes a child, stops it, and starts a spare', async () => {
  harness = perSessionHarness();
  await harness.upstream.start();
  expect(harness.upstream.readiness()).toMatchObject({ ready: true, state: 'ready' });
  expect(harness.upstream.initializeResult()).toMatchObject({ serverInfo: { name: 'fixture-1' } });
  const [probe, spare] = harness.channels;
  await waitFor('the probe stopped', () => probe.stopCount === 1);
  expect(harness.observers[0].initializes).toHaveLength(0); // probed with initialize only, then stopped
  expect(spare.running()).toBe(true);
  expect(spare.sent).toHaveLength(0); // spawned, not initialized: the client's initialize goes to it
});

test('each session gets its own child, the spare first; messages pass through unchanged', async () => {
  harness = perSessionHarness();
  await harness.upstream.start();
  const a = await connect('client-a');
  const b = await connect('client-b');
  expect(a.client.getServerVersion()?.name).toBe('fixture-2'); // the spare started ahead
  expect(b.client.getServerVersion()?.name).toBe('fixture-3'); // the spare started after a took fixture-2
  expect(harness.channels).toHaveLength(4); // and a new spare waits
  expect(harness.observers[1].initializes).toEqual([{ generation: 1, clientName: 'client-a' }]);
  expect(harness.observers[2].initializes).toEqual([{ generation: 1, clientName: 'client-b' }]);
  // Pass-through: the client's own ids reach its child.
  const [first] = harness.channels[1].sent;
  expect(first.message).toMatchObject({ id: 0, method: 'initialize' });
  await expect(a.client.callTool({ name: 'echo', arguments: { text: 'a' } })).resolves.toMatchObject({ content: [{ text: 'a' }] });
  const progress: number[] = [];
  await b.client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
  expect(progress).toEqual([1, 2]);
  expect(harness.upstream.sessionCount()).toBe(2);
  expect(harness.records.filter((record) => record.method === 'tools/call' && record.outcome === 'ok')).toHaveLength(2);
});

test('closing a session stops its child', async () => {
  harness = perSessionHarness();
  await harness.upstream.start();
  const a = await connect('a');
  a.session.close();
  await waitFor('the child stopped', () => harness.channels[1].stopCount === 1);
  expect(harness.upstream.sessionCount()).toBe(0);
});

test('an idle session expires: its child is stopped and the transport is told', async () => {
  harness = perSessionHarness({ sessionIdleMs: 100 });
  await harness.upstream.start();
  const { peer, session } = openRawSession(harness.upstream, 'idle');
  session.receive({ jsonrpc: '2.0', id: 1, method: 'ping' } as JSONRPCMessage);
  await peer.waitForResponse(1);
  await waitFor('the child stopped', () => harness.channels[1].stopCount === 1);
  expect(peer.endedReason).toMatch(/expired after 100 ms/);
  session.receive({ jsonrpc: '2.0', id: 2, method: 'ping' } as JSONRPCMessage);
  expect(peer.responseTo(2)?.message).toMatchObject({ error: { message: expect.stringContaining('start a new session') } });
  expect(harness.upstream.sessionCount()).toBe(0);
});

test('a session with a call in flight does not expire', async () => {
  const rearmed: string[] = [];
  const logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: (message: string) => void rearmed.push(message) };
  harness = perSessionHarness({ sessionIdleMs: 50, logger });
  await harness.upstream.start();
  const { peer, session } = openRawSession(harness.upstream, 'busy');
  session.receive({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'block', arguments: { key: 'long' } } } as JSONRPCMessage);
  await waitFor('the call at the child', () => harness.observers[1].toolCalls.length === 1);
  await waitFor('three idle periods passed with the call in flight', () => rearmed.filter((m) => m.includes('re-armed')).length >= 3);
  expect(harness.channels[1].stopCount).toBe(0);
  harness.observers[1].release('long');
  await peer.waitForResponse(1);
  await waitFor('expiry once idle', () => harness.channels[1].stopCount === 1);
});

test("a session's child exits: its call fails naming the server, later requests are told to start a new session", async () => {
  harness = perSessionHarness();
  await harness.upstream.start();
  const a = await connect('a');
  const call = a.client.callTool({ name: 'block', arguments: { key: 'k' } }, undefined, { timeout: 1_000 }).catch((e: unknown) => e);
  await waitFor('the call at the child', () => harness.observers[1].toolCalls.length === 1);
  await harness.channels[1].exit('fixture "fixture-2" exited with code 2');
  const error = await call;
  expect(error).toBeInstanceOf(McpError);
  expect((error as McpError).message).toMatch(/MCP server "fixture" exited .*code 2/);
  expect((error as McpError).data).toEqual({ server: 'fixture', reason: 'child-exit' });
  expect(a.peer.endedReason).toMatch(/start a new session/);
  await expect(a.client.listTools()).rejects.toThrow(/start a new session/);
  // A new session works: it gets a child of its own.
  const b = await connect('b');
  await expect(b.client.callTool({ name: 'echo', arguments: { text: 'fresh' } })).resolves.toMatchObject({ content: [{ text: 'fresh' }] });
});

test('a server that cannot start: not ready, with the reason; a session says so', async () => {
  harness = perSessionHarness({}, { failToSpawn: 'command "uvx" not found (PATH=/usr/bin:/bin)' });
  await harness.upstream.start();
  expect(harness.upstream.readiness()).toMatchObject({ ready: false, reason: expect.stringContaining('uvx') });
  const { peer, session } = openRawSession(harness.upstream, 'doomed');
  session.receive({ jsonrpc: '2.0', id: 1, method: 'ping' } as JSONRPCMessage);
  expect(peer.responseTo(1)?.message).toMatchObject({ error: { message: expect.stringContaining('uvx') } });
});

test('close() fails open calls, stops every child and refuses later sessions', async () => {
  harness = perSessionHarness();
  await harness.upstream.start();
  const a = await connect('a');
  await connect('b');
  const call = a.client.callTool({ name: 'block', arguments: { key: 'k' } }).catch((e: unknown) => e);
  await waitFor('the call at the child', () => harness.observers[1].toolCalls.length === 1);
  await harness.upstream.close();
  expect(String(await call)).toMatch(/MCP server "fixture" is shutting down/);
  for (const channel of harness.channels) expect(channel.stopCount).toBeGreaterThanOrEqual(1);
  expect(harness.upstream.readiness()).toMatchObject({ ready: false, state: 'stopped' });
  expect(harness.upstream.stats()).toEqual({ sessions: 0, spare: false, stopping: 0 });
  const { peer, session } = openRawSession(harness.upstream, 'late');
  session.receive({ jsonrpc: '2.0', id: 1, method: 'ping' } as JSONRPCMessage);
  expect(peer.responseTo(1)?.message).toMatchObject({ error: { message: expect.stringContaining('shutting down') } });
});
