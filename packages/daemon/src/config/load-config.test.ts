import * as path from 'node:path';
import { UserError } from '../errors';
import { ConfigError, EX_CONFIG } from './config-error';
import { loadConfig } from './load-config';
import { ConfigSandbox, configErrorOf, problemFor } from './test-support/config-sandbox';

let sandbox: ConfigSandbox;
beforeEach(() => {
  sandbox = new ConfigSandbox();
});
afterEach(() => sandbox.remove());

describe('loadConfig precedence: flag > environment > file > default', () => {
  const fileText = 'listen:\n  port: 9001\n  host: 127.0.0.2\nlogLevel: warn\nlimits:\n  maxSessions: 50\n';

  it('takes each key from the highest source that sets it, and reports that source', () => {
    const file = sandbox.write('c.yaml', fileText);
    const { config, sources } = loadConfig({
      configPath: file,
      env: sandbox.env({ MCP_WORKSTATION_PORT: '9002', MCP_WORKSTATION_LOG_LEVEL: 'debug' }),
      argvFlags: { port: '9003' },
      cwd: sandbox.cwd,
    });
    expect(config.listen.port).toBe(9003);
    expect(sources.get('listen.port')).toMatchObject({ kind: 'flag', detail: '--port' });
    expect(config.logLevel).toBe('debug');
    expect(sources.get('logLevel')).toMatchObject({ kind: 'env', detail: 'MCP_WORKSTATION_LOG_LEVEL' });
    expect(config.listen.host).toBe('127.0.0.2');
    expect(sources.get('listen.host')).toMatchObject({ kind: 'file', detail: `${file}:3`, line: 3 });
    expect(config.limits.maxSessions).toBe(50);
    expect(config.limits.shutdownGraceMs).toBe(10_000);
    expect(sources.get('limits.shutdownGraceMs')).toMatchObject({ kind: 'default' });
  });

  it('uses the defaults with no file, variable or flag', () => {
    const { config, sources, file } = loadConfig({ env: sandbox.env(), cwd: sandbox.cwd });
    expect(file).toBeNull();
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(config.admin).toBe('127.0.0.1:8001');
    expect(config.logFormat).toBe('auto');
    expect(config.tunnel).toMatchObject({ enabled: 'auto', wgBackend: 'auto', caFile: null, allowHttp: false });
    expect(config.limits).toEqual({ maxBodyBytes: 4 * 1024 * 1024, maxSessions: 1000, sessionIdleMs: 1_800_000, restartWaitMs: 30_000, maxMessageBytes: 32 * 1024 * 1024, shutdownGraceMs: 10_000, streamBufferBytes: 16 * 1024 * 1024 });
    expect(config.stateDir).toBe(path.join(sandbox.root, 'state', 'mcp-workstation'));
    expect(sources.get('stateDir')).toMatchObject({ kind: 'default', detail: '$XDG_STATE_HOME/mcp-workstation' });
    expect(config.servers).toEqual([]);
  });

  it('reads lists from repeated flags and comma-separated variables, and switches from words', () => {
    const { config, sources } = loadConfig({
      env: sandbox.env({ MCP_WORKSTATION_ALLOWED_ORIGINS: 'https://a.example, https://b.example', MCP_WORKSTATION_ALLOW_HTTP: 'yes', MCP_WORKSTATION_TUNNEL: 'off' }),
      argvFlags: { allowedHosts: ['mcp.internal', 'x.internal,10.0.0.2:8000'] },
      cwd: sandbox.cwd,
    });
    expect(config.security.allowedHosts).toEqual(['mcp.internal', 'x.internal', '10.0.0.2:8000']);
    expect(sources.get('security.allowedHosts')).toMatchObject({ kind: 'flag', detail: '--allowed-hosts' });
    expect(config.security.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.tunnel.allowHttp).toBe(true);
    expect(config.tunnel.enabled).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    const { config, sources } = loadConfig({ env: sandbox.env({ MCP_WORKSTATION_PORT: '' }), cwd: sandbox.cwd });
    expect(config.listen.port).toBe(8000);
    expect(sources.get('listen.port')?.kind).toBe('default');
  });
});

describe('loadConfig files', () => {
  it('reads YAML (.yaml and .yml) and JSON alike', () => {
    const yaml = sandbox.write('a.yml', 'listen:\n  port: 9100\nlogFormat: json\n');
    const json = sandbox.write('b.json', JSON.stringify({ listen: { port: 9100 }, logFormat: 'json' }, null, 2));
    for (const file of [yaml, json]) {
      const loaded = loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd });
      expect(loaded.config.listen.port).toBe(9100);
      expect(loaded.config.logFormat).toBe('json');
      expect(loaded.file).toMatchObject({ path: file, origin: 'flag', format: file.endsWith('.json') ? 'json' : 'yaml' });
      expect(loaded.sources.get('logFormat')).toMatchObject({ kind: 'file', file, line: file.endsWith('.json') ? 5 : 3 });
    }
  });

  it('discovers the XDG default when no --config is given', () => {
    const file = sandbox.writeDefault('listen:\n  port: 9200\n');
    const loaded = loadConfig({ env: sandbox.env(), cwd: sandbox.cwd });
    expect(loaded.file).toMatchObject({ path: file, origin: 'xdg' });
    expect(loaded.config.listen.port).toBe(9200);
  });

  it('falls back to ~/.config when XDG_CONFIG_HOME is unset', () => {
    sandbox.write('home/.config/mcp-workstation/config.yaml', 'listen:\n  port: 9201\n');
    const env = sandbox.env();
    delete env.XDG_CONFIG_HOME;
    expect(loadConfig({ env, cwd: sandbox.cwd }).config.listen.port).toBe(9201);
  });

  it('says that a config.json beside the missing default is not read', () => {
    sandbox.write('xdg-config/mcp-workstation/config.json', '{}');
    const { warnings, file } = loadConfig({ env: sandbox.env(), cwd: sandbox.cwd });
    expect(file).toBeNull();
    expect(warnings.join('\n')).toMatch(/config\.json is not read: the default config file is .*config\.yaml/);
  });

  it('refuses a missing --config file with the path, where it came from and the fix', () => {
    sandbox.writeDefault('listen:\n  port: 9200\n');
    const error = configErrorOf(() => loadConfig({ configPath: 'nope.yaml', env: sandbox.env(), cwd: sandbox.cwd }));
    const problem = problemFor(error, '--config');
    expect(problem.source).toMatchObject({ kind: 'flag', detail: '--config' });
    expect(problem.message).toContain(`the config file ${path.join(sandbox.cwd, 'nope.yaml')} does not exist`);
    expect(problem.fix).toContain(`a relative path starts from ${sandbox.cwd}`);
    expect(problem.fix).toContain('leave --config out');
  });

  it('takes MCP_WORKSTATION_CONFIG when --config is not given, and refuses it when missing', () => {
    const file = sandbox.write('env.yaml', 'listen:\n  port: 9300\n');
    expect(loadConfig({ env: sandbox.env({ MCP_WORKSTATION_CONFIG: file }), cwd: sandbox.cwd }).file).toMatchObject({ path: file, origin: 'env' });
    const error = configErrorOf(() => loadConfig({ env: sandbox.env({ MCP_WORKSTATION_CONFIG: '/nowhere/c.yaml' }), cwd: sandbox.cwd }));
    expect(problemFor(error, 'MCP_WORKSTATION_CONFIG').message).toContain('does not exist');
  });

  it('resolves relative paths in the file from its folder, and from flags from the working directory', () => {
    const file = sandbox.write('etc/c.yaml', 'stateDir: state\ntunnel:\n  caFile: ~/ca.pem\nadmin: ./admin.sock\n');
    const { config } = loadConfig({ configPath: file, env: sandbox.env(), argvFlags: { apiKeyFile: 'key.txt' }, cwd: sandbox.cwd });
    expect(config.stateDir).toBe(path.join(sandbox.root, 'etc', 'state'));
    expect(config.tunnel.caFile).toBe(path.join(sandbox.home, 'ca.pem'));
    expect(config.admin).toBe(path.join(sandbox.root, 'etc', 'admin.sock'));
    expect(config.security.apiKeyFile).toBe(path.join(sandbox.cwd, 'key.txt'));
  });

  it('accepts an empty file and an empty section', () => {
    expect(loadConfig({ configPath: sandbox.write('e.yaml', ''), env: sandbox.env(), cwd: sandbox.cwd }).config.listen.port).toBe(8000);
    expect(loadConfig({ configPath: sandbox.write('s.yaml', 'listen:\n'), env: sandbox.env(), cwd: sandbox.cwd }).config.listen.port).toBe(8000);
  });
});

describe('loadConfig errors', () => {
  it('refuses an unknown key with a suggestion, its line and the fix', () => {
    const file = sandbox.write('c.yaml', 'listen:\n  prot: 9000\nlimits:\n  maxSesions: 5\nport: 1\n');
    const error = configErrorOf(() => loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd }));
    expect(problemFor(error, 'listen.prot').message).toBe(
      `listen.prot (file ${file}:2): is not a configuration key; did you mean listen.port? Fix: rename it to listen.port in ${file} (line 2).`,
    );
    expect(problemFor(error, 'limits.maxSesions').reason).toContain('did you mean limits.maxSessions?');
    expect(problemFor(error, 'port').reason).toContain('did you mean listen.port?');
  });

  it('explains keys that must never be in a config file, without showing their value', () => {
    const file = sandbox.write('c.yaml', 'security:\n  apiKey: s3cr3t-value\n');
    const error = configErrorOf(() => loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd }));
    const problem = problemFor(error, 'security.apiKey');
    expect(problem.reason).toContain('secrets never go in the config file');
    expect(problem.reason).toContain('security.apiKeyFile');
    expect(error.message).not.toContain('s3cr3t-value');
  });

  it('names the key, the value, its source, what is allowed and the fix, for each kind of source', () => {
    const file = sandbox.write('c.yaml', 'listen:\n  port: 99999\n');
    const fromFile = problemFor(configErrorOf(() => loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd })), 'listen.port');
    expect(fromFile.message).toBe(
      `listen.port = 99999 (file ${file}:2): must be a port number from 0 to 65535 (0 picks a free port). Fix: edit listen.port in ${file} (line 2).`,
    );

    const fromEnv = problemFor(configErrorOf(() => loadConfig({ env: sandbox.env({ MCP_WORKSTATION_LOG_LEVEL: 'verbose' }), cwd: sandbox.cwd })), 'logLevel');
    expect(fromEnv.message).toBe(
      'logLevel = "verbose" (env MCP_WORKSTATION_LOG_LEVEL): must be one of error, warn, info, debug, none. Fix: change or unset the environment variable MCP_WORKSTATION_LOG_LEVEL.',
    );

    const fromFlag = problemFor(configErrorOf(() => loadConfig({ argvFlags: { maxSessions: '12abc' }, env: sandbox.env(), cwd: sandbox.cwd })), 'limits.maxSessions');
    expect(fromFlag.message).toBe('limits.maxSessions = "12abc" (flag --max-sessions): must be a whole number, 1 or more. Fix: change --max-sessions on the command line.');
  });

  it('reports every problem at once', () => {
    const file = sandbox.write('c.json', JSON.stringify({ logFormat: 'xml', listen: { host: 'not a host' }, tunnel: { wgBackend: 'userspace' } }));
    const error = configErrorOf(() => loadConfig({ configPath: file, env: sandbox.env({ MCP_WORKSTATION_ADMIN: 'localhost' }), cwd: sandbox.cwd }));
    expect(error.problems.map((problem) => problem.key).sort()).toEqual(['admin', 'listen.host', 'logFormat', 'tunnel.wgBackend']);
    expect(error.message.split('\n')[0]).toBe('invalid configuration (4 problems):');
  });

  it('refuses a section given as a value', () => {
    const file = sandbox.write('c.yaml', 'listen: 8000\n');
    const problem = problemFor(configErrorOf(() => loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd })), 'listen');
    expect(problem.reason).toBe('is a section of keys (host, port), not a single value');
  });

  it('is a UserError with exit code 78 (EX_CONFIG), which the CLI exits with', () => {
    const error = configErrorOf(() => loadConfig({ argvFlags: { port: 'x' }, env: sandbox.env(), cwd: sandbox.cwd }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(78);
    expect(EX_CONFIG).toBe(78);
  });

  it('checks the admin address: HOST:PORT or a socket path short enough for the OS', () => {
    expect(loadConfig({ argvFlags: { admin: '[::1]:9000' }, env: sandbox.env(), cwd: sandbox.cwd }).config.admin).toBe('[::1]:9000');
    const bare = problemFor(configErrorOf(() => loadConfig({ argvFlags: { admin: '8001' }, env: sandbox.env(), cwd: sandbox.cwd })), 'admin');
    expect(bare.reason).toContain('write 127.0.0.1:8001');
    const long = `/tmp/${'x'.repeat(120)}.sock`;
    const tooLong = problemFor(configErrorOf(() => loadConfig({ argvFlags: { admin: long }, env: sandbox.env(), cwd: sandbox.cwd })), 'admin');
    expect(tooLong.reason).toContain('at most 103');
  });
});

describe('loadConfig warnings', () => {
  it('names an unknown MCP_WORKSTATION_ variable and the likely one, but not the secret variables', () => {
    const { warnings } = loadConfig({ env: sandbox.env({ MCP_WORKSTATION_PROT: '1', MCP_WORKSTATION_API_KEY: 'k' }), cwd: sandbox.cwd });
    expect(warnings).toEqual([expect.stringContaining('MCP_WORKSTATION_PROT is not a setting and is ignored; did you mean MCP_WORKSTATION_PORT?')]);
  });

  it('warns about a listener open to the network without an API key', () => {
    const { warnings } = loadConfig({ argvFlags: { host: '0.0.0.0' }, env: sandbox.env(), cwd: sandbox.cwd });
    expect(warnings.join('\n')).toContain('no security.apiKeyFile is set');
  });
});

describe('loadConfig: a bad value hidden by a higher source', () => {
  it('is still an error, naming the file, because it breaks the day the override goes away', () => {
    const file = sandbox.write('c.yaml', 'logLevel: verbose\n');
    const problem = problemFor(configErrorOf(() => loadConfig({ configPath: file, env: sandbox.env({ MCP_WORKSTATION_LOG_LEVEL: 'debug' }), cwd: sandbox.cwd })), 'logLevel');
    expect(problem.source).toMatchObject({ kind: 'file', file, line: 1 });
  });
});
