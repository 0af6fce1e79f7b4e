import { PassThrough } from 'node:stream';
import { UserError } from '../errors';
import { loginCommand, runLogin, type LoginTerminal } from './login';
import { loadNodePty } from './pty';
import { cleanUpHomes, makeTempHome, readJsonLines, waitFor } from './test-support/aws-fixtures';

afterEach(cleanUpHomes);

/** A terminal whose keystrokes the test types and whose screen it reads. */
function fakeTerminal(): LoginTerminal & { screen(): string; type(text: string): void } {
  const stdin = new PassThrough();
  const stdout = Object.assign(new PassThrough(), { columns: 100, rows: 30 });
  let screen = '';
  stdout.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
  return { stdin, stdout, screen: () => screen, type: (text) => stdin.write(text) };
}

describe('loginCommand', () => {
  test('aws login for the default profile, aws sso login --profile P for an SSO profile, a configured command as is', () => {
    const temp = makeTempHome();
    temp.writeAwsFile('config', '[default]\nlogin_session = arn\n\n[profile dev]\nsso_session = corp\n');
    expect(loginCommand({ env: temp.env })).toEqual(['aws', 'login']);
    expect(loginCommand({ env: temp.env, profile: 'dev' })).toEqual(['aws', 'sso', 'login', '--profile', 'dev']);
    expect(loginCommand({ env: { ...temp.env, AWS_PROFILE: 'stg' } })).toEqual(['aws', 'login', '--profile', 'stg']);
    expect(loginCommand({ env: temp.env, command: ['granted', 'sso', 'login'] })).toEqual(['granted', 'sso', 'login']);
  });
});

describe('runLogin', () => {
  const pty = loadNodePty();

  // node-pty is an optional dependency; this repository installs it (npm install node-pty -w mcp-workstation).
  test('node-pty is installed here, so the real-terminal path is what the next test exercises', () => {
    expect(pty).toEqual({ ok: true, pty: expect.anything() });
  });

  test('through node-pty: the CLI gets a real terminal, its prompt reaches the screen and typed keys reach it', async () => {
    const temp = makeTempHome();
    temp.setState('expired');
    const terminal = fakeTerminal();
    const outcome = runLogin({ env: { ...temp.env, FIXTURE_AWS_LOGIN_PROMPT: '1' }, terminal });
    await waitFor('the prompt on the screen', () => terminal.screen().includes('Press Enter to continue'));
    terminal.type('\r');
    await expect(outcome).resolves.toEqual({ command: ['aws', 'login'], exitCode: 0, via: 'pty' });
    expect(terminal.screen()).toContain('stdin is a terminal: yes');
    expect(terminal.screen()).toContain('stdout is a terminal: yes');
    expect(terminal.screen()).toContain('continuing');
    expect(readJsonLines(temp.callsFile)).toEqual([{ argv: ['login'], profile: 'default', stdinTTY: true, stdoutTTY: true }]);
    expect(require('node:fs').readFileSync(temp.stateFile, 'utf8').trim()).toBe('ok');
  });

  test('an SSO profile runs aws sso login --profile P', async () => {
    const temp = makeTempHome();
    temp.writeAwsFile('config', '[profile dev]\nsso_session = corp\n');
    const outcome = await runLogin({ env: temp.env, profile: 'dev', terminal: fakeTerminal() });
    expect(outcome).toMatchObject({ command: ['aws', 'sso', 'login', '--profile', 'dev'], exitCode: 0 });
    expect(readJsonLines(temp.callsFile)[0]).toMatchObject({ argv: ['sso', 'login', '--profile', 'dev'], profile: 'dev' });
  });

  test('without node-pty it still runs, on plain stdio, and says why', async () => {
    const temp = makeTempHome();
    const outcome = await runLogin({ env: temp.env, loadPty: () => ({ ok: false, reason: 'node-pty is not installed' }), fallbackStdio: ['ignore', 'ignore', 'ignore'] });
    expect(outcome).toMatchObject({ command: ['aws', 'login'], exitCode: 0, via: 'inherited-stdio' });
    expect(outcome.note).toMatch(/^node-pty is not installed \(it is an optional dependency that needs a C\+\+ toolchain to build\): running `aws login` on this terminal's own input and output instead/);
    expect(readJsonLines(temp.callsFile)).toEqual([{ argv: ['login'], profile: 'default', stdinTTY: false, stdoutTTY: false }]);
  });

  test('no aws on the PATH: a clear error with the fix, nothing run', async () => {
    const temp = makeTempHome();
    await expect(runLogin({ env: { ...temp.env, PATH: '/usr/bin:/bin' }, terminal: fakeTerminal() })).rejects.toThrow(UserError);
    await expect(runLogin({ env: { ...temp.env, PATH: '/usr/bin:/bin' }, terminal: fakeTerminal() })).rejects.toThrow(/aws is not on the PATH .*Fix: install AWS CLI v2 \(2\.32\.0 or later\)/);
  });
});
