export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** This many exits within `windowMs` make next() report `failing` (retries go on, slowly). */
  failedAfterExits: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 250, maxDelayMs: 30_000, failedAfterExits: 5, windowMs: 60_000 };

/**
 * Exponential backoff over the exits of the last window: a process that ran for a while
 * restarts quickly again, one that keeps dying waits longer each time, never spins and
 * never gives up.
 */
export class RestartBackoff {
  private exits: number[] = [];

  constructor(private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY) {}

  /** Records an exit; the delay before the next attempt and whether to call it failed. */
  next(now = Date.now()): { delayMs: number; failing: boolean } {
    this.exits = [...this.exits.filter((time) => now - time < this.policy.windowMs), now];
    const exponential = this.policy.initialDelayMs * 2 ** (this.exits.length - 1);
    const capped = Math.min(this.policy.maxDelayMs, exponential);
    // Half fixed, half random: restarts of many processes (or machines) do not line up.
    const delayMs = Math.round(capped / 2 + Math.random() * (capped / 2));
    return { delayMs, failing: this.exits.length >= this.policy.failedAfterExits };
  }

  reset(): void {
    this.exits = [];
  }
}
