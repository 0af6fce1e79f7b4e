import type { ContenderId } from './contenders.js';
import { contenderById } from './contenders.js';
import type { BenchResults, ContenderRun, IdleRun } from './records.js';
import { errorCount } from './records.js';
import { median } from './stats.js';

/** Per-contender medians over the rounds: the numbers the table shows and the targets judge. */

const MB = 1024 * 1024;

export interface ContenderFigures {
  id: ContenderId;
  label: string;
  stateful: boolean;
  rounds: number;
  failedRounds: number;
  p50Ms: number;
  p99Ms: number;
  /** Calls the latency phase actually made (median): a spawn per call may not reach the count. */
  latencyCalls: number;
  payloadP50Ms: number;
  callsPerSecond: number;
  sessionsPerSecond: number;
  /** One new session (initialize, tools/list, DELETE) after a pause: p50 ms. */
  pacedSessionMs: number;
  connectMs: number;
  openRssMB: number;
  /** The contender's own process with the sessions open, without its children. */
  openRootRssMB: number;
  peakRssMB: number;
  openProcesses: number;
  peakProcesses: number;
  cpuMsPerCall: number;
  clientCpuMsPerCall: number;
  errors: number;
  foreignCpuShare: number;
}

export interface IdleFigures {
  id: ContenderId;
  label: string;
  sessionsOpened: number;
  errors: number;
  baselineMB: number;
  loadedMB: number;
  addedMB: number;
  perSessionKB: number;
  settled: boolean;
}

const perSecond = (count: number | undefined, elapsedMs: number | undefined) =>
  count !== undefined && elapsedMs ? (count * 1000) / elapsedMs : undefined;

function figuresOf(id: ContenderId, runs: ContenderRun[]): ContenderFigures {
  const contender = contenderById(id);
  const pick = (read: (run: ContenderRun) => number | undefined) => median(runs.map(read));
  return {
    id,
    label: contender.label,
    stateful: contender.stateful,
    rounds: runs.length,
    failedRounds: runs.filter((run) => run.failure).length,
    p50Ms: pick((run) => run.latency?.p50Ms),
    p99Ms: pick((run) => run.latency?.p99Ms),
    latencyCalls: pick((run) => run.latency?.ok),
    payloadP50Ms: pick((run) => run.payload?.p50Ms),
    callsPerSecond: pick((run) => perSecond(run.throughput?.ok, run.throughput?.elapsedMs)),
    sessionsPerSecond: pick((run) => perSecond(run.churn?.ok, run.churn?.elapsedMs)),
    pacedSessionMs: pick((run) => run.pacedSessions?.p50Ms),
    connectMs: pick((run) => run.connect?.elapsedMs),
    openRssMB: pick((run) => (run.open ? run.open.rssBytes / MB : undefined)),
    openRootRssMB: pick((run) => (run.open ? run.open.rootRssBytes / MB : undefined)),
    peakRssMB: pick((run) => (run.peak ? run.peak.rssBytes / MB : undefined)),
    openProcesses: pick((run) => run.open?.processes),
    peakProcesses: pick((run) => run.peak?.processes),
    cpuMsPerCall: pick((run) => (run.throughput?.ok ? run.throughput.treeCpuMs / run.throughput.ok : undefined)),
    clientCpuMsPerCall: pick((run) => (run.throughput?.ok ? run.throughput.clientCpuMs / run.throughput.ok : undefined)),
    errors: runs.reduce((sum, run) => sum + errorCount(run), 0),
    foreignCpuShare: pick((run) => run.foreignCpuShare),
  };
}

function idleFiguresOf(id: ContenderId, runs: IdleRun[]): IdleFigures {
  const pick = (read: (run: IdleRun) => number | undefined) => median(runs.map(read));
  const added = (run: IdleRun) => (run.baseline && run.loaded ? (run.loaded.rssBytes - run.baseline.rssBytes) / MB : undefined);
  const sessionsOpened = pick((run) => run.sessions?.ok);
  const addedMB = pick(added);
  return {
    id,
    label: contenderById(id).label,
    sessionsOpened,
    errors: runs.reduce((sum, run) => sum + (run.sessions?.errors ?? 0) + (run.failure ? 1 : 0), 0),
    baselineMB: pick((run) => (run.baseline ? run.baseline.rssBytes / MB : undefined)),
    loadedMB: pick((run) => (run.loaded ? run.loaded.rssBytes / MB : undefined)),
    addedMB,
    perSessionKB: sessionsOpened > 0 ? (addedMB * 1024) / sessionsOpened : Number.NaN,
    settled: runs.every((run) => run.loaded?.settled !== false),
  };
}

export interface Summary {
  contenders: ContenderFigures[];
  idle: IdleFigures[];
}

export function summarize(results: BenchResults): Summary {
  const contenders = results.contenders.map((id) => figuresOf(id, results.runs.filter((run) => run.contender === id)));
  const idleIds = [...new Set(results.idleRuns.map((run) => run.contender))];
  const idle = idleIds.map((id) => idleFiguresOf(id, results.idleRuns.filter((run) => run.contender === id)));
  return { contenders, idle };
}

export function figuresFor(summary: Summary, id: ContenderId): ContenderFigures | undefined {
  return summary.contenders.find((figures) => figures.id === id);
}
