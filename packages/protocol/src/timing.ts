/** Every timing protocol.md fixes, in one place so agent and gateway cannot drift apart. */
export const Timing = {
  /** The agent pings every 20 s; no pong within 20 s means the connection is dead. */
  pingIntervalMs: 20_000,
  pongTimeoutMs: 20_000,
  /** `status` at least every 30 s. */
  statusIntervalMs: 30_000,
  /** Reconnect: full jitter, base 1 s, factor 2, cap 60 s; reset 60 s after the last welcome. */
  reconnectBaseMs: 1_000,
  reconnectFactor: 2,
  reconnectCapMs: 60_000,
  reconnectResetAfterMs: 60_000,
  /** After a 4409, wait at least 60 s; three within 10 minutes and the agent stops. */
  replacedWaitMs: 60_000,
  replacedWindowMs: 10 * 60_000,
  replacedLimit: 3,
  /** Registration retries 429/5xx/network errors for at most 5 minutes. */
  registrationRetryBudgetMs: 5 * 60_000,
  /** WireGuard's reject-after time: a latest handshake older than this means the tunnel is down. */
  handshakeStaleMs: 180_000,
} as const;

/** Full-jitter exponential backoff delay for attempt n (0-based): uniform in [0, min(cap, base·factor^n)]. */
export function fullJitterDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(Timing.reconnectCapMs, Timing.reconnectBaseMs * Timing.reconnectFactor ** attempt);
  return Math.floor(random() * ceiling);
}
