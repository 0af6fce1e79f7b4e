import type { JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { SharedSession } from './session-state.js';

export interface WaitingRequest {
  readonly session: SharedSession;
  readonly request: JSONRPCRequest;
  readonly since: number;
  timer: NodeJS.Timeout;
}

/**
 * Client requests that arrived while the shared child was not ready (starting, restarting,
 * failed): they wait, in arrival order, for the next initialized child, each for at most
 * `waitMs`, then `onTimeout` answers them.
 */
export class RequestsAwaitingChild {
  private readonly waiting: WaitingRequest[] = [];

  constructor(
    private readonly waitMs: number,
    private readonly onTimeout: (waiting: WaitingRequest) => void,
  ) {}

  add(session: SharedSession, request: JSONRPCRequest): void {
    const entry: WaitingRequest = { session, request, since: Date.now(), timer: undefined as unknown as NodeJS.Timeout };
    entry.timer = setTimeout(() => {
      this.delete(entry);
      this.onTimeout(entry);
    }, this.waitMs);
    this.waiting.push(entry);
  }

  /** Every waiting request, oldest first, removed. */
  drain(): WaitingRequest[] {
    const entries = this.waiting.splice(0);
    for (const entry of entries) clearTimeout(entry.timer);
    return entries;
  }

  /** Drops one request (cancelled by its client); true when it was waiting. */
  remove(session: SharedSession, id: RequestId): boolean {
    const entry = this.waiting.find((candidate) => candidate.session === session && candidate.request.id === id);
    if (!entry) return false;
    this.delete(entry);
    return true;
  }

  removeSession(session: SharedSession): void {
    for (const entry of this.waiting.filter((candidate) => candidate.session === session)) this.delete(entry);
  }

  get size(): number {
    return this.waiting.length;
  }

  private delete(entry: WaitingRequest): void {
    clearTimeout(entry.timer);
    const index = this.waiting.indexOf(entry);
    if (index >= 0) this.waiting.splice(index, 1);
  }
}
