import { signalGroup } from './process-group.js';
import type { Logger } from './types.js';
import { unwatchGroup, watchGroup } from './watchdog.js';

/**
 * Process groups that are still running, so none outlives the daemon: if the daemon exits
 * without stopping its servers (an uncaught exception, process.exit), a synchronous
 * 'exit' handler SIGKILLs whatever is left. SIGKILL of the daemon itself runs no handler at
 * all: for that, each group is also given to the watchdog (watchdog.ts), which stops them
 * when the daemon is gone. Graceful stop() remains the main path.
 */
const liveGroups = new Set<number>();
let installed = false;

export interface TrackOptions {
  /** How long the watchdog lets the group stop after SIGTERM. Default 5 s. */
  graceMs?: number;
  logger?: Logger;
}

export function trackGroup(pgid: number, options: TrackOptions = {}): void {
  liveGroups.add(pgid);
  watchGroup(pgid, options.graceMs ?? 5_000, options.logger);
  if (!installed) {
    installed = true;
    process.on('exit', killTrackedGroups);
  }
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
  unwatchGroup(pgid);
}

/** SIGKILLs every tracked group, synchronously (an 'exit' handler cannot wait). */
export function killTrackedGroups(): void {
  for (const pgid of liveGroups) {
    try {
      signalGroup(pgid, 'SIGKILL');
    } catch {
      // Nothing useful can be done while exiting; the next group still deserves its signal.
    }
  }
  liveGroups.clear();
}
