import type { ServerStatus } from './types';
import { isProcessAlive } from './process-group';
import {
  fixtureCommand,
  nextEvent,
  RecordingLogger,
  request,
  resultOf,
  TestResources,
  waitFor,
} from '../test-fixtures/helpers';

const resources = new TestResources();
afterEach(() => resources.cleanup());

/** Fast timings so the restart tests run in well under a second each. */
const quickRestarts = { initialDelayMs: 20, maxDelayMs: 50, failedAfterExits: 5, failedWindowMs: 30_000, failedRetryDelayMs: 400 };

describe('SupervisedServer: a running child', () => {
  it('round-trips a message through a real child and reports starting, then ready', async () => {
    const server = resources.server({ name: 'echo', command: fixtureCommand() });
    const states: string[] = [];
    server.on('state', (status) => states.push(status.state));
    const spawned = nextEvent<[number]>(server, 'spawn');
    await server.start();
    expect(await spawned).toEqual([1]);
    expect(server.status()).toMatchObject({ name: 'echo', state: 'starting', generation: 1, restarts: 0 });
    expect(server.status().pid).toEqual(expect.any(Number));

    const { message, generation } = await request(server, 'echo', { hello: 'world', n: [1, 2] });
    expect(resultOf(message)).toEqual({ hello: 'world', n: [1, 2] });
    expect(generation).toBe(1);

    server.markReady();
    expect(server.status()).toMatchObject({ state: 'ready', lastError: null });
    expect(states).toEqual(['starting', 'ready']);
  });

  it('start() is idempotent: one child however often it is called', async () => {
    const server = resources.server({ name: 'once', command: fixtureCommand() });
    let spawns = 0;
    server.on('spawn', () => spawns++);
    await Promise.all([server.start(), server.start()]);
    await server.start();
    const pid = server.status().pid;
    await request(server, 'echo');
    expect(spawns).toBe(1);
    expect(server.status()).toMatchObject({ generation: 1, pid });
  });

  it('send() returns false when no child is running, before start and after stop', async () => {
    const server = resources.server({ name: 'idle', command: fixtureCommand() });
    expect(server.send({ jsonrpc: '2.0', method: 'ping' })).toBe(false);
    await server.start();
    expect(server.send({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(true);
    await server.stop();
    expect(server.send({ jsonrpc: '2.0', method: 'ping' })).toBe(false);
    expect(server.status()).toMatchObject({ state: 'stopped', pid: null });
  });

  it('merges env over the daemon environment; undefined removes a variable', async () => {
    process.env.SUPERVISOR_TEST_INHERITED = 'inherited';
    process.env.SUPERVISOR_TEST_REMOVED = 'should not reach the child';
    try {
      const server = resources.server({
        name: 'env',
        command: { ...fixtureCommand(), env: { SUPERVISOR_TEST_SET: 'set', SUPERVISOR_TEST_REMOVED: undefined } },
      });
      await server.start();
      const names = ['SUPERVISOR_TEST_INHERITED', 'SUPERVISOR_TEST_SET', 'SUPERVISOR_TEST_REMOVED'];
      const { message } = await request(server, 'env', { names });
      expect(resultOf(message).values).toEqual({
        SUPERVISOR_TEST_INHERITED: 'inherited',
        SUPERVISOR_TEST_SET: 'set',
        SUPERVISOR_TEST_REMOVED: null,
      });
    } finally {
      delete process.env.SUPERVISOR_TEST_INHERITED;
      delete process.env.SUPERVISOR_TEST_REMOVED;
    }
  });

  it('runs an argv without a shell: metacharacters in arguments arrive untouched', async () => {
    const args = ['$HOME', '*', 'a b', "it's", '; echo hi'];
    const server = resources.server({ name: 'argv', command: fixtureCommand(...args) });
    await server.start();
    const { message } = await request(server, 'argv');
    expect(resultOf(message).argv).toEqual(args);
  });

  it('with shell: runs the command through /bin/sh, args passed as positional parameters', async () => {
    const { command, args } = fixtureCommand();
    const server = resources.server({
      name: 'shell',
      command: { command: `SUPERVISOR_VIA_SHELL=yes exec "${command}" ${args.join(' ')}`, args: ['a b', '$HOME'], shell: true },
    });
    await server.start();
    expect(resultOf((await request(server, 'argv')).message).argv).toEqual(['a b', '$HOME']);
    expect(resultOf((await request(server, 'env', { names: ['SUPERVISOR_VIA_SHELL'] })).message).values).toEqual({
      SUPERVISOR_VIA_SHELL: 'yes',
    });
  });

  it('keeps the channel going through junk, oversize and CRLF output of a real child', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'noisy', command: fixtureCommand(), maxMessageBytes: 4096, logger });
    await server.start();
    await request(server, 'raw', { text: 'a banner line\r\n{"jsonrpc":"2.0","method":"crlf/works"}\r\n' });
    await request(server, 'big', { bytes: 200_000 });
    const { message } = await request(server, 'echo', { still: 'alive' });
    expect(resultOf(message)).toEqual({ still: 'alive' });
    expect(logger.find((r) => r.message.includes('200000 bytes') && r.message.includes('"noisy"'))).toBeDefined();
    expect(logger.find((r) => r.message.includes('not JSON') && r.message.includes('a banner line'))).toBeDefined();
  });

  it('logs stderr lines tagged with the server name and keeps the tail for the exit report', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'chatty', command: fixtureCommand(), logger, stderrTailLines: 2 });
    await server.start();
    await request(server, 'stderr', { lines: ['first line', 'second line', 'third line'] });
    const record = await waitFor('the stderr line in the log', () => logger.find((r) => r.message === 'third line'));
    expect(record.meta).toMatchObject({ server: 'chatty' });
    expect(['info', 'warn']).toContain(record.level);
    await server.stop();
    expect(server.status().lastExit?.stderrTail).toEqual(['second line', 'third line']);
  });
  it('a child that closed its stdin but runs on is stopped and restarted, with one log line naming it', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'deaf', command: fixtureCommand(), logger, restart: quickRestarts });
    await server.start();
    server.markReady();
    const firstPid = server.status().pid!;
    let info: import('./types').ExitInfo | undefined;
    server.once('exit', (exit) => (info = exit));
    await request(server, 'closeStdin');
    // A write that fails with EPIPE is how the supervisor learns of it.
    await waitFor('the exit event', () => info ?? (server.send({ jsonrpc: '2.0', method: 'notifications/ping' }) && undefined));
    expect(info).toMatchObject({ code: null, signal: null, during: 'run', generation: 1 });
    expect(info!.requested).toBeFalsy();
    expect(info!.reason).toContain(`Server "deaf" closed its stdin while still running (pid ${firstPid})`);
    const logged = logger.records.filter((r) => r.level !== 'debug' && r.message.includes('closed its stdin'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'warn', meta: { server: 'deaf' } });
    await nextEvent(server, 'spawn');
    expect(isProcessAlive(firstPid)).toBe(false);
    expect((await request(server, 'echo')).generation).toBe(2);
  });

  it('delivers what the child wrote before it exited ahead of the exit event', async () => {
    const server = resources.server({ name: 'last-words', command: fixtureCommand(), restart: { enabled: false } });
    await server.start();
    const events: string[] = [];
    server.on('message', (message) => events.push('method' in message ? message.method : 'response'));
    server.on('exit', () => events.push('exit'));
    const exited = nextEvent(server, 'exit');
    server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 0, notify: 'goodbye' } });
    await exited;
    expect(events).toEqual(['goodbye', 'exit']);
  });

  it('a throwing listener is logged and does not break the channel', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'robust', command: fixtureCommand(), logger });
    server.on('message', () => {
      throw new Error('listener bug');
    });
    await server.start();
    const { message } = await request(server, 'echo', { ok: true });
    expect(resultOf(message)).toEqual({ ok: true });
    expect(logger.find((r) => r.level === 'error' && r.message.includes('listener bug'))?.meta).toMatchObject({ server: 'robust' });
  });
});

describe('SupervisedServer: restarts', () => {
  it('restarts a crashed child with backoff: generation and restarts count up, spawn is emitted again', async () => {
    const server = resources.server({ name: 'crashy', command: fixtureCommand(), restart: quickRestarts });
    const states: string[] = [];
    server.on('state', (status) => states.push(status.state));
    await server.start();
    server.markReady();
    const firstPid = server.status().pid;

    const exited = nextEvent<[import('./types').ExitInfo]>(server, 'exit');
    const respawned = nextEvent<[number]>(server, 'spawn');
    server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 3, stderr: ['about to crash'] } });
    const [info] = await exited;
    expect(info).toMatchObject({ code: 3, signal: null, during: 'run', generation: 1, stderrTail: ['about to crash'] });
    expect(info.reason).toMatch(/"crashy" exited \(exit code 3\).*about to crash/s);
    expect(await respawned).toEqual([2]);

    expect(server.status()).toMatchObject({ state: 'starting', generation: 2, restarts: 1 });
    expect(server.status().lastError).toBe(info.reason);
    expect(server.status().pid).not.toBe(firstPid);
    expect(states).toEqual(['starting', 'ready', 'backoff', 'starting']);
    const { generation } = await request(server, 'echo');
    expect(generation).toBe(2);
  });

  it('is failed after 5 quick exits, names the reason, and keeps retrying slowly', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({
      name: 'doomed',
      command: fixtureCommand('--stderr=cannot reach upstream', '--exit-at-start=4'),
      restart: quickRestarts,
      logger,
    });
    const failed = nextEvent<[ServerStatus]>(server, 'state', (status) => status.state === 'failed');
    await server.start();
    const [status] = await failed;
    const failedAt = Date.now();
    expect(status.reason).toMatch(/"doomed" exited 5 times within 30 s; it keeps retrying every 400 ms/);
    expect(status.reason).toContain('cannot reach upstream');
    expect(status).toMatchObject({ generation: 5, restarts: 4 });
    expect(logger.find((r) => r.level === 'error' && r.message.includes('exited 5 times'))).toBeDefined();

    // Still retrying, slowly: the next spawn waits for failedRetryDelayMs, then it is failed again.
    await nextEvent(server, 'spawn');
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(350);
    const [again] = await nextEvent<[ServerStatus]>(server, 'state', (s) => s.state !== 'starting');
    expect(again).toMatchObject({ state: 'failed', generation: 6, restarts: 5 });
  });

  it('recovers from failed once a retry comes up and is marked ready', async () => {
    const server = resources.server({
      name: 'flaky',
      command: fixtureCommand('--exit-at-start=1'),
      restart: { ...quickRestarts, failedAfterExits: 2, failedRetryDelayMs: 50 },
    });
    await server.start();
    await waitFor('state failed', () => server.status().state === 'failed');
    // Fix the "environment": the next attempt runs a healthy child.
    server.options.command.args = fixtureCommand().args;
    await nextEvent(server, 'spawn');
    server.markReady();
    expect(server.status().state).toBe('ready');
  });

  it('with restart disabled, an exit leaves the server stopped with the reason', async () => {
    const server = resources.server({ name: 'session', command: fixtureCommand(), restart: { enabled: false } });
    await server.start();
    server.markReady();
    const stopped = nextEvent<[ServerStatus]>(server, 'state', (s) => s.state === 'stopped');
    server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 0 } });
    const [status] = await stopped;
    expect(status.reason).toMatch(/exited \(exit code 0\).*restart is disabled/s);
    expect(status).toMatchObject({ generation: 1, restarts: 0, pid: null });
  });

  it('stop() cancels a pending restart and is idempotent', async () => {
    // Jitter is a fraction of the 60 s cap; pin it so the pending restart is 30 s away.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const server = resources.server({
        name: 'waiting',
        command: fixtureCommand(),
        restart: { ...quickRestarts, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      });
      await server.start();
      const backoff = nextEvent<[ServerStatus]>(server, 'state', (s) => s.state === 'backoff');
      server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 1 } });
      const [status] = await backoff;
      expect(status.reason).toMatch(/Restarting in 30 s/);

      let spawns = 0;
      server.on('spawn', () => spawns++);
      await Promise.all([server.stop(), server.stop()]);
      await server.stop();
      expect(server.status()).toMatchObject({ state: 'stopped', generation: 1 });
      expect((server as unknown as { restartTimer: unknown }).restartTimer).toBeNull();
      expect(spawns).toBe(0);
    } finally {
      random.mockRestore();
    }
  });

  it('can be started again after stop()', async () => {
    const server = resources.server({ name: 'again', command: fixtureCommand() });
    await server.start();
    await server.stop();
    await server.start();
    expect(server.status()).toMatchObject({ state: 'starting', generation: 2 });
    expect((await request(server, 'echo')).generation).toBe(2);
  });
});
