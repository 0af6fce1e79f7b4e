import { ChurnStats, probe, worker } from './churn.js';
import type { OperationCounts, PathResult, UnexpectedFailure } from './report.js';
import { waitFor } from './wait.js';

/**
 * The ways the soak's workers reach the daemon: `local`, on its loopback listener, and, when
 * the tunnel runs, `tunnel`, through the gateway's public URL, WireGuard and the daemon's
 * tunnel listener (the same bridge behind both). Each path has its own workers and counts, so
 * the report and the verdict can say which path failed.
 */

export interface SoakPath {
  name: 'local' | 'tunnel';
  via: string;
  url: (server: string) => string;
  /** Sent with every request (the gateway's API key on the tunnel path). */
  headers: Record<string, string>;
  workers: number;
  stats: ChurnStats;
  probes: number;
  probesFailed: number;
}

/** A failure within this long after a disruption (a kill, a reload) is expected: the call's timeout and a restart. */
const GRACE_MS = 30_000 + 15_000;

export function soakPath(name: SoakPath['name'], via: string, url: SoakPath['url'], workers: number, headers: Record<string, string> = {}): SoakPath {
  return { name, via, url, headers, workers, stats: new ChurnStats(GRACE_MS), probes: 0, probesFailed: 0 };
}

/** The path's workers: a `perSessionShare` of them on the per-session server `solo`, the rest on `shared`. */
export function startWorkers(path: SoakPath, perSessionShare: number, abandonShare: number, running: () => boolean): Array<Promise<void>> {
  const solo = Math.round(path.workers * perSessionShare);
  return Array.from({ length: path.workers }, (_, i) => {
    const server = i < path.workers - solo ? 'shared' : 'solo';
    return worker({ url: path.url(server), headers: path.headers, server, stats: path.stats, running, abandonShare });
  });
}

/** A fresh session on `shared` that must answer, retried until `timeoutMs` (a restart may be under way). */
export async function probePath(path: SoakPath, timeoutMs: number): Promise<void> {
  path.probes += 1;
  try {
    await waitFor(() => probe(path.url('shared'), path.headers).then(() => true), timeoutMs, `a probe call (${path.name})`);
  } catch (err) {
    path.probesFailed += 1;
    throw err;
  }
}

export function pathResult(path: SoakPath): PathResult {
  const { stats } = path;
  return {
    name: path.name,
    via: path.via,
    workers: path.workers,
    sessionsOpened: stats.sessionsOpened,
    sessionsAbandoned: stats.sessionsAbandoned,
    progressNotifications: stats.progressNotifications,
    operations: Object.fromEntries(stats.byOperation),
    probes: path.probes,
    probesFailed: path.probesFailed,
    unexpected: stats.unexpected,
  };
}

/** The counts over every path, per operation. */
export function mergeOperations(paths: readonly PathResult[]): Record<string, OperationCounts> {
  const merged: Record<string, OperationCounts> = {};
  for (const path of paths) {
    for (const [operation, counts] of Object.entries(path.operations)) {
      const into = (merged[operation] ??= { ok: 0, expectedFailures: 0, unexpectedFailures: 0 });
      into.ok += counts.ok;
      into.expectedFailures += counts.expectedFailures;
      into.unexpectedFailures += counts.unexpectedFailures;
    }
  }
  return merged;
}

/** Every path's unexpected failures, each naming its path. */
export function allUnexpected(paths: readonly PathResult[]): UnexpectedFailure[] {
  return paths.flatMap((path) => path.unexpected.map((failure) => ({ ...failure, server: `${path.name} ${failure.server}` })));
}

/** What a path's counts say is wrong: failures with no disruption near them, or no success at all. */
export function pathProblems(path: PathResult): string[] {
  const problems: string[] = [];
  const counts = Object.values(path.operations);
  const unexpected = counts.reduce((sum, c) => sum + c.unexpectedFailures, 0);
  const first = path.unexpected[0];
  if (unexpected > 0) problems.push(`${unexpected} operations failed on the ${path.name} path with no disruption near them (first: ${first?.operation} on ${first?.server}: ${first?.message})`);
  if (path.workers > 0 && counts.every((c) => c.ok === 0)) problems.push(`no operation succeeded on the ${path.name} path`);
  return problems;
}
