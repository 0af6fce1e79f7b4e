import { existsSync } from 'node:fs';
import { parseFlags } from '../cli/flags';
import { ConfigError } from '../config/config-error';
import { ConfigSandbox } from '../config/test-support/config-sandbox';
import { UsageError, UserError } from '../errors';
import { rejectStrayWords, splitAtDoubleDash, UP_SPEC, upInvocation } from './up-args';

let sandbox: ConfigSandbox;
beforeEach(() => {
  sandbox = new ConfigSandbox();
});
afterEach(() => sandbox.remove());

function invoke(argv: string[], env: Record<string, string> = {}) {
  const { flagArgs, serverArgv } = splitAtDoubleDash(argv);
  const { values, positionals } = parseFlags(flagArgs, UP_SPEC);
  rejectStrayWords(positionals);
  return upInvocation(values, serverArgv, { env: sandbox.env(env), cwd: sandbox.cwd });
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('mcp-workstation up flags', () => {
  it('serves the embedded server-everything as "default" on 127.0.0.1:8000 when given no command', () => {
    const { service, notices, endpoints, admin } = invoke([]);
    const [server] = service.servers;
    expect(server).toMatchObject({ name: 'default', mode: 'shared', initializeTimeoutMs: 120_000 });
    expect(server.command.command).toBe(process.execPath);
    expect(server.command.args[1]).toBe('stdio');
    expect(existsSync(server.command.args[0])).toBe(true);
    expect({ host: service.host, port: service.port, defaultServer: service.defaultServer }).toEqual({ host: '127.0.0.1', port: 8000, defaultServer: 'default' });
    expect(notices.join('\n')).toContain('mcp-workstation up -- <command>');
    expect(endpoints({ host: '127.0.0.1', port: 8000 })[0]).toEqual({ label: 'MCP endpoint', url: 'http://127.0.0.1:8000/mcp' });
    expect(admin).toEqual({ address: { kind: 'tcp', host: '127.0.0.1', port: 8001 }, givenBy: 'the default 127.0.0.1:8001', explicit: false });
  });

  it('runs the words after -- as an argv, never parsing them as our flags', () => {
    const { service, endpoints } = invoke(['--name', 'fs', '--session-mode', 'per-session', '--port', '0', '--', 'node', 'server.js', '--port', '9']);
    expect(service.servers[0]).toMatchObject({ name: 'fs', mode: 'per-session', sessionIdleMs: 30 * 60 * 1000, command: { command: 'node', args: ['server.js', '--port', '9'] } });
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

  it('says where a command belongs, and refuses bad values as configuration errors naming the key and the flag', () => {
    expect(() => invoke(['node', 'server.js'])).toThrow(UsageError);
    expect(() => invoke(['node', 'server.js'])).toThrow(/after --, for example: mcp-workstation up -- node server.js/);
    const mode = thrown(() => invoke(['--session-mode', 'pooled']));
    expect(mode).toBeInstanceOf(ConfigError);
    expect((mode as ConfigError).exitCode).toBe(78);
    expect(mode.message).toMatch(/servers\.default\.sessionMode = "pooled" \(flag --session-mode\)/);
    expect(thrown(() => invoke(['--name', 'My_Server'])).message).toMatch(/not a usable server name.*for example to --name my-server/);
    expect(thrown(() => invoke(['--allowed-origins', 'example.com'])).message).toMatch(/security\.allowedOrigins/);
    expect(thrown(() => invoke(['--allowed-hosts', 'http://a.test/'])).message).toMatch(/security\.allowedHosts/);
    expect(invoke(['--allowed-hosts', 'a.test,b.test:8000', '--allowed-hosts', 'c.test']).service.allowedHosts).toEqual(['a.test', 'b.test:8000', 'c.test']);
  });
});

describe('mcp-workstation up with a config file', () => {
  it('serves every server of the file, each with its own command, env, cwd, session mode, start timeout and restart policy', () => {
    const file = sandbox.write(
      'config.yaml',
      [
        'listen:',
        '  port: 0',
        'limits:',
        '  restartWaitMs: 5000',
        'servers:',
        '  alpha:',
        '    command: node',
        '    args: [a.js]',
        '    env: { GREETING: hello }',
        '    cwd: /tmp',
        '    startTimeoutMs: 9000',
        '    restart: { maxDelayMs: 2000 }',
        '  beta:',
        '    command: node',
        '    args: [b.js]',
        '    sessionMode: per-session',
        '',
      ].join('\n'),
    );
    const { service, endpoints, notices } = invoke(['--config', file]);
    expect(service.servers.map((server) => server.name)).toEqual(['alpha', 'beta']);
    expect(service.defaultServer).toBe('alpha');
    expect(service.servers[0]).toMatchObject({
      mode: 'shared',
      command: { command: 'node', args: ['a.js'], env: { GREETING: 'hello' }, cwd: '/tmp', shell: false },
      initializeTimeoutMs: 9000,
      restartWaitMs: 5000,
      restart: { enabled: true, maxDelayMs: 2000 },
    });
    expect(service.servers[1]).toMatchObject({ mode: 'per-session', sessionIdleMs: 30 * 60 * 1000 });
    expect(endpoints({ host: '127.0.0.1', port: 1 }).map((e) => e.url)).toEqual(expect.arrayContaining(['http://127.0.0.1:1/servers/alpha/mcp', 'http://127.0.0.1:1/servers/beta/mcp']));
    expect(notices.join('\n')).toContain(`configuration: ${file}`);
  });

  it('puts --env-file values under each server\'s own env, and knows the secret ones', () => {
    const file = sandbox.write('config.yaml', 'servers:\n  s:\n    command: node\n    env: { REGION: eu-west-1 }\n');
    const envFile = sandbox.write('service.env', "REGION=us-east-1\nGITHUB_TOKEN='ghp_0123456789abcdef'\n");
    const invocation = invoke(['--config', file, '--env-file', envFile]);
    expect(invocation.service.servers[0].command.env).toEqual({ REGION: 'eu-west-1', GITHUB_TOKEN: 'ghp_0123456789abcdef' });
    expect(invocation.secrets).toContain('ghp_0123456789abcdef');
    expect(invocation.notices.join('\n')).not.toContain('ghp_');
  });

  it('refuses an --env-file others can read, or one that does not parse, with exit code 78 and never its values', () => {
    const open = sandbox.write('open.env', 'TOKEN=abc\n', 0o644);
    const error = thrown(() => invoke(['--env-file', open]));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(78);
    expect(error.message).toMatch(/other users.*chmod 600/);
    const broken = sandbox.write('broken.env', 'GOOD=1\nsecret-value-here\n');
    const syntax = thrown(() => invoke(['--env-file', broken]));
    expect(syntax.message).toMatch(/line 2: expected NAME=value/);
    expect(syntax.message).not.toContain('secret-value-here');
    expect(thrown(() => invoke(['--env-file', `${sandbox.root}/missing.env`])).message).toMatch(/does not exist/);
  });

  it('takes the admin address from --admin, a socket path included', () => {
    const { admin } = invoke(['--admin', '/run/user/1000/mcpw.sock']);
    expect(admin).toEqual({ address: { kind: 'socket', path: '/run/user/1000/mcpw.sock' }, givenBy: 'flag --admin', explicit: true });
  });
});

describe('mcp-workstation up tunnel flags', () => {
  it('looks for a registration in $XDG_STATE_HOME/mcp-workstation by default, with the auto backend', () => {
    const { tunnel } = invoke([], { XDG_STATE_HOME: '/srv/state' });
    expect(tunnel).toEqual({ enabled: 'auto', stateDir: '/srv/state/mcp-workstation', stateDirGiven: false, interfaceName: 'mcpw0', backend: 'auto', caFile: undefined, allowHttp: false });
  });

  it('takes the state directory, interface, backend, CA file and --allow-http', () => {
    const { tunnel } = invoke(['--state-dir', '/var/lib/mcp-workstation', '--wg-interface', 'mcpw7', '--wg-backend', 'wireguard-go', '--ca-file', '/etc/ca.pem', '--allow-http', '--', 'node', 'server.js']);
    expect(tunnel).toEqual({ enabled: 'auto', stateDir: '/var/lib/mcp-workstation', stateDirGiven: true, interfaceName: 'mcpw7', backend: 'wireguard-go', caFile: '/etc/ca.pem', allowHttp: true });
  });

  it('refuses an interface name or backend that cannot work, saying what would', () => {
    expect(thrown(() => invoke(['--wg-interface', 'a-very-long-interface-name'])).message).toMatch(/tunnel\.wgInterface.*flag --wg-interface/);
    expect(thrown(() => invoke(['--wg-backend', 'boringtun'])).message).toMatch(/tunnel\.wgBackend = "boringtun" \(flag --wg-backend\)/);
  });
});
