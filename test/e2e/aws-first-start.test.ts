import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIXTURES, cleanUp, connectClient, startDaemon } from './support';

// A slow first start (the fixture uvx "downloading" for seconds) in the foreground: the log
// says it is downloading, then when the server answered, so the wait is not taken for a hang.

const homes: string[] = [];

afterEach(async () => {
  await cleanUp();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const GUIDE_ARGV = ['uvx', 'mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'];

test('up --foreground reports a slow first start of the AWS proxy every few seconds and when it answered', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-e2e-aws-first-'));
  homes.push(home);
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n');
  const env = { PATH: `${path.join(FIXTURES, 'aws')}${path.delimiter}${process.env.PATH}`, HOME: home, FIXTURE_AWS_STATE_FILE: path.join(home, 'state'), FIXTURE_UVX_DELAY_MS: '6500' };
  const daemon = await startDaemon(['up', '--foreground', '--port', '0', '--name', 'aws', '--', ...GUIDE_ARGV], { env });
  await daemon.waitForOutput(/starting aws: downloading… \d+ s/);
  const client = await connectClient('streamableHttp', daemon.endpoint);
  expect(client.initializeResult.serverInfo.name).toBe('MCP Proxy for AWS');
  await daemon.waitForOutput(/aws answered after \d+ s/);
});
