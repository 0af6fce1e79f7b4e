import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { cleanUp, connectClient, everythingChildren, everythingServerArgv, rawRequest, resultText, SAMPLED_TEXT, startDaemon, waitFor } from './support';
import type { Daemon } from './support';

// The 2026-07-28 era (no initialize, no sessions, server/discover, MRTR) through the built CLI,
// with the real v2 client (@modelcontextprotocol/client), in front of server-everything, a
// 2025-era child that the bridge initialized itself; and a 2025-11-25 session beside it.

type ModernClientOptions = NonNullable<ConstructorParameters<typeof ModernClient>[1]>;

interface Exchange {
  requestHeaders: Headers;
  responseHeaders: Headers;
  status: number;
}

const modernClients: ModernClient[] = [];

afterEach(async () => {
  await Promise.all(modernClients.splice(0).map((client) => client.close().catch(() => undefined)));
  await cleanUp();
});

/**
 * The daemon, once its child answered the bridge's initialize: server/discover is answered
 * from that result, so before it a v2 client's probe gets 503 with Retry-After (which the
 * v2 client does not retry on its own).
 */
async function up(): Promise<Daemon> {
  const daemon = await startDaemon(['up', '--port', '0', '--name', 'everything', '--', ...everythingServerArgv()]);
  await waitFor(async () => (await rawRequest(`${daemon.origin}/readyz`)).status === 200, { what: '/readyz to answer 200' });
  return daemon;
}

/** A v2 client pinned to 2026-07-28 whose every HTTP exchange is recorded. */
async function connectModern(url: string, exchanges: Exchange[], options: ModernClientOptions = {}, setup?: (client: ModernClient) => void): Promise<ModernClient> {
  const client = new ModernClient({ name: 'e2e-modern', version: '1.0.0' }, { ...options, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  setup?.(client);
  modernClients.push(client);
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    exchanges.push({ requestHeaders: new Headers(init?.headers), responseHeaders: response.headers, status: response.status });
    return response;
  };
  await client.connect(new ModernTransport(new URL(url), { fetch: recordingFetch }));
  return client;
}

function textOf(result: { content?: unknown }): string {
  return ((result.content ?? []) as Array<{ type: string; text?: string }>)
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}

function withMethod(exchanges: Exchange[], method: string): Exchange[] {
  return exchanges.filter((exchange) => exchange.requestHeaders.get('mcp-method') === method);
}

describe('the 2026-07-28 era through mcp-workstation up', () => {
  it('serves a v2 client: discover, tools, echo, progress, sampling by MRTR, and never a session id', async () => {
    const daemon = await up();
    const exchanges: Exchange[] = [];
    const prompts: string[] = [];
    const client = await connectModern(daemon.endpoint, exchanges, { capabilities: { sampling: {} } }, (c) =>
      c.setRequestHandler('sampling/createMessage', async (request) => {
        const content = request.params.messages[0].content;
        prompts.push(!Array.isArray(content) && content.type === 'text' ? content.text : '?');
        return { model: 'e2e-model', role: 'assistant', content: { type: 'text', text: SAMPLED_TEXT } };
      }),
    );

    // server/discover: the child's identity, answered by the bridge from its own initialize.
    const discover = client.getDiscoverResult();
    expect(discover?.supportedVersions).toEqual(['2026-07-28']);
    expect(discover?.capabilities.tools).toBeDefined();
    expect(discover?.capabilities).not.toHaveProperty('tasks');
    expect(client.getServerVersion()).toMatchObject({ name: 'mcp-servers/everything' });
    expect(exchanges[0].requestHeaders.get('mcp-method')).toBe('server/discover');

    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'trigger-long-running-operation', 'trigger-sampling-request']));
    for (const tool of tools) expect(tool).not.toHaveProperty('execution');

    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'modern era' } }))).toBe('Echo: modern era');
    const echoCall = withMethod(exchanges, 'tools/call').at(-1)!;
    expect(echoCall.requestHeaders.get('mcp-name')).toBe('echo');

    const progress: number[] = [];
    const long = await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(textOf(long)).toContain('Long running operation completed. Duration: 0.3 seconds, Steps: 3.');
    expect(progress).toEqual([1, 2, 3]);
    expect(withMethod(exchanges, 'tools/call').at(-1)!.responseHeaders.get('content-type')).toBe('text/event-stream');

    const callsBefore = withMethod(exchanges, 'tools/call').length;
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'from 2026', maxTokens: 5 } });
    expect(textOf(sampled)).toContain(SAMPLED_TEXT);
    expect(prompts).toEqual(['Resource trigger-sampling-request context: from 2026']);
    // One input_required answer, one retry: the MRTR round trip.
    expect(withMethod(exchanges, 'tools/call').length - callsBefore).toBe(2);

    expect(exchanges.length).toBeGreaterThanOrEqual(6);
    for (const exchange of exchanges) {
      expect(exchange.requestHeaders.get('mcp-protocol-version')).toBe('2026-07-28');
      expect(exchange.responseHeaders.get('mcp-session-id')).toBeNull();
    }
  });

  it('serves a 2025-11-25 session beside 2026-07-28 requests, on the same child', async () => {
    const daemon = await up();
    const legacy = await connectClient('streamableHttp', daemon.endpoint, { protocolVersion: '2025-11-25' });
    expect(legacy.initializeResult.protocolVersion).toBe('2025-11-25');
    expect(legacy.transport.sessionId).toEqual(expect.any(String));
    const exchanges: Exchange[] = [];
    const modern = await connectModern(daemon.endpoint, exchanges);

    const answers = await Promise.all([
      legacy.client.callTool({ name: 'echo', arguments: { message: 'from 2025' } }).then(resultText),
      modern.callTool({ name: 'echo', arguments: { message: 'from 2026' } }).then(textOf),
      legacy.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'legacy', maxTokens: 5 } }).then(resultText),
      modern.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }).then(textOf),
    ]);

    expect(answers[0]).toBe('Echo: from 2025');
    expect(answers[1]).toBe('Echo: from 2026');
    expect(answers[2]).toContain(SAMPLED_TEXT);
    expect(answers[3]).toContain('5');
    expect(legacy.samplingRequests).toHaveLength(1);
    for (const exchange of exchanges) expect(exchange.responseHeaders.get('mcp-session-id')).toBeNull();
    expect(everythingChildren(daemon.pid)).toHaveLength(1);
  });
});
