/**
 * What the orchestrator asks the load generator (a separate process, so the contender's CPU is
 * measured apart from the client's) and what it answers, over Node's IPC channel. One command
 * at a time; the orchestrator samples the contender's process tree between commands.
 */

export type LoadCommand =
  /** One session, `calls` sequential calls after `warmupCalls`; stops early at `maxMs`. */
  | { kind: 'latency'; url: string; tool: 'echo' | 'bytes'; size?: number; calls: number; warmupCalls: number; maxMs: number }
  /** Opens `sessions` sessions all at once and keeps them open. */
  | { kind: 'connect'; url: string; sessions: number }
  /** Every open session calls echo in a closed loop for `durationMs`. */
  | { kind: 'throughput'; durationMs: number }
  /** DELETEs and closes every open session. */
  | { kind: 'closeAll' }
  /** One after another: initialize, tools/list, DELETE; for `durationMs` or `maxSessions`. */
  | { kind: 'churn'; url: string; durationMs: number; maxSessions: number }
  /** `sessions` times: wait `gapMs`, then initialize, tools/list, DELETE (each timed alone). */
  | { kind: 'paced'; url: string; sessions: number; gapMs: number }
  /** Opens `sessions` sessions, `concurrency` at a time, and keeps them open, idle. */
  | { kind: 'idle'; url: string; sessions: number; concurrency: number };

export interface OperationCounts {
  /** Operations that completed with the expected answer. */
  ok: number;
  /** Operations that failed or answered wrongly. */
  errors: number;
  /** The first failure's message, to say what went wrong. */
  firstError?: string;
  elapsedMs: number;
}

export interface LatencyResult extends OperationCounts {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface ThroughputResult extends OperationCounts {
  /** The load generator's own CPU over the phase, to see when the client is the bottleneck. */
  clientCpuMs: number;
}

export interface ChurnResult extends OperationCounts {
  p50Ms: number;
}

export type LoadResult = LatencyResult | ThroughputResult | ChurnResult | OperationCounts;
