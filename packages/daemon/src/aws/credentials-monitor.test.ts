import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { createBridge, createUpstream, type Bridge, type SessionMode } from '@mcp-workstation/bridge';
import { SupervisedServer } from '@mcp-workstation/supervisor';
import { awsServerConfig, type AwsServerOptions } from './endpoints';
import { awsMonitorFor, shouldRestart, type AwsCredentialsMonitor } from './credentials-monitor';
import { runLogin } from './login';
import { cleanUpHomes, makeTempHome, readJsonLines, RecordingLogger, waitFor, type TempHome } from './test-support/aws-fixtures';

// The monitor wired exactly as docs/aws.md tells the daemon to wire it: SupervisedServer
// (the fixture uvx as the proxy) -> createUpstream with the monitor's hooks -> createBridge
// -> an SDK client over Streamable HTTP. Real processes, real files, real watches.

interface Served {
  url: string;
  monitor: AwsCredentialsMonitor;
  channels: SupervisedServer[];
  logger: RecordingLogger;
  temp: TempHome;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  cleanUpHomes();
});

async function serve(options: { mode?: SessionMode; aws?: AwsServerOptions; state?: string; config?: string } = {}): Promise<Served> {
  const temp = makeTempHome();
  temp.writeAwsFile('config', options.config ?? '[default]\nregion = us-east-1\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/ada\n');
  if (options.state) temp.setState(options.state);
  const logger = new RecordingLogger();
  const entry = awsServerConfig(options.aws);
  const command = { ...entry, env: { ...entry.env, ...temp.env } };
  const monitor = awsMonitorFor({ name: 'aws', command }, { host: 'test-host', debounceMs: 200, logger });
  if (!monitor) throw new Error('expected a monitor for the AWS proxy');
  const channels: SupervisedServer[] = [];
  const upstream = createUpstream({
    name: 'aws',
    mode: options.mode ?? 'shared',
    logger,
    restartWaitMs: 30_000,
    createChannel: (purpose) => {
      const channel = new SupervisedServer({ name: 'aws', command, logger, restart: purpose === 'session' ? { enabled: false } : undefined });
      monitor.attach(channel, purpose);
      channels.push(channel);
      return channel;
    },
    rewriteError: monitor.rewriteError,
    rewriteResult: monitor.rewriteResult,
    onChildResponse: monitor.onChildResponse,
  });
  monitor.start();
  const bridge: Bridge = createBridge({ upstreams: [upstream], logger });
  const listener: HttpServer = bridge.ingress();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    monitor.close();
    await bridge.close();
    listener.closeAllConnections();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    await Promise.all(channels.map((channel) => channel.stop()));
  });
  await bridge.start();
  return { url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/mcp`, monitor, channels, logger, temp };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'aws-monitor-test', version: '1.0.0' });
  cleanups.push(() => client.close());
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function callAws(client: Client): Promise<string> {
  const result = await client.callTool({ name: 'aws___call_aws', arguments: { cli_command: 'aws s3 ls' } });
  return (result.content as Array<{ text: string }>)[0].text;
}

async function mcpErrorOf(promise: Promise<unknown>): Promise<McpError> {
  const outcome = await promise.then((value) => new Error(`expected an error, got ${JSON.stringify(value)}`), (error: unknown) => error);
  if (!(outcome instanceof McpError)) throw outcome;
  return outcome;
}

describe('AwsCredentialsMonitor, wired to the real supervisor and bridge', () => {
  test('calls work; expiry gives the plain error and state; aws login restarts the child; the next call makes it ok', async () => {
    const served = await serve({ aws: { region: 'eu-west-1' } });
    const client = await connect(served.url);
    expect(await callAws(client)).toBe('ran "aws s3 ls" in eu-west-1 as profile default via https://aws-mcp.eu-central-1.api.aws/mcp');
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['aws___call_aws', 'aws___search_documentation']));
    expect(served.monitor.status()).toMatchObject({ state: 'ok', profile: 'default', refreshCommand: 'aws login', host: 'test-host' });

    served.temp.setState('expired');
    const error = await mcpErrorOf(callAws(client));
    expect(error.code).toBe(-32010);
    expect(error.message).toContain('AWS credentials for profile default have expired: run `aws login` on test-host');
    expect(error.data).toMatchObject({ reason: 'aws_credentials_expired', profile: 'default', host: 'test-host', command: 'aws login', signal: 'ExpiredTokenException' });
    const status = served.monitor.status();
    expect(status).toMatchObject({ state: 'expired', signal: 'ExpiredTokenException' });
    expect((error.data as { since: string }).since).toBe(status.since);
    expect(served.logger.messages('warn')).toContainEqual(expect.stringMatching(/^credentials: expired \(seen \S+: ExpiredTokenException\)\. AWS credentials for profile default have expired: run `aws login` on test-host$/));

    // The user logs in: the fixture CLI rewrites ~/.aws/login/cache, the watch restarts the child.
    const login = await runLogin({ env: served.temp.env, loadPty: () => ({ ok: false, reason: 'not needed here' }), fallbackStdio: 'ignore' });
    expect(login.exitCode).toBe(0);
    const [shared] = served.channels;
    await waitFor('the restarted child to be ready', () => shared.status().generation === 2 && shared.status().state === 'ready');
    expect(shared.status()).toMatchObject({ restarts: 1 });
    expect(shared.status().lastExit?.reason).toContain('restarted by request (AWS credentials changed (login-cache))');
    expect(readJsonLines(served.temp.uvxLog)).toHaveLength(2);

    expect(await callAws(client)).toContain('ran "aws s3 ls"');
    expect(served.monitor.status().state).toBe('ok');
    expect(served.logger.messages('info')).toContain('credentials: ok');
  });

  test('#304 at start: the proxy answers initialize -32602 after LoginRefreshRequired; clients get the plain error at once', async () => {
    const served = await serve({ state: 'login-refresh' });
    const error = await mcpErrorOf(connect(served.url));
    expect(error.code).toBe(-32010);
    expect(error.message).toContain('AWS credentials for profile default have expired: run `aws login` on test-host');
    expect(served.monitor.status()).toMatchObject({ state: 'expired', signal: 'LoginRefreshRequired' });

    await runLogin({ env: served.temp.env, loadPty: () => ({ ok: false, reason: 'not needed here' }), fallbackStdio: 'ignore' });
    await waitFor('the restarted child to be ready', () => served.channels[0].status().generation === 2 && served.channels[0].status().state === 'ready');
    const client = await connect(served.url);
    expect(await callAws(client)).toContain('ran "aws s3 ls"');
    expect(served.monitor.status().state).toBe('ok');
  });

  test('#304 with nothing on stderr, per-session mode: the client\'s own initialize is answered with the plain error', async () => {
    const served = await serve({ mode: 'per-session', state: 'initialize-32602', aws: { profile: 'dev' }, config: '[profile dev]\nsso_session = corp\n' });
    const error = await mcpErrorOf(connect(served.url));
    expect(error.code).toBe(-32010);
    expect(error.message).toContain('AWS credentials for profile dev have expired: run `aws sso login --profile dev` on test-host');
    expect(served.monitor.status()).toMatchObject({ state: 'expired', signal: 'initialize -32602 (proxy issue #304)' });
  });

  test("the proxy's isError tool result naming an expiry reaches the client as the plain error; the state is expired", async () => {
    const served = await serve();
    const client = await connect(served.url);
    await callAws(client);
    served.temp.setState('tool-error');
    const error = await mcpErrorOf(client.callTool({ name: 'aws___call_aws', arguments: { cli_command: 'aws s3 ls' } }));
    expect(error.code).toBe(-32010);
    expect(error.message).toContain('AWS credentials for profile default have expired: run `aws login` on test-host');
    expect(error.data).toMatchObject({ reason: 'aws_credentials_expired', signal: 'ExpiredTokenException' });
    await waitFor('the expiry to be noticed', () => served.monitor.status().state === 'expired');
    expect(served.monitor.status().signal).toBe('ExpiredTokenException');
  });

  test("a 403 the proxy says \"may be caused by expired or invalid AWS credentials\" is no expiry: the client gets the proxy's text, the state stays", async () => {
    const served = await serve();
    const client = await connect(served.url);
    await callAws(client);
    served.temp.setState('tool-error-403');
    const result = await client.callTool({ name: 'aws___call_aws', arguments: { cli_command: 'aws s3 ls' } });
    expect(result).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("failed: Client error '403 Forbidden'") }] });
    expect(served.monitor.status().state).toBe('ok');
  });

  test('per-session mode: the monitor follows only the children alive, not one per past session', async () => {
    const served = await serve({ mode: 'per-session' });
    for (let i = 0; i < 4; i++) {
      const client = new Client({ name: 'aws-monitor-test', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(served.url));
      await client.connect(transport);
      expect(await callAws(client)).toContain('ran "aws s3 ls"');
      await transport.terminateSession(); // DELETE: the session and its child end
      await client.close();
    }
    // What is left: the spare child started ahead (and at most one session child still exiting).
    await waitFor('the past sessions to be let go', () => served.monitor.attachedChannels <= 1);
    expect(served.channels.length).toBeGreaterThanOrEqual(5);
  });

  test('an edited ~/.aws/config restarts the child even while the credentials work', async () => {
    const served = await serve();
    const client = await connect(served.url);
    await callAws(client);
    served.temp.writeAwsFile('config', '[default]\nregion = eu-central-1\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/ada\n');
    await waitFor('the restarted child to be ready', () => served.channels[0].status().generation === 2 && served.channels[0].status().state === 'ready');
    expect(served.channels[0].status().lastExit?.reason).toContain('AWS credentials changed (config)');
    expect(await callAws(client)).toContain('ran "aws s3 ls"');
  });
});

describe('shouldRestart', () => {
  test('config and credentials changes always restart; cache changes only while expired (token refreshes rewrite them)', () => {
    expect(shouldRestart({ kinds: ['config'], paths: [] }, 'ok')).toBe(true);
    expect(shouldRestart({ kinds: ['credentials'], paths: [] }, 'unknown')).toBe(true);
    expect(shouldRestart({ kinds: ['login-cache'], paths: [] }, 'ok')).toBe(false);
    expect(shouldRestart({ kinds: ['sso-cache'], paths: [] }, 'unknown')).toBe(false);
    expect(shouldRestart({ kinds: ['login-cache', 'sso-cache'], paths: [] }, 'expired')).toBe(true);
  });
});
