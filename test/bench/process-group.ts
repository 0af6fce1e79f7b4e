import { isSameLiveProcess, snapshotTree } from './proc-tree.js';
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

/**
 * SIGTERM to the process group led by `pid`, SIGKILL to it after `graceMs`, then SIGKILL to
 * any process of its tree (seen before the stop) still alive: children in process groups of
 * their own (mcp-workstation's supervisor puts each child in one) must not outlive the
 * benchmark. `exit` settles when the leader has exited.
 */
export async function stopProcessGroup(pid: number, exit: Promise<unknown>, graceMs: number): Promise<void> {
  const tree = snapshotTree(pid).processes.filter((info) => info.pid !== pid);
  signalGroup(pid, 'SIGTERM');
  const exitedInTime = await Promise.race([exit.then(() => true), delay(graceMs).then(() => false)]);
  if (!exitedInTime) {
    signalGroup(pid, 'SIGKILL');
    await Promise.race([exit, delay(5_000)]);
  }
  await reapSurvivors(tree, 5_000);
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
