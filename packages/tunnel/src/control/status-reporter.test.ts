import type { StatusFrame } from '@mcp-workstation/protocol';
import { DEFAULT_CONTROL_TIMING } from './control-channel.js';
import { StatusReporter } from './status-reporter.js';
import { CollectingLogger } from './test-support/agent-harness.js';

/** The protocol's real 30 s, on Jest's fake clock. */
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function reporter(sent: StatusFrame[], logger = new CollectingLogger()): StatusReporter {
  let restarts = 0;
  return new StatusReporter({
    provide: async () => ({ servers: [{ name: 'default', state: 'ready', restarts: restarts++, lastError: null }], tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 0 } }),
    send: (frame) => sent.push(frame) > 0,
    intervalMs: DEFAULT_CONTROL_TIMING.statusIntervalMs,
    logger,
  });
}

test('once at start, then every 30 s', async () => {
  const sent: StatusFrame[] = [];
  const status = reporter(sent);
  status.start();
  await jest.advanceTimersByTimeAsync(0);
  expect(sent).toHaveLength(1);
  await jest.advanceTimersByTimeAsync(29_999);
  expect(sent).toHaveLength(1);
  await jest.advanceTimersByTimeAsync(1);
  expect(sent).toHaveLength(2);
  await jest.advanceTimersByTimeAsync(60_000);
  expect(sent).toHaveLength(4);
  status.stop();
});

test('a change sends at once and restarts the 30 s', async () => {
  const sent: StatusFrame[] = [];
  const status = reporter(sent);
  status.start();
  await jest.advanceTimersByTimeAsync(10_000);
  status.changed();
  await jest.advanceTimersByTimeAsync(0);
  expect(sent).toHaveLength(2);
  await jest.advanceTimersByTimeAsync(29_999);
  expect(sent).toHaveLength(2);
  await jest.advanceTimersByTimeAsync(1);
  expect(sent).toHaveLength(3);
  status.stop();
});

test('after stop() nothing more is sent', async () => {
  const sent: StatusFrame[] = [];
  const status = reporter(sent);
  status.start();
  await jest.advanceTimersByTimeAsync(0);
  status.stop();
  status.changed();
  await jest.advanceTimersByTimeAsync(120_000);
  expect(sent).toHaveLength(1);
});

test('a provider that fails is logged and retried at the next interval', async () => {
  const sent: StatusFrame[] = [];
  const logger = new CollectingLogger();
  let calls = 0;
  const status = new StatusReporter({
    provide: () => {
      calls += 1;
      if (calls === 1) throw new Error('statistics unavailable');
      return { servers: [], tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 0 } };
    },
    send: (frame) => sent.push(frame) > 0,
    intervalMs: DEFAULT_CONTROL_TIMING.statusIntervalMs,
    logger,
  });
  status.start();
  await jest.advanceTimersByTimeAsync(0);
  expect(sent).toHaveLength(0);
  expect(logger.at('error')).toEqual(['could not send status: statistics unavailable']);
  await jest.advanceTimersByTimeAsync(30_000);
  expect(sent).toHaveLength(1);
  status.stop();
});
