import { setTimeout as sleep } from 'node:timers/promises';
import { RegistrationError } from './registration-error.js';

export interface RetryPolicy {
  /** The total time retries may take (protocol.md §1: at most 5 minutes). */
  budgetMs: number;
  /** The backoff before retry number `attempt` (0-based), before Retry-After is taken into account. */
  delayMs: (attempt: number) => number;
}

export interface RetryHooks {
  onRetry?: (error: RegistrationError, attempt: number, waitMs: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not retryable, or the budget
 * would run out before the next attempt: then it fails with the last error. Each wait is the
 * backoff or the gateway's Retry-After, whichever is longer.
 */
export async function retryWithinBudget<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const startedAt = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (err) {
      if (!(err instanceof RegistrationError) || !err.retryable) throw err;
      const waitMs = Math.max(err.retryAfterMs ?? 0, policy.delayMs(attempt));
      if (Date.now() + waitMs - startedAt > policy.budgetMs) throw err.givenUp(attempt + 1, Date.now() - startedAt);
      hooks.onRetry?.(err, attempt + 1, waitMs);
      await sleep(waitMs, undefined, { signal: hooks.signal });
    }
  }
}
