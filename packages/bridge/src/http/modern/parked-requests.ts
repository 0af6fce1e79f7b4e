import { randomBytes } from 'node:crypto';

/**
 * Requests waiting for a client's MRTR retry (spec basic/patterns/mrtr).
 *
 * A 2025-era child asks for sampling/elicitation/roots with a server->client request in the
 * middle of a tools/call and then waits; a 2026-07-28 client can only answer by retrying the
 * call. So the bridge keeps the child's call open, answers the HTTP request with
 * input_required, and hands out `requestState`: an opaque token naming the parked call.
 *
 * The token is 256 random bits, so it cannot be guessed or forged and needs no signature
 * (the spec's integrity requirement, server requirement 4); it is single-use (consumed by
 * the retry that resumes the call), expires, and only resumes a retry of the same method and
 * params (the spec's anti-replay advice, server requirement 5). The principal check the
 * spec suggests is the caller's API key: one bridge serves one principal.
 */

export interface Parkable {
  /** The retry never came in time: give up on the call. */
  expire(): void;
}

interface Entry<T extends Parkable> {
  owner: T;
  fingerprint: string;
  timer: NodeJS.Timeout;
}

export type Claim<T extends Parkable> = { ok: true; owner: T } | { ok: false; problem: string };

export class ParkedRequests<T extends Parkable> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Park a call; undefined when too many calls already wait. */
  park(owner: T, fingerprint: string, ttlMs: number): string | undefined {
    if (this.entries.size >= this.limit) return undefined;
    const token = randomBytes(32).toString('base64url');
    const timer = setTimeout(() => {
      if (this.entries.get(token)?.owner !== owner) return;
      this.entries.delete(token);
      owner.expire();
    }, ttlMs);
    // An abandoned input request must not keep the process alive.
    timer.unref();
    this.entries.set(token, { owner, fingerprint, timer });
    return token;
  }

  /** Take the call a retry resumes. A retry of a different request leaves the token for the right one. */
  claim(token: string, fingerprint: string): Claim<T> {
    const entry = this.entries.get(token);
    if (entry === undefined) {
      return {
        ok: false,
        problem: 'requestState is unknown, already used or expired; send the request again without requestState and inputResponses',
      };
    }
    if (entry.fingerprint !== fingerprint) {
      return { ok: false, problem: 'requestState belongs to a different request: retry the original method with the same params' };
    }
    this.remove(token, entry);
    return { ok: true, owner: entry.owner };
  }

  /** Forget every token of a call that ended. */
  release(owner: T): void {
    for (const [token, entry] of this.entries) if (entry.owner === owner) this.remove(token, entry);
  }

  /** Shutdown: every parked call expires now. */
  expireAll(): void {
    const owners = [...this.entries.values()].map((entry) => entry.owner);
    for (const [token, entry] of this.entries) this.remove(token, entry);
    for (const owner of owners) owner.expire();
  }

  private remove(token: string, entry: Entry<T>): void {
    clearTimeout(entry.timer);
    this.entries.delete(token);
  }
}
