import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { FIXTURE_SERVER_INFO } from './test-support/fixture-server.js';
import { startModernHarness, type ModernHarness } from './test-support/modern-harness.js';

/**
 * A real 2026-07-28 client (@modelcontextprotocol/client 2.x, its Streamable HTTP transport,
 * pinned to the modern era) against handleModernRequest in a real HTTP server, in front of a
 * 2025-era SDK v1 server that the bridge initialized itself.
 */

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[1]>;

let harness: ModernHarness;
const clients: Client[] = [];

beforeEach(async () => {
  harness = await startModernHarness();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await harness.close();
});

async function connectModernClient(options: ClientOptions = {}, setup?: (client: Client) => void): Promise<Client> {
  const client = new Client({ name: 'modern-test-client', version: '1.0.0' }, { ...options, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  setup?.(client);
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(harness.url), { fetch: harness.fetch }));
  return client;
}

function textOf(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return first?.type === 'text' ? String(first.text) : '';
}

describe('a 2026-07-28 client in front of a 2025-era child', () => {
  test('connects with server/discover only: no initialize reaches the child, identity and capabilities come from the bridge', async () => {
    const client = await connectModernClient();

    const discover = client.getDiscoverResult();
    expect(discover?.supportedVersions).toEqual(['2026-07-28']);
    expect(discover?.capabilities.tools).toEqual({ listChanged: true });
    expect(discover?.capabilities).not.toHaveProperty('tasks');
    expect(discover?.instructions).toBe('A fixture server for the bridge tests.');
    expect(client.getServerVersion()).toEqual(FIXTURE_SERVER_INFO);
    const probe = harness.exchanges[0];
    expect(probe.requestHeaders.get('mcp-method')).toBe('server/discover');
    expect(probe.requestHeaders.get('mcp-protocol-version')).toBe('2026-07-28');
    expect(harness.upstream.serverInbox.map((message) => ('method' in message ? message.method : 'response'))).not.toContain('initialize');
  });

  test('tools/list is relayed, translated to 2026-07-28 shapes, and the child never sees the envelope', async () => {
    const client = await connectModernClient();

    const { tools } = await client.listTools();

    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'count', 'ask-model', 'ask-user']));
    const relayed = harness.upstream.serverInbox.find((message) => 'method' in message && message.method === 'tools/list');
    expect(relayed).toBeDefined();
    expect(JSON.stringify(relayed)).not.toContain('io.modelcontextprotocol/');
    await harness.upstream.whenNoSessions();
  });

  test('tools/call relays arguments and answers as JSON when nothing comes before the result', async () => {
    const client = await connectModernClient();

    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi there' } });

    expect(textOf(result)).toBe('hi there');
    const call = harness.exchanges.find((exchange) => exchange.requestHeaders.get('mcp-method') === 'tools/call');
    expect(call?.requestHeaders.get('mcp-name')).toBe('echo');
    expect(call?.responseHeaders.get('content-type')).toBe('application/json');
  });

  test('tools/call with progress streams the progress notifications over SSE before the result', async () => {
    const client = await connectModernClient();
    const progress: number[] = [];

    const result = await client.callTool({ name: 'count', arguments: { steps: 3 } }, { onprogress: (update) => progress.push(update.progress) });

    expect(textOf(result)).toBe('counted to 3');
    expect(progress).toEqual([1, 2, 3]);
    const call = harness.exchanges.find((exchange) => exchange.requestHeaders.get('mcp-method') === 'tools/call');
    expect(call?.responseHeaders.get('content-type')).toBe('text/event-stream');
    await harness.upstream.whenNoSessions();
  });

  test('x-mcp-header arguments are mirrored by the client into Mcp-Param-* headers and accepted', async () => {
    const client = await connectModernClient();
    await client.listTools();

    const result = await client.callTool({ name: 'regional', arguments: { region: 'eu-west-1', query: 'SELECT 1' } });

    expect(textOf(result)).toBe('SELECT 1 in eu-west-1');
    const call = harness.exchanges.find((exchange) => exchange.requestHeaders.get('mcp-name') === 'regional');
    expect(call?.requestHeaders.get('mcp-param-region')).toBe('eu-west-1');
  });

  test('resources/read and prompts/get are relayed with their Mcp-Name', async () => {
    const client = await connectModernClient();

    const resource = await client.readResource({ uri: 'fixture://greeting' });
    const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });

    expect(resource.contents[0]).toMatchObject({ uri: 'fixture://greeting', text: 'hello from the fixture' });
    expect(prompt.messages[0].content).toEqual({ type: 'text', text: 'Say hello to Ada' });
    const names = harness.exchanges.map((exchange) => exchange.requestHeaders.get('mcp-name')).filter(Boolean);
    expect(names).toEqual(expect.arrayContaining(['fixture://greeting', 'greet']));
  });

  test('the child asking for sampling becomes an MRTR round trip, answered by the client handler', async () => {
    const questions: string[] = [];
    const client = await connectModernClient({ capabilities: { sampling: {} } }, (c) =>
      c.setRequestHandler('sampling/createMessage', async (request) => {
        const content = request.params.messages[0].content;
        questions.push(!Array.isArray(content) && content.type === 'text' ? content.text : '?');
        return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'forty-two' } };
      }),
    );

    const result = await client.callTool({ name: 'ask-model', arguments: { question: 'meaning of life?' } });

    expect(textOf(result)).toBe('model test-model said: forty-two');
    expect(questions).toEqual(['meaning of life?']);
    const calls = harness.exchanges.filter((exchange) => exchange.requestHeaders.get('mcp-method') === 'tools/call');
    expect(calls).toHaveLength(2);
    await harness.upstream.whenNoSessions();
  });

  test('progress before and after an MRTR round trip reaches the caller (the retry carries a new progress token)', async () => {
    const client = await connectModernClient({ capabilities: { sampling: {} } }, (c) =>
      c.setRequestHandler('sampling/createMessage', async () => ({ model: 'm2', role: 'assistant', content: { type: 'text', text: 'yes' } })),
    );
    const progress: number[] = [];

    // The client adds its own "Fulfilling input required…" progress between rounds; keep the server's (they carry a total).
    const result = await client.callTool(
      { name: 'ask-model-with-progress', arguments: {} },
      { onprogress: (update) => (update.total === 2 ? progress.push(update.progress) : undefined) },
    );

    expect(textOf(result)).toBe('after m2');
    expect(progress).toEqual([1, 2]);
  });

  test('the child asking for a form elicitation becomes an MRTR round trip', async () => {
    const client = await connectModernClient({ capabilities: { elicitation: { form: {} } } }, (c) =>
      c.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Grace' } })),
    );

    const result = await client.callTool({ name: 'ask-user', arguments: {} });

    expect(textOf(result)).toBe('hello Grace');
  });

  test('a 2025 URL-elicitation-required error becomes input_required, and the retry runs the call again', async () => {
    const urls: string[] = [];
    const client = await connectModernClient({ capabilities: { elicitation: { url: {} } } }, (c) =>
      c.setRequestHandler('elicitation/create', async (request) => {
        if (request.params.mode === 'url') urls.push(request.params.url);
        harness.fixture.completedUrlElicitations.add('link-1');
        return { action: 'accept' };
      }),
    );

    const result = await client.callTool({ name: 'connect-account', arguments: {} });

    expect(textOf(result)).toBe('account linked');
    expect(urls).toEqual(['https://example.com/link']);
  });

  test('a client that did not declare sampling gets MissingRequiredClientCapability, and the child call is cancelled', async () => {
    const client = await connectModernClient();
    const cancelled = new Promise((resolve) => harness.fixture.events.once('cancelled', resolve));

    await expect(client.callTool({ name: 'ask-model', arguments: { question: 'anyone?' } })).rejects.toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { sampling: {} } },
    });
    await expect(cancelled).resolves.toBe('ask-model');
    await harness.upstream.whenNoSessions();
  });

  test('roots: asked of a client that declared them by MRTR; a client without roots answers "none" and its call goes on', async () => {
    const withRoots = await connectModernClient({ capabilities: { roots: {} } }, (c) =>
      c.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] })),
    );
    const without = await connectModernClient();

    const listed = await withRoots.callTool({ name: 'list-roots', arguments: {} });
    const refused = await without.callTool({ name: 'list-roots', arguments: {} });

    expect(textOf(listed)).toBe('roots: file:///work');
    expect(textOf(refused)).toMatch(/^no roots: .*declared no roots capability/);
    await harness.upstream.whenNoSessions();
  });

  test('list changes reach the client on its subscriptions/listen stream', async () => {
    let settle: (error: Error | null, names: string[]) => void = () => undefined;
    const changed = new Promise<string[]>((resolve, reject) => (settle = (error, names) => (error ? reject(error) : resolve(names))));
    await connectModernClient({
      listChanged: { tools: { onChanged: (error, tools) => settle(error, (tools ?? []).map((tool) => tool.name)) } },
    });
    const listen = harness.exchanges.find((exchange) => exchange.requestHeaders.get('mcp-method') === 'subscriptions/listen');
    expect(listen?.responseHeaders.get('content-type')).toBe('text/event-stream');

    harness.fixture.addTool('late-tool');

    await expect(changed).resolves.toContain('late-tool');
  });

  test('a listen stream is honoured as far as the child can deliver, and ends gracefully when the bridge closes', async () => {
    const client = await connectModernClient();
    const subscription = await client.listen({ toolsListChanged: true, promptsListChanged: true, resourceSubscriptions: ['fixture://greeting'] });
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true, promptsListChanged: true });

    harness.state.close();

    await expect(subscription.closed).resolves.toBe('graceful');
    await harness.upstream.whenNoSessions();
  });

  test('a listen stream the client closes releases its upstream session', async () => {
    const client = await connectModernClient();
    const subscription = await client.listen({ toolsListChanged: true });
    expect(harness.upstream.sessionCount()).toBe(1);

    await subscription.close();

    await expect(subscription.closed).resolves.toBe('local');
    await harness.upstream.whenNoSessions();
  });

  test('no response ever carries an Mcp-Session-Id', async () => {
    const client = await connectModernClient({ capabilities: { sampling: {} } }, (c) =>
      c.setRequestHandler('sampling/createMessage', async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'ok' } })),
    );
    await client.listTools();
    await client.callTool({ name: 'count', arguments: { steps: 2 } }, { onprogress: () => undefined });
    await client.callTool({ name: 'ask-model', arguments: { question: 'q' } });

    expect(harness.exchanges.length).toBeGreaterThanOrEqual(5);
    for (const exchange of harness.exchanges) {
      expect(exchange.responseHeaders.get('mcp-session-id')).toBeNull();
      expect(exchange.requestHeaders.get('mcp-session-id')).toBeNull();
    }
  });
});
