import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../cli/flags';
import { UsageError, UserError } from '../errors';
import { BRIDGE_SPEC, bridgeInvocation } from './bridge-args';

function invoke(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return bridgeInvocation(parseFlags(argv, BRIDGE_SPEC).values, env);
}

function failure(argv: string[], env: NodeJS.ProcessEnv = {}): Error {
  try {
    invoke(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as Error;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

const EVERYTHING = ['--stdio', 'npx -y @modelcontextprotocol/server-everything'];

describe('mcp-workstation bridge flags', () => {
  it("defaults like supergateway with --stdio (SSE on port 8000), but binds loopback and shares one child", () => {
    const { service, outputTransport, logLevel } = invoke(EVERYTHING);
    expect(outputTransport).toBe('sse');
    expect(logLevel).toBe('info');
    expect(service.port).toBe(8000);
    expect(service.host).toBe('127.0.0.1');
    expect(service.servers).toEqual([
      expect.objectContaining({
        name: 'server-everything',
        mode: 'shared',
        command: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] },
      }),
    ]);
    expect(service.bridge.transports).toEqual({ streamableHttp: false, sse: true, ws: false });
    expect(service.bridge.paths).toEqual({ streamableHttp: '/mcp', sse: '/sse', message: '/message', ws: '/ws' });
  });

  it('makes streamableHttp stateless without --stateful, shared with it, per-session on request', () => {
    expect(invoke([...EVERYTHING, '--outputTransport', 'streamableHttp']).service.servers[0].mode).toBe('stateless');
    expect(invoke([...EVERYTHING, '--outputTransport', 'streamableHttp', '--stateful']).service.servers[0].mode).toBe('shared');
    const perSession = invoke([...EVERYTHING, '--outputTransport', 'streamableHttp', '--stateful', '--sessionMode', 'per-session', '--sessionTimeout', '60000']);
    expect(perSession.service.servers[0]).toMatchObject({ mode: 'per-session', sessionIdleMs: 60000 });
    expect(perSession.service.bridge.limits?.sessionIdleMs).toBe(60000);
    expect(failure([...EVERYTHING, '--outputTransport', 'streamableHttp', '--sessionMode', 'per-session']).message).toContain('add --stateful');
  });

  it('serves WebSocket at --messagePath, as supergateway does', () => {
    const { service, endpoints } = invoke([...EVERYTHING, '--outputTransport', 'ws', '--messagePath', '/socket', '--port', '0']);
    expect(service.bridge.transports).toEqual({ streamableHttp: false, sse: false, ws: true });
    expect(service.bridge.paths?.ws).toBe('/socket');
    expect(endpoints({ host: '127.0.0.1', port: 4321 })[0]).toEqual({ label: 'MCP endpoint', url: 'ws://127.0.0.1:4321/socket' });
  });

  it('passes paths, base URL, health endpoints, CORS and protocol version through', () => {
    const { service, endpoints } = invoke([
      ...EVERYTHING,
      '--ssePath', '/events', '--messagePath', '/msg', '--baseUrl', 'http://example.test:8000/',
      '--healthEndpoint', '/health', '/ping', '--cors', '--protocolVersion', '2025-03-26', '--logLevel', 'none',
    ]);
    expect(service.bridge.paths).toMatchObject({ sse: '/events', message: '/msg' });
    expect(service.bridge.baseUrl).toBe('http://example.test:8000');
    expect(service.bridge.healthEndpoints).toEqual(['/health', '/ping']);
    expect(service.bridge.security?.corsOrigins).toEqual(['*']);
    expect(invoke([...EVERYTHING, '--cors', 'https://a.example', 'https://b.example']).service.bridge.security?.corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(service.servers[0].protocolVersion).toBe('2025-03-26');
    expect(endpoints({ host: '0.0.0.0', port: 8000 }).map((e) => e.url)).toEqual([
      'http://localhost:8000/events',
      'http://localhost:8000/msg',
      'http://localhost:8000/health',
      'http://localhost:8000/ping',
    ]);
  });

  it("refuses supergateway's other modes and their flags, naming what to use", () => {
    expect(() => invoke(['--sse', 'https://remote.test/sse'])).toThrow(UsageError);
    expect(() => invoke(['--streamableHttp', 'https://remote.test/mcp'])).toThrow(/use --stdio/);
    expect(() => invoke([...EVERYTHING, '--oauth2Bearer', 'tok'])).toThrow(/--apiKeyFile/);
    expect(() => invoke([...EVERYTHING, '--header', 'x-user: 1'])).toThrow(/--header is not supported/);
    expect(failure([...EVERYTHING, '--outputTransport', 'stdio']).message).toContain('streamableHttp, sse, ws');
  });

  it('explains every bad value', () => {
    expect(failure([]).message).toContain('--stdio "<command line>"');
    expect(failure([...EVERYTHING, '--port', '80a']).message).toContain('--port must be a port number');
    expect(failure([...EVERYTHING, '--outputTransport', 'http']).message).toContain('--outputTransport must be one of');
    expect(failure([...EVERYTHING, '--protocolVersion', '2023-01-01']).message).toContain('2025-06-18');
    expect(failure([...EVERYTHING, '--logLevel', 'verbose']).message).toContain('debug');
    expect(failure([...EVERYTHING, '--sessionTimeout', '0', '--stateful']).message).toContain('positive whole number');
    expect(failure([...EVERYTHING, '--ssePath', '/my events']).message).toContain('must be a URL path such as /sse');
    expect(invoke([...EVERYTHING, '--ssePath', 'events']).service.bridge.paths?.sse).toBe('/events');
    expect(failure(['--stdio', 'node "server.js']).message).toContain('quote');
    expect(failure(['--stdio', 'node server.js | tee log']).message).toContain('--shell');
    expect(failure([...EVERYTHING, '--cors', '/example\\.com$/']).message).toContain('List each origin');
    expect(failure([...EVERYTHING, '--cors', 'example.com']).message).toContain('is not an origin');
  });

  it('runs the line through a shell only with --shell, and warns about unexpanded $VARS without it', () => {
    expect(invoke(['--stdio', 'node $HOME/server.js', '--shell']).service.servers[0].command).toEqual({
      command: 'node $HOME/server.js',
      args: [],
      shell: true,
    });
    expect(invoke(['--stdio', 'node $HOME/server.js']).warnings.join(' ')).toContain('--shell');
  });

  describe('API key', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mcpw-key-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('warns that --apiKey shows in ps, and never repeats the key', () => {
      const { service, warnings, notices } = invoke([...EVERYTHING, '--apiKey', 'k-123']);
      expect(service.bridge.security?.apiKey).toBe('k-123');
      expect(warnings.join(' ')).toContain('`ps`');
      expect([...warnings, ...notices].join(' ')).not.toContain('k-123');
    });

    it('reads --apiKeyFile (trimmed) and the environment variable', () => {
      const file = join(dir, 'key');
      writeFileSync(file, 'from-file\n');
      chmodSync(file, 0o600);
      const fromFile = invoke([...EVERYTHING, '--apiKeyFile', file]);
      expect(fromFile.service.bridge.security?.apiKey).toBe('from-file');
      expect(fromFile.warnings).toEqual([]);
      expect(invoke(EVERYTHING, { MCP_WORKSTATION_API_KEY: 'from-env' }).service.bridge.security?.apiKey).toBe('from-env');
    });

    it('says what is wrong with a key file', () => {
      expect(failure([...EVERYTHING, '--apiKeyFile', join(dir, 'missing')]).message).toContain('does not exist');
      const empty = join(dir, 'empty');
      writeFileSync(empty, '\n');
      expect(failure([...EVERYTHING, '--apiKeyFile', empty]).message).toContain('is empty');
      const open = join(dir, 'open');
      writeFileSync(open, 'k');
      chmodSync(open, 0o644);
      expect(invoke([...EVERYTHING, '--apiKeyFile', open]).warnings.join(' ')).toContain('chmod 600');
    });
  });

  it('warns when listening beyond loopback, and accepts that address as a Host', () => {
    const { service, warnings } = invoke([...EVERYTHING, '--host', '192.0.2.10']);
    expect(service.allowedHosts).toEqual(['192.0.2.10']);
    expect(warnings.join(' ')).toContain('no API key');
  });
});
