import type { ExitInfo, ServerStatus } from './types';
import {
  fixtureCommand,
  isProcessAlive,
  nextEvent,
  request,
  resultOf,
  TestResources,
  waitFor,
} from '../test-fixtures/helpers';

const resources = new TestResources();
afterEach(() => resources.cleanup());

const quickRestarts = { initialDelayMs: 20, maxDelayMs: 50, failedAfterExits: 5, failedWindowMs: 30_000, failedRetryDelayMs: 400 };

describe("SupervisedServer: the 'stderr' event", () => {
  it('emits each non-blank stderr line with the generation that wrote it', async () => {
    const server = resources.server({ name: 'talker', command: fixtureCommand('--stderr=at start') });
    const lines: Array<[string, number]> = [];
    server.on('stderr', (line, generation) => lines.push([line, generation]));
    await server.start();
    await request(server, 'stderr', { lines: ['one', '', 'two'] });
    await waitFor('both stderr lines', () => lines.length >= 3);
    expect(lines).toEqual([
      ['at start', 1],
      ['one', 1],
      ['two', 1],
    ]);

    await server.restart('a test');
    await request(server, 'stderr', { lines: ['after restart'] });
    await waitFor('the line of the new child', () => lines.some(([line]) => line === 'after restart'));
    expect(lines.filter(([line]) => line === 'after restart')).toEqual([['after restart', 2]]);
  });
});

describe('SupervisedServer.restart()', () => {
  it('replaces the running child at once: exit with the reason, a new generation, counted in restarts', async () => {
    const server = resources.server({ name: 'renew', command: fixtureCommand(), restart: quickRestarts });
    await server.start();
    server.markReady();
    const oldPid = server.status().pid as number;
    const { message } = await request(server, 'spawnGrandchild');
    const grandchild = resources.pid(resultOf(message).pid as number);
    const states: ServerStatus[] = [];
    server.on('state', (status) => states.push(status));
    const exited = nextEvent<[ExitInfo]>(server, 'exit');
    const spawned = nextEvent<[number]>(server, 'spawn');

    await server.restart('credentials changed');

    const [info] = await exited;
    expect(info).toMatchObject({ during: 'run', generation: 1 });
    expect(info.reason).toBe('Server "renew" was restarted by request (credentials changed).');
    expect(await spawned).toEqual([2]);
    expect(isProcessAlive(oldPid)).toBe(false);
    expect(isProcessAlive(grandchild)).toBe(false);
    const status = server.status();
    expect(status).toMatchObject({ state: 'starting', generation: 2, restarts: 1, lastError: null });
    expect(status.reason).toMatch(/^Server "renew" was restarted by request \(credentials changed\)\. Starting \(pid \d+, generation 2\)/);
    expect(status.lastExit?.reason).toContain('credentials changed');
    expect(states.map((s) => s.state)).toEqual(['starting', 'starting']);
    expect(states[0].reason).toContain('is being restarted (credentials changed)');
    expect((await request(server, 'echo', { again: true })).generation).toBe(2);
  });

  it('joins concurrent calls into one restart', async () => {
    const server = resources.server({ name: 'once', command: fixtureCommand() });
    await server.start();
    let spawns = 0;
    server.on('spawn', () => spawns++);
    await Promise.all([server.restart('first'), server.restart('second')]);
    expect(spawns).toBe(1);
    expect(server.status()).toMatchObject({ generation: 2, restarts: 1 });
  });

  it('supersedes a pending backoff: the child comes back now, not after the delay', async () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const server = resources.server({
        name: 'impatient',
        command: fixtureCommand(),
        restart: { ...quickRestarts, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      });
      await server.start();
      const backoff = nextEvent<[ServerStatus]>(server, 'state', (s) => s.state === 'backoff');
      server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 1 } });
      await backoff;
      await server.restart('the user logged in');
      expect(server.status()).toMatchObject({ state: 'starting', generation: 2, restarts: 1 });
      expect(server.status().pid).toEqual(expect.any(Number));
      expect((server as unknown as { restartTimer: unknown }).restartTimer).toBeNull();
    } finally {
      random.mockRestore();
    }
  });

  it('does nothing for a server that was never started or was stopped', async () => {
    const server = resources.server({ name: 'idle', command: fixtureCommand() });
    await server.restart('nothing to restart');
    expect(server.status()).toMatchObject({ state: 'stopped', generation: 0, restarts: 0 });
    await server.start();
    await server.stop();
    await server.restart('still nothing');
    expect(server.status()).toMatchObject({ state: 'stopped', generation: 1, restarts: 0, pid: null });
  });

  it('stop() during a restart wins: no new child is spawned', async () => {
    const server = resources.server({ name: 'stopper', command: fixtureCommand('--ignore-sigterm'), stopGraceMs: 300 });
    await server.start();
    await request(server, 'echo'); // its SIGTERM handler is installed
    let spawns = 0;
    server.on('spawn', () => spawns++);
    const restarting = server.restart('changed');
    // The old child ignores SIGTERM, so the restart is still stopping it when stop() comes.
    await waitFor('the restart to be stopping the old child', () => server.status().reason.includes('is being restarted'));
    const stopping = server.stop();
    await Promise.all([restarting, stopping]);
    expect(spawns).toBe(0);
    expect(server.status()).toMatchObject({ state: 'stopped', pid: null });
  });
});
