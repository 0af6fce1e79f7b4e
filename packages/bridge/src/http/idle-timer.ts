/**
 * Expiry of a Streamable HTTP session that nobody uses (limits.sessionIdleMs, supergateway's
 * --sessionTimeout). The clock only runs while no request of the session is open: a held
 * GET stream or a long tool call is use, not idleness.
 */
export class IdleTimer {
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
  ) {
    this.arm();
  }

  /** A request of the session started; returns the function to call when it ends (idempotent). */
  begin(): () => void {
    this.active += 1;
    this.disarm();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active -= 1;
      if (this.active === 0) this.arm();
    };
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private arm(): void {
    if (this.stopped || this.idleMs <= 0 || this.active > 0) return;
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped && this.active === 0) this.onIdle();
    }, this.idleMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
