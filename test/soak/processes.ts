import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/** Process facts from /proc (Linux): what the soak started, and what may have outlived it. */

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function isLive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const code = state.slice(state.lastIndexOf(')') + 2)[0];
    return code !== 'Z' && code !== 'X';
  } catch {
    return false;
  }
}

function otherPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map(Number);
}

/**
 * Every live process whose environment holds NAME=value: what a process started inherits,
 * so children that left the tree (re-parented to init) are found too.
 */
export function markedProcesses(name: string, value: string): number[] {
  return otherPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${name}=${value}`) && isLive(pid);
    } catch {
      return false; // gone, or not ours to read
    }
  });
}

/** Live processes whose command line is exactly `line` (wireguard-go gets a clean environment, so no marker finds it). */
export function processesWithCommandLine(line: string): number[] {
  return otherPids().filter((pid) => cmdline(pid) === line && isLive(pid));
}

/** What a process's fds are, counted by kind (socket, pipe, anon_inode:…, or the file's directory). */
export function describeFds(pid: number): string {
  const kinds = new Map<string, number>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const kind = /^(socket|pipe|anon_inode:[^\]]*)/.exec(target)?.[1] ?? path.dirname(target);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  } catch {
    return 'unreadable';
  }
  return [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
}
