import { isSameLiveProcess } from './proc-tree.js';
import type { ProcessInfo } from './proc-tree.js';

/** Stopping what the benchmark started: shared by the contenders and the tunnel part's processes. */

/** A signal to a whole process group (its leader's pid); a group already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  killProcess(-pid, signal);
}

/** A signal to one process; a process already gone is fine. */
export function killProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** Waits (at most `timeoutMs`) for every process of `tree` to be gone, then SIGKILLs the rest (a child that left the group). */
export async function reapSurvivors(tree: ProcessInfo[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let alive = tree.filter(isSameLiveProcess);
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(50);
    alive = alive.filter(isSameLiveProcess);
  }
  for (const info of alive) killProcess(info.pid, 'SIGKILL');
}

/** A pause that does not hold the benchmark's process open. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
