import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { FIXTURES, cleanUp, connectClient, runCli, startDaemon } from './support';

// `mcp-workstation init aws` through the built CLI: what it writes into the config file, and
// that `up` then launches exactly that command line (the fixture `uvx` logs its argv).

const homes: string[] = [];

afterEach(async () => {
  await cleanUp();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function fixtureHome(): { home: string; env: NodeJS.ProcessEnv; uvxLog: string; xdgConfig: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-e2e-aws-init-'));
  homes.push(home);
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n[profile work]\nregion = eu-west-1\n');
  const uvxLog = path.join(home, 'uvx-starts.jsonl');
  const env = {
    PATH: `${path.join(FIXTURES, 'aws')}${path.delimiter}${process.env.PATH}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'xdg'),
    FIXTURE_AWS_STATE_FILE: path.join(home, 'state'),
    FIXTURE_UVX_LOG: uvxLog,
  };
  return { home, env, uvxLog, xdgConfig: path.join(home, 'xdg', 'mcp-workstation', 'config.yaml') };
}

function serversIn(file: string): Record<string, unknown> {
  return (parse(readFileSync(file, 'utf8')) as { servers: Record<string, unknown> }).servers;
}

describe('mcp-workstation init aws', () => {
  test('with no config file, writes the guide entry at the XDG path; up then launches exactly that argv', async () => {
    const { env, uvxLog, xdgConfig } = fixtureHome();
    const result = await runCli(['init', 'aws', '--region', 'eu-west-1', '--profile', 'work'], { env });
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`added server aws in ${xdgConfig} (new file)`);
    const argv = ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.eu-central-1.api.aws/mcp', '--metadata', 'AWS_REGION=eu-west-1', '--profile', 'work'];
    expect(serversIn(xdgConfig)).toEqual({ aws: { command: 'uvx', args: argv, env: { AWS_PROFILE: 'work' } } });
    expect(statSync(xdgConfig).mode & 0o777).toBe(0o600);

    const daemon = await startDaemon(['up', '--port', '0'], { env });
    const client = await connectClient('streamableHttp', `${daemon.origin}/servers/aws/mcp`);
    expect(client.initializeResult.serverInfo.name).toBe('MCP Proxy for AWS');
    const starts = readFileSync(uvxLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { argv: string[] });
    expect(starts.map((start) => start.argv)).toEqual([argv]);
  });

  test('with no option, writes the default entry and no env', async () => {
    const { env, home } = fixtureHome();
    const file = path.join(home, 'plain.yaml');
    expect(await runCli(['init', 'aws', '--config', file], { env })).toMatchObject({ code: 0 });
    expect(serversIn(file)).toEqual({ aws: { command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'] } });
  });

  test('keeps what the file holds, refuses to replace an aws server without --force, replaces it with --force', async () => {
    const { env, home } = fixtureHome();
    const file = path.join(home, 'config.yaml');
    writeFileSync(file, '# my settings\nport: 8123\nservers:\n  other:\n    command: node\n    args: [server.js]\n', { mode: 0o640 });
    expect(await runCli(['init', 'aws', '--config', file, '--read-only'], { env })).toMatchObject({ code: 0 });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# my settings');
    expect(parse(text)).toMatchObject({ port: 8123, servers: { other: { command: 'node', args: ['server.js'] }, aws: { args: expect.arrayContaining(['--read-only']) } } });
    expect(statSync(file).mode & 0o777).toBe(0o640);

    const refused = await runCli(['init', 'aws', '--config', file, '--region', 'us-west-2'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file} already has a server named 'aws'`);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe(text);

    const forced = await runCli(['init', 'aws', '--config', file, '--region', 'us-west-2', '--force'], { env });
    expect(forced).toMatchObject({ code: 0 });
    expect(forced.stdout).toContain('replaced server aws');
    expect(serversIn(file).aws).toEqual({ command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-west-2'] });
  });

  test('prints the warnings of the result, and refuses bad input naming the fix without touching the file', async () => {
    const { env, home } = fixtureHome();
    const file = path.join(home, 'config.yaml');
    const latest = await runCli(['init', 'aws', '--config', file, '--version', 'latest'], { env });
    expect(latest).toMatchObject({ code: 0 });
    expect(latest.stderr).toMatch(/warning: servers\.aws runs mcp-proxy-for-aws@latest without a pinned version/);

    const badRegion = await runCli(['init', 'aws', '--config', path.join(home, 'other.yaml'), '--endpoint-region', 'ap-south-1'], { env });
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toContain('Known endpoints');
    expect(() => statSync(path.join(home, 'other.yaml'))).toThrow();

    const help = await runCli(['init', 'aws', '--help'], { env });
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('--endpoint-region R');
  });
});
