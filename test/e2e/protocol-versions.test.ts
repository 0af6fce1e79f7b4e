import { cleanUp, connectClient, everythingServerArgv, resultText, startDaemon } from './support';
import type { Daemon } from './support';

// One session of each protocol version the bridge serves, through the SDK's own clients
// asking for that version in initialize: Streamable HTTP for 2025-03-26 and later, the
// legacy HTTP+SSE transport for 2024-11-05.

afterEach(cleanUp);

function up(): Promise<Daemon> {
  return startDaemon(['up', '--port', '0', '--name', 'everything', '--', ...everythingServerArgv()]);
}

describe('protocol versions', () => {
  it.each(['2025-03-26', '2025-06-18', '2025-11-25'])('serves a %s Streamable HTTP session', async (version) => {
    const daemon = await up();
    const client = await connectClient('streamableHttp', daemon.endpoint, { protocolVersion: version });
    expect(client.initializeResult.protocolVersion).toBe(version);
    const { tools } = await client.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: version } }))).toBe(`Echo: ${version}`);
  });

  it('serves a 2024-11-05 session over legacy SSE', async () => {
    const daemon = await up();
    const client = await connectClient('sse', `${daemon.origin}/sse`, { protocolVersion: '2024-11-05' });
    expect(client.initializeResult.protocolVersion).toBe('2024-11-05');
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'legacy' } }))).toBe('Echo: legacy');
  });

  it('serves sessions of different versions side by side on one child', async () => {
    const daemon = await up();
    const clients = await Promise.all(
      ['2025-03-26', '2025-06-18', '2025-11-25'].map((version) => connectClient('streamableHttp', daemon.endpoint, { protocolVersion: version })),
    );
    const legacy = await connectClient('sse', `${daemon.origin}/sse`, { protocolVersion: '2024-11-05' });
    const answers = await Promise.all(
      [...clients, legacy].map(async (c) => resultText(await c.client.callTool({ name: 'echo', arguments: { message: c.initializeResult.protocolVersion } }))),
    );
    expect(answers).toEqual(['Echo: 2025-03-26', 'Echo: 2025-06-18', 'Echo: 2025-11-25', 'Echo: 2024-11-05']);
  });
});
