import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { Contender } from './contenders.js';
import { REPO_ROOT } from './contenders.js';
import { signalGroup, stopProcessGroup } from './process-group.js';

/**
 * One contender as a real process: started in its own process group with its output in a log
 * file (a pipe to us would cost our CPU, which shares the machine), ready when its readiness
 * path answers 200, and stopped with its whole tree, even when something failed.
 */

const running = new Set<ContenderProcess>();

export class ContenderProcess {
  readonly url: string;
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    readonly contender: Contender,
    readonly port: number,
    readonly child: ChildProcess,
    readonly logFile: string,
    /** The state directory made for it (removed by stop()), unless the caller gave one. */
    private readonly ownStateHome: string | null,
  ) {
    this.url = `http://127.0.0.1:${port}/mcp`;
    this.exit = new Promise((resolve) =>
      child.once('exit', () => {
        this.exited = true;
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /**
   * `nodeFlags` go before the script (a profiler's flags, for example); the children do not get
   * them. `extraEnv` is added to our environment (XDG_STATE_HOME, to keep its state elsewhere).
   */
  static async start(contender: Contender, logFile: string, nodeFlags: string[] = [], readyTimeoutMs = 30_000, extraEnv: NodeJS.ProcessEnv = {}): Promise<ContenderProcess> {
    const port = await freePort();
    const log = openSync(logFile, 'a');
    // mcp-workstation keeps state (its API key for other local users) under XDG_STATE_HOME:
    // a benchmark must not write into the state directory of the person running it.
    const ownStateHome = extraEnv.XDG_STATE_HOME === undefined ? mkdtempSync(join(tmpdir(), 'mcpw-bench-state-')) : null;
    const child = spawn(process.execPath, [...nodeFlags, ...contender.nodeArgs(port)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...(ownStateHome ? { XDG_STATE_HOME: ownStateHome } : {}), ...extraEnv },
      detached: true, // its own process group, so stop() can signal all of it at once
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const started = new ContenderProcess(contender, port, child, logFile, ownStateHome);
    running.add(started);
    try {
      await started.waitReady(readyTimeoutMs);
    } catch (err) {
      await started.stop();
      throw err;
    }
    return started;
  }

  /** Milliseconds it took from spawn to the first 200 on its readiness path. */
  readyAfterMs = 0;

  private async waitReady(timeoutMs: number): Promise<void> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    const readyUrl = `http://127.0.0.1:${this.port}${this.contender.readyPath}`;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.contender.id} exited before it was ready\n${this.logTail()}`);
      if ((await httpStatus(readyUrl)) === 200) {
        this.readyAfterMs = Date.now() - started;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${this.contender.id} did not answer 200 on ${readyUrl} within ${timeoutMs} ms\n${this.logTail()}`);
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Stops its whole tree (process-group.ts's stopProcessGroup): nothing of it outlives the benchmark. */
  async stop(graceMs = 10_000): Promise<void> {
    running.delete(this);
    await stopProcessGroup(this.pid, this.exit, graceMs);
    if (this.ownStateHome) rmSync(this.ownStateHome, { recursive: true, force: true });
  }
}

/** For a failure path: stops every contender still running. */
export async function stopAllContenders(): Promise<void> {
  await Promise.all([...running].map((contender) => contender.stop(2_000)));
}

/** Synchronous last resort (process 'exit'): SIGKILL every contender's process group. */
export function killAllContendersNow(): void {
  for (const contender of running) signalGroup(contender.pid, 'SIGKILL');
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The HTTP status of a GET, or 0 when nothing answers (yet). */
function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
