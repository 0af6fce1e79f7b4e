import { DEFAULT_RESTART_POLICY, resolveRestartPolicy, RestartSchedule } from './backoff';

const policy = resolveRestartPolicy({
  initialDelayMs: 100,
  maxDelayMs: 1_000,
  failedAfterExits: 5,
  failedWindowMs: 60_000,
  failedRetryDelayMs: 30_000,
});

describe('RestartSchedule', () => {
  it('documents its defaults: 250 ms doubling to 10 s, failed after 5 exits in 60 s, then every 60 s', () => {
    expect(resolveRestartPolicy(undefined)).toEqual(DEFAULT_RESTART_POLICY);
    expect(DEFAULT_RESTART_POLICY).toEqual({
      enabled: true,
      initialDelayMs: 250,
      maxDelayMs: 10_000,
      failedAfterExits: 5,
      failedWindowMs: 60_000,
      failedRetryDelayMs: 60_000,
    });
    expect(resolveRestartPolicy({ initialDelayMs: undefined, maxDelayMs: 5 }).initialDelayMs).toBe(250);
  });

  it('doubles the cap with each exit in the window and never exceeds maxDelayMs (upper end of the jitter)', () => {
    const schedule = new RestartSchedule({ ...policy, failedAfterExits: 100 }, () => 1);
    const delays = Array.from({ length: 6 }, (_, i) => schedule.recordExit(i).delayMs);
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('uses full jitter: the delay is the random fraction of the cap, down to zero', () => {
    const fractions = [0, 0.5, 0.25];
    const schedule = new RestartSchedule({ ...policy, failedAfterExits: 100 }, () => fractions.shift()!);
    expect([schedule.recordExit(0), schedule.recordExit(1), schedule.recordExit(2)].map((d) => d.delayMs)).toEqual([
      0, 100, 100,
    ]);
  });

  it('fails on the 5th exit within the window and then retries at failedRetryDelayMs', () => {
    const schedule = new RestartSchedule(policy, () => 1);
    const decisions = Array.from({ length: 5 }, (_, i) => schedule.recordExit(i * 1_000));
    expect(decisions.map((d) => d.failed)).toEqual([false, false, false, false, true]);
    expect(decisions[4]).toEqual({ delayMs: 30_000, failed: true, recentExits: 5 });
  });

  it('stays failed through slow retries even after the window empties, until the server is healthy', () => {
    const schedule = new RestartSchedule(policy, () => 1);
    for (let i = 0; i < 5; i += 1) schedule.recordExit(i);
    const later = schedule.recordExit(10 * 60_000);
    expect(later).toMatchObject({ failed: true, delayMs: 30_000, recentExits: 1 });
    schedule.noteHealthy();
    expect(schedule.recordExit(20 * 60_000)).toEqual({ delayMs: 100, failed: false, recentExits: 1 });
  });

  it('forgets exits older than the window, so a server up for a while restarts fast again', () => {
    const schedule = new RestartSchedule(policy, () => 1);
    for (let i = 0; i < 4; i += 1) schedule.recordExit(i);
    expect(schedule.recordExit(61_000)).toEqual({ delayMs: 100, failed: false, recentExits: 1 });
  });
});
