import { InitializeRequestSchema, McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createUpstream } from './index.js';
import { PerSessionUpstream } from './per-session-upstream.js';
import { createFixtureServer, FixtureObserver } from './test-support/fixture-server.js';
import { perSessionHarness, type PerSessionHarness } from './test-support/harness.js';
import { InProcessChannel } from './test-support/in-process-channel.js';
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
  const a = await connect('app');
  const b = await connect('app');
  expect(a.client.getServerVersion()?.name).toBe('fixture-2'); // the spare started ahead
  expect(b.client.getServerVersion()?.name).toBe('fixture-3'); // the spare started after a took fixture-2
  expect(harness.channels).toHaveLength(4); // and a new spare waits
  expect(harness.observers[1].initializes).toEqual([{ generation: 1, clientName: 'app' }]);
  expect(harness.observers[2].initializes).toEqual([{ generation: 1, clientName: 'app' }]);
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

const initializesSent = (channel: { sent: Array<{ message: JSONRPCMessage }> }) =>
  channel.sent.filter(({ message }) => 'method' in message && message.method === 'initialize').map(({ message }) => message);

describe('the spare initialized ahead', () => {
  test("once a session started well, the spare is initialized with that client's params; the same params are answered from it", async () => {
    harness = perSessionHarness();
    await harness.upstream.start();
    expect(harness.channels[1].sent).toHaveLength(0); // before any session: the spare waits uninitialized
    const a = await connect('app');
    await waitFor('the next spare to be initialized ahead', () => harness.upstream.stats().sparePrimed);
    const [primedWith] = initializesSent(harness.channels[2]);
    expect(primedWith).toMatchObject({ params: { clientInfo: { name: 'app' } } });
    expect((primedWith as { params: unknown }).params).toEqual((initializesSent(harness.channels[1])[0] as { params: unknown }).params);

    const b = await connect('app');
    expect(b.client.getServerVersion()?.name).toBe('fixture-3');
    expect(b.client.getInstructions()).toBe('fixture generation 1');
    expect(initializesSent(harness.channels[2])).toHaveLength(1); // the child saw one initialize: the one ahead
    expect(harness.observers[2].initializes).toEqual([{ generation: 1, clientName: 'app' }]); // and b's initialized
    await expect(b.client.callTool({ name: 'echo', arguments: { text: 'b' } })).resolves.toMatchObject({ content: [{ text: 'b' }] });
    await expect(a.client.callTool({ name: 'echo', arguments: { text: 'a' } })).resolves.toMatchObject({ content: [{ text: 'a' }] });
    expect(harness.records.filter((record) => record.method === 'initialize' && record.outcome === 'ok')).toHaveLength(2);
  });

  test('a client with other params gets a fresh child, initialized by itself; the spare initialized for others is stopped', async () => {
    harness = perSessionHarness();
    await harness.upstream.start();
    await connect('app');
    await waitFor('the next spare to be initialized ahead', () => harness.upstream.stats().sparePrimed);
    const other = await connect('another-app');
    // fixture-4 became the next spare when fixture-3 was taken; fixture-5 is the fresh child.
    expect(other.client.getServerVersion()?.name).toBe('fixture-5');
    await waitFor('the unsuitable spare to be stopped', () => harness.channels[2].stopCount === 1);
    expect(initializesSent(harness.channels[4])).toEqual([expect.objectContaining({ params: expect.objectContaining({ clientInfo: { name: 'another-app', version: '1.0.0' } }) })]);
    expect(harness.observers[4].initializes).toEqual([{ generation: 1, clientName: 'another-app' }]);
    await expect(other.client.callTool({ name: 'echo', arguments: { text: 'x' } })).resolves.toMatchObject({ content: [{ text: 'x' }] });
  });

  test('a spare that refuses the params is stopped and replaced by one that waits uninitialized', async () => {
    harness = perSessionHarness();
    const refusing = new Set([3]); // fixture-3: the first spare initialized ahead
    const plain = harness.upstream;
    await plain.close();
    harness = perSessionHarness({
      createChannel: () => {
        const index = harness.channels.length + 1;
        const observer = new FixtureObserver();
        const channel = new InProcessChannel(`fixture-${index}`, {
          makeServer: (generation) => {
            const server = createFixtureServer(observer, generation, `fixture-${index}`);
            if (refusing.has(index)) {
              server.setRequestHandler(InitializeRequestSchema, () => {
                throw new McpError(-32602, 'Invalid request parameters');
              });
            }
            return server;
          },
        });
        harness.channels.push(channel);
        harness.observers.push(observer);
        return channel;
      },
    });
    await harness.upstream.start();
    await connect('app');
    await waitFor('the refusing spare to be stopped and a plain one to wait', () => harness.channels[2].stopCount === 1 && harness.channels.length === 4 && harness.channels[3].running());
    expect(harness.upstream.stats()).toMatchObject({ spare: true, sparePrimed: false });
    expect(harness.channels[3].sent).toHaveLength(0);
    const b = await connect('app');
    expect(b.client.getServerVersion()?.name).toBe('fixture-4');
    expect(harness.upstream.readiness()).toMatchObject({ ready: true });
  });
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
  expect(harness.upstream.stats()).toEqual({ sessions: 0, spare: false, sparePrimed: false, stopping: 0 });
  const { peer, session } = openRawSession(harness.upstream, 'late');
  session.receive({ jsonrpc: '2.0', id: 1, method: 'ping' } as JSONRPCMessage);
  expect(peer.responseTo(1)?.message).toMatchObject({ error: { message: expect.stringContaining('shutting down') } });
});
