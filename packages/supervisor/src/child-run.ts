import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { trackGroup, untrackGroup } from './exit-cleanup.js';
import type { LaunchPlan } from './launch-plan.js';
import { MessageFramer, unsendableFallback } from './message-framer.js';
import { isGroupAlive, terminateGroup } from './process-group.js';
import { StderrLog } from './stderr-log.js';
import type { Logger } from './types.js';

/**
 * After the child exits, how long its stdout and stderr may take to drain before the exit
 * is reported anyway. Normally they close at once; a grandchild that inherited them keeps
 * them open until it is reaped, and the owner must not wait for that to learn of the exit.
 */
const STREAM_DRAIN_TIMEOUT_MS = 500;

export interface ChildRunOptions {
  server: string;
  plan: LaunchPlan;
  generation: number;
  maxMessageBytes: number;
  stderrTailLines: number;
  stopGraceMs: number;
  logger: Logger;
  onMessage(message: JSONRPCMessage, generation: number): void;
  /** Each stderr line, as logged. */
  onStderrLine(line: string, generation: number): void;
  /** Called once, synchronously before `ended` resolves. */
  onEnd(end: RunEnd): void;
}

export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  spawnError: NodeJS.ErrnoException | null;
  stderrTail: string[];
  /** stop() asked for this exit. */
  stopRequested: boolean;
}

/**
 * One spawned child and its process group, from spawn to the moment none of its processes
 * is left. A restart is a new ChildRun, so nothing of one generation (buffers, error
 * flags, listeners) leaks into the next.
 */
export class ChildRun {
  readonly generation: number;
  readonly pid: number | null;
  /** true once the process runs; false if it could not be spawned. */
  readonly spawned: Promise<boolean>;
  /** The child exited (or failed to spawn) and its output was drained. */
  readonly ended: Promise<RunEnd>;

  private readonly child: ChildProcessWithoutNullStreams;
  private readonly stderr: StderrLog;
  private exited = false;
  private stdinBroken = false;
  private pendingLines: string[] = [];
  private stopRequested = false;
  private reaping: Promise<void> | null = null;

  constructor(private readonly options: ChildRunOptions) {
    const { plan } = options;
    this.generation = options.generation;
    this.child = spawn(plan.file, plan.args, {
      argv0: plan.argv0,
      env: plan.env,
      cwd: plan.cwd,
      stdio: 'pipe',
      // Its own process group, so stop() reaches every process it starts (see process-group.ts).
      detached: true,
      windowsHide: true,
    });
    this.pid = this.child.pid ?? null;
    if (this.pid !== null) trackGroup(this.pid);
    this.stderr = new StderrLog(options.server, this.pid, options.stderrTailLines, options.logger, (line) =>
      options.onStderrLine(line, this.generation),
    );
    this.wireOutput();
    this.wireStdin();
    this.spawned = new Promise((resolve) => {
      this.child.once('spawn', () => resolve(true));
      this.child.once('error', () => resolve(false));
    });
    this.ended = new Promise((resolve) => {
      this.child.on('error', (error) => this.handleError(error, resolve));
      this.child.once('exit', (code, signal) => void this.handleExit(code, signal, resolve));
    });
  }

  /** Writes one message to the child's stdin; false when the child cannot take it. */
  send(message: JSONRPCMessage): boolean {
    if (!this.running || this.stdinBroken || !this.child.stdin.writable) return false;
    let line: string;
    try {
      line = `${JSON.stringify(message)}\n`;
    } catch (error) {
      this.options.logger.error(`Server "${this.options.server}": a message could not be serialized: ${String(error)}`, {
        server: this.options.server,
      });
      return this.answerUnsendable(message, error);
    }
    this.enqueue(line);
    return true;
  }

  /**
   * Hook for a message JSON.stringify refused (unsendableFallback, message-framer.ts): its
   * request gets an error instead of waiting forever. True when something stands in for it.
   */
  private answerUnsendable(message: JSONRPCMessage, error: unknown): boolean {
    const { toOwner, toChild } = unsendableFallback(this.options.server, message, error);
    if (toOwner) setImmediate(() => this.options.onMessage(toOwner, this.generation));
    else if (toChild) this.enqueue(`${JSON.stringify(toChild)}\n`);
    return toOwner !== undefined || toChild !== undefined;
  }

  /**
   * Messages sent in one turn of the event loop go to the pipe in one write. Under load the
   * per-write cost dominated the bridge's CPU (docs/performance.md: 31% of busy samples with
   * one write per message); setImmediate flushes in the same loop iteration, so a lone
   * message waits microseconds, not a timer tick. Order is kept: every write goes through here.
   */
  private enqueue(line: string): void {
    this.pendingLines.push(line);
    if (this.pendingLines.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const lines = this.pendingLines;
    this.pendingLines = [];
    if (lines.length === 0 || this.stdinBroken || !this.child.stdin.writable) return;
    // write() returning false only means Node buffers it until the pipe drains; nothing
    // is lost, and the caller (the bridge) bounds what is in flight.
    this.child.stdin.write(lines.length === 1 ? lines[0]! : lines.join(''));
  }

  get running(): boolean {
    return this.pid !== null && !this.exited;
  }

  /** SIGTERM to the group, the grace period, SIGKILL; resolves when every process is gone. */
  async stop(): Promise<RunEnd> {
    this.stopRequested = true;
    if (this.pid !== null) void this.reapGroup();
    const end = await this.ended;
    await this.reaping;
    return end;
  }

  /** Resolves when no process of this run's group is left. */
  reaped(): Promise<void> {
    return this.reaping ?? this.ended.then(() => this.reaping ?? undefined);
  }

  private wireOutput(): void {
    const framer = new MessageFramer({
      server: this.options.server,
      maxMessageBytes: this.options.maxMessageBytes,
      logger: this.options.logger,
      onMessage: (message) => this.options.onMessage(message, this.generation),
    });
    this.child.stdout.on('data', (chunk: Buffer) => framer.push(chunk));
    this.child.stdout.on('end', () => framer.end());
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    this.child.stderr.on('end', () => this.stderr.end());
  }

  private wireStdin(): void {
    this.child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (this.stdinBroken) return;
      this.stdinBroken = true;
      if (this.exited) return; // the exit itself is reported; a late EPIPE adds nothing
      const detail = error.code === 'EPIPE' ? 'it closed its stdin or exited' : error.message;
      this.options.logger.warn(
        `Server "${this.options.server}" no longer accepts messages (${detail}); ` +
          `messages to it are dropped until it restarts.`,
        { server: this.options.server, pid: this.pid },
      );
    });
  }

  private handleError(error: NodeJS.ErrnoException, resolve: (end: RunEnd) => void): void {
    if (this.pid === null) {
      this.exited = true;
      this.finish({ code: null, signal: null, spawnError: error }, resolve);
      return;
    }
    // After a successful spawn this is a failed kill() or IPC send; neither is used here.
    this.options.logger.warn(`Server "${this.options.server}": ${error.message}`, { server: this.options.server });
  }

  private async handleExit(
    code: number | null,
    signal: NodeJS.Signals | null,
    resolve: (end: RunEnd) => void,
  ): Promise<void> {
    this.exited = true;
    // The child is gone, but whatever it started may still be running in its group.
    if (!this.stopRequested && this.pid !== null && isGroupAlive(this.pid)) {
      this.options.logger.info(
        `Server "${this.options.server}" exited and left processes in its group; stopping them.`,
        { server: this.options.server, pgid: this.pid },
      );
    }
    void this.reapGroup();
    await waitAtMost(once(this.child, 'close'), STREAM_DRAIN_TIMEOUT_MS);
    this.finish({ code, signal, spawnError: null }, resolve);
  }

  private finish(
    end: Pick<RunEnd, 'code' | 'signal' | 'spawnError'>,
    resolve: (end: RunEnd) => void,
  ): void {
    const full: RunEnd = { ...end, stderrTail: this.stderr.tail(), stopRequested: this.stopRequested };
    this.options.onEnd(full);
    resolve(full);
  }

  private reapGroup(): Promise<void> {
    const pgid = this.pid;
    if (pgid === null) return Promise.resolve();
    this.reaping ??= terminateGroup(pgid, this.options.stopGraceMs).then(
      (result) => {
        untrackGroup(pgid);
        if (result.survivors) {
          this.options.logger.error(
            `Server "${this.options.server}": processes of group ${pgid} survived SIGKILL (stuck in the kernel?).`,
            { server: this.options.server, pgid },
          );
        } else if (result.killed) {
          this.options.logger.warn(
            `Server "${this.options.server}" did not stop within ${this.options.stopGraceMs} ms of SIGTERM; killed its process group.`,
            { server: this.options.server, pgid },
          );
        }
      },
      (error: unknown) => {
        this.options.logger.error(`Server "${this.options.server}": could not stop process group ${pgid}: ${String(error)}`, {
          server: this.options.server,
          pgid,
        });
      },
    );
    return this.reaping;
  }
}

/** Waits for `promise`, but no longer than `ms`, leaving no timer behind. */
async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  const timeout = delay(ms, undefined, { signal: timer.signal }).catch(() => undefined);
  await Promise.race([promise, timeout]);
  timer.abort();
}
