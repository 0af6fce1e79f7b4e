import { Timing } from '@mcp-workstation/protocol';
import { ReconnectBackoff, ReplacementCounter } from './backoff.js';
import { DEFAULT_CONTROL_TIMING } from './control-channel.js';

const almostOne = (): number => 1 - 1e-9;

test('the channel’s defaults are protocol.md’s timings', () => {
  expect(DEFAULT_CONTROL_TIMING).toMatchObject({
    pingIntervalMs: 20_000,
    pongTimeoutMs: 20_000,
    statusIntervalMs: 30_000,
    reconnectBaseMs: 1_000,
    reconnectFactor: 2,
    reconnectCapMs: 60_000,
    reconnectResetAfterMs: 60_000,
    replacedWaitMs: 60_000,
    replacedWindowMs: 600_000,
    replacedLimit: 3,
  });
  const { registrationRetryBudgetMs: _registration, handshakeStaleMs: _handshake, ...controlTimings } = Timing;
  expect(DEFAULT_CONTROL_TIMING).toMatchObject(controlTimings);
});

describe('ReconnectBackoff with the protocol’s timings', () => {
  test('full jitter below 1 s, 2 s, 4 s … capped at 60 s', () => {
    const top = new ReconnectBackoff(DEFAULT_CONTROL_TIMING, almostOne);
    const ceilings = Array.from({ length: 9 }, () => top.nextDelayMs() + 1);
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);

    const bottom = new ReconnectBackoff(DEFAULT_CONTROL_TIMING, () => 0);
    expect(Array.from({ length: 5 }, () => bottom.nextDelayMs())).toEqual([0, 0, 0, 0, 0]);

    const middle = new ReconnectBackoff(DEFAULT_CONTROL_TIMING, () => 0.5);
    expect(Array.from({ length: 3 }, () => middle.nextDelayMs())).toEqual([500, 1_000, 2_000]);
  });

  test('forever: a thousand attempts still give a delay within the cap', () => {
    const backoff = new ReconnectBackoff(DEFAULT_CONTROL_TIMING, almostOne);
    for (let i = 0; i < 1_000; i += 1) backoff.nextDelayMs();
    expect(backoff.nextDelayMs()).toBe(59_999);
    expect(backoff.attempts).toBe(1_001);
  });

  test('resets only when a connection welcomed at least 60 s ago ends', () => {
    const backoff = new ReconnectBackoff(DEFAULT_CONTROL_TIMING, almostOne);
    for (let i = 0; i < 4; i += 1) backoff.nextDelayMs();
    backoff.connectionEnded(null);
    expect(backoff.attempts).toBe(4);
    backoff.connectionEnded(59_999);
    expect(backoff.attempts).toBe(4);
    backoff.connectionEnded(60_000);
    expect(backoff.attempts).toBe(0);
    expect(backoff.nextDelayMs()).toBe(999);
  });
});

describe('ReplacementCounter with the protocol’s window', () => {
  test('three 4409 within 10 minutes reach the limit', () => {
    let now = 0;
    const counter = new ReplacementCounter(Timing.replacedWindowMs, Timing.replacedLimit, () => now);
    expect(counter.record()).toBe(false);
    now += 4 * 60_000;
    expect(counter.record()).toBe(false);
    now += 6 * 60_000;
    expect(counter.record()).toBe(true);
  });

  test('older ones fall out of the window', () => {
    let now = 0;
    const counter = new ReplacementCounter(Timing.replacedWindowMs, Timing.replacedLimit, () => now);
    counter.record();
    now += 5 * 60_000;
    counter.record();
    now += 5 * 60_000 + 1;
    expect(counter.record()).toBe(false);
    expect(counter.count).toBe(2);
  });
});
