import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContenderProcess, freePort } from './contender-process.js';
import { contenderById } from './contenders.js';
import { DaemonProcess } from './daemon-process.js';
import type { ForeignCpu } from './foreign-cpu.js';
import { loadAverage } from './machine.js';
import { measureSeries, tcpTableEntries } from './owner-check-requests.js';
import type { Listener, SeriesFigures } from './owner-check-requests.js';
import { OwnerCheckYardstick } from './owner-check-yardstick-process.js';
import { snapshotTree } from './proc-tree.js';

export { killAllOwnerCheckYardsticksNow } from './owner-check-yardstick-process.js';
export { renderOwnerCheckSection } from './owner-check-report.js';

/**
 * The owner-check part: what the loopback listener's check of who opened a connection
 * (packages/daemon/src/service/local-users.ts: /proc/net/tcp read once per connection, on
 * accept; its requests then reuse the verdict) costs a request. Per round, side by side:
 *
 * - `up`: `mcp-workstation up` (daemon-process.ts: a config file with the test server in
 *   shared mode, no tunnel, the admin listener on a unix socket, a state directory of its own);
 * - `bridge`: the 'mcpw-shared' contender, the same server, its state directory (XDG_STATE_HOME)
 *   a temporary one. It has the owner check too: both commands serve through the same front
 *   (wiring.ts), so up − bridge is what `up` adds over `bridge`, not the check;
 * - the yardstick (owner-check-yardstick.ts): two bare node:http servers answering like a
 *   bridge, one behind the daemon's LocalUserGate and one without: their difference is the
 *   check alone.
 *
 * Measured on each, interleaved (owner-check-requests.ts): a ping POSTed on a new TCP
 * connection per request, then on one kept-alive connection; p50 and p99. Every answer's
 * status is kept: a 403 means the check refused the benchmark's own user, and fails the round.
 */

export type ListenerId = 'up' | 'bridge' | 'bare-check' | 'bare';

export interface OwnerCheckOptions {
  /** Timed requests per listener, in each of the two ways. */
  requests: number;
  /** Untimed requests per listener before them (the kept-alive ones also open the connection). */
  warmup: number;
  requestTimeoutMs: number;
  readyPollMs: number;
  readyTimeoutMs: number;
  stopGraceMs: number;
  /** Wait at most this long for a quiet second before the round (needs a ForeignCpu; 0: never). */
  quietWaitMs: number;
}

export type OwnerCheckProfileName = 'full' | 'quick' | 'smoke';

export const OWNER_CHECK_OPTIONS: Record<OwnerCheckProfileName, OwnerCheckOptions> = {
  full: { requests: 300, warmup: 30, requestTimeoutMs: 10_000, readyPollMs: 20, readyTimeoutMs: 30_000, stopGraceMs: 10_000, quietWaitMs: 30_000 },
  quick: { requests: 100, warmup: 10, requestTimeoutMs: 10_000, readyPollMs: 20, readyTimeoutMs: 30_000, stopGraceMs: 5_000, quietWaitMs: 0 },
  smoke: { requests: 3, warmup: 1, requestTimeoutMs: 10_000, readyPollMs: 20, readyTimeoutMs: 30_000, stopGraceMs: 5_000, quietWaitMs: 0 },
};

export interface OwnerCheckRunContext {
  round?: number;
  /** `node` flags for up's and bridge's own process (a profiler's, --mcpw-node-flags). */
  nodeFlags?: string[];
  /** When given: the round waits for a quiet machine (quietWaitMs) and records others' CPU. */
  foreignCpu?: ForeignCpu;
}

/** One round: JSON-serialisable, goes into the raw results as it is. */
export interface OwnerCheckRun {
  round: number;
  requests: number;
  warmup: number;
  /** A new TCP connection per request, per listener. */
  newConnection?: Record<ListenerId, SeriesFigures>;
  /** Every request on one kept-alive connection, per listener. */
  keptAlive?: Record<ListenerId, SeriesFigures>;
  /** Entries of /proc/net/tcp{,6} before and after the new-connection requests (each leaves one in TIME_WAIT). */
  tcpEntries?: { before: number; after: number };
  /** Every process the round started (up, bridge and their children, the yardstick), seen once all were ready. */
  pids?: number[];
  nodeFlags?: string[];
  quietWaitMs?: number;
  loadAverage?: number;
  /** Share of the machine others used over the whole round. */
  foreignCpuShare?: number;
  logFiles: { up: string; bridge: string; yardstick: string };
  failure?: string;
}

/** What the round started; stop() ends whatever of it is there. */
class Listeners {
  up?: DaemonProcess;
  bridge?: ContenderProcess;
  yardstick?: OwnerCheckYardstick;
  private readonly bridgeStateHome = mkdtempSync(join(tmpdir(), 'mcpw-bench-owner-check-'));

  /**
   * One after the other: up picks its port from freePort() and binds it only once it runs, so
   * the bridge's own freePort() must not come in between.
   */
  async start(options: OwnerCheckOptions, run: OwnerCheckRun, nodeFlags: string[]): Promise<Array<Listener<ListenerId>>> {
    this.up = await DaemonProcess.start({ servers: 1, logFile: run.logFiles.up, nodeFlags, listenPort: await freePort(), adminOnUnixSocket: true });
    await this.up.waitReady(options.readyPollMs, options.readyTimeoutMs);
    this.bridge = await ContenderProcess.start(contenderById('mcpw-shared'), run.logFiles.bridge, nodeFlags, options.readyTimeoutMs, { XDG_STATE_HOME: this.bridgeStateHome });
    this.yardstick = await OwnerCheckYardstick.start(run.logFiles.yardstick);
    return [
      { id: 'up', url: this.up.mcpUrl as string },
      { id: 'bridge', url: this.bridge.url },
      { id: 'bare-check', url: this.yardstick.urls.withCheck },
      { id: 'bare', url: this.yardstick.urls.withoutCheck },
    ];
  }

  pids(): number[] {
    const roots = [this.up?.pid, this.bridge?.pid, this.yardstick?.pid].filter((pid): pid is number => pid !== undefined);
    return roots.flatMap((root) => snapshotTree(root).processes.map((info) => info.pid));
  }

  async stop(graceMs: number): Promise<void> {
    await Promise.all([this.up?.stop(graceMs), this.bridge?.stop(graceMs), this.yardstick?.stop()]);
    rmSync(this.bridgeStateHome, { recursive: true, force: true });
  }
}

/**
 * One round. Never throws: a failure is recorded in `failure` and whatever was measured
 * before it is kept. Everything it started is stopped before it returns; the benchmark's exit
 * path covers an exit in the middle (killAllDaemonsNow, killAllContendersNow,
 * killAllOwnerCheckYardsticksNow).
 */
export async function runOwnerCheck(options: OwnerCheckOptions, logDir: string, progress: (text: string) => void, context: OwnerCheckRunContext = {}): Promise<OwnerCheckRun> {
  const round = context.round ?? 1;
  const nodeFlags = context.nodeFlags ?? [];
  const logFiles = { up: join(logDir, `owner-check-up-round${round}.log`), bridge: join(logDir, `owner-check-bridge-round${round}.log`), yardstick: join(logDir, `owner-check-yardstick-round${round}.log`) };
  const run: OwnerCheckRun = { round, requests: options.requests, warmup: options.warmup, logFiles, nodeFlags: nodeFlags.length ? nodeFlags : undefined };
  const { foreignCpu } = context;
  if (foreignCpu && options.quietWaitMs > 0) run.quietWaitMs = await foreignCpu.waitForQuiet(options.quietWaitMs);
  run.loadAverage = loadAverage();
  const othersFrom = foreignCpu?.mark();
  const listeners = new Listeners();
  try {
    const targets = await listeners.start(options, run, nodeFlags);
    run.pids = listeners.pids();
    progress(`owner-check round ${round}: ${options.requests} pings per listener on new connections, then on one kept-alive connection`);
    const before = tcpTableEntries();
    run.newConnection = await measureSeries(targets, 'new', options.requests, options.warmup, options.requestTimeoutMs);
    run.tcpEntries = { before, after: tcpTableEntries() };
    run.keptAlive = await measureSeries(targets, 'kept-alive', options.requests, options.warmup, options.requestTimeoutMs);
    run.failure = refusals(run);
  } catch (err) {
    run.failure = failureText(err, listeners.up);
  } finally {
    await listeners.stop(options.stopGraceMs);
  }
  if (othersFrom && foreignCpu) run.foreignCpuShare = foreignCpu.shareSince(othersFrom);
  return run;
}

/** A 403 anywhere: the check refused the benchmark's own user, so nothing here measured a request that passed it. */
function refusals(run: OwnerCheckRun): string | undefined {
  const refused: string[] = [];
  for (const [connection, figures] of [['new connection', run.newConnection], ['kept-alive', run.keptAlive]] as const) {
    for (const [id, series] of Object.entries(figures ?? {})) {
      const count = series.statuses['403'] ?? 0;
      if (count > 0) refused.push(`${id} (${connection}): ${count} × 403`);
    }
  }
  return refused.length ? `the owner check refused the benchmark's own user: ${refused.join(', ')}` : undefined;
}

/** up's own failures (exited, not ready) say nothing of why: its log's last lines do. */
function failureText(err: unknown, up: DaemonProcess | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!up || !message.includes('mcp-workstation up')) return message;
  return `${message}\n--- last lines of ${up.logFile} ---\n${up.logTail(10)}`;
}
