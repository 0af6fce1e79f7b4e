export interface RegistrationErrorDetails {
  /** The HTTP status, when the gateway answered. */
  status?: number;
  /** 429, 5xx and network errors may be retried (protocol.md §1); everything else is final. */
  retryable?: boolean;
  /** The gateway's Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

/**
 * A registration that failed. `code` is the gateway's error code (invalid_token, token_used, …)
 * or the agent's own (network_error, tls_error, insecure_url, …); the message says what happened
 * and the fix. It never contains the registration token.
 */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: string,
    readonly problem: string,
    readonly fix: string,
    details: RegistrationErrorDetails = {},
  ) {
    super(`registration failed: ${problem}. Fix: ${fix}`);
    this.status = details.status;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The same error, final, saying how long the agent kept trying. */
  givenUp(attempts: number, elapsedMs: number): RegistrationError {
    const seconds = Math.round(elapsedMs / 1000);
    return new RegistrationError(this.code, `${this.problem} (gave up after ${attempts} attempts in ${seconds} s)`, this.fix, {
      status: this.status,
    });
  }

  /** The same error with a hint added to its fix. */
  withHint(hint: string): RegistrationError {
    return new RegistrationError(this.code, this.problem, `${this.fix}; ${hint}`, {
      status: this.status,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
    });
  }
}
