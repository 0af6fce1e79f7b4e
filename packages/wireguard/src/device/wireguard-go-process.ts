import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { inNamespace, type NamespaceOption } from '../run-command.js';
import { uapiGet, uapiSet, uapiSocketIsLive } from '../uapi.js';
import { toUapiLines } from './changes.js';
import { peerFromUapi } from './peer-statistics.js';
import type { DeviceChanges, DevicePeer, WireGuardDevice, WireGuardLogger } from './types.js';

/**
 * One run of `wireguard-go -f <ifname>`, from spawn until its control socket answers, to
 * its exit. This small watcher, rather than the supervisor package, because the supervisor
 * frames JSON-RPC on stdout and owns its own restart policy, while here "ready" means "the
 * UAPI socket answers" and a restart must re-apply the whole WireGuard config, which only
 * the caller knows. The caller decides about restarts (RestartBackoff paces them); this class
 * only reports the exit. As a WireGuardDevice it is configured and read over its UAPI socket.
 */
export interface WireGuardGoProcessOptions extends NamespaceOption {
  executable: string;
  interfaceName: string;
  socketPath: string;
  logger?: WireGuardLogger;
  /** How long wireguard-go may take to open its socket. */
  startTimeoutMs?: number;
  /** How long it may take to exit after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** wireguard-go's LOG_LEVEL: `error` (default) or `verbose`. */
  logLevel?: 'error' | 'verbose';
  /** Called when it exits after a successful start without stop() being called. */
  onUnexpectedExit?: (exited: WireGuardGoProcess, description: string) => void;
}

const OUTPUT_TAIL_LINES = 20;
const SOCKET_POLL_MS = 50;
const KILL_DEADLINE_MS = 5_000;

export class WireGuardGoProcess implements WireGuardDevice {
  readonly kind = 'wireguard-go' as const;
  private readonly outputTail: string[] = [];
  private stopping = false;
  private started = false;
  private exitDescription: string | null = null;
  private readonly exited: Promise<string>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: WireGuardGoProcessOptions,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => resolve(this.recordExit(`could not be started: ${error.message}`)));
      // 'close', not 'exit': it comes after the output pipes are drained, so the last lines
      // (usually the reason) are in outputTail when the exit is reported.
      child.once('close', (code, signal) => resolve(this.recordExit(signal ? `killed by ${signal}` : `exited with code ${code}`)));
    });
    void this.exited.then((description) => {
      if (this.started && !this.stopping) options.onUnexpectedExit?.(this, description);
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.logLine(line));
    }
  }

  /**
   * Spawns wireguard-go and resolves once its socket answers. Rejects (with its last output
   * lines) when it exits first or the deadline passes; nothing is left running then.
   */
  static async start(options: WireGuardGoProcessOptions): Promise<WireGuardGoProcess> {
    // In a named network namespace its interface is made there; the socket directory is shared.
    const [file = options.executable, ...args] = inNamespace([options.executable, '-f', options.interfaceName], options);
    const child = spawn(file, args, {
      // Its own process group: a terminal's Ctrl-C must not kill it before we stop it in order.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnvironment(options.logLevel ?? 'error'),
    });
    const running = new WireGuardGoProcess(child, options);
    installExitHook();
    liveProcesses.add(running);
    try {
      await running.waitForSocket(options.startTimeoutMs ?? 10_000);
      running.started = true;
      // An exit between the last socket check and here was no one's to report: fail the start.
      if (running.exitDescription !== null) throw running.startError(`wireguard-go ${running.exitDescription} while starting`);
      return running;
    } catch (error) {
      await running.stop();
      throw error;
    }
  }

  get interfaceName(): string {
    return this.options.interfaceName;
  }

  /** Writes a change over the UAPI socket: one `set=1` transaction. */
  async configure(changes: DeviceChanges): Promise<void> {
    await uapiSet(this.options.socketPath, toUapiLines(changes));
  }

  async peers(): Promise<DevicePeer[]> {
    return (await uapiGet(this.options.socketPath)).peers.map(peerFromUapi);
  }

  /** The device's close(): stop(), after which wireguard-go has removed its interface. */
  close(): Promise<void> {
    return this.stop();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitDescription !== null;
  }

  /** SIGTERM to the group, SIGKILL after the grace period; removes a socket file left behind. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.exitDescription === null) {
      this.signal('SIGTERM');
      if (!(await this.exitsWithin(this.options.stopGraceMs ?? 3_000))) {
        this.signal('SIGKILL');
        if (!(await this.exitsWithin(KILL_DEADLINE_MS))) {
          this.options.logger?.error(`wireguard-go (pid ${this.child.pid}) did not end within ${KILL_DEADLINE_MS} ms of SIGKILL`, { interface: this.options.interfaceName });
        }
      }
    }
    liveProcesses.delete(this);
    await removeStaleSocket(this.options.socketPath);
  }

  private async exitsWithin(timeoutMs: number): Promise<boolean> {
    const timer = new AbortController();
    const timedOut = sleep(timeoutMs, false, { signal: timer.signal }).catch(() => false);
    const exited = await Promise.race([this.exited.then(() => true), timedOut]);
    timer.abort(); // no timer may outlive stop()
    return exited;
  }

  /** Immediate, synchronous: for this process's own exit. */
  terminateNow(): void {
    if (this.exitDescription === null) this.signal('SIGTERM');
  }

  private async waitForSocket(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitDescription !== null) throw this.startError(`wireguard-go ${this.exitDescription} while starting`);
      // A stale socket file of a killed predecessor does not answer, so it cannot fool this.
      if (await uapiSocketIsLive(this.options.socketPath)) return;
      if (Date.now() > deadline) throw this.startError(`wireguard-go did not open ${this.options.socketPath} within ${timeoutMs} ms`);
      await Promise.race([this.exited, sleep(SOCKET_POLL_MS)]);
    }
  }

  private startError(message: string): Error {
    const output = this.outputTail.length > 0 ? `; its last output:\n${this.outputTail.join('\n')}` : '';
    return new Error(`${message}${output}`);
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private recordExit(description: string): string {
    this.exitDescription ??= description;
    liveProcesses.delete(this);
    return this.exitDescription;
  }

  private logLine(line: string): void {
    this.outputTail.push(line);
    if (this.outputTail.length > OUTPUT_TAIL_LINES) this.outputTail.shift();
    const meta = { interface: this.options.interfaceName, source: 'wireguard-go' };
    if (line.startsWith('ERROR')) this.options.logger?.warn(line, meta);
    else this.options.logger?.debug(line, meta);
  }
}

function childEnvironment(logLevel: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: logLevel };
  // Inherited descriptors or name files meant for another wireguard-go would misdirect this one.
  delete env.WG_TUN_FD;
  delete env.WG_UAPI_FD;
  delete env.WG_TUN_NAME_FILE;
  // "1" is what wireguard-go sets for itself in the foreground; it also silences a banner
  // that tells users the kernel module would be better even where the kernel has none.
  // (Never "0": that makes wireguard-go fork itself forever.)
  env.WG_PROCESS_FOREGROUND = '1';
  return env;
}

/** wireguard-go removes its socket on a clean exit; after SIGKILL the file stays behind. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  if (await uapiSocketIsLive(socketPath)) return; // someone else's, now: not ours to remove
  await rm(socketPath, { force: true });
}

/** Every wireguard-go this process started and has not stopped, for the exit hook below. */
const liveProcesses = new Set<WireGuardGoProcess>();
let exitHookInstalled = false;

// A detached wireguard-go would outlive a crashed daemon with its interface still up.
// 'exit' handlers run synchronously, so only a signal can be sent; SIGTERM lets wireguard-go
// remove its interface and socket itself.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const running of liveProcesses) running.terminateNow();
  });
}
