import { ErrorCode, refusal, type HttpRefusal } from './errors.js';

/** Seconds a client is told to wait when a server is at its session limit. */
const RETRY_AFTER_S = 5;

/** A held place under the limit; release() is idempotent so every exit path may call it. */
export interface SessionLease {
  release(): void;
}

/**
 * Open sessions of one server, across every transport (Streamable HTTP sessions, stateless
 * POSTs in flight, SSE streams, WebSockets), held under limits.maxSessions.
 */
export class SessionLimit {
  private open = 0;

  constructor(
    private readonly serverName: string,
    private readonly max: number,
  ) {}

  get count(): number {
    return this.open;
  }

  tryAcquire(): SessionLease | undefined {
    if (this.open >= this.max) return undefined;
    this.open += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.open -= 1;
      },
    };
  }

  refusal(): HttpRefusal {
    return refusal(
      503,
      ErrorCode.TransportRefused,
      `Service Unavailable: server "${this.serverName}" has ${this.open} open sessions, its limit; ` +
        `retry later, close unused sessions, or raise --max-sessions (limits.maxSessions)`,
      { 'Retry-After': String(RETRY_AFTER_S) },
    );
  }
}
