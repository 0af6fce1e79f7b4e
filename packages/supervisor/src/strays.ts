import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

/**
 * Processes of a server that left its process group (setsid(), a double fork, a helper that
 * daemonizes): signalling the group no longer reaches them, so on Linux they are looked up
 * in /proc when the group is stopped. Two links lead back to the run they belong to:
 *
 * - the environment: every child gets RUN_TAG_VARIABLE=<a tag unique to this run>, and what
 *   it starts inherits it, whatever its parent or session becomes (re-parented orphans too);
 * - the parent links (PPid) down from the child, while the child still runs, for a process
 *   that cleared its environment but did not lose its parent.
 *
 * Where the daemon runs in a cgroup of its own (a systemd unit), only the processes of that
 * cgroup are looked at: fewer files to read, and nothing of the daemon's leaves it without
 * help from a privileged process. Elsewhere every process in /proc is a candidate. Without
 * /proc (macOS) nothing is found: the process group is all that is stopped there.
 */

export const RUN_TAG_VARIABLE = 'MCP_WORKSTATION_SERVER_RUN';

/** This daemon's part of every run tag (random: two daemons never share one). */
export const DAEMON_TAG = randomBytes(6).toString('hex');

let runs = 0;

/** A tag for one run (one spawned child): `<daemon tag>.<pid>.<n>`. */
export function newRunTag(): string {
  runs += 1;
  return `${DAEMON_TAG}.${process.pid}.${runs}`;
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  /** The value of RUN_TAG_VARIABLE in its environment; null when absent or unreadable. */
  runTag: string | null;
}

export interface StrayQuery {
  /** The run's process group: its members are stopped through the group, not here. */
  pgid: number;
  runTag: string;
  /** The child itself while it still runs (its pid cannot have been reused), for PPid links. */
  livePid: number | null;
}

/** Pids of the run's processes outside its group (never this process), or [] where unknown. */
export async function findStrays(query: StrayQuery): Promise<number[]> {
  const table = await readProcessTable();
  if (!table) return [];
  const parents = new Map(table.map((entry) => [entry.pid, entry.ppid]));
  const strays: number[] = [];
  for (const entry of table) {
    if (entry.pid === process.pid || entry.pgrp === query.pgid) continue;
    if (entry.runTag === query.runTag || (query.livePid !== null && descendsFrom(entry.pid, query.livePid, parents))) {
      strays.push(entry.pid);
    }
  }
  return strays;
}

/** Whether following PPid links from `pid` reaches `ancestor` (cycles and depth bounded). */
function descendsFrom(pid: number, ancestor: number, parents: Map<number, number>): boolean {
  let current = parents.get(pid);
  for (let depth = 0; current !== undefined && current > 1 && depth < 128; depth += 1) {
    if (current === ancestor) return true;
    current = parents.get(current);
  }
  return false;
}

/** Scans are shared: many runs stopping at once (per-session children) read /proc once. */
let scanning: Promise<ProcessEntry[] | null> | null = null;

/** Every live (not zombie) candidate process, or null where there is no /proc. */
export function readProcessTable(): Promise<ProcessEntry[] | null> {
  scanning ??= scanProcesses().finally(() => {
    scanning = null;
  });
  return scanning;
}

/** Files read at once while scanning: enough to be quick, few enough not to hog libuv's pool. */
const SCAN_BATCH = 64;

async function scanProcesses(): Promise<ProcessEntry[] | null> {
  const pids = await candidatePids();
  if (!pids) return null;
  const entries: ProcessEntry[] = [];
  for (let start = 0; start < pids.length; start += SCAN_BATCH) {
    const batch = await Promise.all(pids.slice(start, start + SCAN_BATCH).map(readEntry));
    for (const entry of batch) if (entry) entries.push(entry);
  }
  return entries;
}

async function readEntry(pid: number): Promise<ProcessEntry | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone meanwhile
  }
  // "pid (comm) state ppid pgrp …": comm may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  let runTag: string | null = null;
  try {
    runTag = variableIn(await readFile(`/proc/${pid}/environ`), RUN_TAG_VARIABLE);
  } catch {
    // another user's process (EACCES) or gone meanwhile: it carries no tag we can see
  }
  return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), runTag };
}

/** The value of `name` in a NUL-separated environment block, or null. */
export function variableIn(environ: Buffer, name: string): string | null {
  const key = Buffer.from(`${name}=`);
  let at = environ.indexOf(key);
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(key, at + 1);
  if (at < 0) return null;
  const end = environ.indexOf(0, at);
  return environ.subarray(at + key.length, end < 0 ? environ.length : end).toString('utf8');
}

async function candidatePids(): Promise<number[] | null> {
  const cgroup = ownCgroupDirectory();
  if (cgroup) {
    const pids = await cgroupPids(cgroup);
    if (pids) return pids;
  }
  try {
    return (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  } catch {
    return null;
  }
}

let cgroupDirectory: string | null | undefined;

/** The cgroup directory to scan, when the daemon has one of its own (see cgroupOf); cached. */
function ownCgroupDirectory(): string | null {
  if (cgroupDirectory === undefined) {
    let text = '';
    try {
      text = readFileSync('/proc/self/cgroup', 'utf8');
    } catch {
      // no /proc
    }
    cgroupDirectory = cgroupOf(text, (file) => {
      try {
        readFileSync(file);
        return true;
      } catch {
        return false;
      }
    });
  }
  return cgroupDirectory;
}

/**
 * From /proc/self/cgroup: the directory of the daemon's cgroup when it is a systemd service
 * unit (`…/<name>.service`), which holds the daemon and what it started and nothing else;
 * null otherwise (a login session's scope holds the user's other programs: every process is
 * scanned then, which finds the same strays). cgroup v2 (`0::/path`, mounted at
 * /sys/fs/cgroup, or /sys/fs/cgroup/unified in the hybrid layout) or v1's name=systemd
 * hierarchy. `readable` says whether a cgroup.procs file can be read.
 */
export function cgroupOf(procSelfCgroup: string, readable: (file: string) => boolean): string | null {
  const candidates: string[] = [];
  for (const line of procSelfCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
    if (!match || !match[3].endsWith('.service')) continue;
    const [, , controllers, path] = match;
    if (controllers === '') candidates.push(`/sys/fs/cgroup${path}`, `/sys/fs/cgroup/unified${path}`);
    else if (controllers === 'name=systemd') candidates.push(`/sys/fs/cgroup/systemd${path}`);
  }
  return candidates.find((directory) => readable(`${directory}/cgroup.procs`)) ?? null;
}

/** Every pid in a cgroup and the cgroups below it; null if it cannot be read. */
async function cgroupPids(directory: string): Promise<number[] | null> {
  let procs: string;
  try {
    procs = await readFile(`${directory}/cgroup.procs`, 'utf8');
  } catch {
    return null;
  }
  const pids = procs.split('\n').filter((line) => /^\d+$/.test(line)).map(Number);
  let children: string[] = [];
  try {
    children = (await readdir(directory, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    // no sub-cgroups to read
  }
  for (const child of children) pids.push(...((await cgroupPids(`${directory}/${child}`)) ?? []));
  return pids;
}
