import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { delay, killProcess, signalGroup, stopProcessGroup } from './process-group.js';
import { snapshotTree } from './proc-tree.js';
import { REPO_ROOT } from './tunnel-netns.js';

/**
 * A `node` process inside a network namespace (`ip netns exec <ns> node …`; ip execs, so the
 * pid is node's own), in its own process group, its output in a log file (a pipe to us would
 * cost our CPU, which shares the machine). stop() takes its whole tree, also children that
 * moved to process groups of their own (the supervisor's, wireguard-go).
 */

const running = new Set<NamespacedProcess>();

export class NamespacedProcess {
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exit = new Promise((resolve) =>
      child.once('exit', () => {
        this.exited = true;
        running.delete(this);
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** `ipc`: a Node IPC channel to the process (the probes); the others only log. */
  static start(label: string, namespace: string, args: string[], logFile: string, ipc = false): NamespacedProcess {
    const log = openSync(logFile, 'w'); // a fresh log: waitForLog() must not find an earlier run's line
    const stdio: StdioOptions = ipc ? ['ignore', log, log, 'ipc'] : ['ignore', log, log];
    const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, ...args], { cwd: REPO_ROOT, detached: true, stdio });
    closeSync(log);
    const started = new NamespacedProcess(label, child, logFile);
    running.add(started);
    return started;
  }

  logText(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 15): string {
    return this.logText().split('\n').slice(-lines).join('\n');
  }

  /** Polls the log for `pattern` until `timeoutMs`; fails early, with the log's tail, if the process exits. */
  async waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = this.logText().match(pattern);
      if (match) return match;
      if (this.exited) throw new Error(`${this.label} exited before it logged ${pattern}\n--- ${this.logFile} ---\n${this.logTail()}`);
      await delay(50);
    }
    throw new Error(`${this.label} did not log ${pattern} within ${timeoutMs} ms\n--- ${this.logFile} ---\n${this.logTail()}`);
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`, then SIGKILL to whatever of its tree survived. */
  async stop(graceMs: number): Promise<void> {
    running.delete(this);
    if (this.exited) return;
    await stopProcessGroup(this.pid, this.exit, graceMs);
  }

  /** Synchronous last resort: SIGKILL to its group and every descendant seen now. */
  killNow(): void {
    const tree = snapshotTree(this.pid).processes;
    signalGroup(this.pid, 'SIGKILL');
    for (const info of tree) killProcess(info.pid, 'SIGKILL');
  }
}

/** For the benchmark's exit path. */
export function killAllNamespacedProcessesNow(): void {
  for (const started of [...running]) started.killNow();
  running.clear();
}

