import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { YardstickPorts } from './owner-check-yardstick.js';

/**
 * The orchestrator's handle on the owner-check yardstick (owner-check-yardstick.ts): started,
 * asked for nothing but its two ports, killed in a finally. It holds no child and no state, so
 * SIGKILL is its whole stop; killAllOwnerCheckYardsticksNow() covers the benchmark's exit.
 */

/** From spawn to exit, so the exit path finds one that is still starting too. */
const running = new Set<ChildProcess>();

export class OwnerCheckYardstick {
  private constructor(
    private readonly child: ChildProcess,
    readonly ports: YardstickPorts,
  ) {}

  get pid(): number {
    return this.child.pid as number;
  }

  /** http://127.0.0.1:<port>/mcp of the server behind the daemon's owner check, and of the one without. */
  get urls(): { withCheck: string; withoutCheck: string } {
    return { withCheck: `http://127.0.0.1:${this.ports.withCheck}/mcp`, withoutCheck: `http://127.0.0.1:${this.ports.withoutCheck}/mcp` };
  }

  static async start(logFile: string, timeoutMs = 10_000): Promise<OwnerCheckYardstick> {
    const log = openSync(logFile, 'a');
    const child = fork(join(__dirname, 'owner-check-yardstick.js'), [], { stdio: ['ignore', log, log, 'ipc'] });
    closeSync(log);
    running.add(child);
    child.once('exit', () => running.delete(child));
    try {
      return new OwnerCheckYardstick(child, await portsOf(child, timeoutMs));
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref())]);
  }

}

/** Synchronous last resort (process 'exit'): SIGKILL every yardstick still running. */
export function killAllOwnerCheckYardsticksNow(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}

function portsOf(child: ChildProcess, timeoutMs: number): Promise<YardstickPorts> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the owner-check yardstick did not listen within ${timeoutMs} ms`)), timeoutMs);
    child.once('message', (ports) => {
      clearTimeout(timer);
      resolve(ports as YardstickPorts);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the owner-check yardstick exited (code ${code}, signal ${signal}) before it listened`));
    });
  });
}
