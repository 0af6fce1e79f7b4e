import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamSession } from './types.js';
import { sharedHarness, type SharedHarness } from './test-support/harness.js';
import { connectClient, openRawSession, type ConnectedClient, type RecordingPeer } from './test-support/peers.js';
import { waitFor } from './test-support/wait-for.js';

// Shared mode: one in-process SDK server as the child, many sessions (real SDK clients where
// the SDK can check what it receives, hand-driven sessions where exact ids matter).

let harness: SharedHarness;
const clients: ConnectedClient[] = [];

async function connect(label: string, capabilities = {}): Promise<ConnectedClient> {
  const connected = await connectClient(harness.upstream, label, capabilities);
  clients.push(connected);
  return connected;
}

function send(session: UpstreamSession, message: Record<string, unknown>): void {
  session.receive({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
}

function callTool(session: UpstreamSession, id: RequestId, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): void {
  send(session, { id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });
}

function textOf(peer: RecordingPeer, id: RequestId): string | undefined {
  const response = peer.responseTo(id)?.message as { result?: { content?: Array<{ text?: string }> } } | undefined;
  return response?.result?.content?.[0]?.text;
}

/** Sent to the child: messages of the bridge with this method. */
function sentWithMethod(method: string): JSONRPCMessage[] {
  return harness.channel.sent.map(({ message }) => message).filter((message) => 'method' in message && message.method === method);
}

beforeEach(async () => {
  harness = sharedHarness();
  await harness.upstream.start();
});

afterEach(async () => {
  for (const connected of clients.splice(0)) await connected.close();
  await harness.upstream.close();
});

describe('the bridge initializes the child itself', () => {
  test('once, with every client capability, and is ready', async () => {
    expect(harness.upstream.readiness()).toMatchObject({ ready: true, state: 'ready' });
    const [initialize] = sentWithMethod('initialize') as Array<{ params: Record<string, unknown> }>;
    expect(initialize.params).toMatchObject({
      protocolVersion: LATEST_PROTOCOL_VERSION,
      clientInfo: { name: 'mcp-workstation' },
      capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } },
    });
    expect(sentWithMethod('notifications/initialized')).toHaveLength(1);
    expect(harness.upstream.initializeResult()).toMatchObject({ serverInfo: { name: 'fixture' }, instructions: 'fixture generation 1' });
  });

  test('client initializes are answered from the cached result and never reach the child', async () => {
    const first = await connect('first');
    const second = await connect('second');
    expect(first.client.getServerVersion()).toMatchObject({ name: 'fixture' });
    expect(second.client.getInstructions()).toBe('fixture generation 1');
    expect(second.client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, logging: {} });
    expect(sentWithMethod('initialize')).toHaveLength(1);
    expect(sentWithMethod('notifications/initialized')).toHaveLength(1);
    expect(harness.observer.initializes).toEqual([{ generation: 1, clientName: 'mcp-workstation' }]);
    await expect(first.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).resolves.toMatchObject({ content: [{ text: 'hi' }] });
  });

  test('the protocol version is negotiated per session', async () => {
    const { peer, session } = openRawSession(harness.upstream, 'raw');
    send(session, { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'a', version: '1' } } });
    send(session, { id: 2, method: 'initialize', params: { protocolVersion: '1999-01-01', capabilities: {}, clientInfo: { name: 'a', version: '1' } } });
    const supported = await peer.waitForResponse(1);
    const unsupported = await peer.waitForResponse(2);
    expect(supported.message).toMatchObject({ result: { protocolVersion: '2025-06-18', serverInfo: { name: 'fixture' } } });
    // Not one the SDK speaks: the child's own version, which the client may refuse.
    expect(unsupported.message).toMatchObject({ result: { protocolVersion: harness.upstream.initializeResult()!.protocolVersion } });
    session.close();
  });

  test('the version offered to the child is configurable', async () => {
    await harness.upstream.close();
    harness = sharedHarness({ protocolVersion: '2025-03-26' });
    await harness.upstream.start();
    expect(harness.upstream.initializeResult()?.protocolVersion).toBe('2025-03-26');
    const { peer, session } = openRawSession(harness.upstream, 'raw');
    send(session, { id: 0, method: 'initialize', params: { protocolVersion: 'nonsense', capabilities: {}, clientInfo: { name: 'a', version: '1' } } });
    expect((await peer.waitForResponse(0)).message).toMatchObject({ result: { protocolVersion: '2025-03-26' } });
    session.close();
  });
});

describe('ids', () => {
  test('identical ids from two sessions at once each get their own answer, restored exactly', async () => {
    const ids: RequestId[] = [0, 1, '1', '', 'x', 2 ** 40];
    const a = openRawSession(harness.upstream, 'a', false);
    const b = openRawSession(harness.upstream, 'b', false);
    for (const id of ids) {
      callTool(a.session, id, 'echo', { text: `a:${JSON.stringify(id)}` });
      callTool(b.session, id, 'echo', { text: `b:${JSON.stringify(id)}` });
    }
    await waitFor('every answer', () => a.peer.received.length === ids.length && b.peer.received.length === ids.length);
    for (const id of ids) {
      expect(textOf(a.peer, id)).toBe(`a:${JSON.stringify(id)}`);
      expect(textOf(b.peer, id)).toBe(`b:${JSON.stringify(id)}`);
      expect(a.peer.responseTo(id)?.relatedRequestId).toBe(id);
    }
    // What the child saw: every request under its own upstream id.
    const upstreamIds = sentWithMethod('tools/call').map((message) => (message as { id: RequestId }).id);
    expect(new Set(upstreamIds).size).toBe(ids.length * 2);
    expect(upstreamIds.every((id) => typeof id === 'number')).toBe(true);
    a.session.close();
    b.session.close();
  });

  test('SDK clients sending the same ids concurrently get their own results', async () => {
    const a = await connect('a');
    const b = await connect('b');
    const calls = Array.from({ length: 10 }, (_, index) => [
      a.client.callTool({ name: 'echo', arguments: { text: `a${index}` } }),
      b.client.callTool({ name: 'echo', arguments: { text: `b${index}` } }),
    ]).flat();
    const results = await Promise.all(calls);
    results.forEach((result, index) => {
      const expected = `${index % 2 === 0 ? 'a' : 'b'}${Math.floor(index / 2)}`;
      expect(result).toMatchObject({ content: [{ text: expected }] });
    });
  });

  test('a second request with an id still in use is refused, the first is unharmed', async () => {
    const { peer, session } = openRawSession(harness.upstream, 'raw');
    callTool(session, 5, 'block', { key: 'dup' });
    await waitFor('the call at the child', () => harness.observer.toolCalls.length === 1);
    callTool(session, 5, 'echo', { text: 'again' });
    await waitFor('the refusal', () => peer.responseTo(5));
    expect(peer.responseTo(5)?.message).toMatchObject({ error: { code: -32600, message: expect.stringContaining('already used') } });
    peer.received.length = 0;
    harness.observer.release('dup');
    await peer.waitForResponse(5);
    expect(textOf(peer, 5)).toBe('released dup');
    session.close();
  });
});

describe('progress and cancellation', () => {
  test('progress notifications reach the owning session with its own token', async () => {
    const a = await connect('a');
    const b = await connect('b');
    const progressA: number[] = [];
    const progressB: number[] = [];
    // Both SDK clients use their request id as token: the same numbers on both sessions.
    await Promise.all([
      a.client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, { onprogress: (p) => progressA.push(p.progress) }),
      b.client.callTool({ name: 'progress', arguments: { steps: 4 } }, undefined, { onprogress: (p) => progressB.push(p.progress) }),
    ]);
    expect(progressA).toEqual([1, 2, 3]);
    expect(progressB).toEqual([1, 2, 3, 4]);
    const tokensAtChild = harness.observer.toolCalls.map((call) => call.progressToken);
    expect(new Set(tokensAtChild).size).toBe(2);
  });

  test('a string token is restored exactly and related to its request', async () => {
    const { peer, session } = openRawSession(harness.upstream, 'raw');
    callTool(session, 'req', 'progress', { steps: 2 }, { progressToken: 'my-token' });
    await peer.waitForResponse('req');
    const progress = peer.messagesWithMethod('notifications/progress');
    expect(progress.map(({ message }) => (message as { params: Record<string, unknown> }).params)).toEqual([
      { progressToken: 'my-token', progress: 1, total: 2 },
      { progressToken: 'my-token', progress: 2, total: 2 },
    ]);
    expect(progress.every(({ relatedRequestId }) => relatedRequestId === 'req')).toBe(true);
    session.close();
  });

  test("a client's cancel reaches the child under the upstream id; another session cannot cancel it", async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    callTool(a.session, 7, 'wait-for-cancel');
    const call = await waitFor('the call at the child', () => harness.observer.toolCalls[0]);
    send(b.session, { method: 'notifications/cancelled', params: { requestId: 7, reason: 'not mine' } });
    callTool(b.session, 8, 'echo', { text: 'fence' });
    await b.peer.waitForResponse(8);
    expect(sentWithMethod('notifications/cancelled')).toHaveLength(0);
    send(a.session, { method: 'notifications/cancelled', params: { requestId: 7, reason: 'changed my mind' } });
    await waitFor('the cancel at the child', () => harness.observer.cancelled.length === 1);
    expect(harness.observer.cancelled).toEqual([call.requestId]);
    expect(sentWithMethod('notifications/cancelled')[0]).toMatchObject({ params: { requestId: call.requestId, reason: 'changed my mind' } });
    expect(a.peer.responseTo(7)).toBeUndefined();
    expect(harness.records.find((record) => record.outcome === 'cancelled')).toMatchObject({ method: 'tools/call' });
    a.session.close();
    b.session.close();
  });

  test('closing a session cancels its calls at the child', async () => {
    const { session } = openRawSession(harness.upstream, 'leaving');
    callTool(session, 'w', 'wait-for-cancel');
    const call = await waitFor('the call at the child', () => harness.observer.toolCalls[0]);
    session.close();
    await waitFor('the cancel at the child', () => harness.observer.cancelled.length === 1);
    expect(sentWithMethod('notifications/cancelled')[0]).toMatchObject({ params: { requestId: call.requestId, reason: 'session closed' } });
    expect(harness.upstream.stats()).toMatchObject({ sessions: 0, forwarded: 0 });
  });

  test('an SDK client aborting a call cancels it at the child', async () => {
    const a = await connect('a');
    const controller = new AbortController();
    const call = a.client.callTool({ name: 'wait-for-cancel', arguments: {} }, undefined, { signal: controller.signal });
    await waitFor('the call at the child', () => harness.observer.toolCalls.length === 1);
    controller.abort('stop');
    await expect(call).rejects.toThrow();
    await waitFor('the cancel at the child', () => harness.observer.cancelled.length === 1);
    expect(harness.observer.cancelled[0]).toBe(harness.observer.toolCalls[0].requestId);
  });
});

describe('logging levels', () => {
  test('the child gets the most verbose level; each session only the messages its level admits', async () => {
    const quiet = await connect('quiet');
    const chatty = await connect('chatty');
    const unset = await connect('unset');
    await quiet.client.setLoggingLevel('error');
    await chatty.client.setLoggingLevel('info');
    expect(harness.observer.levels.map(({ level }) => level)).toEqual(['error', 'info']);

    await unset.client.callTool({ name: 'log', arguments: { level: 'warning', text: 'w1' } });
    await unset.client.callTool({ name: 'log', arguments: { level: 'error', text: 'e1' } });
    const logged = (connected: ConnectedClient): unknown[] =>
      connected.peer.messagesWithMethod('notifications/message').map(({ message }) => (message as unknown as { params: { data: unknown } }).params.data);
    await waitFor('the error everywhere', () => [quiet, chatty, unset].every((connected) => logged(connected).includes('e1')));
    expect(logged(quiet)).toEqual(['e1']);
    expect(logged(chatty)).toEqual(['w1', 'e1']);
    expect(logged(unset)).toEqual(['w1', 'e1']); // never set a level: gets everything

    // The most verbose session leaves: the child is told the next most verbose level.
    await chatty.close();
    await waitFor('the new level at the child', () => harness.observer.levels.length === 3);
    expect(harness.observer.levels[2].level).toBe('error');
  });

  test('an unknown level is refused with the list of levels', async () => {
    const { peer, session } = openRawSession(harness.upstream, 'raw');
    send(session, { id: 1, method: 'logging/setLevel', params: { level: 'loud' } });
    expect((await peer.waitForResponse(1)).message).toMatchObject({ error: { code: -32602, message: expect.stringContaining('debug, info') } });
    session.close();
  });
});

describe('notifications from the child', () => {
  test('resources/updated reaches only subscribers; the child is subscribed once and unsubscribed by the last', async () => {
    const a = await connect('a');
    const b = await connect('b');
    const other = await connect('other');
    await a.client.subscribeResource({ uri: 'test://a' });
    await b.client.subscribeResource({ uri: 'test://a' });
    expect(harness.observer.subscribes).toEqual([{ generation: 1, uri: 'test://a' }]);

    await other.client.callTool({ name: 'touch', arguments: { uri: 'test://a' } });
    await other.client.callTool({ name: 'list-changed', arguments: {} }); // a fence every session gets
    await waitFor('the fence', () => [a, b, other].every((c) => c.peer.messagesWithMethod('notifications/tools/list_changed').length === 1));
    expect(a.peer.messagesWithMethod('notifications/resources/updated')).toHaveLength(1);
    expect(b.peer.messagesWithMethod('notifications/resources/updated')).toHaveLength(1);
    expect(other.peer.messagesWithMethod('notifications/resources/updated')).toHaveLength(0);

    await a.client.unsubscribeResource({ uri: 'test://a' });
    expect(harness.observer.unsubscribes).toEqual([]);
    await b.close();
    await waitFor('the unsubscribe at the child', () => harness.observer.unsubscribes.length === 1);
    expect(harness.observer.unsubscribes).toEqual(['test://a']);
  });

  test('list_changed reaches every session', async () => {
    const sessions = [await connect('a'), await connect('b'), await connect('c')];
    await sessions[0].client.callTool({ name: 'list-changed', arguments: {} });
    await waitFor('list_changed everywhere', () => sessions.every((s) => s.peer.messagesWithMethod('notifications/tools/list_changed').length === 1));
  });
});

describe('bookkeeping', () => {
  test('no table keeps anything once every session closed', async () => {
    for (let round = 0; round < 10; round += 1) {
      const a = await connectClient(harness.upstream, `a${round}`, { sampling: {} });
      a.client.setRequestHandler((await import('@modelcontextprotocol/sdk/types.js')).CreateMessageRequestSchema, async () => ({
        role: 'assistant',
        content: { type: 'text', text: 'ok' },
        model: 'test',
      }));
      const raw = openRawSession(harness.upstream, `raw${round}`);
      await Promise.all([
        a.client.callTool({ name: 'echo', arguments: { text: 'x' } }),
        a.client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, { onprogress: () => undefined }),
        a.client.callTool({ name: 'sample', arguments: { prompt: 'p' } }),
        a.client.subscribeResource({ uri: `test://${round % 2}` }),
        a.client.setLoggingLevel('debug'),
      ]);
      callTool(raw.session, 1, 'wait-for-cancel');
      callTool(raw.session, 2, 'block', { key: `never-${round}` }); // left open: closing the session must clean it
      await waitFor('both raw calls at the child', () => harness.observer.toolCalls.filter((c) => c.name === 'block' || c.name === 'wait-for-cancel').length === 2 * (round + 1));
      send(raw.session, { method: 'notifications/cancelled', params: { requestId: 1 } });
      raw.session.close();
      await a.close();
    }
    expect(harness.upstream.sessionCount()).toBe(0);
    await waitFor('empty tables', () => Object.values(harness.upstream.stats()).every((size) => size === 0) || undefined);
    expect(harness.upstream.stats()).toEqual({
      sessions: 0,
      openRequests: 0,
      forwarded: 0,
      awaitingChild: 0,
      bridgeRequests: 0,
      heldServerRequests: 0,
      ambiguousServerRequests: 0,
      elicitations: 0,
      subscriptions: 0,
      loggingLevels: 0,
      tasks: 0,
      taskCursors: 0,
      earlyTaskNotifications: 0,
    });
  });

  test('onRequest sees each finished request once', async () => {
    const a = await connect('a');
    await a.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    const calls = harness.records.filter((record) => record.method === 'tools/call');
    expect(calls).toEqual([{ server: 'fixture', method: 'tools/call', durationMs: expect.any(Number), outcome: 'ok', errorCode: undefined }]);
    expect(harness.records.filter((record) => record.method === 'initialize')).toHaveLength(1);
  });
});
