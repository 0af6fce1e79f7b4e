/**
 * A fixed-window counter per client address: registration attempts beyond `max` per window
 * are answered 429 with Retry-After. Tokens are 256-bit, so this is not about guessing them;
 * it keeps a misbehaving agent or script from spinning the gateway's disk.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** null when allowed, else the seconds until the client may try again. */
  take(client: string): number | null {
    const now = this.now();
    this.forgetOld(now);
    const window = this.windows.get(client) ?? { start: now, count: 0 };
    window.count += 1;
    this.windows.set(client, window);
    if (window.count <= this.max) return null;
    return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
  }

  private forgetOld(now: number): void {
    for (const [client, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(client);
    }
  }
}
