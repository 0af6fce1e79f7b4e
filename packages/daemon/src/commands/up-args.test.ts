import { existsSync } from 'node:fs';
import { parseFlags } from '../cli/flags';
import { UsageError } from '../errors';
import { rejectStrayWords, splitAtDoubleDash, UP_SPEC, upInvocation } from './up-args';

function invoke(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const { flagArgs, serverArgv } = splitAtDoubleDash(argv);
  const { values, positionals } = parseFlags(flagArgs, UP_SPEC);
  rejectStrayWords(positionals);
  return upInvocation(values, serverArgv, env);
}

describe('mcp-workstation up flags', () => {
  it('serves the embedded server-everything as "default" on 127.0.0.1:8000 when given no command', () => {
    const { service, notices, endpoints } = invoke([]);
    const [server] = service.servers;
    expect(server).toMatchObject({ name: 'default', mode: 'shared' });
    expect(server.command.command).toBe(process.execPath);
    expect(server.command.args[1]).toBe('stdio');
    expect(existsSync(server.command.args[0])).toBe(true);
    expect({ host: service.host, port: service.port, defaultServer: service.defaultServer }).toEqual({
      host: '127.0.0.1',
      port: 8000,
      defaultServer: 'default',
    });
    expect(notices.join('\n')).toContain('mcp-workstation up -- <command>');
    expect(endpoints({ host: '127.0.0.1', port: 8000 })[0]).toEqual({ label: 'MCP endpoint', url: 'http://127.0.0.1:8000/mcp' });
  });

  it('runs the words after -- as an argv, never parsing them as our flags', () => {
    const { service, endpoints } = invoke(['--name', 'fs', '--session-mode', 'per-session', '--port', '0', '--', 'node', 'server.js', '--port', '9']);
    expect(service.servers[0]).toMatchObject({ name: 'fs', mode: 'per-session', command: { command: 'node', args: ['server.js', '--port', '9'] } });
    expect(service.port).toBe(0);
    expect(endpoints({ host: '127.0.0.1', port: 5555 }).map((e) => e.url)).toContain('http://127.0.0.1:5555/servers/fs/mcp');
  });

  it('takes kebab-case and camelCase spellings', () => {
    const kebab = invoke(['--session-mode', 'stateless', '--log-level', 'debug', '--max-sessions', '3']);
    const camel = invoke(['--sessionMode', 'stateless', '--logLevel', 'debug', '--maxSessions', '3']);
    expect(kebab.service).toEqual(camel.service);
    expect(kebab.logLevel).toBe('debug');
    expect(kebab.service.bridge.limits?.maxSessions).toBe(3);
  });

  it('says where a command belongs and what a bad value should be', () => {
    expect(() => invoke(['node', 'server.js'])).toThrow(/after --, for example: mcp-workstation up -- node server.js/);
    expect(() => invoke(['--session-mode', 'pooled'])).toThrow(UsageError);
    expect(() => invoke(['--session-mode', 'pooled'])).toThrow(/--session-mode must be one of shared, stateless, per-session/);
    expect(() => invoke(['--name', 'My Server'])).toThrow(/not a usable server name/);
    expect(() => invoke(['--allowed-origins', 'example.com'])).toThrow(/is not an origin/);
    expect(() => invoke(['--allowed-hosts', 'http://a.test/'])).toThrow(/not a host name or host:port/);
    expect(invoke(['--allowed-hosts', 'a.test,b.test:8000', '--allowed-hosts', 'c.test']).service.allowedHosts).toEqual(['a.test', 'b.test:8000', 'c.test']);
  });
});

describe('mcp-workstation up tunnel flags', () => {
  it('looks for a registration in $XDG_STATE_HOME/mcp-workstation by default, with the auto backend', () => {
    const { tunnel } = invoke([], { XDG_STATE_HOME: '/srv/state' });
    expect(tunnel).toEqual({
      stateDir: '/srv/state/mcp-workstation',
      stateDirGiven: false,
      interfaceName: undefined,
      backend: 'auto',
      caFile: undefined,
      allowHttp: false,
    });
  });

  it('takes the state directory, interface, backend, CA file and --allow-http', () => {
    const { tunnel } = invoke(['--state-dir', '/var/lib/mcp-workstation', '--wg-interface', 'mcpw7', '--wg-backend', 'wireguard-go', '--ca-file', 'ca.pem', '--allow-http', '--', 'node', 'server.js']);
    expect(tunnel).toEqual({
      stateDir: '/var/lib/mcp-workstation',
      stateDirGiven: true,
      interfaceName: 'mcpw7',
      backend: 'wireguard-go',
      caFile: 'ca.pem',
      allowHttp: true,
    });
  });

  it('refuses an interface name or backend that cannot work, saying what would', () => {
    expect(() => invoke(['--wg-interface', 'a-very-long-interface-name'])).toThrow(/--wg-interface: .*at most 15/);
    expect(() => invoke(['--wg-interface', '-x'])).toThrow(UsageError);
    expect(() => invoke(['--wg-backend', 'boringtun'])).toThrow(/--wg-backend must be one of auto, kernel, wireguard-go/);
  });
});
