import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIXTURES, cleanUp, runCli, startDaemon } from './support';

// The AWS warnings in `config check`, `doctor` and the start-up log, and doctor's AWS checks, through the built
// CLI with the fixture `uvx` and `aws` first on PATH in a throw-away HOME.

const homes: string[] = [];

afterEach(async () => {
  await cleanUp();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const UNPINNED_ARGV = ['uvx', 'mcp-proxy-for-aws@latest', 'https://aws-mcp.us-east-1.api.aws/mcp'];

function fixtureEnv(state = 'ok'): NodeJS.ProcessEnv {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-e2e-aws-doctor-'));
  homes.push(home);
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n');
  writeFileSync(path.join(home, 'state'), `${state}\n`);
  return { PATH: `${path.join(FIXTURES, 'aws')}${path.delimiter}${process.env.PATH}`, HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), FIXTURE_AWS_STATE_FILE: path.join(home, 'state') };
}

interface Check {
  name: string;
  state: string;
  detail: string;
  fix?: string;
}

describe('the AWS server in config check and doctor', () => {
  test('config check prints the AWS warnings (unpinned, no AWS_REGION) and still passes', async () => {
    const result = await runCli(['config', 'check', '--name', 'aws', '--', ...UNPINNED_ARGV], { env: fixtureEnv() });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: servers.aws runs mcp-proxy-for-aws@latest without a pinned version');
    expect(result.stderr).toContain('warning: servers.aws sets no --metadata AWS_REGION=');
  });

  test('up logs the AWS warnings at start-up', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'aws', '--', ...UNPINNED_ARGV], { env: fixtureEnv() });
    await daemon.waitForOutput(/servers\.aws runs mcp-proxy-for-aws@latest without a pinned version/);
    await daemon.waitForOutput(/servers\.aws sets no --metadata AWS_REGION=/);
  });

  test('doctor shows the warnings and the AWS checks, with one uvx check for the server', async () => {
    const result = await runCli(['doctor', '--json', '--name', 'aws', '--', ...UNPINNED_ARGV], { env: fixtureEnv() });
    expect(result.code).toBe(0);
    const checks = JSON.parse(result.stdout) as Check[];
    expect(checks).toContainEqual(expect.objectContaining({ name: 'config', state: 'warn', detail: expect.stringContaining('servers.aws runs mcp-proxy-for-aws@latest without a pinned version') }));
    const awsLines = checks.filter((check) => check.name.startsWith('server aws: '));
    expect(awsLines.filter((check) => /uvx/.test(check.name) || check.name === 'server aws: command')).toEqual([
      expect.objectContaining({ name: 'server aws: uvx on the PATH the service will have', state: 'ok' }),
    ]);
    expect(awsLines).toContainEqual(expect.objectContaining({ name: 'server aws: AWS CLI 2.32.0 or later', state: 'ok' }));
    expect(awsLines).toContainEqual(expect.objectContaining({ name: 'server aws: aws sts get-caller-identity --profile default', state: 'ok', detail: expect.stringContaining('123456789012') }));
    expect(awsLines.some((check) => 'id' in check)).toBe(false);
  });

  test("with a service installed, uvx is checked against that service's recorded PATH, not the shell's", async () => {
    const env = fixtureEnv();
    const unitDir = path.join(env.XDG_CONFIG_HOME as string, 'systemd', 'user');
    mkdirSync(unitDir, { recursive: true });
    // Installed from a shell that did not have the fixtures' directory (uv installed since).
    writeFileSync(path.join(unitDir, 'mcp-workstation.service'), `[Service]\nEnvironment="PATH=${path.dirname(process.execPath)}:/usr/bin:/bin"\n`);
    const result = await runCli(['doctor', '--json', '--name', 'aws', '--', ...UNPINNED_ARGV], { env });
    const checks = JSON.parse(result.stdout) as Check[];
    const uvx = checks.find((check) => check.name === 'server aws: uvx on the PATH the service will have');
    expect(uvx).toMatchObject({ state: 'fail', detail: expect.stringContaining(`This shell finds it at ${path.join(FIXTURES, 'aws', 'uvx')}, but the service's PATH`) });
    expect(uvx?.fix).toContain('reinstall the service from this shell');
    expect(result.code).not.toBe(0);
  });

  test('doctor fails with the fix when the credentials have expired', async () => {
    const result = await runCli(['doctor', '--name', 'aws', '--', 'uvx', 'mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'], { env: fixtureEnv('expired') });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}server aws: aws sts get-caller-identity --profile default: .*\n {6}fix: .*aws login/);
  });
});
