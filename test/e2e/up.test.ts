import { cleanUp, connectClient, everythingStdioLine, rawRequest, resultText, startDaemon, waitFor } from './support';

// `mcp-workstation up`: the command the README's `npm start` runs.

afterEach(cleanUp);

describe('mcp-workstation up', () => {
  it('serves the embedded server-everything with no configuration, and says how to serve your own', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    expect(daemon.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    await daemon.waitForOutput(/mcp-workstation up -- <command>/);
    expect(daemon.stderrText()).toContain('@modelcontextprotocol/server-everything');
    // The first line is where to connect (README): the notices, the local-users line and the
    // admin listener come after the endpoints. (Warnings go out at once: the test's own
    // MCP_WORKSTATION_E2E_MARKER variable draws one.)
    const lines = daemon.stderrText().split('\n').filter((line) => line.includes('"level":"info"'));
    expect(lines[0]).toContain(`MCP endpoint: ${daemon.endpoint}`);
    const endpointsEnd = lines.findIndex((line) => line.includes('health: '));
    expect(endpointsEnd).toBeGreaterThan(0);
    expect(lines.findIndex((line) => line.includes('serving the embedded default'))).toBeGreaterThan(endpointsEnd);
    expect(lines.findIndex((line) => line.includes('may use the MCP listener'))).toBeGreaterThan(endpointsEnd);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(client.initializeResult.serverInfo.name).toBe('mcp-servers/everything');
  });

  it('serves the server at /mcp, /sse, /ws and under /servers/<name>/, all from one child', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'demo']);
    const { origin } = daemon;
    const wsOrigin = origin.replace(/^http/, 'ws');
    for (const url of [`${origin}/servers/demo/mcp`, daemon.endpoint]) {
      const client = await connectClient('streamableHttp', url);
      expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: url } }))).toBe(`Echo: ${url}`);
    }
    for (const url of [`${origin}/sse`, `${origin}/servers/demo/sse`]) {
      const client = await connectClient('sse', url);
      expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: url } }))).toBe(`Echo: ${url}`);
    }
    for (const url of [`${wsOrigin}/ws`, `${wsOrigin}/servers/demo/ws`]) {
      const client = await connectClient('ws', url);
      expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: url } }))).toBe(`Echo: ${url}`);
    }
    await daemon.waitForOutput(/server 'demo'[^\n]*\/servers\/demo\/mcp/);
    expect((await rawRequest(`${origin}/servers/nope/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
  });

  it('answers /healthz at once and /readyz once the child is initialized, with JSON bodies', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const health = await rawRequest(`${daemon.origin}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toContain('application/json');
    const ready = await waitFor(
      async () => {
        const answer = await rawRequest(`${daemon.origin}/readyz`);
        return answer.status === 200 && answer;
      },
      { what: '/readyz to answer 200', timeoutMs: 20_000 },
    );
    expect(() => JSON.parse(ready.text)).not.toThrow();
  });
});

describe('mcp-workstation bridge --healthEndpoint', () => {
  it("answers supergateway's health endpoints with ok", async () => {
    const daemon = await startDaemon([
      'bridge', '--stdio', everythingStdioLine(), '--outputTransport', 'streamableHttp', '--port', '0',
      '--healthEndpoint', '/health', '/ping',
    ]);
    for (const path of ['/health', '/ping']) {
      const answer = await rawRequest(`${daemon.origin}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('ok');
    }
  });
});
