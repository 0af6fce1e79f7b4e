import type { ExitInfo } from './types';
import { isGroupAlive, isProcessAlive } from './process-group';
import { fixtureCommand, nextEvent, RecordingLogger, request, resultOf, TestResources } from '../test-fixtures/helpers';

// A child whose stdio can no longer carry messages while the process runs on: it closed its
// stdout, or it stopped reading its stdin. Each is a failure like an exit: reported at once
// (so what waits for it fails), the process stopped, a new one started.

const resources = new TestResources();
afterEach(() => resources.cleanup());

const quickRestarts = { initialDelayMs: 10, maxDelayMs: 20 };

describe('a child that closes its stdout and keeps running', () => {
  it('ends the run at once with a reason that says so, stops the process and restarts it', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'mute', command: fixtureCommand(), logger, restart: quickRestarts, stopGraceMs: 5_000 });
    await server.start();
    server.markReady();
    const firstPid = server.status().pid!;

    const exited = nextEvent<[ExitInfo]>(server, 'exit');
    const respawned = nextEvent<[number]>(server, 'spawn');
    const closedAt = Date.now();
    await request(server, 'closeStdout');
    const [info] = await exited;
    // The grace that tells an exit from a lost channel is a fraction of a second, not the stop grace.
    expect(Date.now() - closedAt).toBeLessThan(2_000);
    expect(info).toMatchObject({ code: null, signal: null, during: 'run', generation: 1 });
    expect(info.requested).toBeFalsy();
    expect(info.reason).toBe(`Server "mute" closed its stdout while still running (pid ${firstPid}), so it could answer nothing any more; it was stopped.`);
    expect(server.send({ jsonrpc: '2.0', method: 'notifications/ping' })).toBe(false);
    expect(server.status()).toMatchObject({ state: 'backoff', pid: null, lastError: info.reason });
    expect(logger.find((r) => r.level === 'warn' && r.message === info.reason)?.meta).toMatchObject({ server: 'mute' });

    expect(await respawned).toEqual([2]);
    // The restart waited for the old process to be gone.
    expect(isProcessAlive(firstPid)).toBe(false);
    expect(isGroupAlive(firstPid)).toBe(false);
    expect(resultOf((await request(server, 'echo', { again: true })).message)).toEqual({ again: true });
  });

  it('before it answered initialize: reported as a failure during start', async () => {
    const server = resources.server({ name: 'mute-at-start', command: fixtureCommand(), restart: { enabled: false } });
    await server.start();
    const exited = nextEvent<[ExitInfo]>(server, 'exit');
    await request(server, 'closeStdout');
    const [info] = await exited;
    expect(info).toMatchObject({ during: 'start' });
    expect(info.reason).toContain('closed its stdout while still running');
    expect(server.status().state).toBe('stopped');
  });

  it('a child that simply exits is reported as an exit, not as a lost stdout', async () => {
    const server = resources.server({ name: 'plain-exit', command: fixtureCommand(), restart: { enabled: false } });
    await server.start();
    server.markReady();
    const exited = nextEvent<[ExitInfo]>(server, 'exit');
    server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 4 } });
    const [info] = await exited;
    expect(info).toMatchObject({ code: 4, during: 'run' });
    expect(info.reason).toMatch(/"plain-exit" exited \(exit code 4\)/);
  });
});

describe("what waits in front of a child's stdin is bounded", () => {
  it('a child that stops reading is treated as stalled once more than maxStdinBacklogBytes wait', async () => {
    const limit = 64 * 1024;
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'deaf', command: fixtureCommand(), logger, maxStdinBacklogBytes: limit, restart: quickRestarts });
    await server.start();
    server.markReady();
    const firstPid = server.status().pid!;
    await request(server, 'stopReading');

    let info: ExitInfo | undefined;
    server.once('exit', (exit) => (info = exit));
    const filler = 'x'.repeat(16 * 1024);
    let sent = 0;
    // Each send is flushed on the next turn of the loop; the child's pipe takes some first.
    while (!info && sent < 4_000) {
      server.send({ jsonrpc: '2.0', method: 'notifications/filler', params: { filler } });
      sent += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(info).toBeDefined();
    expect(info!.reason).toMatch(/^Server "deaf" stopped reading its stdin \(pid \d+\): .* of messages waited for it, over the limit of 64 KiB \(maxStdinBacklogBytes\), so it was treated as stalled and stopped\.$/);
    const waited = Number(/: ([\d.]+) KiB of messages/.exec(info!.reason)?.[1]);
    // Bounded: the limit plus what one turn of the loop wrote, never more.
    expect(waited * 1024).toBeLessThanOrEqual(limit + 17 * 1024);
    expect(logger.find((r) => r.level === 'warn' && r.message === info!.reason)).toBeDefined();
    await nextEvent(server, 'spawn');
    expect(isProcessAlive(firstPid)).toBe(false);
    expect((await request(server, 'echo')).generation).toBe(2);
  });

  it('one message bigger than the limit still reaches a child that reads', async () => {
    const server = resources.server({ name: 'reader', command: fixtureCommand(), maxStdinBacklogBytes: 16 * 1024 });
    await server.start();
    const big = 'y'.repeat(1024 * 1024);
    const { message, generation } = await request(server, 'echo', { big });
    expect(resultOf(message)).toEqual({ big });
    expect(generation).toBe(1);
  });
});
