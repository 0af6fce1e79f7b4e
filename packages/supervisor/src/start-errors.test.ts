import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExitInfo, ServerStatus } from './types';
import { checkServerCommand, describeSpawnError, planLaunch, type LaunchPlan } from './launch-plan';
import { fixtureCommand, nextEvent, RecordingLogger, TestResources } from '../test-fixtures/helpers';

const resources = new TestResources();
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'supervisor-start-'));
});
afterEach(async () => {
  await resources.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts a server that must not come up, and returns its exit report and final status. */
async function failToStart(options: Parameters<TestResources['server']>[0]) {
  const logger = new RecordingLogger();
  const server = resources.server({ restart: { enabled: false }, logger, ...options });
  const exited = nextEvent<[ExitInfo]>(server, 'exit');
  const stopped = nextEvent<[ServerStatus]>(server, 'state', (s) => s.state === 'stopped');
  await server.start();
  const [info] = await exited;
  const [status] = await stopped;
  return { info, status, logger, server };
}

function script(name: string, mode: number, body = '#!/bin/sh\nexit 0\n'): string {
  const file = path.join(scratch, name);
  writeFileSync(file, body);
  chmodSync(file, mode);
  return file;
}

describe('clear start errors', () => {
  it('command not found: names the command, the PATH searched, why services hit it, and the fix', async () => {
    const searched = `${path.join(scratch, 'nowhere')}:/usr/bin:/bin`;
    const { info, status, logger } = await failToStart({
      name: 'aws',
      command: { command: 'uvx-not-installed', args: ['mcp-proxy-for-aws==1.6.1'], env: { PATH: searched } },
    });
    expect(info.reason).toContain('"uvx-not-installed"');
    expect(info.reason).toContain(`searched ${searched}, from the server env`);
    expect(info.reason).toMatch(/shorter PATH.*spawn uvx-not-installed ENOENT/s);
    expect(info.reason).toMatch(/absolute path.*set PATH in this server's env/s);
    expect(info).toMatchObject({ during: 'start', code: null, signal: null, generation: 0 });
    expect(status.lastError).toBe(info.reason);
    expect(status.reason).toContain(info.reason);
    expect(logger.find((r) => r.level === 'error' && r.message === info.reason)?.meta).toMatchObject({ server: 'aws' });
  });

  it('command not found with the daemon PATH says so, and keeps retrying when restarts are on', async () => {
    const server = resources.server({
      name: 'missing',
      command: { command: 'definitely-not-a-command-5d1f', args: [] },
      restart: { initialDelayMs: 10, maxDelayMs: 10, failedAfterExits: 2, failedRetryDelayMs: 60_000 },
    });
    const failed = nextEvent<[ServerStatus]>(server, 'state', (s) => s.state === 'failed');
    await server.start();
    const [status] = await failed;
    expect(status.reason).toContain(`searched ${process.env.PATH}, from the daemon environment`);
    expect(status).toMatchObject({ generation: 0, restarts: 1, pid: null });
  });

  it('a missing absolute path is reported as such', async () => {
    const missing = path.join(scratch, 'bin', 'uvx');
    const { info } = await failToStart({ name: 'abs', command: { command: missing, args: [] } });
    expect(info.reason).toContain(`command "${missing}" does not exist`);
  });

  it('permission denied: names the file and chmod +x, for a path and for a PATH match', async () => {
    const plain = script('server.sh', 0o644);
    const byPath = await failToStart({ name: 'noexec', command: { command: plain, args: [] } });
    expect(byPath.info.reason).toContain(`"${plain}" is not executable (permission denied)`);
    expect(byPath.info.reason).toContain(`chmod +x ${plain}`);

    const viaPath = await failToStart({ name: 'noexec2', command: { command: 'server.sh', args: [], env: { PATH: scratch } } });
    expect(viaPath.info.reason).toContain(`chmod +x ${plain}`);
  });

  it('a relative command with a slash is resolved against the cwd', async () => {
    script('run-me', 0o755, `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
    const server = resources.server({
      name: 'relative',
      command: { command: './run-me', args: fixtureCommand().args, cwd: scratch },
    });
    const spawned = nextEvent(server, 'spawn');
    await server.start();
    await spawned;
    expect(server.status().state).toBe('starting');
  });

  it('a missing cwd is named as the problem (not the command)', async () => {
    const cwd = path.join(scratch, 'gone');
    const { info } = await failToStart({ name: 'cwd', command: { ...fixtureCommand(), cwd } });
    expect(info.reason).toContain(`working directory "${cwd}" does not exist`);
  });

  it('exited during start: code and the last stderr lines', async () => {
    const { info, status } = await failToStart({
      name: 'early',
      command: fixtureCommand('--stderr=Traceback (most recent call last):', '--stderr=ModuleNotFoundError: boto3', '--exit-at-start=2'),
    });
    expect(info).toMatchObject({ during: 'start', code: 2, generation: 1 });
    expect(info.stderrTail).toEqual(['Traceback (most recent call last):', 'ModuleNotFoundError: boto3']);
    expect(info.reason).toMatch(
      /"early" exited during start, before it answered initialize \(exit code 2\)\. Last stderr lines:\n {2}Traceback.*\n {2}ModuleNotFoundError: boto3/,
    );
    expect(status.lastExit).toEqual(info);
  });

  it('a shell command that is not found gets the shell exit code explained', async () => {
    const { info } = await failToStart({ name: 'sh', command: { command: 'no-such-cmd-7a2e --flag', args: [], shell: true } });
    expect(info.code).toBe(127);
    expect(info.reason).toMatch(/127: a command in the line was not found/);
    expect(info.reason).toContain('no-such-cmd-7a2e');
  });

  it('rejects bad options at construction with the option named', () => {
    expect(() => resources.server({ name: 'bad', command: fixtureCommand(), restart: { failedRetryDelayMs: 0 } })).toThrow(
      /"bad": restart\.failedRetryDelayMs must be a number from 1/,
    );
    expect(() => resources.server({ name: '', command: fixtureCommand() })).toThrow(/non-empty name/);
  });

  it('errors that spawn itself reports (a file changed after the check) get the same sentences', () => {
    const plan = planLaunch('race', fixtureCommand()) as LaunchPlan;
    expect(plan.ok).toBe(true);
    const errno = (code: string) => Object.assign(new Error(`spawn ${plan.file} ${code}`), { code });
    expect(describeSpawnError('race', plan, errno('EACCES'))).toContain(`chmod +x ${plan.file}`);
    expect(describeSpawnError('race', plan, errno('ENOENT'))).toContain('does not exist');
    expect(describeSpawnError('race', plan, errno('EMFILE'))).toMatch(/"race": could not start .*EMFILE/);
  });

  it('checkServerCommand gives the same sentence without starting anything (for fail-fast CLIs)', () => {
    expect(checkServerCommand('ok', fixtureCommand())).toBeNull();
    expect(checkServerCommand('cli', { command: 'uvx-not-installed', args: [], env: { PATH: '/nowhere' } })).toContain(
      'command "uvx-not-installed" was not found on PATH (searched /nowhere, from the server env)',
    );
  });
});
