export interface BackoffTiming {
  reconnectBaseMs: number;
  reconnectFactor: number;
  reconnectCapMs: number;
  reconnectResetAfterMs: number;
}

/**
 * The reconnect delays of protocol.md §2: exponential with full jitter (uniform in
 * [0, min(cap, base·factor^attempt)]), forever. The attempt counter resets when a connection
 * that had been welcomed at least `reconnectResetAfterMs` ago ends, so one that flaps right
 * after its welcome keeps backing off. The formula is protocol's fullJitterDelay with the
 * timings as parameters, so tests can run it with short ones.
 */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly timing: BackoffTiming,
    private readonly random: () => number,
  ) {}

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** A connection ended; `welcomedForMs` is how long ago it was welcomed (null: never). */
  connectionEnded(welcomedForMs: number | null): void {
    if (welcomedForMs !== null && welcomedForMs >= this.timing.reconnectResetAfterMs) this.attempt = 0;
  }

  /** The wait before the next attempt; counts the attempt. */
  nextDelayMs(): number {
    const { reconnectBaseMs, reconnectFactor, reconnectCapMs } = this.timing;
    const ceiling = Math.min(reconnectCapMs, reconnectBaseMs * reconnectFactor ** this.attempt);
    this.attempt += 1;
    return Math.floor(this.random() * ceiling);
  }
}

/**
 * Counts 4409 closes (protocol.md §2): three within ten minutes mean another daemon runs with
 * this identity, and the agent stops instead of taking turns with it forever.
 */
export class ReplacementCounter {
  private readonly times: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Records one 4409; true when the limit is reached within the window. */
  record(): boolean {
    const at = this.now();
    this.times.push(at);
    while (this.times.length > 0 && at - this.times[0]! > this.windowMs) this.times.shift();
    return this.times.length >= this.limit;
  }

  get count(): number {
    return this.times.length;
  }
}
