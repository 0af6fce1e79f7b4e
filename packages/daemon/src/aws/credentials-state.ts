import { EventEmitter } from 'node:events';

/**
 * One server's AWS credentials as the daemon last saw them work or fail:
 *   unknown --signal--> expired --successful call--> ok --signal--> expired …
 * `since` is when the current state began (for expired: when the expiry was first seen),
 * which /status, the control channel's status and the log show.
 */

export type CredentialsStateName = 'ok' | 'expired' | 'unknown';

export interface CredentialsSnapshot {
  state: CredentialsStateName;
  since: Date;
  /** The signal that made it expired (absent otherwise). */
  signal?: string;
}

export class CredentialsState extends EventEmitter<{ change: [snapshot: CredentialsSnapshot, previous: CredentialsSnapshot] }> {
  private current: CredentialsSnapshot;

  constructor(private readonly now: () => Date = () => new Date()) {
    super();
    this.current = { state: 'unknown', since: this.now() };
  }

  snapshot(): CredentialsSnapshot {
    return { ...this.current };
  }

  get state(): CredentialsStateName {
    return this.current.state;
  }

  /** An expiry signal: returns true when this is news (the state was not expired already). */
  markExpired(signal: string): boolean {
    if (this.current.state === 'expired') return false;
    return this.move({ state: 'expired', since: this.now(), signal });
  }

  /** A call that needed the credentials succeeded: returns true when the state changed. */
  markOk(): boolean {
    if (this.current.state === 'ok') return false;
    return this.move({ state: 'ok', since: this.now() });
  }

  private move(next: CredentialsSnapshot): boolean {
    const previous = this.current;
    this.current = next;
    this.emit('change', this.snapshot(), previous);
    return true;
  }
}
