import { join } from 'node:path';
import { DaemonProcess } from './daemon-process.js';
import { measureIdle } from './daemon-idle.js';
import type { IdleFigures } from './daemon-idle.js';
import { readTimeline } from './daemon-log.js';
import type { DaemonTimeline } from './daemon-log.js';
import { readyShare } from './daemon-ready-share.js';
import type { ReadyShare } from './daemon-ready-share.js';
import { measureYardsticks } from './daemon-yardsticks.js';
import type { DaemonYardsticks } from './daemon-yardsticks.js';
import type { ForeignCpu } from './foreign-cpu.js';
import { loadAverage } from './machine.js';
import { snapshotTree } from './proc-tree.js';

export { killAllDaemonsNow } from './daemon-process.js';
export { daemonTargets, renderDaemonSection } from './daemon-report.js';

/**
 * The daemon part of the benchmark (issue #6): `mcp-workstation up` from a config file with
 * the test server as its servers, as a user starts it. Per round:
 *
 * 1. the yardsticks, just before: Node's own start, and the same servers started and
 *    initialized with nobody in front of them (the children's own start);
 * 2. spawn → /readyz 200 on the admin listener, polled every few milliseconds, and where
 *    that time went, from the daemon's own log (daemon-log.ts);
 * 3. idle: once the tree settled and a warm-up passed (the start's one-off GCs, measured
 *    apart), its CPU over a window and its RSS (daemon-idle.ts);
 * 4. SIGTERM → the whole tree gone.
 *
 * The time the target judges is spawn → ready minus the children's own start, that
 * start taken both against the yardstick and in place from the daemon's log, the daemon
 * charged the larger (daemon-ready-share.ts explains why). The log's timeline also splits the
 * time into Node's start, the daemon's own work before it spawns, the children's start under
 * it, and the time from the last child's answer to /readyz 200.
 */

export interface DaemonOptions {
  /** Rounds a caller that loops runDaemon itself should make (main's round loop may decide instead). */
  rounds: number;
  /** Servers in the config file: the test server each time, started in parallel by the daemon. */
  servers: number;
  /** Samples of each yardstick per round (median kept). */
  yardstickSamples: number;
  /** How often /readyz is asked while the daemon starts: the ready time is late by at most this. */
  readyPollMs: number;
  readyTimeoutMs: number;
  /** Longest wait for the tree to stop moving once ready, before the warm-up. */
  settleMs: number;
  /**
   * Measured but not judged: the first seconds after ready, when V8's memory reducer runs its
   * one-off full GCs in every process of the tree (daemon-idle.ts). 0: none, the idle window
   * then starts right after settling and may hold those GCs.
   */
  warmupMs: number;
  /** The idle window the target is judged on (the issue: 60 s). */
  idleWindowMs: number;
  /** SIGTERM to SIGKILL when stopping; the stop is timed. */
  stopGraceMs: number;
  /** Wait at most this long for a quiet second before the round (needs a ForeignCpu; 0: never). */
  quietWaitMs: number;
}

export type DaemonProfileName = 'full' | 'quick' | 'smoke';

export const DAEMON_OPTIONS: Record<DaemonProfileName, DaemonOptions> = {
  full: { rounds: 3, servers: 2, yardstickSamples: 3, readyPollMs: 5, readyTimeoutMs: 30_000, settleMs: 3_000, warmupMs: 15_000, idleWindowMs: 60_000, stopGraceMs: 10_000, quietWaitMs: 30_000 },
  quick: { rounds: 1, servers: 2, yardstickSamples: 1, readyPollMs: 5, readyTimeoutMs: 30_000, settleMs: 1_000, warmupMs: 0, idleWindowMs: 5_000, stopGraceMs: 5_000, quietWaitMs: 0 },
  smoke: { rounds: 1, servers: 2, yardstickSamples: 1, readyPollMs: 5, readyTimeoutMs: 30_000, settleMs: 500, warmupMs: 0, idleWindowMs: 1_000, stopGraceMs: 5_000, quietWaitMs: 0 },
};

/** What the caller may add: which round this is, flags for the daemon's node, the benchmark's foreign-CPU sampler. */
export interface DaemonRunContext {
  round?: number;
  /** `node` flags for the daemon's own process (`--cpu-prof --cpu-prof-dir=…`): its figures are then not the default's. */
  nodeFlags?: string[];
  /** When given: the round waits for a quiet machine (quietWaitMs) and records others' CPU. */
  foreignCpu?: ForeignCpu;
}

/** One round: JSON-serialisable, goes into the raw results as it is. */
export interface DaemonRun {
  round: number;
  servers: number;
  /** Spawn → /readyz 200. */
  readyMs?: number;
  /** /readyz requests made until the 200, one every readyPollMs. */
  readyPolls?: number;
  readyPollMs: number;
  yardsticks?: DaemonYardsticks;
  /** The daemon's own share of readyMs, its children's start taken out two ways (daemon-ready-share.ts). */
  readyShare?: ReadyShare;
  /** From the daemon's log: where the time to ready went (ms after the spawn). */
  timeline?: DaemonTimeline;
  /** The last child's initialize answer (as logged by the daemon) → /readyz 200 seen. */
  afterLastAnswerMs?: number;
  /** The tree right after ready. */
  atReady?: { rssBytes: number; rootRssBytes: number; processes: number };
  idle?: IdleFigures;
  stopMs?: number;
  /** The stop needed SIGKILL after stopGraceMs. */
  stopForced?: boolean;
  nodeFlags?: string[];
  quietWaitMs?: number;
  loadAverage?: number;
  /** Share of the machine others used over the whole round. */
  foreignCpuShare?: number;
  logFile: string;
  failure?: string;
}

/**
 * One round of the daemon part. Never throws: a failure is recorded in `failure` (with the
 * log's last lines) and whatever was measured before it is kept. Everything it started is
 * stopped before it returns; killAllDaemonsNow() covers an exit in the middle.
 */
export async function runDaemon(options: DaemonOptions, logDir: string, progress: (text: string) => void, context: DaemonRunContext = {}): Promise<DaemonRun> {
  const round = context.round ?? 1;
  const nodeFlags = context.nodeFlags ?? [];
  const run: DaemonRun = { round, servers: options.servers, readyPollMs: options.readyPollMs, logFile: join(logDir, `daemon-round${round}.log`), nodeFlags: nodeFlags.length ? nodeFlags : undefined };
  const { foreignCpu } = context;
  let othersFrom: ReturnType<ForeignCpu['mark']> | undefined;
  let daemon: DaemonProcess | undefined;
  try {
    if (foreignCpu && options.quietWaitMs > 0) run.quietWaitMs = await foreignCpu.waitForQuiet(options.quietWaitMs);
    run.loadAverage = loadAverage();
    othersFrom = foreignCpu?.mark();
    progress(`daemon round ${round}: yardsticks (Node's start, ${options.servers} test servers starting on their own)`);
    run.yardsticks = await measureYardsticks(options.servers, options.yardstickSamples);
    daemon = await DaemonProcess.start({ servers: options.servers, logFile: run.logFile, nodeFlags });
    await measureStart(run, daemon, options);
    const warmup = options.warmupMs > 0 ? `${options.warmupMs / 1000} s warm-up, then ` : '';
    progress(`daemon round ${round}: ready after ${run.readyMs?.toFixed(0)} ms; ${warmup}idle for ${options.idleWindowMs / 1000} s`);
    run.idle = await measureIdle(daemon.pid, { settleMs: options.settleMs, warmupMs: options.warmupMs, windowMs: options.idleWindowMs }, foreignCpu);
  } catch (err) {
    run.failure = failureText(err, daemon);
  } finally {
    if (daemon) {
      const stopped = await daemon.stop(options.stopGraceMs);
      run.stopMs = stopped.stopMs;
      run.stopForced = stopped.forced;
    }
  }
  if (othersFrom && foreignCpu) run.foreignCpuShare = foreignCpu.shareSince(othersFrom);
  return run;
}

/** Every round of `options.rounds`, for a caller without a round loop of its own. */
export async function runDaemonRounds(options: DaemonOptions, logDir: string, progress: (text: string) => void, context: Omit<DaemonRunContext, 'round'> = {}): Promise<DaemonRun[]> {
  const runs: DaemonRun[] = [];
  for (let round = 1; round <= options.rounds; round++) runs.push(await runDaemon(options, logDir, progress, { ...context, round }));
  return runs;
}

async function measureStart(run: DaemonRun, daemon: DaemonProcess, options: DaemonOptions): Promise<void> {
  const ready = await daemon.waitReady(options.readyPollMs, options.readyTimeoutMs);
  const tree = snapshotTree(daemon.pid);
  run.readyMs = ready.readyMs;
  run.readyPolls = ready.polls;
  run.atReady = { rssBytes: tree.rssBytes, rootRssBytes: tree.rootRssBytes, processes: tree.count };
  run.timeline = readTimeline(daemon.logFile, daemon.spawnedAtWallMs);
  run.readyShare = readyShare(ready.readyMs, run.yardsticks?.childrenStartMs, run.timeline, options.servers);
  const { lastChildAnsweredMs, childrenAnswered } = run.timeline;
  if (lastChildAnsweredMs !== undefined && childrenAnswered === options.servers) run.afterLastAnswerMs = ready.readyMs - lastChildAnsweredMs;
}

function failureText(err: unknown, daemon: DaemonProcess | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!daemon) return message;
  return `${message}\n--- last lines of ${daemon.logFile} ---\n${daemon.logTail(10)}`;
}
