import type { ContenderId } from './contenders.js';
import type { DaemonRun } from './daemon-run.js';
import type { OwnerCheckRun } from './owner-check-run.js';
import type { TunnelRun } from './tunnel-run.js';
import type { ChurnResult, LatencyResult, OperationCounts, ThroughputResult } from './load-protocol.js';
import type { MachineDescription } from './machine.js';
import type { Profile } from './profile.js';
import type { ReferenceFigures } from './reference.js';

/** What one benchmark run records: raw per-round results, written as JSON beside the table. */

export interface TreeFigures {
  rssBytes: number;
  /** The contender's own process, without its children. */
  rootRssBytes: number;
  processes: number;
}

/** One contender, one round: a fresh process through every phase. */
export interface ContenderRun {
  contender: ContenderId;
  round: number;
  readyMs?: number;
  /** From SIGTERM to the whole tree gone. */
  stopMs?: number;
  latency?: LatencyResult;
  payload?: LatencyResult;
  connect?: OperationCounts;
  /** The tree once the sessions of the connect phase are open and it stopped spawning. */
  open?: TreeFigures & { settled: boolean };
  throughput?: ThroughputResult & { treeCpuMs: number };
  closeAll?: OperationCounts;
  churn?: ChurnResult;
  /** New sessions one at a time with a pause before each: what one user waits for a new session. */
  pacedSessions?: ChurnResult;
  peak?: TreeFigures;
  /** Share of the machine's CPU used by other people's processes during this run. */
  foreignCpuShare?: number;
  /** How long the run waited for a quieter machine before starting (profile.quietWaitMs). */
  quietWaitMs?: number;
  /** Runs of this contender and round made in all; the quietest was kept (profile.maxReruns). */
  attempts?: number;
  loadAverage?: number;
  /** Why the run stopped early, if it did. */
  failure?: string;
}

/** One contender, one round: idle sessions on a fresh process. */
export interface IdleRun {
  contender: ContenderId;
  round: number;
  sessions?: OperationCounts;
  baseline?: TreeFigures & { settled: boolean };
  loaded?: TreeFigures & { settled: boolean };
  failure?: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  command: string;
  profile: Profile;
  machine: MachineDescription;
  /** Yardsticks measured at the start: an empty Node process, the test server's start. */
  references?: ReferenceFigures;
  contenders: ContenderId[];
  /** Set when the run changed how contenders run: its figures are not the product's defaults. */
  mcpwNodeFlags?: string[];
  profiler?: string;
  runs: ContenderRun[];
  idleRuns: IdleRun[];
  /** The tunnel part, one per round (two network namespaces, wireguard-go). */
  tunnelRuns: TunnelRun[];
  /** The daemon part, one per round (`mcp-workstation up`: start to ready, idle). */
  daemonRuns: DaemonRun[];
  /** The owner-check part, one per round (a ping per new connection and on one kept-alive connection; absent in results older than it). */
  ownerCheckRuns?: OwnerCheckRun[];
  /** Share of the machine's CPU used by other processes over the whole benchmark. */
  foreignCpuShare?: number;
}

/** Every failed operation of a run, all phases together. */
export function errorCount(run: ContenderRun): number {
  const phases = [run.latency, run.payload, run.connect, run.throughput, run.closeAll, run.churn, run.pacedSessions];
  return phases.reduce((sum, phase) => sum + (phase?.errors ?? 0), 0) + (run.failure ? 1 : 0);
}
