import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CloseCode } from '@mcp-workstation/protocol';
import { runCliProcess, ServeProcess } from '../test-support/cli-process.js';
import { ControlClient } from '../test-support/control-client.js';
import { newAgentKey, register, registrationBody } from '../test-support/gateway-harness.js';
import { makeTempDir, readTree, removeDir } from '../test-support/temp-dir.js';
import { waitFor } from '../test-support/wait.js';

/** The built CLI as a real process (run `npx tsc -b` first, as the repository's test command does). */
describe('mcp-workstation-gateway CLI', () => {
  let dir: string;
  let serve: ServeProcess | undefined;
  const clients: ControlClient[] = [];

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await serve?.stop();
    serve = undefined;
    await removeDir(dir);
  });

  it.each([[['--help']], [['serve', '--help']], [['token', '--help']], [['agents', '--help']]])('%j prints help with examples', async (args) => {
    const run = await runCliProcess(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: mcp-workstation-gateway/);
    if (args.length > 1) expect(run.stdout).toContain('Examples:');
  });

  it('refuses an unknown command or option with exit code 2 and a pointer to --help', async () => {
    const unknown = await runCliProcess(['launch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "launch" (see: mcp-workstation-gateway --help)');
    const badOption = await runCliProcess(['serve', '--state-dir', dir, '--frobnicate']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/--frobnicate.*see: mcp-workstation-gateway serve --help/);
    const badTtl = await runCliProcess(['token', 'create', '--state-dir', dir, '--ttl', 'soon']);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain('--ttl "soon" is not a duration');
  });

  it('token create prints one token on stdout and stores only its hash, without a running gateway', async () => {
    const run = await runCliProcess(['token', 'create', '--ttl', '30m', '--state-dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^mwreg_[A-Za-z0-9_-]{43}\n$/);
    expect(run.stderr).toMatch(/valid until \d{4}-.*Z; it is not shown again/);
    const token = run.stdout.trim();
    const files = await readTree(dir);
    expect(files).toHaveLength(1);
    expect(files[0]!.mode).toBe(0o600);
    expect(files[0]!.text).not.toContain(token);
  });

  it('agents commands say plainly that the gateway is not running', async () => {
    const run = await runCliProcess(['agents', 'list', '--state-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the gateway is not running for this state directory');
  });

  it('serve, then register, list, rotate and revoke an agent through the admin socket; SIGTERM stops it', async () => {
    serve = new ServeProcess(['--state-dir', dir, '--listen', '127.0.0.1:0', '--wg-backend', 'none', '--wg-endpoint', 'gw.test:51820'], {
      MCP_WORKSTATION_GATEWAY_API_KEYS: 'cli-test-api-key-0123456789',
    });
    const url = await waitFor('serve to listen', () => serve!.url);
    const token = (await runCliProcess(['token', 'create', '--state-dir', dir])).stdout.trim();
    const key = newAgentKey();
    const registration = (await register(url, token, registrationBody(key.publicKey))).json;
    expect(registration.agentId).toMatch(/^agt_/);

    const offline = await runCliProcess(['agents', 'list', '--state-dir', dir]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(/^ID +NAME +ADDRESS +CONNECTED +LAST HANDSHAKE +PUBLIC KEY\n/);
    expect(offline.stdout).toContain(`${registration.agentId}  alice-laptop  100.96.0.2  no         never           ${key.publicKey}`);

    const client = await ControlClient.connect(registration.controlUrl, registration.agentSecret);
    clients.push(client);
    client.hello(key.publicKey, registration.tunnel.address);
    await client.next('welcome');
    const online = JSON.parse((await runCliProcess(['agents', 'list', '--json', '--state-dir', dir])).stdout);
    expect(online).toMatchObject([{ id: registration.agentId, connected: true, address: '100.96.0.2' }]);

    const rotate = await runCliProcess(['agents', 'rotate', registration.agentId, '--state-dir', dir]);
    expect(rotate.code).toBe(0);
    await client.next('rotate');

    const revoke = await runCliProcess(['agents', 'revoke', registration.agentId, '--reason', 'test over', '--state-dir', dir]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain('it was connected and has been told');
    expect(await client.next('revoke')).toEqual({ type: 'revoke', reason: 'test over' });
    expect((await client.closedWith()).code).toBe(CloseCode.revoked);
    expect((await runCliProcess(['agents', 'list', '--state-dir', dir])).stdout).toBe('no agents registered\n');

    const again = await runCliProcess(['agents', 'revoke', registration.agentId, '--state-dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no agent ${registration.agentId} is registered`);

    // Neither the token nor the secret nor the API key reached the log.
    for (const secret of [token, registration.agentSecret, 'cli-test-api-key-0123456789']) expect(serve.stderr).not.toContain(secret);

    serve.signal('SIGTERM');
    expect(await serve.exited).toBe(0);
    await expect(fs.stat(path.join(dir, 'admin.sock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('serve fails with the fix when its port is taken', async () => {
    serve = new ServeProcess(['--state-dir', dir, '--listen', '127.0.0.1:0', '--wg-backend', 'none']);
    const url = await waitFor('serve to listen', () => serve!.url);
    const other = await makeTempDir();
    try {
      const clash = await runCliProcess(['serve', '--state-dir', other, '--listen', url.replace('http://', ''), '--wg-backend', 'none']);
      expect(clash.code).toBe(1);
      expect(clash.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\): something else listens there/);
    } finally {
      await removeDir(other);
    }
  });
});
