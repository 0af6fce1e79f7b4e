import { join } from 'node:path';
import { ContenderProcess } from './contender-process.js';
import type { Contender } from './contenders.js';
import { LoadGenerator } from './load-generator-process.js';
import type { ForeignCpu } from './foreign-cpu.js';
import { loadAverage } from './machine.js';
import type { Profile } from './profile.js';
import type { ContenderRun, IdleRun } from './records.js';
import { TreeSampler, settledSample } from './tree-sampler.js';

/**
 * One contender through every phase, on a fresh process and a fresh load generator, both
 * stopped in a finally. A failing phase ends the run with `failure` set; the benchmark goes
 * on with the next contender.
 */
export interface RunContext {
  profile: Profile;
  logDir: string;
  /** Flags for a contender's root `node` (a profiler's, a runtime setting under trial). */
  nodeFlags(contender: Contender): string[];
  foreignCpu: ForeignCpu;
}

export async function runContender(contender: Contender, round: number, context: RunContext): Promise<ContenderRun> {
  const { profile, logDir } = context;
  const run: ContenderRun = { contender: contender.id, round };
  if (profile.quietWaitMs > 0) run.quietWaitMs = await context.foreignCpu.waitForQuiet(profile.quietWaitMs);
  run.loadAverage = loadAverage();
  const othersFrom = context.foreignCpu.mark();
  let proc: ContenderProcess | undefined;
  let load: LoadGenerator | undefined;
  let sampler: TreeSampler | undefined;
  try {
    load = LoadGenerator.start(contender.clientAccept); // starts while the contender does
    proc = await ContenderProcess.start(contender, join(logDir, `${contender.id}-round${round}.log`), context.nodeFlags(contender));
    run.readyMs = proc.readyAfterMs;
    sampler = new TreeSampler(proc.pid);
    sampler.start();
    await measurePhases(run, proc, load, sampler, profile);
    run.peak = { rssBytes: sampler.peakRssBytes, rootRssBytes: sampler.peakRootRssBytes, processes: sampler.peakCount };
  } catch (err) {
    run.failure = failureText(err, proc);
  } finally {
    sampler?.stop();
    await load?.stop();
    const stopping = Date.now();
    await proc?.stop(profile.stopGraceMs);
    if (proc) run.stopMs = Date.now() - stopping;
  }
  run.foreignCpuShare = context.foreignCpu.shareSince(othersFrom);
  return run;
}

async function measurePhases(run: ContenderRun, proc: ContenderProcess, load: LoadGenerator, sampler: TreeSampler, profile: Profile): Promise<void> {
  run.latency = await load.latency({
    url: proc.url,
    tool: 'echo',
    calls: profile.latencyCalls,
    warmupCalls: profile.latencyWarmupCalls,
    maxMs: profile.latencyMaxMs,
  });
  // The sessions' memory is read before the large results of the payload phase grow the heaps.
  run.connect = await load.connect(proc.url, profile.sessions);
  const open = await settledSample(sampler, profile.settleMs);
  run.open = { rssBytes: open.rssBytes, rootRssBytes: open.rootRssBytes, processes: open.count, settled: open.settled };
  const cpuBefore = sampler.sample().cpuMs;
  const throughput = await load.throughput(profile.throughputMs);
  run.throughput = { ...throughput, treeCpuMs: sampler.sample().cpuMs - cpuBefore };
  run.closeAll = await load.closeAll();
  run.payload = await load.latency({
    url: proc.url,
    tool: 'bytes',
    size: profile.payloadBytes,
    calls: profile.payloadCalls,
    warmupCalls: 2,
    maxMs: profile.payloadMaxMs,
  });
  run.churn = await load.churn(proc.url, profile.churnMs, profile.churnMaxSessions);
  run.pacedSessions = await load.paced(proc.url, profile.pacedSessions, profile.pacedGapMs);
}

/** Idle sessions on a fresh process: its tree's RSS before and after opening them. */
export async function runIdle(contender: Contender, round: number, context: RunContext): Promise<IdleRun> {
  const { profile, logDir } = context;
  const run: IdleRun = { contender: contender.id, round };
  if (profile.quietWaitMs > 0) await context.foreignCpu.waitForQuiet(profile.quietWaitMs);
  let proc: ContenderProcess | undefined;
  let load: LoadGenerator | undefined;
  try {
    load = LoadGenerator.start();
    proc = await ContenderProcess.start(contender, join(logDir, `${contender.id}-idle-round${round}.log`), context.nodeFlags(contender));
    const sampler = new TreeSampler(proc.pid);
    // One session and a few calls first, so the baseline is a process that has served.
    await load.latency({ url: proc.url, tool: 'echo', calls: 20, warmupCalls: 0, maxMs: 5_000 });
    const baseline = await settledSample(sampler, profile.settleMs);
    run.baseline = { rssBytes: baseline.rssBytes, rootRssBytes: baseline.rootRssBytes, processes: baseline.count, settled: baseline.settled };
    run.sessions = await load.idle(proc.url, profile.idleSessions, profile.idleConcurrency);
    const loaded = await settledSample(sampler, profile.settleMs * 2, 250);
    run.loaded = { rssBytes: loaded.rssBytes, rootRssBytes: loaded.rootRssBytes, processes: loaded.count, settled: loaded.settled };
    await load.closeAll();
  } catch (err) {
    run.failure = failureText(err, proc);
  } finally {
    await load?.stop();
    await proc?.stop(profile.stopGraceMs);
  }
  return run;
}

function failureText(err: unknown, proc: ContenderProcess | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  return proc ? `${message}\n--- last lines of ${proc.logFile} ---\n${proc.logTail(10)}` : message;
}
