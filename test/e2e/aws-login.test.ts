import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIXTURES, runCli } from './support';

// `mcp-workstation login aws` through the built CLI, with the fixture `aws` (which records
// each login in FIXTURE_AWS_CALLS and sets the credentials state back to ok).

const homes: string[] = [];

afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function fixtureHome(): { home: string; env: NodeJS.ProcessEnv; calls: string; state: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-e2e-aws-login-'));
  homes.push(home);
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n[profile work]\nregion = eu-west-1\n');
  const state = path.join(home, 'state');
  writeFileSync(state, 'expired\n');
  const calls = path.join(home, 'aws-calls.jsonl');
  const env = { PATH: `${path.join(FIXTURES, 'aws')}${path.delimiter}${process.env.PATH}`, HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), FIXTURE_AWS_STATE_FILE: state, FIXTURE_AWS_CALLS: calls };
  return { home, env, calls, state };
}

function loginCalls(file: string): Array<{ argv: string[]; profile: string }> {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { argv: string[]; profile: string });
}

describe('mcp-workstation login aws', () => {
  test('runs aws login for the profile of the configured aws server', async () => {
    const { env, calls, state } = fixtureHome();
    expect(await runCli(['init', 'aws', '--profile', 'work'], { env })).toMatchObject({ code: 0 });
    const result = await runCli(['login', 'aws'], { env });
    expect(result.code).toBe(0);
    expect(loginCalls(calls)).toEqual([expect.objectContaining({ argv: ['login', '--profile', 'work'], profile: 'work' })]);
    expect(readFileSync(state, 'utf8').trim()).toBe('ok');
  });

  test('--profile wins; with no config the default credential chain is used', async () => {
    const { env, calls } = fixtureHome();
    expect(await runCli(['login', 'aws'], { env })).toMatchObject({ code: 0 });
    expect(await runCli(['login', 'aws', '--profile', 'work'], { env })).toMatchObject({ code: 0 });
    expect(loginCalls(calls).map((call) => call.argv)).toEqual([['login'], ['login', '--profile', 'work']]);
  });

  test('--help, an unknown target and a missing AWS CLI each get a clear answer', async () => {
    const { env, calls } = fixtureHome();
    const help = await runCli(['login', 'aws', '--help'], { env });
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('mcp-workstation login aws [--profile P]');
    const unknown = await runCli(['login', 'gcp'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown login target 'gcp'");
    const noCli = await runCli(['login', 'aws'], { env: { ...env, PATH: path.dirname(process.execPath) } });
    expect(noCli.code).not.toBe(0);
    expect(noCli.stderr).toMatch(/aws is not on the PATH .*Fix: install AWS CLI v2/);
    expect(existsSync(calls)).toBe(false);
  });
});
