import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type ClientCapabilities,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { UpstreamSession } from './types.js';
import { captureLogger } from '../http/test-support/capture-logger.js';
import { createFixtureServer } from './test-support/fixture-server.js';
import { sharedHarness, type SharedHarness } from './test-support/harness.js';
import { connectClient, openRawSession, type ConnectedClient } from './test-support/peers.js';
import { waitFor } from './test-support/wait-for.js';

// Server->client requests of the shared child: they must reach the one session they belong
// to, never another, and the answer must get back to the child.

let harness: SharedHarness;
const clients: ConnectedClient[] = [];

async function connect(label: string, capabilities: ClientCapabilities, setup?: (client: Client) => void): Promise<ConnectedClient> {
  const connected = await connectClient(harness.upstream, label, capabilities, setup);
  clients.push(connected);
  return connected;
}

/** A client that answers sampling with its own name, so a misrouted request would show. */
function answersSampling(label: string) {
  return (client: Client): void =>
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: `sampled by ${label}` }, model: 'test' }));
}

function send(session: UpstreamSession, message: Record<string, unknown>): void {
  session.receive({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
}

function callTool(session: UpstreamSession, id: RequestId, name: string, args: Record<string, unknown> = {}): void {
  send(session, { id, method: 'tools/call', params: { name, arguments: args } });
}

function initialize(session: UpstreamSession, capabilities: ClientCapabilities): void {
  send(session, { id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'raw', version: '1' } } });
}

beforeEach(async () => {
  harness = sharedHarness({}, {}, { ambiguityWaitMs: 300 });
  await harness.upstream.start();
});

afterEach(async () => {
  for (const connected of clients.splice(0)) await connected.close();
  await harness.upstream.close();
});

test('sampling reaches the only session with a request in flight, on that request, and the answer gets back', async () => {
  const caller = await connect('caller', { sampling: {} }, answersSampling('caller'));
  const bystander = await connect('bystander', { sampling: {} }, answersSampling('bystander'));
  const result = await caller.client.callTool({ name: 'sample', arguments: { prompt: 'hello' } });
  expect(result).toMatchObject({ content: [{ text: 'sampled by caller' }] });
  const [delivered] = caller.peer.messagesWithMethod('sampling/createMessage');
  const callId = caller.peer.received.find(({ message }) => 'result' in message && (message.result as { content?: unknown }).content)?.message as { id: RequestId };
  expect(delivered.relatedRequestId).toBe(callId.id);
  expect(bystander.peer.messagesWithMethod('sampling/createMessage')).toHaveLength(0);
});

test('elicitation reaches the right session and its answer gets back', async () => {
  const caller = await connect('caller', { elicitation: { form: {} } }, (client) =>
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } })),
  );
  const bystander = await connect('bystander', { elicitation: {} });
  const result = await caller.client.callTool({ name: 'elicit', arguments: { message: 'your name?' } });
  expect(JSON.parse((result.content as Array<{ text: string }>)[0].text)).toEqual({ action: 'accept', content: { name: 'Ada' } });
  expect(bystander.peer.messagesWithMethod('elicitation/create')).toHaveLength(0);
});

test('a session without the capability is never a candidate: the child gets an error naming the method', async () => {
  const caller = await connect('caller', {});
  const result = caller.client.callTool({ name: 'sample', arguments: { prompt: 'x' } });
  await expect(result).rejects.toThrow(/No connected client supports sampling\/createMessage/);
  expect(caller.peer.messagesWithMethod('sampling/createMessage')).toHaveLength(0);
});

test('ambiguous: two sessions waiting on sampling at once get an error, never each other\'s request', async () => {
  const a = await connect('a', { sampling: {} }, answersSampling('a'));
  const b = await connect('b', { sampling: {} }, answersSampling('b'));
  const calls = Promise.allSettled([
    a.client.callTool({ name: 'sample', arguments: { prompt: 'from a', gate: 'a' } }),
    b.client.callTool({ name: 'sample', arguments: { prompt: 'from b', gate: 'b' } }),
  ]);
  // Both calls are in flight before either asks for sampling.
  await waitFor('both calls at the child', () => harness.observer.toolCalls.length === 2);
  harness.observer.release('a');
  harness.observer.release('b');
  const results = await calls;
  // The first refusal ends one call; that completion may narrow the other request to its
  // own session (by design), so at least one is refused and any success is the caller's own.
  const refused = results.filter((result) => result.status === 'rejected');
  expect(refused.length).toBeGreaterThanOrEqual(1);
  for (const result of refused) {
    expect(String(result.reason)).toMatch(/cannot tell which of 2 client sessions.*per-session/);
  }
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') expect(result.value).toMatchObject({ content: [{ text: `sampled by ${index === 0 ? 'a' : 'b'}` }] });
  });
  for (const [peer, prompt] of [
    [a.peer, 'from a'],
    [b.peer, 'from b'],
  ] as const) {
    for (const { message } of peer.messagesWithMethod('sampling/createMessage')) {
      expect(message).toMatchObject({ params: { messages: [{ content: { text: prompt } }] } });
    }
  }
  expect(harness.upstream.stats()).toMatchObject({ heldServerRequests: 0, ambiguousServerRequests: 0 });
});

test('ambiguous until the bound: the child gets the error and no session sees the request', async () => {
  const a = await connect('a', { sampling: {} }, answersSampling('a'));
  const busy = await connect('busy', { sampling: {} }, answersSampling('busy'));
  const blocked = busy.client.callTool({ name: 'block', arguments: { key: 'busy' } });
  await waitFor('the blocking call at the child', () => harness.observer.toolCalls.some((call) => call.name === 'block'));
  await expect(a.client.callTool({ name: 'sample', arguments: { prompt: 'p' } })).rejects.toThrow(
    /cannot tell which of 2 client sessions this sampling\/createMessage belongs to.*sessionMode "per-session"/,
  );
  expect(a.peer.messagesWithMethod('sampling/createMessage')).toHaveLength(0);
  expect(busy.peer.messagesWithMethod('sampling/createMessage')).toHaveLength(0);
  harness.observer.release('busy');
  await blocked;
});

test('ambiguous at first, then the other session finishes: the request goes to the one left', async () => {
  const sampler = await connect('sampler', { sampling: {} }, answersSampling('sampler'));
  const busy = await connect('busy', { sampling: {} }, answersSampling('busy'));
  const blocked = busy.client.callTool({ name: 'block', arguments: { key: 'busy' } });
  await waitFor('the blocking call at the child', () => harness.observer.toolCalls.some((call) => call.name === 'block'));
  const sampled = sampler.client.callTool({ name: 'sample', arguments: { prompt: 'p' } });
  await waitFor('the sampling request held as ambiguous', () => harness.upstream.stats().ambiguousServerRequests === 1);
  harness.observer.release('busy');
  await blocked;
  await expect(sampled).resolves.toMatchObject({ content: [{ text: 'sampled by sampler' }] });
  expect(busy.peer.messagesWithMethod('sampling/createMessage')).toHaveLength(0);
});

test('roots/list with no request in flight asks the most recently active session that has roots', async () => {
  const withRoots = await connect('with-roots', { roots: { listChanged: true } }, (client) =>
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] })),
  );
  const caller = await connect('caller', {});
  await withRoots.client.listTools(); // the most recent activity
  await expect(caller.client.callTool({ name: 'roots', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'file:///work' }] });
  expect(caller.peer.messagesWithMethod('roots/list')).toHaveLength(0);
});

test('roots/list with nobody declaring roots fails at the child', async () => {
  const caller = await connect('caller', { sampling: {} });
  await expect(caller.client.callTool({ name: 'roots', arguments: {} })).rejects.toThrow(/No connected client supports roots\/list/);
});

test('roots/list before any session exists (server-everything asks right after initialize) is refused as before, logged at debug only', async () => {
  await harness.upstream.close();
  const logger = captureLogger();
  const answers: string[] = [];
  harness = sharedHarness({ logger }, {}, {}, (observer, generation) => {
    const server = createFixtureServer(observer, generation);
    server.oninitialized = () => {
      server.listRoots().then(
        () => answers.push('answered'),
        (error: Error) => answers.push(error.message),
      );
    };
    return server;
  });
  await harness.upstream.start();

  await waitFor('the child got its answer', () => answers.length === 1);
  expect(answers[0]).toMatch(/-32601.*No connected client supports roots\/list/);
  expect(logger.records.filter((record) => record.message.includes('roots/list'))).toEqual([expect.objectContaining({ level: 'debug' })]);
  expect(logger.records.filter((record) => record.level === 'warn' || record.level === 'error')).toEqual([]);
});

test('sampling that no session can take is still a warning', async () => {
  await harness.upstream.close();
  const logger = captureLogger();
  harness = sharedHarness({ logger });
  await harness.upstream.start();
  const caller = await connect('caller', {});

  await expect(caller.client.callTool({ name: 'sample', arguments: { prompt: 'x' } })).rejects.toThrow(/sampling\/createMessage/);
  expect(logger.records.filter((record) => record.level === 'warn').map((record) => record.message)).toEqual([expect.stringContaining('No connected client supports sampling/createMessage')]);
});

test('an answer from another stateful session is ignored; the right session answers', async () => {
  const owner = openRawSession(harness.upstream, 'owner');
  const intruder = openRawSession(harness.upstream, 'intruder');
  initialize(owner.session, { sampling: {} });
  initialize(intruder.session, { sampling: {} });
  callTool(owner.session, 1, 'sample', { prompt: 'mine' });
  const { message } = await owner.peer.waitForMethod('sampling/createMessage');
  const bridgeId = (message as JSONRPCRequest).id;
  send(intruder.session, { id: bridgeId, result: { role: 'assistant', content: { type: 'text', text: 'hijacked' }, model: 'evil' } });
  send(owner.session, { id: bridgeId, result: { role: 'assistant', content: { type: 'text', text: 'genuine' }, model: 'test' } });
  const response = await owner.peer.waitForResponse(1);
  expect(response.message).toMatchObject({ result: { content: [{ text: 'genuine' }] } });
  owner.session.close();
  intruder.session.close();
});

test('stateless: the sampling answer arrives on another transient session and is matched by id', async () => {
  await harness.upstream.close();
  harness = sharedHarness({ mode: 'stateless' });
  await harness.upstream.start();
  // A stateless POST: no initialize, no capabilities known, one request.
  const post = openRawSession(harness.upstream, 'post-1', true);
  callTool(post.session, 1, 'sample', { prompt: 'stateless' });
  const { message, relatedRequestId } = await post.peer.waitForMethod('sampling/createMessage');
  expect(relatedRequestId).toBe(1); // rides on the POST's own stream
  const answer = openRawSession(harness.upstream, 'post-2', true);
  send(answer.session, { id: (message as JSONRPCRequest).id, result: { role: 'assistant', content: { type: 'text', text: 'answered later' }, model: 'test' } });
  answer.session.close();
  const response = await post.peer.waitForResponse(1);
  expect(response.message).toMatchObject({ result: { content: [{ text: 'answered later' }] } });
  post.session.close();
  expect(harness.upstream.sessionCount()).toBe(0);
  expect(harness.upstream.stats()).toMatchObject({ heldServerRequests: 0, forwarded: 0, openRequests: 0 });
});

test("the child's cancel of a server request reaches the session under the bridge's id", async () => {
  const owner = openRawSession(harness.upstream, 'owner');
  initialize(owner.session, { sampling: {} });
  callTool(owner.session, 1, 'sample', { prompt: 'never answered', timeoutMs: 100 });
  const { message } = await owner.peer.waitForMethod('sampling/createMessage');
  const cancel = await owner.peer.waitForMethod('notifications/cancelled');
  expect(cancel.message).toMatchObject({ params: { requestId: (message as JSONRPCRequest).id } });
  expect((await owner.peer.waitForResponse(1)).message).toMatchObject({ error: {} });
  expect(harness.upstream.stats().heldServerRequests).toBe(0);
  owner.session.close();
});

test('a session that closes while holding a server request: the child gets an error at once', async () => {
  const owner = openRawSession(harness.upstream, 'owner');
  const other = openRawSession(harness.upstream, 'other');
  initialize(owner.session, { sampling: {} });
  callTool(owner.session, 1, 'sample', { prompt: 'x' });
  await owner.peer.waitForMethod('sampling/createMessage');
  owner.session.close();
  // The child's handler failed (its error answer was dropped with the closed session); the
  // child is free and other sessions go on.
  callTool(other.session, 2, 'echo', { text: 'still fine' });
  await other.peer.waitForResponse(2);
  const errorToChild = harness.channel.sent.find(({ message }) => 'error' in message);
  expect(errorToChild?.message).toMatchObject({ error: { message: expect.stringContaining('closed before answering') } });
  other.session.close();
});

test('a URL elicitation and its completion reach only the session that got it', async () => {
  const owner = openRawSession(harness.upstream, 'owner');
  const bystander = openRawSession(harness.upstream, 'bystander');
  initialize(owner.session, { elicitation: { url: {} } });
  initialize(bystander.session, { elicitation: { url: {} } });
  callTool(owner.session, 1, 'elicit-url', { id: 'e-42' });
  const { message } = await owner.peer.waitForMethod('elicitation/create');
  expect(message).toMatchObject({ params: { mode: 'url', elicitationId: 'e-42' } });
  send(owner.session, { id: (message as JSONRPCRequest).id, result: { action: 'accept' } });
  await owner.peer.waitForResponse(1);
  const complete = await owner.peer.waitForMethod('notifications/elicitation/complete');
  expect(complete.message).toMatchObject({ params: { elicitationId: 'e-42' } });
  expect(bystander.peer.received.filter(({ message: m }) => 'method' in m)).toHaveLength(0);
  expect(harness.upstream.stats().elicitations).toBe(0);
  owner.session.close();
  bystander.session.close();
});

test('a form-only client is no candidate for a URL elicitation', async () => {
  const formOnly = openRawSession(harness.upstream, 'form-only');
  initialize(formOnly.session, { elicitation: { form: {} } });
  callTool(formOnly.session, 1, 'elicit-url', { id: 'e-1' });
  const response = await formOnly.peer.waitForResponse(1);
  expect(response.message).toMatchObject({ error: { message: expect.stringContaining('elicitation.url') } });
  expect(formOnly.peer.messagesWithMethod('elicitation/create')).toHaveLength(0);
  formOnly.session.close();
});

/** Rejects if `promise` has not settled by the deadline: what "at once" means in the test below. */
function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

test('a client that abandons an elicitation mid-call blocks nobody: another session\'s sampling, elicitation and roots work at once', async () => {
  await harness.upstream.close();
  // Ambiguity would now wait 30 s: a request misjudged as ambiguous shows as a missed deadline.
  harness = sharedHarness({}, {}, { ambiguityWaitMs: 30_000 });
  await harness.upstream.start();
  const abandoner = await connect('abandoner', { elicitation: { form: {} } }, (client) =>
    client.setRequestHandler(ElicitRequestSchema, () => new Promise(() => undefined)), // a dialog nobody closes
  );
  const other = await connect('other', { sampling: {}, elicitation: { form: {} }, roots: {} }, (client) => {
    answersSampling('other')(client);
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'other' } }));
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///other', name: 'other' }] }));
  });
  const abandoned = abandoner.client.callTool({ name: 'elicit', arguments: { message: 'never answered' } }, undefined, { timeout: 60_000 }).catch(() => undefined);
  await abandoner.peer.waitForMethod('elicitation/create');

  await expect(withinMs(other.client.callTool({ name: 'sample', arguments: { prompt: 'p' } }), 5_000, 'sampling')).resolves.toMatchObject({
    content: [{ text: 'sampled by other' }],
  });
  const elicited = await withinMs(other.client.callTool({ name: 'elicit', arguments: { message: 'name?' } }), 5_000, 'elicitation');
  expect(JSON.parse((elicited.content as Array<{ text: string }>)[0].text)).toEqual({ action: 'accept', content: { name: 'other' } });
  await expect(withinMs(other.client.callTool({ name: 'roots', arguments: {} }), 5_000, 'roots')).resolves.toMatchObject({ content: [{ text: 'file:///other' }] });
  // All three at once, too.
  await withinMs(
    Promise.all([
      other.client.callTool({ name: 'sample', arguments: { prompt: 'q' } }),
      other.client.callTool({ name: 'roots', arguments: {} }),
    ]),
    5_000,
    'concurrent calls of one session',
  );
  expect(abandoner.peer.messagesWithMethod('sampling/createMessage')).toHaveLength(0);
  expect(abandoner.peer.messagesWithMethod('roots/list')).toHaveLength(0);
  expect(abandoner.peer.messagesWithMethod('elicitation/create')).toHaveLength(1);
  expect(other.peer.messagesWithMethod('elicitation/create')).toHaveLength(1);
  await abandoner.close();
  clients.splice(clients.indexOf(abandoner), 1);
  await abandoned;
});

test("a session's calls stay separate: the owner's questions of one moment all reach it even while its earlier question is unanswered elsewhere", async () => {
  // The owner asks its first question; while it is open, the other session's call asks: the
  // owner's call is blocked, so the other's question is not ambiguous.
  const owner = openRawSession(harness.upstream, 'owner');
  const other = openRawSession(harness.upstream, 'other');
  initialize(owner.session, { sampling: {} });
  initialize(other.session, { sampling: {} });
  callTool(owner.session, 1, 'sample', { prompt: 'owner' });
  const first = await owner.peer.waitForMethod('sampling/createMessage');
  await waitFor('the owner\'s call to be blocked on its question', () => harness.upstream.stats().bridgeRequests === 0);
  callTool(other.session, 2, 'sample', { prompt: 'other' });
  const second = await other.peer.waitForMethod('sampling/createMessage');
  expect(second.message).toMatchObject({ params: { messages: [{ content: { text: 'other' } }] } });
  send(other.session, { id: (second.message as JSONRPCRequest).id, result: { role: 'assistant', content: { type: 'text', text: 'to other' }, model: 'test' } });
  expect((await other.peer.waitForResponse(2)).message).toMatchObject({ result: { content: [{ text: 'to other' }] } });
  send(owner.session, { id: (first.message as JSONRPCRequest).id, result: { role: 'assistant', content: { type: 'text', text: 'to owner' }, model: 'test' } });
  expect((await owner.peer.waitForResponse(1)).message).toMatchObject({ result: { content: [{ text: 'to owner' }] } });
  expect(harness.upstream.stats()).toMatchObject({ ambiguousServerRequests: 0 });
  owner.session.close();
  other.session.close();
});
