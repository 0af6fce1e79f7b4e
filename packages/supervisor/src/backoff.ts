import type { RestartPolicy } from './types.js';

export type ResolvedRestartPolicy = Required<RestartPolicy>;

export const DEFAULT_RESTART_POLICY: ResolvedRestartPolicy = {
  enabled: true,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  failedAfterExits: 5,
  failedWindowMs: 60_000,
  failedRetryDelayMs: 60_000,
};

export function resolveRestartPolicy(policy: RestartPolicy | undefined): ResolvedRestartPolicy {
  const merged = { ...DEFAULT_RESTART_POLICY };
  for (const [key, value] of Object.entries(policy ?? {})) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

export interface RestartDecision {
  delayMs: number;
  /** Too many exits too quickly: the caller reports `failed` and retries slowly. */
  failed: boolean;
  /** Exits counted in the current window. */
  recentExits: number;
}

/**
 * When to restart after an exit.
 *
 * The exponent is the number of exits within `failedWindowMs`, so a server that has been
 * up for a whole window starts again from `initialDelayMs` with no extra bookkeeping.
 * Full jitter (a uniform delay between 0 and the exponential cap) keeps many daemons that
 * lost the same upstream from restarting in lockstep. Once failed, the state sticks until
 * the server proves healthy (`noteHealthy`, when the owner marks it ready): otherwise the
 * window would empty during the slow retries and fast retries would start over.
 */
export class RestartSchedule {
  private exits: number[] = [];
  private failing = false;

  constructor(
    private readonly policy: ResolvedRestartPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  recordExit(now: number): RestartDecision {
    this.exits = this.exits.filter((time) => now - time < this.policy.failedWindowMs);
    this.exits.push(now);
    const recentExits = this.exits.length;
    if (recentExits >= this.policy.failedAfterExits) this.failing = true;
    if (this.failing) return { delayMs: this.policy.failedRetryDelayMs, failed: true, recentExits };
    const cap = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (recentExits - 1));
    return { delayMs: Math.round(this.random() * cap), failed: false, recentExits };
  }

  noteHealthy(): void {
    this.failing = false;
  }

  get isFailing(): boolean {
    return this.failing;
  }
}
