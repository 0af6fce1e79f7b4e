import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { readProcess, ticksToMs } from './proc-tree.js';

/**
 * How much CPU other people's processes take while the benchmark runs, on a machine shared
 * with other work. Every process the benchmark starts inherits a marker variable; any live
 * process without it (kernel threads included) is someone else's. Sampled once a second:
 * a foreign process that lives less than a second between two samples is missed, so the
 * figure is a lower bound.
 *
 * Why not /proc/stat minus our own CPU: a contender's grandchildren that outlive their
 * parent (supergateway's `sh -c` children) are reaped by init, so their CPU never reaches
 * our cutime and would be counted as someone else's.
 */

const MARKER_NAME = 'MCPW_BENCH_RUN';
const MARKER = `${MARKER_NAME}=${randomUUID()}`;

/** Call first thing: processes started afterwards carry the marker. */
export function markOurProcesses(): void {
  process.env[MARKER_NAME] = MARKER.split('=')[1];
}

export class ForeignCpu {
  private foreignMs = 0;
  private readonly lastTicks = new Map<string, number>();
  private readonly ours = new Map<string, boolean>();
  private timer?: NodeJS.Timeout;

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A reading to compare with a later one (share()). */
  mark(): { atMs: number; foreignMs: number } {
    this.sample();
    return { atMs: Date.now(), foreignMs: this.foreignMs };
  }

  /** Share of the machine (every core) others used since `from`: 0.25 = a quarter of it. */
  shareSince(from: { atMs: number; foreignMs: number }): number {
    const now = this.mark();
    const capacityMs = (now.atMs - from.atMs) * cpus().length;
    return capacityMs > 0 ? (now.foreignMs - from.foreignMs) / capacityMs : Number.NaN;
  }

  /**
   * Waits (at most `maxWaitMs`) for a one-second window in which others used less than
   * `threshold` of the machine (default 15 %); returns how long it waited.
   */
  async waitForQuiet(maxWaitMs: number, threshold = 0.15): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < maxWaitMs) {
      const from = this.mark();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (this.shareSince(from) < threshold) break;
    }
    return Date.now() - started;
  }

  private sample(): void {
    const seen = new Set<string>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const info = readProcess(pid);
      if (!info || info.state === 'Z' || pid === process.pid) continue;
      const key = `${pid}:${info.startTicks}`;
      seen.add(key);
      if (this.isOurs(key, pid)) continue;
      // utime + stime only: the children a process reaps were counted while they lived.
      const ticks = info.ownCpuTicks;
      const previous = this.lastTicks.get(key);
      if (previous !== undefined) this.foreignMs += ticksToMs(ticks - previous);
      this.lastTicks.set(key, ticks);
    }
    for (const key of this.lastTicks.keys()) if (!seen.has(key)) this.lastTicks.delete(key);
    for (const key of this.ours.keys()) if (!seen.has(key)) this.ours.delete(key);
  }

  private isOurs(key: string, pid: number): boolean {
    let ours = this.ours.get(key);
    if (ours === undefined) {
      let environ = '';
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      } catch {
        // gone, or not ours to read: someone else's
      }
      ours = environ.split('\0').includes(MARKER);
      this.ours.set(key, ours);
    }
    return ours;
  }
}
