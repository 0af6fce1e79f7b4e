import { RestartBackoff } from './restart-backoff';

describe('RestartBackoff', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000, failedAfterExits: 3, windowMs: 60_000 };

  it('waits longer after each exit in the window, within half and all of the capped delay', () => {
    const backoff = new RestartBackoff(policy);
    const delays = [0, 1, 2, 3, 4, 5].map((second) => backoff.next(second * 1_000).delayMs);
    const ceilings = [100, 200, 400, 800, 1_000, 1_000];
    delays.forEach((delay, index) => {
      expect(delay).toBeGreaterThanOrEqual(ceilings[index]! / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[index]!);
    });
  });

  it('calls it failing after too many exits in the window, and forgets exits older than the window', () => {
    const backoff = new RestartBackoff(policy);
    expect(backoff.next(0).failing).toBe(false);
    expect(backoff.next(1_000).failing).toBe(false);
    expect(backoff.next(2_000).failing).toBe(true);
    const later = backoff.next(200_000);
    expect(later.failing).toBe(false);
    expect(later.delayMs).toBeLessThanOrEqual(100);
  });

  it('starts over after reset()', () => {
    const backoff = new RestartBackoff(policy);
    backoff.next(0);
    backoff.next(1);
    backoff.reset();
    expect(backoff.next(2).delayMs).toBeLessThanOrEqual(100);
  });
});
