import * as path from 'node:path';
import { loadConfig } from './load-config';
import { ConfigSandbox, configErrorOf, problemFor } from './test-support/config-sandbox';

let sandbox: ConfigSandbox;
beforeEach(() => {
  sandbox = new ConfigSandbox();
});
afterEach(() => sandbox.remove());

const TWO_SERVERS_YAML = `servers:
  aws:
    command: uvx
    args: [mcp-proxy-for-aws==1.6.1, https://aws-mcp.us-east-1.api.aws/mcp]
    env:
      AWS_PROFILE: work
      AWS_REGION: us-east-1
  git:
    command: uvx
    args: [mcp-server-git]
    cwd: repos
    sessionMode: per-session
    restart:
      maxDelayMs: 5000
`;

function load(file: string, extra: Parameters<typeof loadConfig>[0] = {}) {
  return loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd, ...extra });
}

describe('servers from the config file', () => {
  it('reads a map of name -> server, in file order, with the defaults filled in', () => {
    const file = sandbox.write('c.yaml', TWO_SERVERS_YAML);
    const { config, sources } = load(file);
    expect(config.servers.map((server) => server.name)).toEqual(['aws', 'git']);
    const [aws, git] = config.servers;
    expect(aws).toEqual({
      name: 'aws',
      command: 'uvx',
      args: ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp'],
      env: { AWS_PROFILE: 'work', AWS_REGION: 'us-east-1' },
      cwd: null,
      shell: false,
      sessionMode: 'shared',
      startTimeoutMs: 120_000,
      restart: { enabled: true, initialDelayMs: 250, maxDelayMs: 10_000, failedAfterExits: 5, failedWindowMs: 60_000, failedRetryDelayMs: 60_000 },
    });
    expect(git).toMatchObject({ sessionMode: 'per-session', cwd: path.join(sandbox.root, 'repos'), restart: { maxDelayMs: 5000, initialDelayMs: 250 } });
    expect(sources.get('servers.aws.command')).toMatchObject({ kind: 'file', line: 3 });
    expect(sources.get('servers.aws.env.AWS_REGION')).toMatchObject({ kind: 'file', line: 7 });
    expect(sources.get('servers.git.restart.maxDelayMs')).toMatchObject({ kind: 'file', line: 14 });
    expect(sources.get('servers.git.startTimeoutMs')).toMatchObject({ kind: 'default' });
  });

  it('reads a list of servers with a name each (JSON)', () => {
    const file = sandbox.write('c.json', JSON.stringify({ servers: [{ name: 'fs', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] }, { name: 'mem', command: 'npx' }] }));
    const { config, sources } = load(file);
    expect(config.servers.map((server) => [server.name, server.command])).toEqual([['fs', 'npx'], ['mem', 'npx']]);
    expect(sources.get('servers.mem.command')).toMatchObject({ kind: 'file', fileKey: 'servers[1].command' });
  });

  it('refuses a name used twice in a list, naming both entries', () => {
    const file = sandbox.write('c.yaml', 'servers:\n  - name: aws\n    command: a\n  - name: git\n    command: g\n  - name: aws\n    command: b\n');
    const problem = problemFor(configErrorOf(() => load(file)), 'servers.aws');
    expect(problem.reason).toBe('is defined twice (servers[0] and servers[2]): server names must be unique');
    expect(problem.source).toMatchObject({ line: 6 });
  });

  it('refuses a name used twice in a map, in YAML and in JSON (where the parser would keep one silently)', () => {
    const yaml = sandbox.write('c.yaml', 'servers:\n  aws:\n    command: a\n  aws:\n    command: b\n');
    expect(problemFor(configErrorOf(() => load(yaml)), 'servers.aws').reason).toBe(
      'is written twice (lines 2 and 4), and only one would be kept; each key, and each server name, may appear once',
    );
    const json = sandbox.write('c.json', '{\n  "servers": {\n    "aws": { "command": "a" },\n    "aws": { "command": "b" }\n  }\n}\n');
    expect(problemFor(configErrorOf(() => load(json)), 'servers.aws').reason).toContain('lines 3 and 4');
  });

  it('refuses names outside 1-63 of [a-z0-9-], offering a usable one', () => {
    const file = sandbox.write('c.yaml', `servers:\n  My_Server:\n    command: a\n  ${'x'.repeat(64)}:\n    command: b\n  -dash:\n    command: c\n`);
    const error = configErrorOf(() => load(file));
    const problem = problemFor(error, 'servers.My_Server');
    expect(problem.reason).toContain("'My_Server' is not a usable server name");
    expect(problem.reason).toContain("1 to 63 lowercase letters, digits or '-', starting with a letter or digit");
    expect(problem.fix).toBe(`rename servers.My_Server in ${file} (line 2), for example to my-server`);
    expect(problemFor(error, `servers.${'x'.repeat(64)}`).fix).toContain(`for example to ${'x'.repeat(63)}`);
    expect(problemFor(error, 'servers.-dash').fix).toContain('for example to dash');
  });

  it('refuses a listed server without a name, and an unknown server key with a hint', () => {
    const list = sandbox.write('l.yaml', 'servers:\n  - command: a\n');
    expect(problemFor(configErrorOf(() => load(list)), 'servers[0].name').reason).toBe("is required in a list of servers: the server's name");
    const map = sandbox.write('m.yaml', 'servers:\n  aws:\n    command: uvx\n    environment:\n      A: b\n    sesionMode: shared\n');
    const error = configErrorOf(() => load(map));
    expect(problemFor(error, 'servers.aws.environment').reason).toBe('is not a configuration key; did you mean servers.aws.env?');
    expect(problemFor(error, 'servers.aws.sesionMode').fix).toBe(`rename it to servers.aws.sessionMode in ${map} (line 6)`);
  });

  it('points users of a Claude Desktop config at the servers key', () => {
    const file = sandbox.write('c.json', JSON.stringify({ mcpServers: { aws: { command: 'uvx' } } }));
    const problem = problemFor(configErrorOf(() => load(file)), 'mcpServers');
    expect(problem.reason).toContain("Claude Desktop's key");
    expect(problem.fix).toContain('rename it to servers');
  });

  it('requires command, and names where to add it', () => {
    const file = sandbox.write('c.yaml', 'servers:\n  aws:\n    args: [x]\n');
    const problem = problemFor(configErrorOf(() => load(file)), 'servers.aws.command');
    expect(problem.message).toBe(
      `servers.aws.command = "" (default): is required: the program that starts the MCP server (a name on PATH, or a path). Fix: add command under servers.aws in ${file} (line 2).`,
    );
  });

  it('refuses env values that are not strings, saying how to quote them', () => {
    const file = sandbox.write('c.yaml', 'servers:\n  aws:\n    command: uvx\n    env:\n      AWS_MAX_ATTEMPTS: 3\n      REMOVED: null\n');
    const problem = problemFor(configErrorOf(() => load(file)), 'servers.aws.env');
    expect(problem.reason).toContain('AWS_MAX_ATTEMPTS = 3, which is not a string: quote it (AWS_MAX_ATTEMPTS: "3")');
    const fixed = sandbox.write('d.yaml', 'servers:\n  aws:\n    command: uvx\n    env:\n      AWS_MAX_ATTEMPTS: "3"\n      REMOVED: null\n');
    expect(load(fixed).config.servers[0].env).toEqual({ AWS_MAX_ATTEMPTS: '3', REMOVED: null });
  });

  it('refuses a bad session mode and restart value with their file lines', () => {
    const file = sandbox.write('c.yaml', 'servers:\n  aws:\n    command: uvx\n    sessionMode: pooled\n    restart:\n      failedAfterExits: 0\n');
    const error = configErrorOf(() => load(file));
    expect(problemFor(error, 'servers.aws.sessionMode').message).toContain('must be one of shared, stateless, per-session. Fix: edit servers.aws.sessionMode');
    expect(problemFor(error, 'servers.aws.restart.failedAfterExits').source).toMatchObject({ line: 6 });
  });
});

describe('up -- <command>: one server, named by --name', () => {
  it('becomes the only server, with its source the command line', () => {
    const { config, sources } = loadConfig({ serverCommand: ['uvx', 'mcp-server-git', '--repository', '.'], argvFlags: { name: 'git', sessionMode: 'per-session' }, env: sandbox.env(), cwd: sandbox.cwd });
    expect(config.servers).toEqual([expect.objectContaining({ name: 'git', command: 'uvx', args: ['mcp-server-git', '--repository', '.'], sessionMode: 'per-session', startTimeoutMs: 120_000 })]);
    expect(sources.get('servers.git.command')).toMatchObject({ kind: 'flag', detail: '-- <command>' });
    expect(sources.get('servers.git.sessionMode')).toMatchObject({ kind: 'flag', detail: '--session-mode' });
  });

  it('is named "default" without --name', () => {
    expect(loadConfig({ serverCommand: ['./server'], env: sandbox.env(), cwd: sandbox.cwd }).config.servers[0].name).toBe('default');
  });

  it("replaces the file's servers, and says so, while the file's other keys still apply", () => {
    const file = sandbox.write('c.yaml', `listen:\n  port: 9400\n${TWO_SERVERS_YAML}`);
    const { config, warnings } = load(file, { serverCommand: ['node', 'server.js'] });
    expect(config.listen.port).toBe(9400);
    expect(config.servers.map((server) => server.name)).toEqual(['default']);
    expect(warnings).toContain("the config file's servers (aws, git) are not started: `up -- <command>` serves only that command");
  });

  it('refuses a bad --name, naming the flag', () => {
    const problem = problemFor(configErrorOf(() => loadConfig({ serverCommand: ['x'], argvFlags: { name: 'Bad Name' }, env: sandbox.env(), cwd: sandbox.cwd })), 'servers.Bad Name');
    expect(problem.source).toMatchObject({ kind: 'flag', detail: '--name' });
    expect(problem.fix).toBe('change --name (for example to --name bad-name)');
  });

  it('refuses --name when the file names the servers and no command is given', () => {
    const file = sandbox.write('c.yaml', TWO_SERVERS_YAML);
    const problem = problemFor(configErrorOf(() => load(file, { argvFlags: { name: 'x' } })), 'servers');
    expect(problem.reason).toContain('--name applies only to the one server of `up -- <command>`');
  });
});

describe('the fallback server (the embedded default)', () => {
  const fallback = { command: '/usr/bin/node', args: ['everything.js', 'stdio'], description: 'embedded @modelcontextprotocol/server-everything' };

  it('is served when neither a command nor the file names a server, and --name renames it', () => {
    const { config, sources } = loadConfig({ fallbackServer: fallback, argvFlags: { name: 'demo' }, env: sandbox.env(), cwd: sandbox.cwd });
    expect(config.servers).toEqual([expect.objectContaining({ name: 'demo', command: '/usr/bin/node', args: ['everything.js', 'stdio'] })]);
    expect(sources.get('servers.demo.command')).toEqual({ kind: 'default', detail: 'embedded @modelcontextprotocol/server-everything' });
  });

  it("is not used when the file names servers", () => {
    const file = sandbox.write('c.yaml', TWO_SERVERS_YAML);
    expect(load(file, { fallbackServer: fallback }).config.servers.map((server) => server.name)).toEqual(['aws', 'git']);
  });
});

describe('server warnings', () => {
  it('warns about a whole command line in command, and a secret in args', () => {
    const file = sandbox.write('c.yaml', 'servers:\n  a:\n    command: uvx mcp-server-git\n  b:\n    command: srv\n    args: [--token, abc]\n');
    const { warnings } = load(file);
    expect(warnings.join('\n')).toContain("servers.a.command 'uvx mcp-server-git' contains spaces");
    expect(warnings.join('\n')).toContain('servers.b.args passes what looks like a secret');
    expect(warnings.join('\n')).not.toContain('abc');
  });

  it('warns when a secret-looking variable sits in a config file others can read, and not when the file is private', () => {
    const text = 'servers:\n  gh:\n    command: srv\n    env:\n      GITHUB_TOKEN: ghp_123\n      REGION: eu\n';
    const open = sandbox.write('open.yaml', text, 0o644);
    const warning = load(open).warnings.find((line) => line.includes('GITHUB_TOKEN'));
    expect(warning).toBe(`servers.gh.env holds GITHUB_TOKEN, which looks like a secret, in ${open}, which other users can read (mode 0644). Fix: chmod 600 ${open}.`);
    expect(warning).not.toContain('ghp_123');
    const closed = sandbox.write('closed.yaml', text, 0o600);
    expect(load(closed).warnings.some((line) => line.includes('GITHUB_TOKEN'))).toBe(false);
  });
});
