import { cleanUp, connectClient, rawRequest, resultText, runCli, startDaemon } from './support';
import { makeWorkspace, writeGatedServer, type Workspace } from './daemon-support';

// `up` driven by a config file (several servers in one daemon), `config check`, `config print`,
// `up --env-file`, and a bad configuration refused with exit code 78.

let workspace: Workspace;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  await cleanUp();
  workspace.remove();
});

function twoServerConfig(fixture: string): string {
  return [
    'listen:',
    '  port: 0',
    `admin: ${workspace.admin}`,
    'servers:',
    '  alpha:',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(fixture)}]`,
    '    env: { FIXTURE_NAME: alpha }',
    '  beta:',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(fixture)}]`,
    '    env: { FIXTURE_NAME: beta }',
    '    sessionMode: per-session',
    '',
  ].join('\n');
}

describe('mcp-workstation up --config', () => {
  it('serves two servers of a YAML file from one daemon, each at /servers/<name>/mcp with its own env, the first also at /mcp', async () => {
    const config = workspace.write('config.yaml', twoServerConfig(writeGatedServer(workspace)));
    const daemon = await startDaemon(['up', '--config', config]);
    for (const name of ['alpha', 'beta']) {
      const client = await connectClient('streamableHttp', `${daemon.origin}/servers/${name}/mcp`);
      expect(resultText(await client.client.callTool({ name: 'hello', arguments: {} }))).toBe(`hello from ${name}`);
    }
    const first = await connectClient('streamableHttp', daemon.endpoint);
    expect(resultText(await first.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from alpha');
    expect(daemon.stderrText()).toContain(`configuration: ${config}`);
    const unknown = await rawRequest(`${daemon.origin}/servers/gamma/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('unknown server: gamma');
  });

  it('refuses a bad configuration with exit code 78, naming each key, its value and where it came from', async () => {
    const config = workspace.write('config.yaml', 'listen:\n  port: 99999\nservers:\n  Bad_Name:\n    command: node\n');
    const result = await runCli(['up', '--config', config], { env: { MCP_WORKSTATION_LOG_LEVEL: 'verbose' } });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`listen.port = 99999 (file ${config}:2)`);
    expect(result.stderr).toContain('logLevel = "verbose" (env MCP_WORKSTATION_LOG_LEVEL)');
    expect(result.stderr).toMatch(/'Bad_Name' is not a usable server name[^\n]*for example to bad-name/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown key with the key it probably meant, and a bad flag value naming the flag', async () => {
    const config = workspace.write('config.yaml', 'listen:\n  prot: 8000\n');
    const typo = await runCli(['up', '--config', config]);
    expect(typo.code).toBe(78);
    expect(typo.stderr).toContain('did you mean listen.port?');
    const flag = await runCli(['up', '--session-mode', 'pooled']);
    expect(flag.code).toBe(78);
    expect(flag.stderr).toContain('(flag --session-mode)');
  });
});

describe('mcp-workstation config check and print', () => {
  it('check exits 0 for a good configuration and 78 with every problem for a bad one', async () => {
    const good = workspace.write('good.yaml', twoServerConfig(writeGatedServer(workspace)));
    const ok = await runCli(['config', 'check', '--config', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`configuration OK: ${good}; servers: alpha, beta`);
    const bad = workspace.write('bad.yaml', 'listen:\n  port: -1\nlogFormat: fancy\nservers:\n  s:\n    cwd: /no/such/dir\n');
    const failed = await runCli(['config', 'check', '--config', bad]);
    expect(failed.code).toBe(78);
    expect(failed.stderr).toMatch(/invalid configuration \(\d+ problems\)/);
    expect(failed.stderr).toContain(`listen.port = -1 (file ${bad}:2)`);
    expect(failed.stderr).toContain(`logFormat = "fancy" (file ${bad}:3)`);
    expect(failed.stderr).toContain('servers.s.command');
  });

  it('check also checks what only the machine knows: a server whose program is missing', async () => {
    const config = workspace.write('config.yaml', 'servers:\n  s:\n    command: /no/such/program\n    cwd: /no/such/dir\n');
    const result = await runCli(['config', 'check', '--config', config]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('servers.s.cwd');
  });

  it('print shows every value with its source and redacts secrets', async () => {
    const config = workspace.write(
      'config.yaml',
      ['servers:', '  gh:', '    command: node', '    args: [server.js, --token, ghp_SECRETargument123]', '    env: { GITHUB_TOKEN: ghp_SECRETvalue456, REGION: eu }', ''].join('\n'),
    );
    const result = await runCli(['config', 'print', '--config', config, '--port', '9000'], { env: { MCP_WORKSTATION_LOG_LEVEL: 'warn' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('listen.port = 9000 (flag --port)');
    expect(result.stdout).toContain('logLevel = warn (env MCP_WORKSTATION_LOG_LEVEL)');
    expect(result.stdout).toContain('listen.host = 127.0.0.1 (default)');
    expect(result.stdout).toContain(`servers.gh.env.GITHUB_TOKEN = <redacted> (file ${config}:5)`);
    expect(result.stdout).toContain(`servers.gh.env.REGION = eu (file ${config}:5)`);
    expect(result.stdout).toContain('"--token","<redacted>"');
    expect(`${result.stdout}${result.stderr}`).not.toContain('ghp_SECRET');
  });
});

describe('mcp-workstation up --env-file', () => {
  it("gives the file's variables to the servers, under their own env", async () => {
    const fixture = writeGatedServer(workspace);
    const config = workspace.write('config.yaml', `listen:\n  port: 0\nadmin: ${workspace.admin}\nservers:\n  s:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(fixture)}]\n`);
    const envFile = workspace.write('service.env', "FIXTURE_NAME='the env file'\n");
    const daemon = await startDaemon(['up', '--config', config, '--env-file', envFile]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(resultText(await client.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from the env file');
    expect(daemon.stderrText()).not.toContain('the env file');
  });

  it('refuses a file other users can read, with exit code 78', async () => {
    const envFile = workspace.write('service.env', 'A=1\n', 0o644);
    const result = await runCli(['up', '--port', '0', '--env-file', envFile]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`chmod 600 ${envFile}`);
  });
});
