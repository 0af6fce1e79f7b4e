import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { awsServerConfig } from './endpoints';
import { awsDoctorChecks, parseAwsCliVersion, type AwsDoctorInput, type DoctorCheck } from './doctor-checks';
import { AWS_FIXTURES, cleanUpHomes, makeTempHome, type TempHome } from './test-support/aws-fixtures';
import type { NamedServer } from './warnings';

afterEach(cleanUpHomes);

/** What a service gets: node's directory and the system's, plus (when given) the fixtures. */
const NODE_DIR = path.dirname(process.execPath);
const SYSTEM_PATH = `${NODE_DIR}:/usr/bin:/bin`;
const SERVICE_PATH_WITH_FIXTURES = `${AWS_FIXTURES}:${SYSTEM_PATH}`;

function server(options: Parameters<typeof awsServerConfig>[0] = {}): NamedServer {
  return { name: 'aws', ...awsServerConfig(options) };
}

async function doctor(temp: TempHome, overrides: Partial<AwsDoctorInput> = {}): Promise<Record<DoctorCheck['id'], DoctorCheck>> {
  const checks = await awsDoctorChecks({ server: server(), servicePath: SERVICE_PATH_WITH_FIXTURES, shellPath: '', env: temp.env, ...overrides });
  if (!checks) throw new Error('expected AWS checks');
  expect(checks.map((check) => check.id)).toEqual(['uvx', 'aws-cli', 'caller-identity', 'profile', 'credentials-owner', 'docker']);
  return Object.fromEntries(checks.map((check) => [check.id, check])) as Record<DoctorCheck['id'], DoctorCheck>;
}

function loggedIn(): TempHome {
  const temp = makeTempHome();
  temp.writeAwsFile('config', '[default]\nregion = us-east-1\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/ada\n\n[profile dev]\nsso_session = corp\n');
  return temp;
}

describe('awsDoctorChecks', () => {
  test('a working setup: every check ok, and Docker said not to be needed', async () => {
    const checks = await doctor(loggedIn());
    expect(checks.uvx).toMatchObject({ state: 'ok', detail: `uvx is ${path.join(AWS_FIXTURES, 'uvx')}` });
    expect(checks['aws-cli']).toMatchObject({ state: 'ok', detail: `${path.join(AWS_FIXTURES, 'aws')} is aws-cli/2.32.1` });
    expect(checks['caller-identity']).toMatchObject({ state: 'ok', detail: 'signed in: account 123456789012 as arn:aws:iam::123456789012:user/default' });
    expect(checks.profile).toMatchObject({ state: 'ok', detail: expect.stringContaining('credentials from: login') });
    expect(checks['credentials-owner']).toMatchObject({ state: 'ok' });
    expect(checks.docker).toMatchObject({ state: 'info', detail: expect.stringMatching(/^not needed/) });
  });

  test('servers that do not run the AWS proxy get no AWS checks', async () => {
    expect(await awsDoctorChecks({ server: { name: 'fs', command: 'npx', args: ['x'] }, servicePath: SYSTEM_PATH })).toBeNull();
  });

  test("uvx missing from the service's PATH fails with the fix, even when the shell finds it", async () => {
    const temp = loggedIn();
    const missing = await doctor(temp, { servicePath: SYSTEM_PATH });
    expect(missing.uvx.state).toBe('fail');
    expect(missing.uvx.detail).toContain(`uvx is not on the PATH the service will have (${SYSTEM_PATH}): the server would fail with "spawn uvx ENOENT"`);
    expect(missing.uvx.fix).toMatch(/^install uv \(curl -LsSf https:\/\/astral\.sh\/uv\/install\.sh \| sh\)/);

    const inShell = await doctor(temp, { servicePath: SYSTEM_PATH, shellPath: SERVICE_PATH_WITH_FIXTURES });
    expect(inShell.uvx.detail).toContain(`This shell finds it at ${path.join(AWS_FIXTURES, 'uvx')}, but the service's PATH`);
    expect(inShell.uvx.fix).toBe(`set servers.aws.command to ${path.join(AWS_FIXTURES, 'uvx')}, or add its directory to servers.aws.env.PATH (or reinstall the service from this shell, which records its PATH).`);
  });

  test("the server's own env.PATH is the PATH its child gets", async () => {
    const temp = loggedIn();
    const checks = await doctor(temp, { servicePath: SYSTEM_PATH, server: { ...server(), env: { PATH: SERVICE_PATH_WITH_FIXTURES } } });
    expect(checks.uvx.state).toBe('ok');
  });

  test('an AWS CLI older than 2.32.0 fails with the fix; a missing one too, and the identity check is skipped', async () => {
    const temp = loggedIn();
    const old = await doctor(temp, { env: { ...temp.env, FIXTURE_AWS_CLI_VERSION: '2.31.9' } });
    expect(old['aws-cli']).toMatchObject({ state: 'fail', detail: expect.stringContaining('is aws-cli/2.31.9; `aws login` needs 2.32.0 or later'), fix: expect.stringMatching(/^update the AWS CLI to 2\.32\.0 or later/) });

    const fakeBin = mkdtempSync(path.join(tmpdir(), 'mcpw-uvx-only-'));
    try {
      require('node:fs').symlinkSync(path.join(AWS_FIXTURES, 'uvx'), path.join(fakeBin, 'uvx'));
      const none = await doctor(temp, { servicePath: `${fakeBin}:${SYSTEM_PATH}` });
      expect(none['aws-cli']).toMatchObject({ state: 'fail', fix: expect.stringContaining('install AWS CLI v2 (2.32.0 or later') });
      expect(none['caller-identity']).toMatchObject({ state: 'skip', detail: expect.stringContaining('the AWS CLI is not installed') });
    } finally {
      rmSync(fakeBin, { recursive: true, force: true });
    }
  });

  test('expired credentials fail the identity check with the refresh command of the profile', async () => {
    const temp = loggedIn();
    temp.setState('expired');
    const checks = await doctor(temp);
    expect(checks['caller-identity']).toMatchObject({ state: 'fail', detail: expect.stringContaining('the credentials of profile default have expired'), fix: 'run `aws login` as the user the daemon runs as.' });

    const sso = await doctor(temp, { server: server({ profile: 'dev' }) });
    expect(sso['caller-identity'].fix).toBe('run `aws sso login --profile dev` as the user the daemon runs as.');
  });

  test('offline: the identity check is skipped with a note, not failed', async () => {
    const temp = loggedIn();
    temp.setState('offline');
    const checks = await doctor(temp);
    expect(checks['caller-identity']).toMatchObject({ state: 'skip', detail: expect.stringMatching(/^skipped: this machine looks offline \(Could not connect to the endpoint URL/) });
  });

  test('an identity check that hangs is bounded by the timeout and skipped', async () => {
    const temp = loggedIn();
    temp.setState('hang');
    const checks = await doctor(temp, { timeoutMs: 500 });
    expect(checks['caller-identity']).toMatchObject({ state: 'skip', detail: expect.stringContaining('no answer within 0.5 s') });
  });

  test('a profile that exists nowhere fails, naming the profiles that do and the fix', async () => {
    const temp = loggedIn();
    const checks = await doctor(temp, { server: server({ profile: 'ghost' }) });
    expect(checks.profile).toMatchObject({ state: 'fail', detail: expect.stringContaining('profile ghost is in neither'), fix: expect.stringContaining('aws login --profile ghost') });
    expect(checks.profile.detail).toContain('(they define: default, dev)');
    expect(checks['caller-identity']).toMatchObject({ state: 'fail', detail: 'the AWS CLI cannot find profile ghost.' });
  });

  test('a daemon running as another user than the owner of ~/.aws is warned, with the fix; no ~/.aws fails', async () => {
    const temp = loggedIn();
    const other = await doctor(temp, { uid: 4242 });
    expect(other['credentials-owner']).toMatchObject({ state: 'warn', detail: expect.stringContaining(`${temp.awsDir} belongs to uid ${process.getuid?.()}, but the daemon runs as uid 4242`), fix: expect.stringContaining(`run the service as the user with uid ${process.getuid?.()}`) });

    const bare = makeTempHome({ withAwsDir: false });
    const none = await doctor(bare);
    expect(none['credentials-owner']).toMatchObject({ state: 'fail', detail: expect.stringContaining('does not exist for the user the daemon runs as'), fix: expect.stringContaining('run the daemon as the user who ran `aws login`') });
  });
});

test('parseAwsCliVersion reads the CLI banner', () => {
  expect(parseAwsCliVersion('aws-cli/2.32.1 Python/3.13.7 Linux/6 exe/x86_64')).toEqual([2, 32, 1]);
  expect(parseAwsCliVersion('aws-cli/1.18.69 Python/2.7.18 Linux/5.4.0 botocore/1.16.19')).toEqual([1, 18, 69]);
  expect(parseAwsCliVersion('command not found')).toBeNull();
});
