import { IdleTimer } from './idle-timer.js';

describe('IdleTimer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fires after idleMs without requests', () => {
    const onIdle = jest.fn();
    new IdleTimer(1000, onIdle);
    jest.advanceTimersByTime(999);
    expect(onIdle).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('does not run while a request is open, and restarts when the last one ends', () => {
    const onIdle = jest.fn();
    const timer = new IdleTimer(1000, onIdle);
    const endStream = timer.begin();
    const endPost = timer.begin();
    jest.advanceTimersByTime(5000);
    endPost();
    endPost(); // idempotent: does not end the stream's count too
    jest.advanceTimersByTime(5000);
    expect(onIdle).not.toHaveBeenCalled();
    endStream();
    jest.advanceTimersByTime(999);
    expect(onIdle).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('never fires with idleMs 0 or after stop()', () => {
    const never = jest.fn();
    new IdleTimer(0, never);
    const stopped = new IdleTimer(1000, never);
    stopped.stop();
    stopped.begin()();
    jest.advanceTimersByTime(60_000);
    expect(never).not.toHaveBeenCalled();
  });
});
