import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import {
  CLIENT_ROOT,
  ELICITED_NAME,
  SAMPLED_TEXT,
  cleanUp,
  connectClient,
  everythingChildren,
  everythingStdioLine,
  isGone,
  openRawSession,
  postMcp,
  rawRequest,
  resultText,
  startDaemon,
  waitFor,
} from './support';
import type { ConnectedClient, Daemon } from './support';

// server-everything over stdio behind `mcp-workstation bridge --outputTransport streamableHttp`,
// driven by the SDK's StreamableHTTPClientTransport, in each session mode.

afterEach(cleanUp);

function bridge(...extra: string[]): Promise<Daemon> {
  return startDaemon(['bridge', '--stdio', everythingStdioLine(), '--outputTransport', 'streamableHttp', '--port', '0', ...extra]);
}

async function callEcho(connected: ConnectedClient, message: string): Promise<string> {
  return resultText(await connected.client.callTool({ name: 'echo', arguments: { message } }));
}

describe('stateful, shared child (--stateful)', () => {
  let daemon: Daemon;
  let client: ConnectedClient;
  beforeEach(async () => {
    daemon = await bridge('--stateful');
    client = await connectClient('streamableHttp', daemon.endpoint);
  });

  it('gets a session id and the server-everything initialize result', () => {
    expect(client.transport.sessionId).toEqual(expect.any(String));
    expect(client.initializeResult.serverInfo.name).toBe('mcp-servers/everything');
  });

  it('lists and calls tools', async () => {
    const { tools } = await client.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    expect(await callEcho(client, 'hello')).toBe('Echo: hello');
    const sum = await client.client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    expect(resultText(sum)).toBe('The sum of 2 and 3 is 5.');
  });

  it('lists and reads resources and resource templates', async () => {
    const { resources } = await client.client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('demo://resource/static/document/architecture.md');
    const { resourceTemplates } = await client.client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    const read = await client.client.readResource({ uri: 'demo://resource/dynamic/text/7' });
    expect(read.contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/7', text: expect.stringContaining('Resource 7:') });
  });

  it('lists and gets prompts', async () => {
    const { prompts } = await client.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(expect.arrayContaining(['simple-prompt', 'args-prompt']));
    const prompt = await client.client.getPrompt({ name: 'args-prompt', arguments: { city: 'Paris', state: 'TX' } });
    expect(prompt.messages[0].content).toEqual({ type: 'text', text: "What's weather in Paris, TX?" });
  });

  it('relays progress notifications to the calling request', async () => {
    const progress: Progress[] = [];
    const result = await client.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.4, steps: 4 } },
      undefined,
      { onprogress: (update) => progress.push(update) },
    );
    expect(resultText(result)).toContain('Steps: 4');
    expect(client.progressReceived.map((update) => update.progress)).toEqual([1, 2, 3, 4]);
    expect(client.progressReceived.every((update) => update.total === 4)).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(3); // the SDK Client's own handler saw them too
  });

  it('relays logging notifications', async () => {
    await client.client.setLoggingLevel('debug');
    await client.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    const log = await client.waitForNotification((n) => n.method === 'notifications/message', 'a logging notification', 15_000);
    expect(log.params).toMatchObject({ level: expect.any(String), data: expect.stringMatching(/message/) });
    await client.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
  });

  it('round-trips sampling: the server asks this client to sample and gets its answer', async () => {
    const result = await client.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'a haiku', maxTokens: 20 } });
    expect(resultText(result)).toContain(SAMPLED_TEXT);
    expect(client.samplingRequests).toHaveLength(1);
    expect(JSON.stringify(client.samplingRequests[0].params.messages)).toContain('a haiku');
  });

  it('round-trips elicitation', async () => {
    const result = await client.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(resultText(result)).toContain(`- Name: ${ELICITED_NAME}`);
    expect(client.elicitationRequests).toHaveLength(1);
  });

  it('delivers resource updates to the subscribed session only', async () => {
    const other = await connectClient('streamableHttp', daemon.endpoint, { name: 'e2e-unsubscribed' });
    const uri = 'demo://resource/dynamic/text/3';
    await client.client.subscribeResource({ uri });
    await client.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await client.waitForNotification(
      (n) => n.method === 'notifications/resources/updated' && (n.params as { uri?: string }).uri === uri,
      `notifications/resources/updated for ${uri}`,
      15_000,
    );
    await other.client.ping(); // anything routed to it before this answer has arrived by now
    expect(other.notifications.filter((n) => n.method === 'notifications/resources/updated')).toEqual([]);
    await client.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
  });

  it('serves many sessions from one child', async () => {
    const others = await Promise.all([1, 2, 3].map((i) => connectClient('streamableHttp', daemon.endpoint, { name: `e2e-${i}` })));
    const answers = await Promise.all(others.map((other, i) => callEcho(other, `session ${i}`)));
    expect(answers).toEqual(['Echo: session 0', 'Echo: session 1', 'Echo: session 2']);
    expect(everythingChildren(daemon.pid)).toHaveLength(1);
  });
});

describe('stateless (no --stateful)', () => {
  let daemon: Daemon;
  beforeEach(async () => {
    daemon = await bridge();
  });

  it('answers without session ids, from one shared child that is never spawned per request', async () => {
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(client.transport.sessionId).toBeUndefined();
    const before = await waitFor(() => everythingChildren(daemon.pid).length === 1 && everythingChildren(daemon.pid), { what: 'one server child' });
    for (let i = 0; i < 5; i++) expect(await callEcho(client, `call ${i}`)).toBe(`Echo: call ${i}`);
    const second = await connectClient('streamableHttp', daemon.endpoint);
    expect(await callEcho(second, 'again')).toBe('Echo: again');
    expect(everythingChildren(daemon.pid)).toEqual(before);
  });

  it('still round-trips sampling and elicitation (supergateway answers them with -32601 here)', async () => {
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const sampled = await client.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'stateless', maxTokens: 5 } });
    expect(resultText(sampled)).toContain(SAMPLED_TEXT);
    const elicited = await client.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(resultText(elicited)).toContain(`- Name: ${ELICITED_NAME}`);
  });

  it('relays progress on the POST stream', async () => {
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const progress: Progress[] = [];
    await client.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (update) => progress.push(update) },
    );
    expect(client.progressReceived.map((update) => update.progress)).toEqual([1, 2, 3]);
    expect(progress.length).toBeGreaterThanOrEqual(2); // the SDK Client's own handler saw them too
  });
});

describe('per-session children (--stateful --sessionMode per-session)', () => {
  /**
   * Waits until start-up settled (the probe child gone, /readyz 200) and exactly `count`
   * children run; a session takes the spare that was started ahead, so the pids tell which
   * child belongs to which session.
   */
  async function settledChildren(daemon: Daemon, count: number): Promise<number[]> {
    await waitFor(async () => (await rawRequest(`${daemon.origin}/readyz`)).status === 200, { what: '/readyz to answer 200' });
    return waitFor(() => everythingChildren(daemon.pid).length === count && everythingChildren(daemon.pid), {
      what: `${count} server children (sessions and the spare)`,
      timeoutMs: 15_000,
    });
  }

  it('gives each session its own child (the spare), round-trips roots, and reaps a terminated session', async () => {
    const daemon = await bridge('--stateful', '--sessionMode', 'per-session');
    const [firstChild] = await settledChildren(daemon, 1);
    // The same client twice: the second takes the spare, initialized ahead with the first's
    // params (a client with other params would get a fresh child instead; see docs/sessions.md).
    const first = await connectClient('streamableHttp', daemon.endpoint, { name: 'e2e-client' });
    const [secondChild] = (await settledChildren(daemon, 2)).filter((pid) => pid !== firstChild);
    const second = await connectClient('streamableHttp', daemon.endpoint, { name: 'e2e-client' });
    await settledChildren(daemon, 3);
    expect(await callEcho(first, 'one')).toBe('Echo: one');
    expect(await callEcho(second, 'two')).toBe('Echo: two');
    const roots = await first.client.callTool({ name: 'get-roots-list', arguments: {} });
    expect(resultText(roots)).toContain(CLIENT_ROOT.uri);
    expect(first.rootsRequests).toBeGreaterThan(0);

    await first.terminateSession();
    await waitFor(() => isGone(firstChild), { what: `the terminated session's child ${firstChild} to be reaped` });
    expect(isGone(secondChild)).toBe(false);
    expect(await callEcho(second, 'still here')).toBe('Echo: still here');
  });

  it('expires idle sessions after --sessionTimeout and reaps their child', async () => {
    const daemon = await bridge('--stateful', '--sessionMode', 'per-session', '--sessionTimeout', '1500');
    const [sessionChild] = await settledChildren(daemon, 1);
    // A raw session: no standalone GET stream that a bridge might count as activity.
    const session = await openRawSession(daemon.endpoint);
    const call = await postMcp(daemon.endpoint, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, session.headers);
    expect(call.status).toBe(200);
    await waitFor(() => isGone(sessionChild), { what: `the idle session's child ${sessionChild} to be reaped`, timeoutMs: 15_000 });
    const afterExpiry = await postMcp(daemon.endpoint, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, session.headers);
    expect(afterExpiry.status).toBe(404);
  });
});
