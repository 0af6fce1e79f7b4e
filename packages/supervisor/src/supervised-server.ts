import { EventEmitter } from 'node:events';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { RestartSchedule } from './backoff.js';
import { ChildRun, type RunEnd } from './child-run.js';
import * as errors from './errors.js';
import { describeSpawnError, planLaunch, type LaunchPlan } from './launch-plan.js';
import { resolveSettings, type Settings } from './settings.js';
import type {
  ChannelEvents,
  ExitInfo,
  MessageChannel,
  ProcessState,
  ServerStatus,
  SupervisedServerOptions,
} from './types.js';

/** How many stderr lines go into the reason of an exit after the server was ready. */
const RUNNING_EXIT_STDERR_LINES = 5;

/**
 * One stdio MCP server kept alive: spawned as an argv in its own process group, restarted
 * with backoff when it exits, reported through states and events, and stopped with its
 * whole group. The owner (the bridge) only sees the MessageChannel side.
 *
 * Life cycle: stopped → starting (spawned) → ready (markReady) → on exit: backoff →
 * starting … or, after too many exits in a window, failed (still retrying slowly); stop()
 * from anywhere → stopped.
 */
export class SupervisedServer extends EventEmitter<ChannelEvents> implements MessageChannel {
  readonly name: string;

  private readonly settings: Settings;
  private readonly schedule: RestartSchedule;
  private state: ProcessState = 'stopped';
  private reason = 'Not started yet.';
  private since = new Date();
  private generation = 0;
  private restarts = 0;
  private lastExit: ExitInfo | null = null;
  private lastError: string | null = null;

  /** The current child, from spawn until it has ended. */
  private run: ChildRun | null = null;
  /** The child that ended last: its group must be gone before the next spawn. */
  private lastRun: ChildRun | null = null;
  private readyRun: ChildRun | null = null;
  /** start() was called and stop() was not. */
  private wanted = false;
  private firstLaunch: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  /** A restart() under way; calls while it runs join it. */
  private restarting: Promise<void> | null = null;
  /** The child restart() is stopping, and why: its end is no exit to back off from. */
  private replacing: { run: ChildRun; why: string } | null = null;

  constructor(readonly options: SupervisedServerOptions) {
    super();
    this.settings = resolveSettings(options);
    this.name = options.name;
    this.schedule = new RestartSchedule(this.settings.restart);
  }

  send(message: JSONRPCMessage): boolean {
    return this.run?.send(message) ?? false;
  }

  markReady(): void {
    const run = this.run;
    if (!run?.running || this.state !== 'starting') return;
    this.readyRun = run;
    this.schedule.noteHealthy();
    this.setState('ready', `Ready (pid ${run.pid}, generation ${run.generation}).`);
  }

  status(): ServerStatus {
    return {
      name: this.name,
      state: this.state,
      reason: this.reason,
      pid: this.run?.running ? this.run.pid : null,
      generation: this.generation,
      restarts: this.restarts,
      lastExit: this.lastExit,
      lastError: this.lastError,
      since: this.since,
    };
  }

  start(): Promise<void> {
    if (this.wanted) return this.firstLaunch;
    this.wanted = true;
    const stopping = this.stopping;
    this.firstLaunch = (async () => {
      await stopping;
      await this.launch();
    })();
    return this.firstLaunch;
  }

  stop(): Promise<void> {
    this.wanted = false;
    this.cancelRestart();
    this.stopping ??= this.stopEverything().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  restart(reason: string): Promise<void> {
    if (!this.wanted) return Promise.resolve();
    this.restarting ??= this.replaceChild(reason).finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  /**
   * restart(): a requested replacement, not a failure, so it skips the backoff and is not
   * counted toward `failed`; a pending backoff restart is superseded by it.
   */
  private async replaceChild(why: string): Promise<void> {
    await this.firstLaunch;
    if (!this.wanted) return;
    this.cancelRestart();
    this.restarts += 1;
    const run = this.run;
    if (run) {
      this.replacing = { run, why };
      this.setState('starting', errors.restartPending(this.name, why));
      await run.stop();
    }
    if (!this.wanted) return; // stop() was called meanwhile: it wins
    await this.launch(`${errors.restartedByRequest(this.name, why)} `);
  }

  private async stopEverything(): Promise<void> {
    await this.run?.stop();
    await this.lastRun?.reaped();
    if (this.state !== 'stopped') this.setState('stopped', errors.stoppedByRequest(this.name));
  }

  /** One spawn attempt. Never rejects: every failure becomes an exit with a reason. */
  private async launch(context = ''): Promise<void> {
    await this.lastRun?.reaped();
    if (!this.wanted || this.run) return;
    const run = this.spawnOrReport();
    if (!run || !(await run.spawned)) return; // the report (or the run's end) says why
    this.generation = run.generation;
    this.setState('starting', `${context}Starting (pid ${run.pid}, generation ${run.generation}); waiting for it to answer initialize.`);
    this.notify('spawn', run.generation);
  }

  private spawnOrReport(): ChildRun | null {
    const { command } = this.options;
    try {
      const plan = planLaunch(this.name, command);
      if (!plan.ok) {
        this.afterExit(this.startFailure(plan.reason));
        return null;
      }
      this.run = this.spawnRun(plan);
      return this.run;
    } catch (error) {
      // spawn() throws synchronously for arguments it cannot pass (a NUL byte in an arg).
      this.afterExit(this.startFailure(errors.spawnFailed(this.name, command.command, error as Error)));
      return null;
    }
  }

  private spawnRun(plan: LaunchPlan): ChildRun {
    const run: ChildRun = new ChildRun({
      server: this.name,
      plan,
      generation: this.generation + 1,
      maxMessageBytes: this.settings.maxMessageBytes,
      maxStdinBacklogBytes: this.settings.maxStdinBacklogBytes,
      stderrTailLines: this.settings.stderrTailLines,
      stopGraceMs: this.settings.stopGraceMs,
      logger: this.settings.logger,
      onMessage: (message, generation) => this.notify('message', message, generation),
      onStderrLine: (line, generation) => this.notify('stderr', line, generation),
      onEnd: (end) => this.handleRunEnd(run, plan, end),
    });
    return run;
  }

  private handleRunEnd(run: ChildRun, plan: LaunchPlan, end: RunEnd): void {
    if (this.run === run) this.run = null;
    this.lastRun = run;
    const info = this.describeEnd(run, plan, end);
    if (end.stopRequested && this.replacing?.run === run) {
      const { why } = this.replacing;
      this.replacing = null;
      this.lastExit = { ...info, reason: errors.restartedByRequest(this.name, why), requested: true };
      this.notify('exit', this.lastExit);
      return; // replaceChild spawns the next one (or stop() reports stopped)
    }
    if (end.stopRequested) {
      this.lastExit = { ...info, requested: true };
      this.notify('exit', this.lastExit);
      this.setState('stopped', info.reason);
      return;
    }
    this.afterExit(info);
  }

  private describeEnd(run: ChildRun, plan: LaunchPlan, end: RunEnd): ExitInfo {
    const wasReady = this.readyRun === run;
    const base = {
      code: end.code,
      signal: end.signal,
      stderrTail: end.stderrTail,
      during: wasReady ? ('run' as const) : ('start' as const),
      generation: end.spawnError ? this.generation : run.generation,
    };
    if (end.spawnError) return { ...base, reason: describeSpawnError(this.name, plan, end.spawnError) };
    if (end.lost) return { ...base, reason: end.lost };
    if (end.stopRequested) return { ...base, reason: errors.stoppedByRequest(this.name) };
    if (!wasReady) {
      return { ...base, reason: errors.exitedDuringStart(this.name, end.code, end.signal, end.stderrTail, plan.viaShell) };
    }
    const tail = end.stderrTail.slice(-RUNNING_EXIT_STDERR_LINES);
    return { ...base, reason: errors.exitedWhileRunning(this.name, end.code, end.signal, tail) };
  }

  private startFailure(reason: string): ExitInfo {
    return { code: null, signal: null, reason, stderrTail: [], during: 'start', generation: this.generation };
  }

  /** An exit nobody asked for: report it, then restart, fail or stop as the policy says. */
  private afterExit(info: ExitInfo): void {
    this.lastExit = info;
    this.lastError = info.reason;
    const log = info.during === 'start' ? this.settings.logger.error : this.settings.logger.warn;
    log.call(this.settings.logger, info.reason, { server: this.name, generation: info.generation });
    this.notify('exit', info);
    if (!this.wanted) {
      this.setState('stopped', info.reason);
    } else if (!this.settings.restart.enabled) {
      this.wanted = false;
      this.setState('stopped', errors.restartDisabled(info.reason));
    } else {
      this.scheduleRestart(info);
    }
  }

  private scheduleRestart(info: ExitInfo): void {
    const wasFailing = this.schedule.isFailing;
    const decision = this.schedule.recordExit(Date.now());
    if (decision.failed) {
      const policy = this.settings.restart;
      const reason = errors.failedRepeatedly(
        this.name,
        decision.recentExits,
        policy.failedWindowMs,
        policy.failedRetryDelayMs,
        info.reason,
      );
      if (!wasFailing) this.settings.logger.error(reason, { server: this.name });
      this.setState('failed', reason);
    } else {
      this.setState('backoff', errors.restartingIn(info.reason, decision.delayMs));
    }
    this.restartTimer = setTimeout(() => this.restartNow(), decision.delayMs);
  }

  private restartNow(): void {
    this.restartTimer = null;
    if (!this.wanted) return;
    this.restarts += 1;
    void this.launch();
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  /**
   * emit(), but each listener runs on its own: one that throws is logged and the others
   * still hear the event. Events fire from stream and process callbacks, where a throw
   * would take the whole daemon (every other server and session) down.
   */
  private notify<E extends keyof ChannelEvents>(event: E, ...args: ChannelEvents[E]): void {
    // rawListeners: 'once' wrappers, which remove themselves when called.
    for (const listener of this.rawListeners(event) as Array<(...args: ChannelEvents[E]) => void>) {
      try {
        listener.apply(this, args);
      } catch (error) {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.settings.logger.error(`A '${event}' listener of server "${this.name}" threw: ${detail}`, { server: this.name });
      }
    }
  }

  private setState(state: ProcessState, reason: string): void {
    if (state === this.state && reason === this.reason) return;
    this.state = state;
    this.reason = reason;
    this.since = new Date();
    this.settings.logger.debug(`Server "${this.name}" is ${state}: ${reason}`, { server: this.name, state });
    this.notify('state', this.status());
  }
}
