import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A child spawned with `detached: true` leads its own process group (pgid = its pid), and
 * everything it starts (uvx's Python interpreter and its helpers) stays in that group
 * unless it deliberately leaves it. Signalling -pgid reaches all of them at once.
 */

/** Sends `signal` to every process in the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Whether any process of the group is still running. Zombies do not count: an orphaned
 * grandchild is re-parented to PID 1, and where PID 1 does not reap (a container whose
 * init is the daemon itself, or a minimal VM init) it stays a zombie forever, although it
 * holds nothing and cannot be killed again. kill(-pgid, 0) cannot tell, so on Linux the
 * group's members are looked up in /proc.
 */
export function isGroupAlive(pgid: number): boolean {
  if (!signalGroupExists(pgid)) return false;
  const members = readGroupMembers(pgid);
  return members === null || members.some((member) => member.state !== 'Z' && member.state !== 'X');
}

/** Whether a single process is running (not gone, not a zombie). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = readProcessStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

function signalGroupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface WaitResult {
  gone: boolean;
}

/** Polls until the group is gone or `timeoutMs` passed (polling grows from 5 to 50 ms). */
export async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<WaitResult> {
  const deadline = Date.now() + timeoutMs;
  let interval = 5;
  while (isGroupAlive(pgid)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { gone: false };
    await delay(Math.min(interval, remaining));
    interval = Math.min(interval * 2, 50);
  }
  return { gone: true };
}

export interface TerminateResult {
  /** The group needed SIGKILL after the grace period. */
  killed: boolean;
  /** Still there after SIGKILL and `killDeadlineMs` (a process stuck in the kernel). */
  survivors: boolean;
}

/**
 * SIGTERM to the whole group, `graceMs` to exit, then SIGKILL; resolves once no process of
 * the group is left (or, with a process stuck in uninterruptible sleep, after the deadline).
 */
export async function terminateGroup(pgid: number, graceMs: number, killDeadlineMs = 5_000): Promise<TerminateResult> {
  if (!signalGroup(pgid, 'SIGTERM')) return { killed: false, survivors: false };
  if ((await waitForGroupGone(pgid, graceMs)).gone) return { killed: false, survivors: false };
  signalGroup(pgid, 'SIGKILL');
  const { gone } = await waitForGroupGone(pgid, killDeadlineMs);
  return { killed: true, survivors: !gone };
}

/**
 * The same for single processes (a server's helpers that left its group: strays.ts): SIGTERM
 * to each, and to the group each one leads (what it started since), `graceMs`, then SIGKILL.
 */
export async function terminateProcesses(pids: number[], graceMs: number, killDeadlineMs = 5_000): Promise<TerminateResult> {
  const leaders = pids.filter((pid) => readProcessStat(pid)?.pgrp === pid);
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of pids) signalQuietly(pid, signal);
    for (const leader of leaders) signalQuietly(-leader, signal);
  };
  const alive = () => pids.some(isProcessAlive) || leaders.some(isGroupAlive);
  signalAll('SIGTERM');
  if (await waitUntil(() => !alive(), graceMs)) return { killed: false, survivors: false };
  signalAll('SIGKILL');
  return { killed: true, survivors: !(await waitUntil(() => !alive(), killDeadlineMs)) };
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: gone already; EPERM: not ours to stop (it changed its user)
  }
}

/** Polls `done` (5 ms growing to 50 ms) until it holds or `timeoutMs` passed. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let interval = 5;
  while (!done()) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    await delay(Math.min(interval, remaining));
    interval = Math.min(interval * 2, 50);
  }
  return true;
}

interface ProcessStat {
  pid: number;
  state: string;
  pgrp: number;
}

/** The members of a group from /proc, or null where there is no /proc (macOS). */
function readGroupMembers(pgid: number): ProcessStat[] | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const members: ProcessStat[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readProcessStat(pid);
    if (stat?.pgrp === pgid) members.push(stat);
  }
  return members;
}

function readProcessStat(pid: number): ProcessStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp …": comm may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0], pgrp: Number(fields[2]) };
}
