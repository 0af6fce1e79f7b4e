import { spawn, type ChildProcess } from 'node:child_process';
import type { GatewayLogger } from '../log/logger.js';
import { inNamespace, type NamespaceOption } from './run-command.js';
import { uapiRequest } from './uapi-client.js';
import { GET_REQUEST } from './uapi-config.js';

export interface WireGuardGoProcessOptions extends NamespaceOption {
  interfaceName: string;
  socketPath: string;
  program: string;
  log: GatewayLogger;
  /** How long wireguard-go gets to open its UAPI socket. */
  startTimeoutMs?: number;
}

const STDERR_TAIL_CHARS = 2_000;

/**
 * One `wireguard-go -f <ifname>` child (foreground: `-f`; WG_PROCESS_FOREGROUND=0 would make
 * it fork forever). It is ready when its UAPI socket answers. The private key never reaches its
 * argv or environment: the caller sends it over the UAPI afterwards.
 */
export class WireGuardGoProcess {
  private child: ChildProcess | null = null;
  private stderrTail = '';
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: WireGuardGoProcessOptions) {}

  get running(): boolean {
    return this.child !== null;
  }

  async start(onExit: (reason: string) => void): Promise<void> {
    const argv = inNamespace([this.options.program, '-f', this.options.interfaceName], this.options);
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error' };
    delete env.WG_PROCESS_FOREGROUND;
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.child = child;
    this.stderrTail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      for (const line of text.split('\n').filter(Boolean)) this.options.log.debug(`wireguard-go: ${line}`, { interface: this.options.interfaceName });
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    let exitReason: string | null = null;
    this.exited = new Promise((resolve) => {
      child.on('error', (err: NodeJS.ErrnoException) => {
        exitReason = explainSpawnError(this.options.program, err);
        if (this.child === child) this.child = null;
        resolve();
      });
      child.on('exit', (code, signal) => {
        exitReason = `wireguard-go exited (${signal ?? `code ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim()}` : ''}`;
        if (this.child === child) {
          this.child = null;
          onExit(exitReason);
        }
        resolve();
      });
    });
    await this.waitForSocket(() => exitReason);
  }

  /** SIGTERM (wireguard-go removes its interface and socket), SIGKILL after a grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private async waitForSocket(exitReason: () => string | null): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 10_000);
    for (;;) {
      const reason = exitReason();
      if (reason !== null) throw new Error(explainStartFailure(reason));
      try {
        await uapiRequest(this.options.socketPath, GET_REQUEST, 1_000);
        return;
      } catch {
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(`wireguard-go did not open ${this.options.socketPath} within ${this.options.startTimeoutMs ?? 10_000} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

function explainSpawnError(program: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') {
    return `${program} is not installed (or not on PATH): install it (Debian/Ubuntu: apt-get install wireguard-go wireguard-tools iproute2; macOS: brew install wireguard-go wireguard-tools), or run serve --wg-backend none for development without a tunnel`;
  }
  return `cannot start ${program}: ${err.message}`;
}

function explainStartFailure(reason: string): string {
  if (/permitted|permission|denied|EPERM|EACCES/i.test(reason)) {
    return `${reason}; the gateway's WireGuard interface needs root (or CAP_NET_ADMIN) and /dev/net/tun: run serve as root, or with --wg-backend none for development without a tunnel`;
  }
  return reason;
}
