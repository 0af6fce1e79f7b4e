import { describeConfig } from './describe-config';
import { loadConfig } from './load-config';
import { ConfigSandbox } from './test-support/config-sandbox';

let sandbox: ConfigSandbox;
beforeEach(() => {
  sandbox = new ConfigSandbox();
});
afterEach(() => sandbox.remove());

describe('describeConfig (config print)', () => {
  it('prints every key as "key = value (source)"', () => {
    const file = sandbox.write('c.yaml', 'listen:\n  host: 127.0.0.1\nservers:\n  aws:\n    command: uvx\n    args: [mcp-proxy-for-aws==1.6.1]\n    env:\n      AWS_REGION: us-east-1\n');
    const lines = describeConfig(
      loadConfig({ configPath: file, env: sandbox.env({ MCP_WORKSTATION_LOG_LEVEL: 'debug' }), argvFlags: { port: '9000' }, cwd: sandbox.cwd }),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        `listen.host = 127.0.0.1 (file ${file}:2)`,
        'listen.port = 9000 (flag --port)',
        'logLevel = debug (env MCP_WORKSTATION_LOG_LEVEL)',
        'logFormat = auto (default)',
        'tunnel.caFile = (none) (default)',
        'security.allowedHosts = [] (default)',
        'limits.shutdownGraceMs = 10000 (default)',
        `servers.aws.command = uvx (file ${file}:5)`,
        `servers.aws.args = ["mcp-proxy-for-aws==1.6.1"] (file ${file}:6)`,
        `servers.aws.env.AWS_REGION = us-east-1 (file ${file}:8)`,
        'servers.aws.startTimeoutMs = 120000 (default)',
        'servers.aws.restart.failedAfterExits = 5 (default)',
      ]),
    );
    expect(lines.every((line) => /^[\w.<>-]+ = .* \((default|default: .+|file .+|env .+|flag .+)\)$/.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith('stateDir = ') && line.endsWith('(default: $XDG_STATE_HOME/mcp-workstation)'))).toBe(true);
  });

  it('redacts secret-looking variables and flag arguments, but shows paths to secrets', () => {
    const file = sandbox.write(
      'c.yaml',
      [
        'security:',
        '  apiKeyFile: /etc/mcp/api-key',
        'servers:',
        '  gh:',
        '    command: srv',
        '    args: [--token, tok-123, --api-key=key-456, --verbose]',
        '    env:',
        '      GITHUB_TOKEN: ghp_secret',
        '      DB_PASSWORD: hunter2',
        '      AWS_SECRET_ACCESS_KEY: aws-secret',
        '      SERVICE_PRIVATE_KEY: pk',
        '      TOKEN_FILE: /run/token',
        '      REGION: eu-west-1',
        '',
      ].join('\n'),
    );
    const output = describeConfig(loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd })).join('\n');
    for (const secret of ['tok-123', 'key-456', 'ghp_secret', 'hunter2', 'aws-secret', 'pk\n', 'pk ']) expect(output).not.toContain(secret);
    expect(output).toContain('servers.gh.env.GITHUB_TOKEN = <redacted> (file');
    expect(output).toContain('servers.gh.env.DB_PASSWORD = <redacted>');
    expect(output).toContain('servers.gh.env.SERVICE_PRIVATE_KEY = <redacted>');
    expect(output).toContain('servers.gh.args = ["--token","<redacted>","--api-key=<redacted>","--verbose"]');
    expect(output).toContain('servers.gh.env.TOKEN_FILE = /run/token');
    expect(output).toContain('servers.gh.env.REGION = eu-west-1');
    expect(output).toContain('security.apiKeyFile = /etc/mcp/api-key');
  });

  it('shows the one-off server of `up -- <command>` with the command line as its source', () => {
    const lines = describeConfig(loadConfig({ serverCommand: ['node', 'srv.js'], argvFlags: { name: 'srv' }, env: sandbox.env(), cwd: sandbox.cwd }));
    expect(lines).toContain('servers.srv.command = node (flag -- <command>)');
    expect(lines).toContain('servers.srv.args = ["srv.js"] (flag -- <command>)');
    expect(lines).not.toContain('servers = [] (default)');
  });
});
