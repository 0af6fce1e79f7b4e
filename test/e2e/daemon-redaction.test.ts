import { cleanUp, connectClient, rawRequest, resultText, startDaemon, withDeadline } from './support';
import { makeWorkspace, writeGatedServer, type Workspace } from './daemon-support';

// The built daemon at debug level, fed a registration token, an agent secret, a private key
// and Authorization headers through its log paths (its own records, a server's stderr, the
// request lines, --env-file values): none of them may come out.

let workspace: Workspace;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  await cleanUp();
  workspace.remove();
});

const REGISTRATION_TOKEN = `mwreg_${'T'.repeat(24)}-regToken0123`;
const AGENT_SECRET = `mwsec_${'A'.repeat(24)}-agentSecret0123`;
const PRIVATE_KEY = Buffer.alloc(32, 9).toString('base64');
const CALLER_BEARER = 'callerBearer-0123456789abcdef';
const API_KEY = 'daemonApiKey-0123456789abcdef';
const ENV_FILE_SECRET = 'ghp_envFileSecret0123456789';

describe('redaction in the running daemon', () => {
  it('never writes a token, agent secret, private key or Authorization header to its logs', async () => {
    const fixture = writeGatedServer(workspace);
    const leaks = [`token=${REGISTRATION_TOKEN}`, `{"agentSecret":"${AGENT_SECRET}"}`, `PrivateKey = ${PRIVATE_KEY}`, `Authorization: Bearer ${CALLER_BEARER}`].join('\n');
    const config = workspace.write(
      'config.yaml',
      [
        'listen:',
        '  port: 0',
        `admin: ${workspace.admin}`,
        'logLevel: debug',
        'logFormat: json',
        'servers:',
        '  leaky:',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(fixture)}]`,
        `    env: { STDERR_TEXT: ${JSON.stringify(leaks)}, STDERR_ENV: GITHUB_TOKEN }`,
        '',
      ].join('\n'),
    );
    const envFile = workspace.write('service.env', `GITHUB_TOKEN=${ENV_FILE_SECRET}\n`);
    const daemon = await startDaemon(['up', '--config', config, '--env-file', envFile], {
      env: { MCP_WORKSTATION_API_KEY: API_KEY, MCP_WORKSTATION_REGISTRATION_TOKEN: REGISTRATION_TOKEN },
    });
    await daemon.waitForOutput(/my GITHUB_TOKEN is/);

    // Callers: one with the key (its requests are logged at debug), one with a wrong one.
    const client = await connectClient('streamableHttp', daemon.endpoint, { headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(resultText(await client.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from the fixture');
    const refused = await rawRequest(`${daemon.origin}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLER_BEARER}` }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(refused.status).toBe(401);
    await daemon.waitForOutput(/tools\/call on leaky: ok in \d+ ms/);

    await client.close();
    await withDeadline(daemon.stop('SIGTERM'), 20_000, 'the daemon to stop');
    const output = daemon.output();
    for (const secret of [REGISTRATION_TOKEN, AGENT_SECRET, PRIVATE_KEY, CALLER_BEARER, API_KEY, ENV_FILE_SECRET]) expect(output).not.toContain(secret);
    expect(output).toContain('my GITHUB_TOKEN is [REDACTED]');
    expect(output).toContain('PrivateKey = [REDACTED]');
  });
});
