import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The seam between the supervisor and everything above it: a message channel per child.
 * Nothing outside this package ever sees a ChildProcess.
 */

export type ProcessState = 'starting' | 'ready' | 'backoff' | 'failed' | 'stopped';

/** Structural logger: winston's Logger satisfies it, so packages do not depend on winston. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** What to run. An argv, never a shell line, unless `shell` is set. */
export interface ServerCommand {
  command: string;
  args: string[];
  /** Merged over the daemon's own environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Run `command` (with args appended) through /bin/sh -c. Off by default. */
  shell?: boolean;
}

export interface RestartPolicy {
  /** false: never restart (per-session children). Default true. */
  enabled?: boolean;
  /** First backoff delay; doubles each exit, with full jitter. Default 250 ms. */
  initialDelayMs?: number;
  /** Cap of the backoff while not failed. Default 10 s. */
  maxDelayMs?: number;
  /** `failedAfterExits` exits within `failedWindowMs` make the state `failed`. Defaults 5 and 60 s. */
  failedAfterExits?: number;
  failedWindowMs?: number;
  /** While failed, it keeps retrying this slowly (never gives up silently, never spins). Default 60 s. */
  failedRetryDelayMs?: number;
}

export interface SupervisedServerOptions {
  /** The server's name: tags log records and errors. */
  name: string;
  command: ServerCommand;
  /**
   * A stdout message larger than this is dropped with a log line naming its size; when it is an
   * answer, its request gets a JSON-RPC error naming the limit instead. Default 32 MiB.
   */
  maxMessageBytes?: number;
  /**
   * Messages written to the child that it has not read yet, in bytes. A child that lets more
   * than this wait (it stopped reading its stdin) is treated as stalled: logged, stopped and
   * restarted like one that exited. One message bigger than this still goes through when
   * nothing else waits. Default 16 MiB.
   */
  maxStdinBacklogBytes?: number;
  restart?: RestartPolicy;
  /** SIGTERM to the process group, this long, then SIGKILL. Default 5 s. */
  stopGraceMs?: number;
  /** How many stderr lines are kept for error reports. Default 20. */
  stderrTailLines?: number;
  logger?: Logger;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** A sentence for a person, naming the server, what happened and (where known) the fix. */
  reason: string;
  /** The last stderr lines before the exit. */
  stderrTail: string[];
  /** 'start': it never became ready (or could not be spawned at all). */
  during: 'start' | 'run';
  generation: number;
  /**
   * stop() or restart() asked for this end: it is no failure of the server. Absent (false)
   * for an exit nobody asked for, and for a child stopped because its stdio broke.
   */
  requested?: boolean;
}

export interface ServerStatus {
  name: string;
  state: ProcessState;
  /** Why it is in this state, for a person. */
  reason: string;
  pid: number | null;
  /** Increments on every spawn; messages carry the generation they came from. */
  generation: number;
  /** Number of restarts since the supervisor started. */
  restarts: number;
  lastExit: ExitInfo | null;
  lastError: string | null;
  since: Date;
}

/** Events of a MessageChannel. */
export interface ChannelEvents {
  /** A JSON-RPC message framed from the child's stdout. */
  message: [message: JSONRPCMessage, generation: number];
  /** A new child process is running (first start or restart). */
  spawn: [generation: number];
  /**
   * The child exited (or failed to spawn), or it can no longer carry messages while it still
   * runs (it closed its stdout or stdin, or stopped reading it): then this comes at once,
   * with a reason that says so, while the process is being stopped.
   */
  exit: [info: ExitInfo];
  /** Any state change. */
  state: [status: ServerStatus];
  /**
   * One line the child wrote to stderr (blank lines skipped, an oversize line replaced by a
   * note of its size), as logged. Owners read it for signals the child gives only there.
   */
  stderr: [line: string, generation: number];
}

/**
 * One supervised stdio server as the bridge sees it.
 * `send` returns false (and drops the message) when no child is running.
 */
export interface MessageChannel {
  readonly name: string;
  send(message: JSONRPCMessage): boolean;
  on<E extends keyof ChannelEvents>(event: E, listener: (...args: ChannelEvents[E]) => void): this;
  off<E extends keyof ChannelEvents>(event: E, listener: (...args: ChannelEvents[E]) => void): this;
  once<E extends keyof ChannelEvents>(event: E, listener: (...args: ChannelEvents[E]) => void): this;
  /** The owner (the bridge) says the child answered its initialize: state becomes `ready`. */
  markReady(): void;
  status(): ServerStatus;
  /** Spawn (idempotent). Resolves when the process is spawned or has failed to spawn. */
  start(): Promise<void>;
  /** Stop the whole process group: SIGTERM, grace, SIGKILL. Resolves when every process is gone. */
  stop(): Promise<void>;
  /**
   * Optional: replace the running child at once (stop its group, spawn again, no backoff),
   * for a reason outside the child (its configuration or credentials changed). Counted in
   * `restarts`; the reason is in the exit and in the state that follows. Resolves when the
   * new child is spawned (or failed to). Does nothing unless started.
   */
  restart?(reason: string): Promise<void>;
}
