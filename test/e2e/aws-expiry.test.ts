import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { adminStatus, serverComponent } from './daemon-support';
import { FIXTURES, cleanUp, connectClient, resultText, startDaemon, waitFor } from './support';

// The built CLI runs the guide's command line with the fixture `uvx` and `aws` first on
// PATH, in a throw-away HOME; an SDK client calls the aws___ tools through it.

const homes: string[] = [];

afterEach(async () => {
  await cleanUp();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const GUIDE_ARGV = ['uvx', 'mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'];

interface Workstation {
  env: NodeJS.ProcessEnv;
  /** The daemon's admin socket, for /status. */
  admin: string;
  setState(state: string): void;
  /** What the user does in their shell: the fixture `aws login`, which rewrites ~/.aws/login/cache. */
  awsLogin(): void;
}

function workstation(initialState = 'ok'): Workstation {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-e2e-aws-'));
  homes.push(home);
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/ada\n');
  const stateFile = path.join(home, 'state');
  writeFileSync(stateFile, `${initialState}\n`);
  const env = { PATH: `${path.join(FIXTURES, 'aws')}${path.delimiter}${process.env.PATH}`, HOME: home, FIXTURE_AWS_STATE_FILE: stateFile };
  return {
    env,
    admin: path.join(home, 'admin.sock'),
    setState: (state) => writeFileSync(stateFile, `${state}\n`),
    awsLogin: () => execFileSync(path.join(FIXTURES, 'aws', 'aws'), ['login'], { env: { ...process.env, ...env }, stdio: 'ignore' }),
  };
}

/** The AWS server's credentials in the admin /status. */
async function credentialsOf(admin: string): Promise<{ state: string; since: string } | undefined> {
  const details = serverComponent(await adminStatus(admin), 'aws')?.details as { credentials?: { state: string; since: string } } | undefined;
  return details?.credentials;
}

async function errorOf(promise: Promise<unknown>): Promise<McpError> {
  const outcome = await promise.then((value) => new Error(`expected an error, got ${JSON.stringify(value)}`), (error: unknown) => error);
  if (!(outcome instanceof McpError)) throw outcome;
  return outcome;
}

const EXPIRED_MESSAGE = `AWS credentials for profile default have expired: run \`aws login\` on ${hostname()}`;

describe('expired AWS credentials through mcp-workstation up', () => {
  test('calls work; on expiry the client gets the plain error, the log says when; aws login restarts the child and calls work again', async () => {
    const machine = workstation();
    const daemon = await startDaemon(['up', '--port', '0', '--admin', machine.admin, '--name', 'aws', '--', ...GUIDE_ARGV], { env: machine.env });
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const call = () => client.client.callTool({ name: 'aws___call_aws', arguments: { cli_command: 'aws s3 ls' } });
    expect(resultText(await call())).toContain('ran "aws s3 ls" in us-east-1');
    expect(await credentialsOf(machine.admin)).toMatchObject({ state: 'ok', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    machine.setState('expired');
    const error = await errorOf(call());
    expect(error.code).toBe(-32010);
    expect(error.message).toContain(EXPIRED_MESSAGE);
    expect(error.data).toMatchObject({ reason: 'aws_credentials_expired', profile: 'default', host: hostname(), command: 'aws login' });
    await daemon.waitForOutput(/credentials: expired \(seen \d{4}-\d\d-\d\dT[\d:.]+Z: ExpiredTokenException\)/);
    expect(await credentialsOf(machine.admin)).toMatchObject({ state: 'expired', profile: 'default', refreshCommand: 'aws login' });

    machine.awsLogin();
    await daemon.waitForOutput(/AWS credentials changed \(login-cache\): restarting aws/);
    await waitFor(async () => resultText(await call()).includes('ran "aws s3 ls"'), { what: 'the restarted child to answer', timeoutMs: 20_000 });
    await daemon.waitForOutput(/credentials: ok/);
    expect(await credentialsOf(machine.admin)).toMatchObject({ state: 'ok' });
  });

  test("a tool call the proxy fails with an isError result naming the expiry reaches the client as the same plain error", async () => {
    const machine = workstation();
    const daemon = await startDaemon(['up', '--port', '0', '--admin', machine.admin, '--name', 'aws', '--', ...GUIDE_ARGV], { env: machine.env });
    const client = await connectClient('streamableHttp', daemon.endpoint);
    machine.setState('tool-error');
    const error = await errorOf(client.client.callTool({ name: 'aws___call_aws', arguments: { cli_command: 'aws s3 ls' } }));
    expect(error.code).toBe(-32010);
    expect(error.message).toContain(EXPIRED_MESSAGE);
    expect(error.data).toMatchObject({ reason: 'aws_credentials_expired', signal: 'ExpiredTokenException' });
    await waitFor(async () => (await credentialsOf(machine.admin))?.state === 'expired', { what: '/status to show the expiry' });
  });

  test('#304: started while the login needs a refresh, the client gets the plain error at once; after aws login it is served', async () => {
    const machine = workstation('login-refresh');
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'aws', '--', ...GUIDE_ARGV], { env: machine.env });
    const error = await errorOf(connectClient('streamableHttp', daemon.endpoint));
    expect(error.code).toBe(-32010);
    expect(error.message).toContain(EXPIRED_MESSAGE);

    machine.awsLogin();
    const client = await waitFor(() => connectClient('streamableHttp', daemon.endpoint), { what: 'a client to be served after aws login', timeoutMs: 20_000 });
    expect(client.initializeResult.serverInfo.name).toBe('MCP Proxy for AWS');
  });
});
