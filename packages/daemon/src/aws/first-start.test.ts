import { EventEmitter } from 'node:events';
import { createUpstream, type Upstream } from '@mcp-workstation/bridge';
import { SupervisedServer, type MessageChannel, type ServerStatus } from '@mcp-workstation/supervisor';
import { awsServerConfig } from './endpoints';
import { FirstStartProgress } from './first-start';
import { cleanUpHomes, makeTempHome, RecordingLogger } from './test-support/aws-fixtures';

const upstreams: Upstream[] = [];
const progresses: FirstStartProgress[] = [];

afterEach(async () => {
  for (const progress of progresses.splice(0)) progress.detach();
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.close()));
  cleanUpHomes();
});

describe('FirstStartProgress with the real supervisor and bridge', () => {
  test('a slow first start (uvx downloading) is reported every interval until the child answers initialize', async () => {
    const temp = makeTempHome();
    const lines: string[] = [];
    const entry = awsServerConfig();
    const progress = new FirstStartProgress({ server: 'aws', command: entry.command, intervalMs: 200, log: (line) => lines.push(line) });
    progresses.push(progress);
    const upstream = createUpstream({
      name: 'aws',
      mode: 'shared',
      createChannel: () => {
        const channel = new SupervisedServer({ name: 'aws', command: { ...entry, env: { ...temp.env, FIXTURE_UVX_DELAY_MS: '1200' } }, logger: new RecordingLogger() });
        progress.attach(channel);
        return channel;
      },
    });
    upstreams.push(upstream);

    await upstream.start();

    expect(upstream.readiness().ready).toBe(true);
    const ticks = lines.filter((line) => /^starting aws: downloading… \d+ s$/.test(line));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/^aws answered after \d+ s$/);
  });
});

/** A channel driven by hand, for the timing rules (with jest's fake timers). */
class HandChannel extends EventEmitter {
  state: ServerStatus['state'] = 'stopped';
  status(): ServerStatus {
    return { name: 'x', state: this.state, reason: '', pid: this.state === 'starting' ? 1 : null, generation: 1, restarts: 0, lastExit: null, lastError: null, since: new Date() };
  }
  move(state: ServerStatus['state']): void {
    this.state = state;
    if (state === 'starting') this.emit('spawn', 1);
    this.emit('state', this.status());
  }
}

describe('FirstStartProgress timing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function follow(command = 'uvx') {
    const lines: string[] = [];
    // jest's modern fake timers move Date.now() along with the timers.
    const progress = new FirstStartProgress({ server: 'aws', command, intervalMs: 5_000, log: (line) => lines.push(line) });
    progresses.push(progress);
    const channel = new HandChannel();
    progress.attach(channel as unknown as MessageChannel);
    const advance = (ms: number) => jest.advanceTimersByTime(ms);
    return { lines, channel, advance };
  }

  test('a quick start says nothing', () => {
    const { lines, channel, advance } = follow();
    channel.move('starting');
    advance(1_500);
    channel.move('ready');
    advance(20_000);
    expect(lines).toEqual([]);
  });

  test('every interval while starting, then one line when it answered; a restart starts the clock again', () => {
    const { lines, channel, advance } = follow();
    channel.move('starting');
    advance(12_000);
    channel.move('ready');
    expect(lines).toEqual(['starting aws: downloading… 5 s', 'starting aws: downloading… 10 s', 'aws answered after 12 s']);
    channel.move('starting');
    advance(5_000);
    expect(lines.at(-1)).toBe('starting aws: downloading… 5 s');
  });

  test('a server that is not run by a package runner is "waiting", and an exit stops the reports', () => {
    const { lines, channel, advance } = follow('/opt/server/bin/serve');
    channel.move('starting');
    advance(5_000);
    channel.move('backoff');
    advance(30_000);
    expect(lines).toEqual(['starting aws: waiting for its first answer… 5 s']);
  });
});
