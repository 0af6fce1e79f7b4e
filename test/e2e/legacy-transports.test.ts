import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { ELICITED_NAME, SAMPLED_TEXT, cleanUp, connectClient, everythingChildren, everythingStdioLine, resultText, startDaemon } from './support';
import type { TransportKind } from './support';

// The older ways in: legacy HTTP+SSE (supergateway's default output) and WebSocket,
// through `mcp-workstation bridge`, driven by the SDK's SSEClientTransport and
// WebSocketClientTransport.

afterEach(cleanUp);

describe.each([
  ['sse', [] as string[], /^http:\/\/127\.0\.0\.1:\d+\/sse$/],
  ['ws', ['--outputTransport', 'ws'], /^ws:\/\/127\.0\.0\.1:\d+\/message$/],
] as Array<[TransportKind, string[], RegExp]>)('bridge --outputTransport %s', (kind, flags, endpointShape) => {
  async function start() {
    const daemon = await startDaemon(['bridge', '--stdio', everythingStdioLine(), '--port', '0', ...flags]);
    expect(daemon.endpoint).toMatch(endpointShape);
    return daemon;
  }

  it('calls tools, reads resources and gets prompts', async () => {
    const daemon = await start();
    const client = await connectClient(kind, daemon.endpoint);
    expect(client.initializeResult.serverInfo.name).toBe('mcp-servers/everything');
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: kind } }))).toBe(`Echo: ${kind}`);
    const read = await client.client.readResource({ uri: 'demo://resource/dynamic/text/2' });
    expect(read.contents[0]).toMatchObject({ text: expect.stringContaining('Resource 2:') });
    const prompt = await client.client.getPrompt({ name: 'simple-prompt' });
    expect(prompt.messages).toHaveLength(1);
  });

  it('relays progress, sampling and elicitation to the right connection', async () => {
    const daemon = await start();
    const client = await connectClient(kind, daemon.endpoint);
    const bystander = await connectClient(kind, daemon.endpoint, { name: 'e2e-bystander' });
    const progress: Progress[] = [];
    await client.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (update) => progress.push(update) },
    );
    expect(client.progressReceived.map((update) => update.progress)).toEqual([1, 2, 3]);
    expect(progress.length).toBeGreaterThanOrEqual(2); // the SDK Client's own handler saw them too
    const sampled = await client.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: kind, maxTokens: 5 } });
    expect(resultText(sampled)).toContain(SAMPLED_TEXT);
    const elicited = await client.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(resultText(elicited)).toContain(`- Name: ${ELICITED_NAME}`);
    await bystander.client.ping();
    expect(bystander.samplingRequests).toEqual([]);
    expect(bystander.elicitationRequests).toEqual([]);
    expect(everythingChildren(daemon.pid)).toHaveLength(1);
  });
});
