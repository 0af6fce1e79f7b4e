import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './support/paths';

// docker/entrypoint.sh run directly on this machine (no Docker engine runs here), with a fake
// `mcp-workstation` first on PATH that records how it was called, as whom, and with which
// capabilities. It never records the token itself: only a hash of the file it was given.

const ENTRYPOINT = path.join(REPO_ROOT, 'docker', 'entrypoint.sh');
const TOKEN = 'mcpw_reg_0123456789abcdefSECRET';
const GATEWAY = 'https://gw.example.com:8443';
const isRoot = process.getuid?.() === 0;

const FAKE_CLI = `#!${process.execPath}
const fs = require('node:fs');
const crypto = require('node:crypto');
const argv = process.argv.slice(2);
const flag = (name) => { const i = argv.indexOf(name); return i === -1 ? undefined : argv[i + 1]; };
const tokenFile = flag('--token-file');
let token;
if (tokenFile !== undefined) {
  try { token = { path: tokenFile, sha256: crypto.createHash('sha256').update(fs.readFileSync(tokenFile, 'utf8').trim()).digest('hex') }; }
  catch (err) { token = { path: tokenFile, error: err.code }; }
}
const capAmb = (fs.readFileSync('/proc/self/status', 'utf8').match(/CapAmb:\\s*(\\S+)/) || [])[1];
const envNames = Object.keys(process.env).filter((name) => name.startsWith('MCP_WORKSTATION_')).sort();
fs.appendFileSync(process.env.FAKE_RECORD, JSON.stringify({ argv, uid: process.getuid(), capAmb, token, envNames }) + '\\n');
if (argv[0] === 'register') {
  if (process.env.FAKE_REGISTER_EXIT) { console.error('fake register: the gateway said no'); process.exit(Number(process.env.FAKE_REGISTER_EXIT)); }
  // Like the real register: it makes the state directory (0700) when it is missing.
  fs.mkdirSync(flag('--state-dir'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(flag('--state-dir') + '/identity.json', '{"agentId":"ag_1"}', { mode: 0o600 });
  console.log('registered as ag_1');
}
if (argv[0] === 'up') console.log('fake daemon: serving');
`;

interface Call {
  argv: string[];
  uid: number;
  capAmb: string;
  token?: { path: string; sha256?: string; error?: string };
  /** The MCP_WORKSTATION_* variables it was started with. */
  envNames: string[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: Call[];
}

let base: string;
let stateDir: string;
let tokenFile: string;
let adminSocket: string;

beforeEach(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'entrypoint-'));
  // Traversable by the account the entrypoint switches to (the drop-privileges test).
  chmodSync(base, 0o755);
  for (const dir of ['bin', 'record']) mkdirSync(path.join(base, dir));
  chmodSync(path.join(base, 'record'), 0o777);
  writeFileSync(path.join(base, 'bin', 'mcp-workstation'), FAKE_CLI, { mode: 0o755 });
  stateDir = path.join(base, 'state');
  tokenFile = path.join(base, 'registration_token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  adminSocket = path.join(base, 'run', 'admin.sock');
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

function runEntrypoint(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const record = path.join(base, 'record', 'calls.jsonl');
  const fullEnv: NodeJS.ProcessEnv = {
    PATH: `${path.join(base, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    FAKE_RECORD: record,
    MCP_WORKSTATION_STATE_DIR: stateDir,
    MCP_WORKSTATION_TOKEN_FILE: tokenFile,
    MCP_WORKSTATION_GATEWAY_URL: GATEWAY,
    MCP_WORKSTATION_ADMIN: adminSocket,
    MCP_WORKSTATION_RUN_AS: '',
    // Never the real /run/…: the entrypoint gives these to the account it switches to.
    MCP_WORKSTATION_RUNTIME_DIRS: path.dirname(adminSocket),
    ...env,
  };
  return new Promise((resolve, reject) => {
    // `sh`: the POSIX shell (dash on Debian), as in the image.
    const child = spawn('sh', [ENTRYPOINT, ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const calls = existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Call) : [];
      resolve({ code, stdout, stderr, calls });
    });
  });
}

function expectNoToken(run: Run): void {
  expect(run.stdout).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
  for (const call of run.calls) expect(call.argv.join(' ')).not.toContain(TOKEN);
}

const tokenHash = createHash('sha256').update(TOKEN).digest('hex');
const markRegistered = (): void => {
  mkdirSync(stateDir, { mode: 0o700 });
  writeFileSync(path.join(stateDir, 'identity.json'), '{"agentId":"ag_0"}');
};

describe('docker/entrypoint.sh', () => {
  it('with no registration in the state volume: registers with the token file, then execs up', async () => {
    const run = await runEntrypoint([]);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.argv)).toEqual([
      ['register', '--gateway', GATEWAY, '--state-dir', stateDir, '--token-file', tokenFile],
      ['up', '--state-dir', stateDir, '--admin', adminSocket],
    ]);
    expect(run.calls[0].token).toEqual({ path: tokenFile, sha256: tokenHash });
    expect(run.stderr).toContain(`registering with ${GATEWAY}`);
    expect(run.stdout).toContain('fake daemon: serving');
    expectNoToken(run);
  });

  it('when the state volume holds a registration: does not register again', async () => {
    markRegistered();
    const run = await runEntrypoint([]);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.argv[0])).toEqual(['up']);
    expect(run.stderr).toContain('registered already');
    expectNoToken(run);
  });

  it("passes the compose command to up, after its own flags and before the server's `--`", async () => {
    markRegistered();
    const run = await runEntrypoint(['up', '--name', 'aws', '--', 'uvx', 'mcp-proxy-for-aws==1.6.1', '--metadata', 'AWS_REGION=us-east-1'], {
      MCP_WORKSTATION_CA_FILE: '/etc/ca.pem',
    });
    expect(run.calls.map((call) => call.argv)).toEqual([
      ['up', '--state-dir', stateDir, '--admin', adminSocket, '--ca-file', '/etc/ca.pem', '--name', 'aws', '--', 'uvx', 'mcp-proxy-for-aws==1.6.1', '--metadata', 'AWS_REGION=us-east-1'],
    ]);
  });

  it("hands the daemon only its own settings, not the entrypoint's variables", async () => {
    const run = await runEntrypoint([], { MCP_WORKSTATION_AGENT_NAME: 'alice-laptop', MCP_WORKSTATION_LOG_LEVEL: 'debug' });
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.envNames)).toEqual([
      ['MCP_WORKSTATION_ADMIN', 'MCP_WORKSTATION_LOG_LEVEL', 'MCP_WORKSTATION_STATE_DIR'],
      ['MCP_WORKSTATION_ADMIN', 'MCP_WORKSTATION_LOG_LEVEL', 'MCP_WORKSTATION_STATE_DIR'],
    ]);
  });

  it('runs other mcp-workstation commands as they are, without registering', async () => {
    const run = await runEntrypoint(['status', '--json']);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.argv)).toEqual([['status', '--json']]);
  });

  it('shows help without registering', async () => {
    const run = await runEntrypoint(['up', '--help']);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.argv)).toEqual([['up', '--help']]);
  });

  it('passes the agent name and CA file to register', async () => {
    const run = await runEntrypoint([], { MCP_WORKSTATION_AGENT_NAME: 'alice-laptop', MCP_WORKSTATION_CA_FILE: '/etc/ca.pem' });
    expect(run.code).toBe(0);
    expect(run.calls[0].argv).toEqual(['register', '--gateway', GATEWAY, '--state-dir', stateDir, '--token-file', tokenFile, '--name', 'alice-laptop', '--ca-file', '/etc/ca.pem']);
  });

  it('stops with the reason when registration fails, and does not start the daemon', async () => {
    const run = await runEntrypoint([], { FAKE_REGISTER_EXIT: '1' });
    expect(run.code).toBe(1);
    expect(run.calls.map((call) => call.argv[0])).toEqual(['register']);
    expect(run.stderr).toContain('fake register: the gateway said no');
    expect(run.stderr).toMatch(/error: registration failed .*make a new one on the gateway/);
    expectNoToken(run);
  });

  it('exits 78 (config error) naming the variable when the gateway URL is missing', async () => {
    const run = await runEntrypoint([], { MCP_WORKSTATION_GATEWAY_URL: '' });
    expect(run.code).toBe(78);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toMatch(/MCP_WORKSTATION_GATEWAY_URL is not set: set it to the gateway's URL/);
  });

  it('without a token or a registration: serves locally and says how to join a gateway', async () => {
    rmSync(tokenFile);
    const run = await runEntrypoint([]);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.argv[0])).toEqual(['up']);
    expect(run.stderr).toMatch(/not registered and no registration token in .*serving locally only/);
  });

  it('an empty token file (emptied after registering) counts as no token', async () => {
    writeFileSync(tokenFile, '');
    const run = await runEntrypoint([]);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.argv[0])).toEqual(['up']);
  });

  it('says so when the gateway revoked the registration', async () => {
    rmSync(tokenFile);
    mkdirSync(stateDir, { mode: 0o700 });
    writeFileSync(path.join(stateDir, 'revoked.json'), '{}');
    const run = await runEntrypoint([]);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.argv[0])).toEqual(['up']);
    expect(run.stderr).toMatch(/revoked this agent's registration: serving locally only/);
  });

  it('takes the token from MCP_WORKSTATION_REGISTRATION_TOKEN when there is no file, never into argv', async () => {
    rmSync(tokenFile);
    const run = await runEntrypoint([], { MCP_WORKSTATION_REGISTRATION_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    expect(run.calls[0].argv).toEqual(['register', '--gateway', GATEWAY, '--state-dir', stateDir]);
    expect(run.calls[0].envNames).toContain('MCP_WORKSTATION_REGISTRATION_TOKEN');
    // The daemon's MCP servers inherit its environment: the token is gone by then.
    expect(run.calls[1].argv[0]).toBe('up');
    expect(run.calls[1].envNames).not.toContain('MCP_WORKSTATION_REGISTRATION_TOKEN');
    expectNoToken(run);
  });

  it('as root with MCP_WORKSTATION_RUN_AS: runs the daemon as that account with only CAP_NET_ADMIN, and hands it the token privately', async () => {
    const run = await runEntrypoint([], { MCP_WORKSTATION_RUN_AS: 'nobody' });
    expect(run.code).toBe(0);
    expectNoToken(run);
    expect(run.calls.map((call) => call.argv[0])).toEqual(['register', 'up']);
    if (!isRoot) {
      // Not root: nothing to switch from; it says so and runs as this user.
      expect(run.stderr).toMatch(/not root: running as that user/);
      expect(run.calls.every((call) => call.uid === process.getuid?.())).toBe(true);
      return;
    }
    const nobody = Number(readFileSync('/etc/passwd', 'utf8').match(/^nobody:[^:]*:(\d+):/m)?.[1]);
    expect(run.calls.every((call) => call.uid === nobody)).toBe(true);
    // CAP_NET_ADMIN is bit 12; it is kept when this process's bounding set has it.
    const bounding = BigInt(`0x${readFileSync('/proc/self/status', 'utf8').match(/CapBnd:\s*(\S+)/)?.[1]}`);
    const expectedAmbient = (bounding >> 12n) & 1n ? 1n << 12n : 0n;
    for (const call of run.calls) expect(BigInt(`0x${call.capAmb}`)).toBe(expectedAmbient);
    // The 0600 root-owned token file is unreadable to nobody: a private copy is used, then deleted.
    const given = run.calls[0].token;
    expect(given?.path).not.toBe(tokenFile);
    expect(given?.sha256).toBe(tokenHash);
    expect(existsSync(given?.path ?? '/')).toBe(false);
    expect(statSync(stateDir).uid).toBe(nobody);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.dirname(adminSocket)).uid).toBe(nobody);
  });

  it('refuses an account that does not exist (as root), with the fix', async () => {
    const run = await runEntrypoint([], { MCP_WORKSTATION_RUN_AS: 'no-such-user-mcpw' });
    if (!isRoot) {
      expect(run.code).toBe(0);
      return;
    }
    expect(run.code).toBe(78);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toMatch(/MCP_WORKSTATION_RUN_AS=no-such-user-mcpw: there is no such user/);
  });
});
