import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import * as errors from './errors.js';
import { trackGroup, untrackGroup } from './exit-cleanup.js';
import type { LaunchPlan } from './launch-plan.js';
import { MessageFramer, unsendableFallback } from './message-framer.js';
import { isGroupAlive, terminateGroup, terminateProcesses, type TerminateResult } from './process-group.js';
import { StderrLog } from './stderr-log.js';
import { findStrays, newRunTag, RUN_TAG_VARIABLE } from './strays.js';
import type { Logger } from './types.js';

/**
 * After the child exits, how long its stdout and stderr may take to drain before the exit
 * is reported anyway. Normally they close at once; a grandchild that inherited them keeps
 * them open until it is reaped, and the owner must not wait for that to learn of the exit.
 */
const STREAM_DRAIN_TIMEOUT_MS = 500;

/**
 * A child that ends closes its stdio a moment before its exit is reported. Its stdout ending
 * (or its stdin breaking) counts as a failure of its own only if the process still runs this
 * long after: then it can answer nothing (or be sent nothing) ever again.
 */
const CHANNEL_LOSS_GRACE_MS = 250;

export interface ChildRunOptions {
  server: string;
  plan: LaunchPlan;
  generation: number;
  maxMessageBytes: number;
  maxStdinBacklogBytes: number;
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
  /**
   * Set when the run ended while the process still ran: its stdio could no longer carry
   * messages (the sentence says which way). The process is being stopped meanwhile.
   */
  lost: string | null;
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
  /** In the environment of the child and of everything it starts: finds those that leave its group. */
  private readonly runTag = newRunTag();
  private exited = false;
  private stdinBroken = false;
  private pendingLines: string[] = [];
  private stopRequested = false;
  private reaping: Promise<void> | null = null;
  /** Why the channel was lost while the process ran (see RunEnd.lost). */
  private lost: string | null = null;
  private lossTimer: NodeJS.Timeout | null = null;
  private finished = false;
  private resolveEnded!: (end: RunEnd) => void;

  constructor(private readonly options: ChildRunOptions) {
    const { plan } = options;
    this.generation = options.generation;
    this.child = spawn(plan.file, plan.args, {
      argv0: plan.argv0,
      env: { ...plan.env, [RUN_TAG_VARIABLE]: this.runTag },
      cwd: plan.cwd,
      stdio: 'pipe',
      // Its own process group, so stop() reaches every process it starts (see process-group.ts).
      detached: true,
      windowsHide: true,
    });
    this.pid = this.child.pid ?? null;
    if (this.pid !== null) trackGroup(this.pid, { graceMs: options.stopGraceMs, logger: options.logger });
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
      this.resolveEnded = resolve;
      this.child.on('error', (error) => this.handleError(error));
      this.child.once('exit', (code, signal) => void this.handleExit(code, signal));
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
    if (lines.length === 0 || !this.running || this.stdinBroken || !this.child.stdin.writable) return;
    // write() returning false only means Node buffers it until the pipe drains. What waits
    // there is bounded: a child that lets more than maxStdinBacklogBytes wait has stopped
    // reading, and is treated as stalled (what is already waiting still counts, so one big
    // message goes through as long as the child keeps reading).
    const waiting = this.child.stdin.writableLength;
    if (waiting > this.options.maxStdinBacklogBytes) {
      this.loseChannel(errors.stdinStalled(this.options.server, this.pid, waiting, this.options.maxStdinBacklogBytes));
      return;
    }
    this.child.stdin.write(lines.length === 1 ? lines[0]! : lines.join(''));
  }

  get running(): boolean {
    return this.pid !== null && !this.exited && this.lost === null;
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
    this.child.stdout.on('end', () => {
      framer.end();
      this.suspectLoss(() => errors.stdoutClosed(this.options.server, this.pid));
    });
    this.child.stdout.on('error', () => this.suspectLoss(() => errors.stdoutClosed(this.options.server, this.pid)));
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    this.child.stderr.on('end', () => this.stderr.end());
  }

  private wireStdin(): void {
    this.child.stdin.on('error', () => {
      if (this.stdinBroken) return;
      this.stdinBroken = true;
      // An exiting child breaks its stdin too; the exit itself is reported then.
      this.suspectLoss(() => errors.stdinClosed(this.options.server, this.pid));
    });
  }

  /**
   * Its stdout ended or its stdin broke. A child that exits does both just before its exit is
   * reported; one that still runs after CHANNEL_LOSS_GRACE_MS has lost its channel.
   */
  private suspectLoss(reason: () => string): void {
    if (this.exited || this.lost !== null || this.lossTimer || this.stopRequested || this.pid === null) return;
    this.lossTimer = setTimeout(() => {
      this.lossTimer = null;
      this.loseChannel(reason());
    }, CHANNEL_LOSS_GRACE_MS);
    this.lossTimer.unref();
  }

  /**
   * A child that lives but can carry no message is a failure like an exit: the run ends now
   * (so what waits for it fails at once and the owner restarts it), and the process group is
   * stopped meanwhile; the next spawn waits until it is gone (reaped()).
   */
  private loseChannel(reason: string): void {
    if (this.exited || this.lost !== null || this.stopRequested || this.pid === null) return;
    this.lost = reason;
    this.pendingLines = [];
    void this.reapGroup(); // the owner logs the reason, as it does for an exit
    this.finish({ code: null, signal: null, spawnError: null });
  }

  private handleError(error: NodeJS.ErrnoException): void {
    if (this.pid === null) {
      this.exited = true;
      this.finish({ code: null, signal: null, spawnError: error });
      return;
    }
    // After a successful spawn this is a failed kill() or IPC send; neither is used here.
    this.options.logger.warn(`Server "${this.options.server}": ${error.message}`, { server: this.options.server });
  }

  private async handleExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.exited = true;
    if (this.lossTimer) clearTimeout(this.lossTimer);
    this.lossTimer = null;
    if (this.finished) return; // its run already ended when its channel was lost
    // The child is gone, but whatever it started may still be running in its group.
    if (!this.stopRequested && this.pid !== null && isGroupAlive(this.pid)) {
      this.options.logger.info(
        `Server "${this.options.server}" exited and left processes in its group; stopping them.`,
        { server: this.options.server, pgid: this.pid },
      );
    }
    void this.reapGroup();
    await waitAtMost(Promise.all([closed(this.child.stdout), closed(this.child.stderr)]), STREAM_DRAIN_TIMEOUT_MS);
    this.finish({ code, signal, spawnError: null });
  }

  private finish(end: Pick<RunEnd, 'code' | 'signal' | 'spawnError'>): void {
    if (this.finished) return;
    this.finished = true;
    const full: RunEnd = { ...end, stderrTail: this.stderr.tail(), stopRequested: this.stopRequested, lost: this.lost };
    this.options.onEnd(full);
    this.resolveEnded(full);
  }

  private reapGroup(): Promise<void> {
    const pgid = this.pid;
    if (pgid === null) return Promise.resolve();
    this.reaping ??= this.reapAll(pgid).then(
      ({ group: result, strays }) => {
        untrackGroup(pgid);
        if (strays.length > 0) {
          this.options.logger.info(
            `Server "${this.options.server}": stopped ${strays.length} of its processes that had left its process group (pid ${strays.join(', ')}).`,
            { server: this.options.server, pgid, strays },
          );
        }
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

  /**
   * The group, and the run's processes that left it (strays.ts), looked up before the first
   * signal, while the child's PPid links still lead to them; once more after, for one that
   * left while the group was being stopped.
   */
  private async reapAll(pgid: number): Promise<{ group: TerminateResult; strays: number[] }> {
    const grace = this.options.stopGraceMs;
    const strays = await this.findStrays(pgid, this.exited ? null : pgid);
    const [group, first] = await Promise.all([terminateGroup(pgid, grace), terminateProcesses(strays, grace)]);
    const late = (await this.findStrays(pgid, null)).filter((pid) => !strays.includes(pid));
    const second = await terminateProcesses(late, grace);
    const killed = group.killed || first.killed || second.killed;
    const survivors = group.survivors || first.survivors || second.survivors;
    return { group: { killed, survivors }, strays: [...strays, ...late] };
  }

  private async findStrays(pgid: number, livePid: number | null): Promise<number[]> {
    try {
      return await findStrays({ pgid, runTag: this.runTag, livePid });
    } catch (error) {
      this.options.logger.debug(`Server "${this.options.server}": could not look for processes that left its group: ${String(error)}`, {
        server: this.options.server,
      });
      return [];
    }
  }
}

function closed(stream: Readable): Promise<unknown> {
  return stream.closed ? Promise.resolve() : once(stream, 'close');
}

/** Waits for `promise`, but no longer than `ms`, leaving no timer behind. */
async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  const timeout = delay(ms, undefined, { signal: timer.signal }).catch(() => undefined);
  await Promise.race([promise, timeout]);
  timer.abort();
}
