import { spawn } from 'node:child_process';
import { findOnPath } from '@mcp-workstation/supervisor';
import type { DaemonLogger } from '../logging/logger.js';

/**
 * systemd's readiness protocol (sd_notify) when NOTIFY_SOCKET is set: READY=1 once every
 * required component is ready, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 when a stop
 * begins. The protocol is a datagram on a unix socket, which Node cannot send, so the messages
 * go through systemd's own `systemd-notify` (it also waits, with a barrier, until systemd has
 * read them). Because that helper is not the main process, the unit needs NotifyAccess=all,
 * which `service install` writes.
 *
 * The variables are taken out of the environment the MCP servers inherit: with
 * NotifyAccess=all, a server that speaks sd_notify itself could otherwise tell systemd the
 * daemon is ready.
 */

const VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

export interface SdNotifyOptions {
  env?: NodeJS.ProcessEnv;
  logger: DaemonLogger;
  /** Default: systemd-notify found on PATH. */
  notifyCommand?: string | null;
}

export class SdNotify {
  private queue: Promise<void> = Promise.resolve();
  private watchdog: NodeJS.Timeout | null = null;
  private readySent = false;

  private constructor(
    private readonly socket: string,
    private readonly watchdogUsec: number | null,
    private readonly command: string,
    private readonly logger: DaemonLogger,
  ) {}

  /**
   * The notifier systemd asked for, or null when it asked for none (no NOTIFY_SOCKET) or the
   * helper is missing (then one warning says what is lost). Removes the variables from `env`.
   */
  static fromEnvironment(options: SdNotifyOptions): SdNotify | null {
    const env = options.env ?? process.env;
    const socket = env.NOTIFY_SOCKET;
    const watchdogUsec = watchdogInterval(env);
    for (const name of VARIABLES) delete env[name];
    if (socket === undefined || socket === '') return null;
    const command = options.notifyCommand === undefined ? findOnPath('systemd-notify', env.PATH ?? '') : options.notifyCommand;
    if (command === null) {
      options.logger.warn(
        'NOTIFY_SOCKET is set but systemd-notify is not on PATH, so readiness and the watchdog cannot be reported to systemd ' +
          '(a Type=notify unit will time out). Install systemd\'s tools, or use Type=exec in the unit.',
      );
      return null;
    }
    return new SdNotify(socket, watchdogUsec, command, options.logger);
  }

  /** READY=1, once. */
  ready(status: string): void {
    if (this.readySent) return this.status(status);
    this.readySent = true;
    this.send(['READY=1', `STATUS=${oneLine(status)}`]);
  }

  status(status: string): void {
    this.send([`STATUS=${oneLine(status)}`]);
  }

  stopping(): Promise<void> {
    this.stopWatchdog();
    this.send(['STOPPING=1', 'STATUS=stopping']);
    return this.queue;
  }

  /** Pings at half the interval systemd gave, so one late ping is not yet a timeout. */
  startWatchdog(): void {
    if (this.watchdogUsec === null || this.watchdog) return;
    const everyMs = Math.max(1, Math.floor(this.watchdogUsec / 2000));
    this.watchdog = setInterval(() => this.send(['WATCHDOG=1']), everyMs);
    this.watchdog.unref();
    this.send(['WATCHDOG=1']);
  }

  stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** One helper at a time, in order: READY=1 must not overtake an earlier message, nor STOPPING=1 a READY=1. */
  private send(assignments: string[]): void {
    this.queue = this.queue.then(() => this.run(assignments));
  }

  private run(assignments: string[]): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn(this.command, assignments, { env: { ...process.env, NOTIFY_SOCKET: this.socket }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', (error) => {
        this.logger.warn(`telling systemd ${assignments[0]} failed: ${error.message}`);
        resolve();
      });
      child.once('close', (code) => {
        if (code !== 0) this.logger.warn(`telling systemd ${assignments[0]} failed: systemd-notify exited with ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
        resolve();
      });
    });
  }
}

/** WATCHDOG_USEC, unless WATCHDOG_PID says it is meant for another process. */
function watchdogInterval(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return null;
  const pid = env.WATCHDOG_PID;
  if (pid !== undefined && pid !== '' && Number(pid) !== process.pid) return null;
  return usec;
}

/** Each argument of systemd-notify is one assignment on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
