import { readdirSync, readFileSync } from 'node:fs';

/** Process facts from /proc (Linux), to find the daemon's children and prove they are gone. */

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** State letter and parent pid from /proc/<pid>/stat (the command name may hold spaces and parens). */
function stat(pid: number): { state: string; ppid: number } | null {
  const text = readProc(pid, 'stat');
  if (text === null) return null;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], ppid: Number(fields[1]) };
}

export function commandLine(pid: number): string {
  return (readProc(pid, 'cmdline') ?? '').split('\0').join(' ').trim();
}

/** Gone: no such process, or a zombie (dead, only waiting for its parent to read its status). */
export function isGone(pid: number): boolean {
  const info = stat(pid);
  return info === null || info.state === 'Z' || info.state === 'X';
}

export function childPids(parentPid: number): number[] {
  return allPids().filter((pid) => stat(pid)?.ppid === parentPid && !isGone(pid));
}

/**
 * Live processes whose environment carries `marker` (NAME=value). Every process a daemon
 * starts inherits its environment, so this finds its children and grandchildren even after
 * they were re-parented to init, which a parent-pid walk would miss.
 */
export function processesWithEnv(marker: string): number[] {
  return allPids().filter((pid) => {
    if (pid === process.pid || isGone(pid)) return false;
    const environ = readProc(pid, 'environ');
    return environ !== null && environ.split('\0').includes(marker);
  });
}
