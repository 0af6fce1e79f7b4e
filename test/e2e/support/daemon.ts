import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CLI_BIN, CLI_NODE_FLAGS, REPO_ROOT, assertBuilt } from './paths';
import { commandLine, processesWithEnv } from './processes';
import { waitFor, withDeadline } from './wait';

/**
 * The built `mcp-workstation` CLI as a real process. startDaemon() waits (with a deadline)
 * for the "MCP endpoint: <url>" line; stopAllDaemons() (call it in afterEach) stops every
 * daemon still running and fails the test if any process it started outlives it.
 */

const MARKER_VARIABLE = 'MCP_WORKSTATION_E2E_MARKER';
const ENDPOINT_LINE = /MCP endpoint: ((?:https?|wss?):\/\/[^\s"]+)/;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the endpoint line. Default 20 s. */
  timeoutMs?: number;
}

export class Daemon {
  /** The first "MCP endpoint" URL it printed. */
  endpoint = '';
  private stdout = '';
  private stderr = '';
  private readonly exit: Promise<ExitStatus>;
  private exitStatus: ExitStatus | null = null;

  constructor(
    readonly child: ChildProcess,
    /** NAME=value in the environment of every process this daemon starts. */
    readonly marker: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      }),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** scheme://host:port of the endpoint. */
  get origin(): string {
    return new URL(this.endpoint).origin.replace(/^ws/, 'http');
  }

  get running(): boolean {
    return this.exitStatus === null;
  }

  output(): string {
    return `--- stdout ---\n${this.stdout}--- stderr ---\n${this.stderr}`;
  }

  stderrText(): string {
    return this.stderr;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return waitFor(() => this.stderr.match(pattern) ?? this.stdout.match(pattern) ?? undefined, {
      timeoutMs,
      what: `output matching ${pattern}\n${this.output()}`,
    });
  }

  exited(): Promise<ExitStatus> {
    return this.exit;
  }

  /** Processes this daemon started that are still alive (children, grandchildren, orphans). */
  descendants(): number[] {
    return processesWithEnv(this.marker).filter((pid) => pid !== this.pid);
  }

  /** Sends `signal` and waits for the exit; SIGKILL (and a failure) if it does not come in time. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<ExitStatus> {
    if (!this.running) return this.exit;
    this.child.kill(signal);
    try {
      return await withDeadline(this.exit, timeoutMs, `the daemon to exit after ${signal}`);
    } catch (err) {
      this.child.kill('SIGKILL');
      await this.exit;
      throw new Error(`${(err as Error).message}\n${this.output()}`);
    }
  }
}

const running = new Set<Daemon>();

/** Starts `mcp-workstation <args…>` and resolves once it printed its endpoint. */
export async function startDaemon(args: string[], options: StartOptions = {}): Promise<Daemon> {
  assertBuilt();
  const marker = `${MARKER_VARIABLE}=${randomUUID()}`;
  const child = spawn(process.execPath, [...CLI_NODE_FLAGS, CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, [MARKER_VARIABLE]: marker.split('=')[1] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const daemon = new Daemon(child, marker);
  running.add(daemon);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const endpoint = await waitFor(
    () => {
      const match = daemon.stderrText().match(ENDPOINT_LINE);
      if (match) return match[1];
      if (!daemon.running) throw new Error('the daemon exited before printing its endpoint');
      return undefined;
    },
    { timeoutMs, what: `the "MCP endpoint" line of mcp-workstation ${args.join(' ')}` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${daemon.output()}`);
  });
  daemon.endpoint = endpoint;
  return daemon;
}

/**
 * Stops every daemon still running and checks that nothing it started survived it.
 * Survivors are killed (so one failure does not leak into the next test) and reported.
 */
export async function stopAllDaemons(): Promise<void> {
  const problems: string[] = [];
  for (const daemon of running) {
    running.delete(daemon);
    try {
      await daemon.stop('SIGTERM');
    } catch (err) {
      problems.push((err as Error).message);
    }
    const survivors = await waitFor(() => daemon.descendants().length === 0 || undefined, {
      timeoutMs: 10_000,
      what: 'the processes the daemon started to be gone',
    }).then(
      () => [],
      () => daemon.descendants(),
    );
    if (survivors.length > 0) {
      problems.push(`processes outlived the daemon: ${survivors.map((pid) => `${pid} (${commandLine(pid)})`).join(', ')}`);
      for (const pid of survivors) killQuietly(pid);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs the CLI to completion (for --help, bad flags): its exit code and output. */
export async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  assertBuilt();
  const child = spawn(process.execPath, [...CLI_NODE_FLAGS, CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<ExitStatus>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  try {
    const status = await withDeadline(exit, options.timeoutMs ?? 15_000, `mcp-workstation ${args.join(' ')} to finish`);
    return { ...status, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
