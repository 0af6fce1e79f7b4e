import { snapshotTree } from './proc-tree.js';
import type { TreeSnapshot } from './proc-tree.js';

/**
 * Samples a process tree every `intervalMs` and keeps the peaks. Peaks of short-lived children
 * (a spawn per request) fall between samples sometimes: the peak is a lower bound, read it so.
 */
export class TreeSampler {
  peakRssBytes = 0;
  peakCount = 0;
  peakRootRssBytes = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes a sample now (also counted into the peaks) and returns it. */
  sample(): TreeSnapshot {
    const snapshot = snapshotTree(this.rootPid);
    this.peakRssBytes = Math.max(this.peakRssBytes, snapshot.rssBytes);
    this.peakCount = Math.max(this.peakCount, snapshot.count);
    this.peakRootRssBytes = Math.max(this.peakRootRssBytes, snapshot.rootRssBytes);
    return snapshot;
  }
}

/**
 * Samples until the process count and RSS stop moving (three samples in a row with the same
 * count and RSS within 2 %), or `timeoutMs` passes; returns the last sample either way, with
 * whether it settled. Used after sessions open, while a bridge may still be spawning children.
 */
export async function settledSample(sampler: TreeSampler, timeoutMs = 3_000, intervalMs = 150): Promise<TreeSnapshot & { settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let previous = sampler.sample();
  let steady = 0;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const current = sampler.sample();
    const sameCount = current.count === previous.count;
    const closeRss = Math.abs(current.rssBytes - previous.rssBytes) <= 0.02 * previous.rssBytes;
    steady = sameCount && closeRss ? steady + 1 : 0;
    previous = current;
    if (steady >= 2) return { ...current, settled: true };
  }
  return { ...previous, settled: false };
}
