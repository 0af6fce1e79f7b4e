import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { IpcCaller } from './ipc-commands.js';
import type {
  ChurnResult,
  LatencyResult,
  LoadCommand,
  LoadResult,
  OperationCounts,
  ThroughputResult,
} from './load-protocol.js';

/**
 * The orchestrator's handle on a load-generator process: one command at a time, each with a
 * deadline; kill() in a finally. A fresh process per contender run, so no heap, JIT or
 * connection pool carries over from one contender to the next.
 */
const running = new Set<LoadGenerator>();

/** For the orchestrator's exit path: SIGKILL every load generator still running. */
export function killAllLoadGeneratorsNow(): void {
  for (const generator of running) generator.killNow();
}

export class LoadGenerator {
  private readonly ipc: IpcCaller<LoadCommand, LoadResult>;

  private constructor(private readonly child: ChildProcess) {
    this.ipc = new IpcCaller(child, 'the load generator', (code, signal) => `the load generator exited (code ${code}, signal ${signal})`);
  }

  /** `clientAccept`: the Accept header its client POSTs with (Contender.clientAccept). */
  static start(clientAccept?: string): LoadGenerator {
    const child = fork(join(__dirname, 'load-generator.js'), clientAccept === undefined ? [] : [clientAccept], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const generator = new LoadGenerator(child);
    running.add(generator);
    child.once('exit', () => running.delete(generator));
    return generator;
  }

  latency(command: Omit<Extract<LoadCommand, { kind: 'latency' }>, 'kind'>): Promise<LatencyResult> {
    return this.send({ kind: 'latency', ...command }, command.maxMs + 60_000) as Promise<LatencyResult>;
  }

  connect(url: string, sessions: number): Promise<OperationCounts> {
    return this.send({ kind: 'connect', url, sessions }, 90_000);
  }

  throughput(durationMs: number): Promise<ThroughputResult> {
    return this.send({ kind: 'throughput', durationMs }, durationMs + 60_000) as Promise<ThroughputResult>;
  }

  closeAll(): Promise<OperationCounts> {
    return this.send({ kind: 'closeAll' }, 60_000);
  }

  churn(url: string, durationMs: number, maxSessions: number): Promise<ChurnResult> {
    return this.send({ kind: 'churn', url, durationMs, maxSessions }, durationMs + 60_000) as Promise<ChurnResult>;
  }

  paced(url: string, sessions: number, gapMs: number): Promise<ChurnResult> {
    return this.send({ kind: 'paced', url, sessions, gapMs }, sessions * (gapMs + 20_000)) as Promise<ChurnResult>;
  }

  idle(url: string, sessions: number, concurrency: number): Promise<OperationCounts> {
    return this.send({ kind: 'idle', url, sessions, concurrency }, 180_000);
  }

  /** Ends it (its sessions die with it) and waits until it has exited and been reaped. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref())]);
  }

  /** Synchronous last resort (process 'exit'). */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private send(command: LoadCommand, timeoutMs: number): Promise<OperationCounts> {
    return this.ipc.call(command, timeoutMs);
  }
}
