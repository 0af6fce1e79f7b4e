import { envelope, headersFor, parseEventStream, postRaw, startModernHarness, type ModernHarness } from './test-support/modern-harness.js';

/**
 * The 2026-07-28 wire as the spec writes it, byte by byte: the refusals a conforming client
 * never provokes, the translated result shapes, log-level filtering, cancellation by closing
 * the stream, and the lifetime of an MRTR requestState.
 */

let harness: ModernHarness;

afterEach(async () => {
  await harness.close();
});

function request(method: string, params: Record<string, unknown> = {}, id: string | number = 1) {
  return { jsonrpc: '2.0', id, method, params: { ...params, _meta: { ...envelope(), ...(params._meta as object) } } };
}

function eventually(event: string, emitter: { once(event: string, listener: (value: unknown) => void): unknown }): Promise<unknown> {
  return new Promise((resolve) => emitter.once(event, resolve));
}

describe('refusals (streamable-http#server-validation, basic/versioning)', () => {
  beforeEach(async () => {
    harness = await startModernHarness();
  });

  test('Mcp-Method that disagrees with the body: 400 HeaderMismatch (-32020), id echoed, nothing reaches the child', async () => {
    const body = request('tools/call', { name: 'echo', arguments: { text: 'x' } }, 7);

    const answer = await postRaw(harness.url, body, { ...headersFor(body), 'Mcp-Method': 'tools/list' });

    expect(answer.status).toBe(400);
    expect(answer.message).toMatchObject({ id: 7, error: { code: -32020, data: { mismatch: { header: 'tools/list', body: 'tools/call' } } } });
    expect(answer.message.error.message).toContain('Mcp-Method');
    expect(harness.upstream.serverInbox).toHaveLength(0);
  });

  test('Mcp-Name that disagrees with params.name, or carries broken Base64: 400 -32020', async () => {
    const body = request('tools/call', { name: 'echo', arguments: { text: 'x' } });

    const wrongName = await postRaw(harness.url, body, { ...headersFor(body), 'Mcp-Name': 'count' });
    const brokenBase64 = await postRaw(harness.url, body, { ...headersFor(body), 'Mcp-Name': '=?base64?not*base64?=' });

    expect(wrongName.status).toBe(400);
    expect(wrongName.message.error).toMatchObject({ code: -32020 });
    expect(wrongName.message.error.message).toContain('"count"');
    expect(brokenBase64.status).toBe(400);
    expect(brokenBase64.message.error.code).toBe(-32020);
  });

  test('a Base64-sentinel Mcp-Name is decoded before the comparison', async () => {
    const body = request('tools/call', { name: 'echo', arguments: { text: 'encoded' } });

    const answer = await postRaw(harness.url, body, { ...headersFor(body), 'Mcp-Name': `=?base64?${Buffer.from('echo').toString('base64')}?=` });

    expect(answer.status).toBe(200);
    expect(answer.message.result.content).toEqual([{ type: 'text', text: 'encoded' }]);
  });

  test('missing required headers (Mcp-Method; Mcp-Name on tools/call): 400 -32020 naming the header', async () => {
    const list = request('tools/list');
    const call = request('tools/call', { name: 'echo', arguments: { text: 'x' } });
    const { 'Mcp-Method': _method, ...noMethod } = headersFor(list);
    const { 'Mcp-Name': _name, ...noName } = headersFor(call);

    const withoutMethod = await postRaw(harness.url, list, noMethod);
    const withoutName = await postRaw(harness.url, call, noName);

    expect(withoutMethod.status).toBe(400);
    expect(withoutMethod.message.error).toMatchObject({ code: -32020 });
    expect(withoutMethod.message.error.message).toContain('Mcp-Method header is absent');
    expect(withoutName.status).toBe(400);
    expect(withoutName.message.error.message).toContain('Mcp-Name header is absent');
  });

  test('Mcp-Param-* headers must mirror the x-mcp-header arguments: absent or different is 400 -32020', async () => {
    const body = request('tools/call', { name: 'regional', arguments: { region: 'eu-west-1', query: 'q' } });

    const absent = await postRaw(harness.url, body, headersFor(body));
    const different = await postRaw(harness.url, body, { ...headersFor(body), 'Mcp-Param-Region': 'us-east-1' });
    const matching = await postRaw(harness.url, body, { ...headersFor(body), 'Mcp-Param-Region': 'eu-west-1' });

    expect(absent.status).toBe(400);
    expect(absent.message.error).toMatchObject({ code: -32020, message: expect.stringContaining('Mcp-Param-Region header is absent') });
    expect(different.status).toBe(400);
    expect(different.message.error.message).toContain('"us-east-1"');
    expect(matching.status).toBe(200);
    expect(matching.message.result.content).toEqual([{ type: 'text', text: 'q in eu-west-1' }]);
  });

  test('MCP-Protocol-Version header and body envelope naming different versions: 400 -32020', async () => {
    const body = request('tools/list', { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-09-01' } });

    const answer = await postRaw(harness.url, body, headersFor(body));

    expect(answer.status).toBe(400);
    expect(answer.message.error).toMatchObject({ code: -32020, data: { mismatch: { header: '2026-07-28', body: '2026-09-01' } } });
  });

  test('an unsupported (future) version: 400 UnsupportedProtocolVersion (-32022) listing what server/discover lists, the legacy versions named in the message', async () => {
    const body = request('tools/list', { _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } });

    const answer = await postRaw(harness.url, body, { ...headersFor(body), 'MCP-Protocol-Version': '2099-01-01' });

    expect(answer.status).toBe(400);
    expect(answer.message.error.code).toBe(-32022);
    expect(answer.message.error.data.requested).toBe('2099-01-01');
    expect(answer.message.error.data.supported).toEqual(['2026-07-28']);
    expect(answer.message.error.message).toMatch(/2025-11-25.* with initialize/);
    const discover = request('server/discover', {});
    const discovered = await postRaw(harness.url, discover, headersFor(discover));
    expect(discovered.message.result.supportedVersions).toEqual(answer.message.error.data.supported);
  });

  test('a version that is not a date ("v999.0.0") outside a session: 400 -32022 under the request\'s own id', async () => {
    const body = request('server/discover', { _meta: { 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' } });

    const answer = await postRaw(harness.url, body, { ...headersFor(body), 'MCP-Protocol-Version': 'v999.0.0' });

    expect(answer.status).toBe(400);
    expect(answer.message).toMatchObject({ id: body.id, error: { code: -32022, data: { requested: 'v999.0.0', supported: ['2026-07-28'] } } });
  });

  test('a request without the per-request envelope, or with a malformed one: 400 -32602 naming the key', async () => {
    const bare = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    const noCapabilities = { ...bare, params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } };

    const withoutEnvelope = await postRaw(harness.url, bare, headersFor(bare));
    const withoutCapabilities = await postRaw(harness.url, noCapabilities, headersFor(noCapabilities));

    expect(withoutEnvelope.status).toBe(400);
    expect(withoutEnvelope.message.error.code).toBe(-32602);
    expect(withoutEnvelope.message.error.message).toContain('io.modelcontextprotocol/clientCapabilities');
    expect(withoutCapabilities.status).toBe(400);
    expect(withoutCapabilities.message.error).toMatchObject({ code: -32602, data: { envelope: { key: 'io.modelcontextprotocol/clientCapabilities' } } });
  });

  test('initialize with a modern header is refused (-32020), ping and other removed methods are 404 -32601', async () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } };
    const ping = request('ping');
    const setLevel = request('logging/setLevel', { level: 'debug' });

    const initializeAnswer = await postRaw(harness.url, initialize, headersFor(initialize));
    const pingAnswer = await postRaw(harness.url, ping, headersFor(ping));
    const setLevelAnswer = await postRaw(harness.url, setLevel, headersFor(setLevel));

    expect(initializeAnswer.status).toBe(400);
    expect(initializeAnswer.message.error.code).toBe(-32020);
    expect(initializeAnswer.message.error.message).toContain('no initialize handshake');
    expect(pingAnswer.status).toBe(404);
    expect(pingAnswer.message.error).toMatchObject({ code: -32601, message: expect.stringContaining('not part of protocol revision 2026-07-28') });
    expect(setLevelAnswer.status).toBe(404);
    expect(harness.upstream.serverInbox).toHaveLength(0);
  });

  test('a method the child does not know is 404 -32601 (the child answered it)', async () => {
    const body = request('acme/unknown');

    const answer = await postRaw(harness.url, body, headersFor(body));

    expect(answer.status).toBe(404);
    expect(answer.message.error.code).toBe(-32601);
  });

  test('GET, DELETE and non-JSON bodies are transport refusals (405 with Allow: POST, 415)', async () => {
    const get = await fetch(harness.url, { headers: { 'MCP-Protocol-Version': '2026-07-28', Accept: 'text/event-stream' } });
    const del = await fetch(harness.url, { method: 'DELETE', headers: { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Session-Id': 'abc' } });
    const listing = request('tools/list');
    const text = await fetch(harness.url, { method: 'POST', headers: { ...headersFor(listing), 'Content-Type': 'text/plain' }, body: JSON.stringify(listing) });

    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(((await get.json()) as { error: { message: string } }).error.message).toContain('POST-only');
    expect(del.status).toBe(405);
    expect(del.headers.get('mcp-session-id')).toBeNull();
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { message: string } }).error.message).toContain('Content-Type: application/json');
  });

  test('batches and posted responses are invalid requests (400 -32600); a notification is accepted (202) and dropped', async () => {
    const batch = [request('tools/list', {}, 1), request('prompts/list', {}, 2)];
    const response = { jsonrpc: '2.0', id: 1, result: {} };
    const notification = { jsonrpc: '2.0', method: 'notifications/roots/list_changed' };
    const headers = { ...headersFor({ method: 'tools/list' }) };

    const batchAnswer = await postRaw(harness.url, batch, headers);
    const responseAnswer = await postRaw(harness.url, response, headers);
    const notificationAnswer = await postRaw(harness.url, notification, { ...headers, 'Mcp-Method': notification.method });

    expect(batchAnswer.status).toBe(400);
    expect(batchAnswer.message.error.code).toBe(-32600);
    expect(batchAnswer.message.error.message).toContain('batches');
    expect(responseAnswer.status).toBe(400);
    expect(responseAnswer.message.error.message).toContain('inputResponses');
    expect(notificationAnswer.status).toBe(202);
    expect(harness.upstream.serverInbox).toHaveLength(0);
  });
});

describe('translated results', () => {
  beforeEach(async () => {
    harness = await startModernHarness();
  });

  test('list and read results carry resultType, the CacheableResult fields and the server identity', async () => {
    const list = request('tools/list');
    const read = request('resources/read', { uri: 'fixture://greeting' });

    const listAnswer = await postRaw(harness.url, list, headersFor(list));
    const readAnswer = await postRaw(harness.url, read, headersFor(read));

    for (const answer of [listAnswer, readAnswer]) {
      expect(answer.status).toBe(200);
      expect(answer.message.result).toMatchObject({
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'fixture-server', version: '1.2.3' } },
      });
    }
    expect(listAnswer.headers.get('mcp-session-id')).toBeNull();
  });

  test('server/discover is answered by the bridge from the child initialize result', async () => {
    const body = request('server/discover');

    const answer = await postRaw(harness.url, body, headersFor(body));

    expect(answer.status).toBe(200);
    expect(answer.message.result).toMatchObject({
      resultType: 'complete',
      supportedVersions: ['2026-07-28'],
      capabilities: { tools: { listChanged: true }, logging: {} },
      instructions: 'A fixture server for the bridge tests.',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'fixture-server', version: '1.2.3' } },
    });
    expect(harness.upstream.serverInbox).toHaveLength(0);
  });

  test('notifications/message reaches the client only when the request set a logLevel, and only at or above it', async () => {
    const withLevel = request('tools/call', { name: 'log', _meta: { 'io.modelcontextprotocol/logLevel': 'warning' } }, 1);
    const withoutLevel = request('tools/call', { name: 'log' }, 2);

    const filtered = await postRaw(harness.url, withLevel, headersFor(withLevel));
    const silent = await postRaw(harness.url, withoutLevel, headersFor(withoutLevel));

    expect(filtered.headers.get('content-type')).toBe('text/event-stream');
    expect(filtered.events.filter((event) => event.method === 'notifications/message').map((event) => event.params.level)).toEqual(['error']);
    expect(filtered.message).toMatchObject({ id: 1, result: { resultType: 'complete' } });
    expect(silent.headers.get('content-type')).toBe('application/json');
    expect(silent.message).toMatchObject({ id: 2, result: { content: [{ type: 'text', text: 'logged' }] } });
  });
});

describe('concurrency', () => {
  beforeEach(async () => {
    harness = await startModernHarness();
  });

  test('requests sent at once with the same JSON-RPC id each get their own answer', async () => {
    const texts = ['alpha', 'beta', 'gamma', 'delta'];
    const bodies = texts.map((text) => request('tools/call', { name: 'echo', arguments: { text } }, 1));

    const answers = await Promise.all(bodies.map((body) => postRaw(harness.url, body, headersFor(body))));

    expect(answers.map((answer) => answer.message.id)).toEqual([1, 1, 1, 1]);
    expect(answers.map((answer) => answer.message.result.content[0].text)).toEqual(texts);
    await harness.upstream.whenNoSessions();
  });
});

describe('lifetimes', () => {
  test('closing the response stream cancels the call at the child and closes the transient session', async () => {
    harness = await startModernHarness();
    const body = request('tools/call', { name: 'wait-for-cancel', _meta: { progressToken: 'p1' } });
    const cancelled = eventually('cancelled', harness.fixture.events);
    const abort = new AbortController();
    const response = await fetch(harness.url, { method: 'POST', headers: headersFor(body), body: JSON.stringify(body), signal: abort.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(parseEventStream(Buffer.from(first.value!).toString('utf8'))[0]).toMatchObject({ method: 'notifications/progress', params: { progressToken: 'p1' } });

    abort.abort();

    await expect(cancelled).resolves.toBe('wait-for-cancel');
    await harness.upstream.whenNoSessions();
    const cancellation = harness.upstream.serverInbox.find((message) => 'method' in message && message.method === 'notifications/cancelled');
    expect(cancellation).toBeDefined();
  });

  test('an input request the client never answers expires: the child call is cancelled and the requestState is dead', async () => {
    harness = await startModernHarness({ inputRequestTtlMs: 50 });
    const capabilities = { 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } };
    const first = request('tools/call', { name: 'ask-model', arguments: { question: 'q' }, _meta: capabilities }, 1);
    const cancelled = eventually('cancelled', harness.fixture.events);

    const asked = await postRaw(harness.url, first, headersFor(first));
    expect(asked.message.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { 'input-1': { method: 'sampling/createMessage', params: { maxTokens: 50 } } },
      requestState: expect.any(String),
    });
    await expect(cancelled).resolves.toBe('ask-model');
    await harness.upstream.whenNoSessions();

    const retry = request(
      'tools/call',
      {
        name: 'ask-model',
        arguments: { question: 'q' },
        inputResponses: { 'input-1': { role: 'assistant', model: 'm', content: { type: 'text', text: 'late' } } },
        requestState: asked.message.result.requestState,
        _meta: capabilities,
      },
      2,
    );
    const late = await postRaw(harness.url, retry, headersFor(retry));

    expect(late.status).toBe(200);
    expect(late.message).toMatchObject({ id: 2, error: { code: -32602, message: expect.stringContaining('expired') } });
  });

  test('a requestState only resumes a retry of the same request, and only once', async () => {
    harness = await startModernHarness();
    const capabilities = { 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } };
    const call = (id: number, question: string, extra: Record<string, unknown> = {}) =>
      request('tools/call', { name: 'ask-model', arguments: { question }, _meta: capabilities, ...extra }, id);
    const asked = await postRaw(harness.url, call(1, 'original'), headersFor(call(1, 'original')));
    const { requestState } = asked.message.result;
    const inputResponses = { 'input-1': { role: 'assistant', model: 'm', content: { type: 'text', text: 'yes' } } };

    const other = call(2, 'a different question', { requestState, inputResponses });
    const refused = await postRaw(harness.url, other, headersFor(other));
    const genuine = call(3, 'original', { requestState, inputResponses });
    const resumed = await postRaw(harness.url, genuine, headersFor(genuine));
    const replay = call(4, 'original', { requestState, inputResponses });
    const replayed = await postRaw(harness.url, replay, headersFor(replay));

    expect(refused.message).toMatchObject({ id: 2, error: { code: -32602, message: expect.stringContaining('different request') } });
    expect(resumed.message).toMatchObject({ id: 3, result: { resultType: 'complete', content: [{ type: 'text', text: 'model m said: yes' }] } });
    expect(replayed.message).toMatchObject({ id: 4, error: { code: -32602 } });
  });

  test('server/discover before the child is initialized: 503 with Retry-After, naming the server', async () => {
    harness = await startModernHarness({}, { startUpstream: false });
    const body = request('server/discover');

    const answer = await postRaw(harness.url, body, headersFor(body));

    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.message.error.message).toContain('"fixture" has not finished initializing');
  });
});
