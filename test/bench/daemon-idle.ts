import { readFileSync } from 'node:fs';
import type { ForeignCpu } from './foreign-cpu.js';
import { readProcess, snapshotTree, ticksToMs } from './proc-tree.js';
import { TreeSampler, settledSample } from './tree-sampler.js';

/**
 * The daemon at rest: ready, no session, no request, no tunnel. Nothing talks to it meanwhile;
 * the benchmark only reads /proc, which costs the daemon nothing. Three steps:
 *
 * 1. settle: wait until the tree's process count and RSS stop moving;
 * 2. warm-up (measured and reported, not judged): the first seconds after a start are not
 *    idle. About 5 to 10 s after ready, V8's memory reducer runs a few full GCs in every Node
 *    process of the tree (seen here: ~60 ms in the daemon and ~40 ms in each test server,
 *    RSS 216 → 183 MB), once per start. A window that begins right after ready would
 *    count that one-off start cost as idle CPU, so the warm-up takes it apart;
 * 3. the idle window the target is judged on: the tree's CPU over it, as % of one core, and
 *    what the tree holds in memory at its end.
 *
 * CPU comes from /proc in clock ticks (10 ms on Linux): over 60 s one tick is 0.017 % of a
 * core, over a 5 s window 0.2 %. The main thread's voluntary context switches count how often
 * its event loop woke up (each wake-up ends with a switch back into epoll_wait): that tells a
 * timer that fires often apart from work that is merely slow.
 */

export interface WindowFigures {
  windowMs: number;
  /** utime+stime of the whole tree (daemon and children) over the window. */
  treeCpuMs: number;
  /** The daemon's own process alone. */
  daemonCpuMs: number;
  /** treeCpuMs ÷ window, in % of one core. */
  treeCpuPercent: number;
  daemonCpuPercent: number;
  /** Wake-ups of the daemon's event loop per second (main thread's voluntary context switches). */
  daemonWakeupsPerSecond: number;
}

export interface IdleFigures extends WindowFigures {
  /** Whether the tree stopped moving before the warm-up (else: measured anyway, after settleMs). */
  settled: boolean;
  /** The warm-up right after ready (absent when the profile has none). */
  warmup?: WindowFigures;
  /** At the end of the idle window. */
  rssBytes: number;
  rootRssBytes: number;
  processes: number;
  /** Share of the machine other people's processes used during the idle window. */
  foreignCpuShare?: number;
}

export interface IdleSettings {
  settleMs: number;
  warmupMs: number;
  windowMs: number;
}

export async function measureIdle(pid: number, settings: IdleSettings, foreignCpu?: ForeignCpu): Promise<IdleFigures> {
  const settled = await settledSample(new TreeSampler(pid), settings.settleMs);
  const warmup = settings.warmupMs > 0 ? (await measureWindow(pid, settings.warmupMs)).figures : undefined;
  const othersFrom = foreignCpu?.mark();
  const { figures, end } = await measureWindow(pid, settings.windowMs);
  return {
    ...figures,
    settled: settled.settled,
    warmup,
    rssBytes: end.rssBytes,
    rootRssBytes: end.rootRssBytes,
    processes: end.count,
    foreignCpuShare: othersFrom && foreignCpu ? foreignCpu.shareSince(othersFrom) : undefined,
  };
}

async function measureWindow(pid: number, windowMs: number) {
  const before = reading(pid);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = reading(pid);
  const elapsedMs = after.atMs - before.atMs;
  const percent = (ms: number) => (100 * ms) / elapsedMs;
  const treeCpuMs = after.tree.cpuMs - before.tree.cpuMs;
  const daemonCpuMs = after.daemonCpuMs - before.daemonCpuMs;
  const figures: WindowFigures = {
    windowMs: elapsedMs,
    treeCpuMs,
    daemonCpuMs,
    treeCpuPercent: percent(treeCpuMs),
    daemonCpuPercent: percent(daemonCpuMs),
    daemonWakeupsPerSecond: ((after.wakeups - before.wakeups) * 1000) / elapsedMs,
  };
  return { figures, end: after.tree };
}

function reading(pid: number) {
  const tree = snapshotTree(pid);
  const daemon = readProcess(pid);
  if (!daemon || daemon.state === 'Z') throw new Error(`the daemon (pid ${pid}) is gone: it exited while idle`);
  return { atMs: performance.now(), tree, daemonCpuMs: ticksToMs(daemon.ownCpuTicks), wakeups: voluntarySwitches(pid) };
}

function voluntarySwitches(pid: number): number {
  try {
    const match = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
