import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { once } from 'node:events';
import type { ExitInfo } from './types';
import { killTrackedGroups, trackGroup } from './exit-cleanup';
import { isGroupAlive, isProcessAlive, terminateGroup } from './process-group';
import { fixtureCommand, nextEvent, RecordingLogger, request, resultOf, TestResources, waitFor } from '../test-fixtures/helpers';

const resources = new TestResources();
afterEach(() => resources.cleanup());

/** Asks the fixture child to start a grandchild in its process group; returns its pid once it runs. */
async function spawnGrandchild(server: import('./supervised-server').SupervisedServer, ignoreSigterm = false) {
  const pid = resultOf((await request(server, 'spawnGrandchild', { ignoreSigterm })).message).pid as number;
  resources.pid(pid);
  expect(isProcessAlive(pid)).toBe(true);
  return pid;
}

describe('process group reaping', () => {
  it('stop() takes the grandchild down with the child', async () => {
    const server = resources.server({ name: 'uvx-like', command: fixtureCommand() });
    await server.start();
    const childPid = server.status().pid!;
    const grandchild = await spawnGrandchild(server);
    await server.stop();
    expect(isProcessAlive(grandchild)).toBe(false);
    expect(isProcessAlive(childPid)).toBe(false);
    expect(isGroupAlive(childPid)).toBe(false);
    expect(server.status().lastExit).toMatchObject({ signal: 'SIGTERM', reason: expect.stringContaining('stopped by request') });
  });

  it('escalates to SIGKILL after the grace period for a child and grandchild that ignore SIGTERM', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({
      name: 'stubborn',
      command: fixtureCommand('--ignore-sigterm'),
      stopGraceMs: 300,
      logger,
    });
    await server.start();
    const childPid = server.status().pid!;
    const grandchild = await spawnGrandchild(server, true);
    await server.stop();
    expect(isProcessAlive(grandchild)).toBe(false);
    expect(isProcessAlive(childPid)).toBe(false);
    expect(server.status().lastExit?.signal).toBe('SIGKILL');
    expect(logger.find((r) => r.message.includes('did not stop within 300 ms of SIGTERM'))).toBeDefined();
  });

  it('kills what a crashed child left in its group before the restart', async () => {
    const server = resources.server({
      name: 'leaky',
      command: fixtureCommand(),
      restart: { initialDelayMs: 10, maxDelayMs: 10 },
      stopGraceMs: 300,
    });
    await server.start();
    server.markReady();
    const firstPid = server.status().pid!;
    const grandchild = await spawnGrandchild(server, true);

    const exited = nextEvent<[ExitInfo]>(server, 'exit');
    const respawned = nextEvent(server, 'spawn');
    server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 1 } });
    const [info] = await exited;
    expect(info.code).toBe(1);
    await respawned;
    // The restart waited for the old group to be gone.
    expect(isProcessAlive(grandchild)).toBe(false);
    expect(isGroupAlive(firstPid)).toBe(false);
  });

  it('kills the group when the child is killed from outside', async () => {
    const server = resources.server({ name: 'killed', command: fixtureCommand(), restart: { enabled: false } });
    await server.start();
    server.markReady();
    const childPid = server.status().pid!;
    const grandchild = await spawnGrandchild(server);
    const exited = nextEvent<[ExitInfo]>(server, 'exit');
    process.kill(childPid, 'SIGKILL');
    const [info] = await exited;
    expect(info).toMatchObject({ signal: 'SIGKILL', during: 'run' });
    expect(info.reason).toContain('killed by SIGKILL');
    await waitFor('the grandchild to be reaped', () => !isProcessAlive(grandchild));
    await server.stop();
    expect(isGroupAlive(childPid)).toBe(false);
  });
});

describe('a daemon that exits without stop()', () => {
  it('takes its servers\' process groups (grandchildren included) with it', async () => {
    const daemon = path.join(__dirname, '..', 'test-fixtures', 'exiting-daemon.js');
    const { stdout } = await promisify(execFile)(process.execPath, [daemon], { timeout: 20_000 });
    const { child, grandchild } = JSON.parse(stdout) as { child: number; grandchild: number };
    resources.pid(child);
    resources.pid(grandchild);
    // The exit handler's SIGKILL is sent synchronously, but dying takes the kernel a moment.
    await waitFor('the orphaned child and grandchild to be gone', () => !isProcessAlive(child) && !isProcessAlive(grandchild));
  });
});

describe('process-group helpers', () => {
  function detachedSleeper() {
    const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    resources.pid(child.pid!);
    return child;
  }

  it('terminateGroup sends SIGTERM and resolves once the group is gone', async () => {
    const child = detachedSleeper();
    const exit = once(child, 'exit');
    expect(await terminateGroup(child.pid!, 2_000)).toEqual({ killed: false, survivors: false });
    expect(await exit).toEqual([null, 'SIGTERM']);
    expect(isGroupAlive(child.pid!)).toBe(false);
  });

  it('terminateGroup on a group that is already gone returns at once', async () => {
    const child = detachedSleeper();
    const exit = once(child, 'exit');
    process.kill(child.pid!, 'SIGKILL');
    await exit;
    expect(await terminateGroup(child.pid!, 2_000)).toEqual({ killed: false, survivors: false });
  });

  it('the exit handler SIGKILLs every tracked group synchronously', async () => {
    const child = detachedSleeper();
    const exit = once(child, 'exit');
    trackGroup(child.pid!);
    killTrackedGroups();
    expect(await exit).toEqual([null, 'SIGKILL']);
  });

  it('registers the exit handler on the process once a group is tracked', () => {
    trackGroup(999_999_999);
    expect(process.listeners('exit')).toContain(killTrackedGroups);
    killTrackedGroups();
  });
});
