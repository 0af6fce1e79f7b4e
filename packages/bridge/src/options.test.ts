import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';
import { createBridge } from './bridge.js';
import { BridgeOptionsError } from './options-error.js';
import { InProcessUpstream } from './http/test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './http/test-support/bridge-harness.js';
import type { BridgeOptions } from './types.js';

// Options the bridge cannot use fail createBridge() with an error naming the option, the value
// and what is allowed; options it can use never make one transport shadow another.

function optionsError(options: Partial<BridgeOptions>): BridgeOptionsError {
  try {
    createBridge({ upstreams: [new InProcessUpstream('alpha')], ...options });
  } catch (error) {
    if (error instanceof BridgeOptionsError) return error;
    throw new Error(`expected a BridgeOptionsError, got ${String(error)}`);
  }
  throw new Error('createBridge accepted the options');
}

describe('createBridge refuses options it cannot use, naming the option, the value and what is allowed', () => {
  test.each<[string, Partial<BridgeOptions>, string, unknown, RegExp]>([
    ['a host with a scheme', { security: { allowedHosts: ['mcp.internal', 'http://x/'] } }, 'security.allowedHosts[1]', 'http://x/', /host name or IP address with an optional :port/],
    ['a host that is not a string', { security: { allowedHosts: [42 as unknown as string] } }, 'security.allowedHosts[0]', 42, /a string/],
    ['an origin with a path', { security: { allowedOrigins: ['app.example/x'] } }, 'security.allowedOrigins[0]', 'app.example/x', /an origin: scheme, host and optional port/],
    ['a CORS origin that is not an origin', { security: { corsOrigins: ['https://ok.example', 'not an origin'] } }, 'security.corsOrigins[1]', 'not an origin', /or "\*" for any origin/],
    ['two transports on one path', { paths: { sse: '/mcp' } }, 'paths.sse', '/mcp', /paths\.streamableHttp is "\/mcp"/],
    ['a path the bridge answers itself', { paths: { ws: '/readyz' } }, 'paths.ws', '/readyz', /not \/healthz, \/readyz or under \/servers\//],
    ['a path with a query', { paths: { streamableHttp: '/mcp?x=1' } }, 'paths.streamableHttp', '/mcp?x=1', /a URL path/],
    ['a transport flag that is not a boolean', { transports: { ws: 'no' as unknown as boolean } }, 'transports.ws', 'no', /true or false/],
    ['a baseUrl of another scheme', { baseUrl: 'ftp://files.example' }, 'baseUrl', 'ftp://files.example', /http\(s\) URL/],
    ['a health endpoint on a transport path', { healthEndpoints: ['/sse'] }, 'paths.sse', '/sse', /not a health endpoint/],
    ['a negative limit', { limits: { maxSessions: -1 } }, 'limits.maxSessions', -1, /a number > 0/],
    ['an unknown defaultServer', { defaultServer: 'beta' }, 'defaultServer', 'beta', /the name of a configured server: "alpha"/],
  ])('%s', (_case, options, option, value, allowed) => {
    const error = optionsError(options);
    expect(error.option).toBe(option);
    expect(error.value).toEqual(value);
    expect(error.message).toContain(option);
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).toMatch(allowed);
  });

  test('duplicate server names name the second one', () => {
    expect(() => createBridge({ upstreams: [new InProcessUpstream('a'), new InProcessUpstream('a')] })).toThrow(
      expect.objectContaining({ name: 'BridgeOptionsError', option: 'upstreams[1].name', value: 'a' }),
    );
  });

  test('an API key a client could not send is refused without repeating the key', () => {
    const error = optionsError({ security: { apiKey: 'secret with space' } });
    expect(error.option).toBe('security.apiKey');
    expect(error.value).toBeUndefined();
    expect(error.message).toMatch(/space, a control character/);
    expect(error.message).not.toContain('secret');
  });

  test("an ingress's own hosts are checked when the ingress is made", () => {
    const bridge = createBridge({ upstreams: [new InProcessUpstream('alpha')] });
    expect(() => bridge.ingress({ name: 'tunnel', allowedHosts: ['10.0.0.2:80/x'] })).toThrow(
      expect.objectContaining({ name: 'BridgeOptionsError', option: 'ingress.allowedHosts[0]', value: '10.0.0.2:80/x' }),
    );
  });

  test('valid options still pass (a switched-off transport may share a path)', () => {
    expect(() =>
      createBridge({
        upstreams: [new InProcessUpstream('alpha')],
        transports: { streamableHttp: false, sse: true, ws: false },
        paths: { ws: '/message', streamableHttp: '/sse' },
        baseUrl: 'http://localhost:8000',
        healthEndpoints: ['/health'],
        security: { allowedHosts: ['[fd00::2]:8000', 'mcp.internal'], allowedOrigins: ['*'], corsOrigins: ['http://localhost:3000'], apiKey: 'k3y.~+/=' },
      }),
    ).not.toThrow();
  });
});

describe('a switched-off transport never shadows one that is on', () => {
  let running: RunningBridge | undefined;
  const clients: Client[] = [];

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.close()));
    await running?.close();
    running = undefined;
  });

  async function echo(client: Client, text: string): Promise<string> {
    const result = (await client.callTool({ name: 'echo', arguments: { text } })) as CallToolResult;
    return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  }

  test('legacy SSE serves /message while the (off) WebSocket path is /message too', async () => {
    running = await startBridge({ upstreams: [new InProcessUpstream('alpha')], transports: { streamableHttp: false, sse: true, ws: false }, paths: { ws: '/message' } });
    const client = new Client({ name: 'sse', version: '1' });
    clients.push(client);
    await client.connect(new SSEClientTransport(new URL(running.url('/sse'))));

    expect(await echo(client, 'through /message')).toBe('alpha: through /message');
    const upgrade = await new Promise<{ status: number; body: string }>((resolve) => {
      const socket = new WebSocket(running!.url('/message').replace('http', 'ws'), ['mcp']);
      socket.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      socket.once('error', () => undefined);
    });
    expect(upgrade.status).toBe(404);
    expect(upgrade.body).toContain('this bridge does not serve WebSocket');
  });

  test('Streamable HTTP serves /mcp while the (off) legacy message path is /mcp too', async () => {
    running = await startBridge({ upstreams: [new InProcessUpstream('alpha')], transports: { streamableHttp: true, sse: false, ws: false }, paths: { message: '/mcp' } });
    const client = new Client({ name: 'streamable', version: '1' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(running.url('/mcp'))));

    expect(await echo(client, 'through /mcp')).toBe('alpha: through /mcp');
  });
});
