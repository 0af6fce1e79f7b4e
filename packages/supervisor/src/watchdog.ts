import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Writable } from 'node:stream';
import { DAEMON_TAG, RUN_TAG_VARIABLE } from './strays.js';
import type { Logger } from './types.js';

/**
 * Servers must not outlive the daemon, even when it cannot stop them: SIGKILL, the
 * out-of-memory killer, a crash in native code. No handler runs then, and a server that
 * ignores the end of its stdin (or a grandchild of one that does not) would run on under
 * PID 1. So one small watchdog runs beside the daemon: a POSIX `sh` (about a megabyte;
 * a second Node would cost fifty) in a session of its own, whose stdin is a pipe that only
 * the daemon holds open. The daemon tells it, one line each, which process groups are its
 * servers' (`+ <pgid> <grace ms>`, `- <pgid>`). When that pipe reaches its end, the daemon
 * is gone, whatever killed it: the watchdog sends SIGTERM to every group it was told of and
 * (on Linux, with GNU grep) to every process that carries this daemon's run tag outside
 * them, waits for the longest stop grace, SIGKILLs what is left, and exits. It runs only
 * while the daemon has servers: the daemon ends it when it stops the last one.
 *
 * Why not PR_SET_PDEATHSIG (`setpriv --pdeathsig`)? It reaches only the process it is set
 * on, not its group or its helpers; it fires when the spawning *thread* ends; and it is
 * Linux-only. The watchdog works the same on macOS.
 */
const SCRIPT = `
trap '' HUP INT PIPE
groups=' '
grace=0
while read -r op id ms; do
  case $op in
    +) groups="$groups$id "; [ "$ms" -gt "$grace" ] 2>/dev/null && grace=$ms ;;
    -) kept=' '; for g in $groups; do [ "$g" = "$id" ] || kept="$kept$g "; done; groups=$kept ;;
  esac
done
strays=''
if [ -r /proc/self/environ ]; then
  for f in $(grep -lzE "^$1" /proc/[0-9]*/environ 2>/dev/null); do
    p=\${f#/proc/}; strays="$strays \${p%/environ}"
  done
fi
[ -z "$strays" ] && [ "$groups" = ' ' ] && exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
for p in $strays; do kill -s TERM "$p" 2>/dev/null; done
ticks=$((grace / 100))
while [ "$ticks" -gt 0 ]; do
  alive=''
  for g in $groups; do kill -s 0 -- "-$g" 2>/dev/null && alive=1; done
  for p in $strays; do kill -s 0 "$p" 2>/dev/null && alive=1; done
  [ -z "$alive" ] && exit 0
  sleep 0.1 2>/dev/null || sleep 1
  ticks=$((ticks - 1))
done
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
for p in $strays; do kill -s KILL "$p" 2>/dev/null; done
exit 0
`;

/** The name the watchdog shows in `ps` ($0 of its script). */
export const WATCHDOG_NAME = 'mcp-workstation-watchdog';

/** More ends than this within RESPAWN_WINDOW_MS and it is not started again (no respawn loop). */
const MAX_RESPAWNS = 3;
const RESPAWN_WINDOW_MS = 60_000;

type WatchdogProcess = ChildProcessByStdio<Writable, null, null>;

class Watchdog {
  private child: WatchdogProcess | null = null;
  private respawns: number[] = [];
  private unavailable: string | null = null;
  private readonly groups = new Map<number, number>();
  private logger: Logger | null = null;

  add(pgid: number, graceMs: number, logger?: Logger): void {
    this.logger ??= logger ?? null;
    this.groups.set(pgid, graceMs);
    if (this.ensureRunning()) this.write(`+ ${pgid} ${Math.round(graceMs)}\n`);
  }

  remove(pgid: number): void {
    if (!this.groups.delete(pgid)) return;
    if (this.groups.size === 0) this.end();
    else if (this.child) this.write(`- ${pgid}\n`);
  }

  pid(): number | null {
    return this.child?.pid ?? null;
  }

  private ensureRunning(): boolean {
    if (this.child) return true;
    if (this.unavailable) return false;
    if (process.platform === 'win32') {
      this.giveUp('there is no POSIX shell on Windows');
      return false;
    }
    let child: WatchdogProcess;
    try {
      child = spawn('/bin/sh', ['-c', SCRIPT, WATCHDOG_NAME, `${RUN_TAG_VARIABLE}=${DAEMON_TAG}\\.`], {
        detached: true, // a session of its own: no terminal hangup or Ctrl-C reaches it
        stdio: ['pipe', 'ignore', 'ignore'],
      });
    } catch (error) {
      this.giveUp(`/bin/sh could not be started: ${(error as Error).message}`);
      return false;
    }
    this.child = child;
    // Neither the watchdog nor its pipe may keep the daemon's event loop alive.
    child.unref();
    (child.stdin as Writable & { unref?: () => void }).unref?.();
    child.stdin.on('error', () => undefined); // EPIPE after it died: its 'exit' handles that
    child.once('error', (error) => {
      if (this.child === child) this.child = null;
      this.giveUp(`/bin/sh could not be started: ${error.message}`);
    });
    child.once('exit', (code, signal) => this.handleExit(child, code, signal));
    return true;
  }

  /** The daemon lives, its watchdog died (someone killed it): start another and tell it everything. */
  private handleExit(child: WatchdogProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.unavailable) return;
    const now = Date.now();
    this.respawns = this.respawns.filter((time) => now - time < RESPAWN_WINDOW_MS);
    if (this.respawns.length >= MAX_RESPAWNS) {
      this.giveUp(`it ended ${MAX_RESPAWNS + 1} times within a minute, the last time by ${signal ?? `exit code ${code}`}`);
      return;
    }
    this.respawns.push(now);
    this.logger?.warn(`The daemon's watchdog (${WATCHDOG_NAME}) ended (${signal ?? `exit code ${code}`}); starting it again.`);
    if (this.groups.size === 0 || !this.ensureRunning()) return;
    for (const [pgid, graceMs] of this.groups) this.write(`+ ${pgid} ${Math.round(graceMs)}\n`);
  }

  /**
   * Nothing left to watch (a graceful stop of the last server, or between a server's exit and
   * its restart): the watchdog goes too, so a stopped daemon leaves nothing behind, not even for
   * a moment. The next server starts a new one.
   */
  private end(): void {
    const child = this.child;
    this.child = null; // its 'exit' is no reason to start another
    if (child?.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private write(line: string): void {
    this.child?.stdin.write(line);
  }

  private giveUp(why: string): void {
    this.unavailable = why;
    this.logger?.warn(
      `The watchdog that stops the MCP servers if the daemon is killed could not run (${why}): ` +
        `if the daemon is killed with SIGKILL, its servers keep running. A normal stop still stops them.`,
    );
  }
}

const watchdog = new Watchdog();

/** The daemon's watchdog learns of a server's process group (it is started on the first). */
export function watchGroup(pgid: number, graceMs: number, logger?: Logger): void {
  watchdog.add(pgid, graceMs, logger);
}

export function unwatchGroup(pgid: number): void {
  watchdog.remove(pgid);
}

/** The watchdog's pid while it runs (tests). */
export function watchdogPid(): number | null {
  return watchdog.pid();
}
