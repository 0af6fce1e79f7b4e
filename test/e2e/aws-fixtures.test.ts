import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIXTURES, cleanUp, connectClient, rawRequest, resultText, startDaemon, waitFor } from './support';

// The AWS MCP Server's launch line, exactly as the guide gives it, through the built CLI,
// with the fixture `uvx` (a stand-in for mcp-proxy-for-aws: PyPI is not reachable here)
// first on PATH. What is checked holds before and after the daemon is wired to the AWS
// module (test/e2e/aws-expiry.test.ts covers what the wiring adds).

const homes: string[] = [];

afterEach(async () => {
  await cleanUp();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const GUIDE_ARGV = ['uvx', 'mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'];

function fixtureHome(): { home: string; env: NodeJS.ProcessEnv; uvxLog: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-e2e-aws-'));
  homes.push(home);
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/ada\n');
  const uvxLog = path.join(home, 'uvx-starts.jsonl');
  return {
    home,
    uvxLog,
    env: { PATH: `${path.join(FIXTURES, 'aws')}${path.delimiter}${process.env.PATH}`, HOME: home, FIXTURE_AWS_STATE_FILE: path.join(home, 'state'), FIXTURE_UVX_LOG: uvxLog },
  };
}

describe('the AWS proxy behind mcp-workstation up', () => {
  test("the guide's command line is run as given; the aws___ tools answer through the daemon", async () => {
    const { env, uvxLog } = fixtureHome();
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'aws', '--', ...GUIDE_ARGV], { env });
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(client.initializeResult.serverInfo).toMatchObject({ name: 'MCP Proxy for AWS', version: '1.6.1' });
    const tools = (await client.client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['aws___call_aws', 'aws___search_documentation', 'aws___read_documentation', 'aws___list_regions']));
    expect(tools.every((name) => name.startsWith('aws___'))).toBe(true);
    const result = await client.client.callTool({ name: 'aws___call_aws', arguments: { cli_command: 'aws s3 ls' } });
    expect(resultText(result)).toBe('ran "aws s3 ls" in us-east-1 as profile default via https://aws-mcp.us-east-1.api.aws/mcp');
    const starts = readFileSync(uvxLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { argv: string[] });
    expect(starts.map((start) => start.argv)).toEqual([GUIDE_ARGV.slice(1)]);
  });

  test('a slow first start (uvx downloading for seconds) is not a failure: the endpoint is up at once, the client waits and is served', async () => {
    const { env } = fixtureHome();
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'aws', '--', ...GUIDE_ARGV], { env: { ...env, FIXTURE_UVX_DELAY_MS: '3000' } });
    const early = await rawRequest(`${daemon.origin}/readyz`);
    expect(early.status).toBe(503);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(client.initializeResult.serverInfo.name).toBe('MCP Proxy for AWS');
    await waitFor(async () => (await rawRequest(`${daemon.origin}/readyz`)).status === 200, { what: '/readyz to answer 200', timeoutMs: 10_000 });
  });
});
