import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type {
  ChurnResult,
  LatencyResult,
  LoadCommand,
  LoadRequest,
  LoadResponse,
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
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (response: LoadResponse) => void }>();
  private exitReason?: string;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (response: LoadResponse) => {
      this.pending.get(response.seq)?.resolve(response);
      this.pending.delete(response.seq);
    });
    child.once('exit', (code, signal) => {
      this.exitReason = `the load generator exited (code ${code}, signal ${signal})`;
      for (const { resolve } of this.pending.values()) resolve({ seq: -1, ok: false, error: this.exitReason });
      this.pending.clear();
    });
  }

  static start(): LoadGenerator {
    const child = fork(join(__dirname, 'load-generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
    if (this.exitReason) return Promise.reject(new Error(this.exitReason));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`the load generator did not finish ${command.kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, {
        resolve: (response) => {
          clearTimeout(timer);
          if (response.ok) resolve(response.result as OperationCounts);
          else reject(new Error(`load generator, ${command.kind}: ${response.error}`));
        },
      });
      this.child.send({ seq, command } satisfies LoadRequest);
    });
  }
}
