import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * A contender's whole process tree read from /proc (Linux): the process we started and every
 * live descendant. A bridge's cost is its own process plus the children it spawns, so every
 * figure (RSS, process count, CPU) is summed over the tree.
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  /** Clock ticks since boot when it started: with the pid, tells a reused pid apart. */
  startTicks: number;
  /** utime + stime + cutime + cstime: its own CPU plus that of the children it reaped. */
  cpuTicks: number;
  /** utime + stime: its own CPU only. */
  ownCpuTicks: number;
  rssBytes: number;
}

export interface TreeSnapshot {
  processes: ProcessInfo[];
  /** Live (non-zombie) processes. */
  count: number;
  rssBytes: number;
  /** RSS of the root process alone (the bridge itself, without its children). */
  rootRssBytes: number;
  cpuMs: number;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;

/** Clock ticks (utime, stime… in /proc) to milliseconds. */
export function ticksToMs(ticks: number): number {
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** /proc/<pid>/stat, parsed after the command name (which may hold spaces and parentheses). */
export function readProcess(pid: number): ProcessInfo | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after ")": index 0 is field 3 (state) of proc(5), so field n is at n - 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = (field: number) => Number(fields[field - 3]);
  return {
    pid,
    ppid: ticks(4),
    state: fields[0],
    startTicks: ticks(22),
    cpuTicks: ticks(14) + ticks(15) + ticks(16) + ticks(17),
    ownCpuTicks: ticks(14) + ticks(15),
    rssBytes: ticks(24) * PAGE_BYTES,
  };
}

function allProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) processes.push(info);
  }
  return processes;
}

/**
 * The root and its descendants. CPU sums utime+stime+cutime+cstime: a child that exited and
 * was reaped inside the tree moved its CPU into its parent's cutime/cstime, so short-lived
 * children (supergateway's spawn per request) are still counted, and none twice.
 */
export function snapshotTree(rootPid: number): TreeSnapshot {
  const byParent = new Map<number, ProcessInfo[]>();
  let root: ProcessInfo | undefined;
  for (const info of allProcesses()) {
    if (info.pid === rootPid) root = info;
    const siblings = byParent.get(info.ppid) ?? [];
    siblings.push(info);
    byParent.set(info.ppid, siblings);
  }
  const processes: ProcessInfo[] = [];
  const queue = root ? [root] : [];
  while (queue.length > 0) {
    const next = queue.shift() as ProcessInfo;
    processes.push(next);
    queue.push(...(byParent.get(next.pid) ?? []));
  }
  const live = processes.filter((info) => info.state !== 'Z' && info.state !== 'X');
  return {
    processes,
    count: live.length,
    rssBytes: live.reduce((sum, info) => sum + info.rssBytes, 0),
    rootRssBytes: root?.rssBytes ?? 0,
    cpuMs: ticksToMs(processes.reduce((sum, info) => sum + info.cpuTicks, 0)),
  };
}

/** Still the same process: alive, not a zombie, and not a new process that reused the pid. */
export function isSameLiveProcess(info: Pick<ProcessInfo, 'pid' | 'startTicks'>): boolean {
  const now = readProcess(info.pid);
  return now !== null && now.startTicks === info.startTicks && now.state !== 'Z' && now.state !== 'X';
}
