import { signalGroup } from './process-group.js';

/**
 * Process groups that are still running, so none outlives the daemon: if the daemon exits
 * without stopping its servers (an uncaught exception, process.exit), a synchronous
 * 'exit' handler SIGKILLs whatever is left. Best effort by nature: SIGKILL of the daemon
 * itself runs no handler at all, which is why graceful stop() remains the main path.
 */
const liveGroups = new Set<number>();
let installed = false;

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!installed) {
    installed = true;
    process.on('exit', killTrackedGroups);
  }
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
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
