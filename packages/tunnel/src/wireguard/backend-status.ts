import type { BackendKind, BackendState, BackendStatus, TunnelLogger } from './types.js';

/** A backend's current status plus its subscribers; shared by the OS backends. */
export class BackendStatusReporter {
  private current: BackendStatus;
  private readonly listeners = new Set<(status: BackendStatus) => void>();

  constructor(
    kind: BackendKind,
    private readonly logger?: TunnelLogger,
  ) {
    this.current = { kind, state: 'down', reason: 'not started' };
  }

  get status(): BackendStatus {
    return { ...this.current };
  }

  set(state: BackendState, reason: string): void {
    if (state === this.current.state && reason === this.current.reason) return;
    this.current = { kind: this.current.kind, state, reason };
    const message = `WireGuard (${this.current.kind}) ${state}: ${reason}`;
    if (state === 'failed') this.logger?.error(message);
    else this.logger?.info(message);
    for (const listener of [...this.listeners]) {
      try {
        listener(this.status);
      } catch (error) {
        this.logger?.error('a WireGuard status listener threw', { error: String(error) });
      }
    }
  }

  subscribe(listener: (status: BackendStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A status reason from anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
