import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanUp, runCli, startDaemon } from './support';
import type { Daemon } from './support/daemon';
import { createTokenFor, runCliWithInput, startLoopbackGateway } from './support/tunnel';

// The agent's command line around the tunnel, without privileges: `register` against the
// reference gateway on loopback with no WireGuard (development mode), and `up` deciding
// whether to start the tunnel. The tunnel itself is covered by tunnel-*.test.ts in namespaces.

describe('mcp-workstation register and up, around the tunnel', () => {
  let dir: string;
  let gatewayStateDir: string;
  let gateway: Daemon;
  let gatewayUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcpw-tunnel-cli-'));
    gatewayStateDir = path.join(dir, 'gateway');
    ({ gateway, url: gatewayUrl } = await startLoopbackGateway(gatewayStateDir));
  });

  afterEach(cleanUp);

  function tokenFile(token: string): string {
    const file = path.join(dir, `token-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    return file;
  }

  afterAll(async () => {
    await gateway?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains itself in --help, with examples', async () => {
    const { code, stdout } = await runCli(['register', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('mcp-workstation register --gateway <url>');
    expect(stdout).toContain('MCP_WORKSTATION_REGISTRATION_TOKEN');
    expect(stdout).toContain('Examples:');
    expect((await runCli(['--help'])).stdout).toMatch(/register\s+Register this machine with a gateway/);
  });

  it('takes the token from the environment, never printing it, and saves the identity', async () => {
    const token = await createTokenFor(gatewayStateDir);
    const stateDir = path.join(dir, 'from-env');
    const result = await runCliWithInput(
      ['register', '--gateway', gatewayUrl, '--state-dir', stateDir, '--server', 'default'],
      null,
      { MCP_WORKSTATION_REGISTRATION_TOKEN: token },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/agentId:\s+agt_\w+/);
    expect(result.stdout).toContain(`state saved in: ${stateDir}`);
    expect(result.stderr).toContain('environment variable MCP_WORKSTATION_REGISTRATION_TOKEN');
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it('takes the token from stdin (register … < token)', async () => {
    const token = await createTokenFor(gatewayStateDir);
    const result = await runCliWithInput(['register', '--gateway', gatewayUrl, '--state-dir', path.join(dir, 'from-stdin')], tokenFile(token));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('using the registration token from stdin');
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it('accepts --token but warns that it shows in ps', async () => {
    const token = await createTokenFor(gatewayStateDir);
    const result = await runCliWithInput(['register', '--gateway', gatewayUrl, '--state-dir', path.join(dir, 'from-argv'), '--token', token], null);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/--token puts the registration token on the command line[^\n]*ps/);
  });

  it('says where a token can come from when none was given', async () => {
    const result = await runCliWithInput(['register', '--gateway', gatewayUrl, '--state-dir', path.join(dir, 'no-token')], null, {
      MCP_WORKSTATION_REGISTRATION_TOKEN: '',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no registration token was given');
    expect(result.stderr).toContain('--token-file');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses plain http to a host that is not loopback unless --allow-http, before using the token', async () => {
    const result = await runCliWithInput(['register', '--gateway', 'http://192.0.2.1:9', '--state-dir', path.join(dir, 'plain'), '--token', 'mwreg_x'], null);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unencrypted');
    expect(result.stderr).toContain('--allow-http');
  });

  it('up without a registration serves locally and says, in one line, how to register', async () => {
    const stateDir = path.join(dir, 'never-registered');
    const daemon = await startDaemon(['up', '--port', '0', '--state-dir', stateDir]);
    const line = await daemon.waitForOutput(/serving locally only: no registration in [^\n]*/);
    expect(line[0]).toContain(`mcp-workstation register --gateway <url> --token-file <file> --state-dir ${stateDir}`);
    expect(daemon.stderrText().match(/serving locally only/g)).toHaveLength(1);
    expect(daemon.stderrText()).not.toContain('WireGuard');
  });

  it('up refuses a server name that the gateway could not be told, when registered', async () => {
    const token = await createTokenFor(gatewayStateDir);
    const stateDir = path.join(dir, 'registered');
    expect((await runCliWithInput(['register', '--gateway', gatewayUrl, '--state-dir', stateDir], tokenFile(token))).code).toBe(0);
    const result = await runCli(['up', '--port', '0', '--state-dir', stateDir, '--name', 'my_server']);
    // One rule for server names, locally and on the wire (protocol.md §1): refused as configuration.
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("'my_server' is not a usable server name");
    expect(result.stderr).toContain('--name my-server');
  });
});
