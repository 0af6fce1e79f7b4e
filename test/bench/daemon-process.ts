import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './contender-process.js';
import { BENCH_SERVER, MCP_WORKSTATION_NODE_FLAGS, REPO_ROOT } from './contenders.js';
import { isSameLiveProcess, snapshotTree } from './proc-tree.js';
import type { ProcessInfo } from './proc-tree.js';

/**
 * `mcp-workstation up --config <file>` as a real process, the way a user runs it: its own
 * process group, its log (JSON lines, since stderr is a file) in the round's log file, the
 * admin listener on a free loopback port (or a unix socket), no tunnel. Everything it starts
 * is stopped in stop(), and killAllDaemonsNow() is the synchronous last resort of the
 * benchmark's exit.
 */

const CLI = join(REPO_ROOT, 'packages', 'daemon', 'bin', 'mcp-workstation.js');

const running = new Set<DaemonProcess>();

export interface DaemonStart {
  servers: number;
  logFile: string;
  /** `node` flags for the daemon's own process (a profiler's); its children do not get them. */
  nodeFlags: string[];
  /** The MCP listener's port (mcpUrl then says where it is); default 0: the daemon picks one, and mcpUrl is undefined. */
  listenPort?: number;
  /**
   * The admin listener on a unix socket in the daemon's temporary directory instead of a free
   * loopback port: a part that measures the loopback listener keeps the admin's readiness
   * polls off TCP (and out of /proc/net/tcp, which the owner check reads).
   */
  adminOnUnixSocket?: boolean;
}

/** Where the admin listener is, as node:http's request() takes it. */
type AdminAddress = { host: string; port: number } | { socketPath: string };

export interface StopResult {
  /** SIGTERM → the daemon and every process of its tree (seen before the stop) gone. */
  stopMs: number;
  /** The grace ran out and the tree was killed. */
  forced: boolean;
}

export class DaemonProcess {
  /** Wall-clock time (Date.now()) just before spawn, to place the daemon's log timestamps. */
  readonly spawnedAtWallMs: number;
  private readonly spawnedAt: number;
  private exited = false;
  private spawnError?: Error;
  private exitedWith = '';
  private readonly exit: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    private readonly admin: AdminAddress,
    /** http://127.0.0.1:<port>/mcp when the caller chose the port (DaemonStart.listenPort). */
    readonly mcpUrl: string | undefined,
    readonly logFile: string,
    private readonly configDir: string,
    spawnedAtWallMs: number,
    spawnedAt: number,
  ) {
    this.spawnedAtWallMs = spawnedAtWallMs;
    this.spawnedAt = spawnedAt;
    this.exit = new Promise((resolve) => {
      const ended = () => {
        this.exited = true;
        resolve();
      };
      child.once('exit', (code, signal) => {
        this.exitedWith = signal ? `signal ${signal}` : `code ${code}`;
        ended();
      });
      // A spawn that failed (EAGAIN, ENOMEM) emits 'error' and no 'exit'.
      child.once('error', (err) => {
        this.spawnError = err;
        ended();
      });
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  static async start(options: DaemonStart): Promise<DaemonProcess> {
    const configDir = mkdtempSync(join(tmpdir(), 'mcpw-bench-daemon-'));
    const admin: AdminAddress = options.adminOnUnixSocket ? { socketPath: join(configDir, 'admin.sock') } : { host: '127.0.0.1', port: await freePort() };
    const listenPort = options.listenPort ?? 0;
    const configFile = writeConfig(configDir, options.servers, admin, listenPort);
    const log = openSync(options.logFile, 'w');
    const spawnedAtWallMs = Date.now();
    const spawnedAt = performance.now();
    let child: ChildProcess;
    try {
      // The product's own node flags (its bin's shebang) first: measured as shipped.
      child = spawn(process.execPath, [...MCP_WORKSTATION_NODE_FLAGS, ...options.nodeFlags, CLI, 'up', '--config', configFile], {
        cwd: REPO_ROOT,
        env: daemonEnvironment(),
        detached: true, // its own process group, as a service manager starts it
        stdio: ['ignore', log, log],
      });
    } catch (err) {
      rmSync(configDir, { recursive: true, force: true });
      throw err;
    } finally {
      closeSync(log);
    }
    const mcpUrl = listenPort === 0 ? undefined : `http://127.0.0.1:${listenPort}/mcp`;
    const daemon = new DaemonProcess(child, admin, mcpUrl, options.logFile, configDir, spawnedAtWallMs, spawnedAt);
    running.add(daemon);
    return daemon;
  }

  /**
   * Polls GET /readyz on the admin listener every `pollMs` until it answers 200; returns
   * spawn → that answer in ms, late by at most one interval. The trade-off: each poll the
   * daemon answers costs it a small request (about 0.2 ms of CPU on one kept-alive
   * connection, measured on an idle daemon), so at 5 ms some 40 polls land while its servers
   * start: a few milliseconds of CPU, counted against the daemon rather than for it. Polls
   * before the admin listener is up are refused by the kernel and cost it nothing.
   */
  async waitReady(pollMs: number, timeoutMs: number): Promise<{ readyMs: number; polls: number }> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const where = 'socketPath' in this.admin ? `/readyz on ${this.admin.socketPath}` : `http://${this.admin.host}:${this.admin.port}/readyz`;
    let polls = 0;
    try {
      while (performance.now() - this.spawnedAt < timeoutMs) {
        if (this.exited) throw new Error(this.spawnError ? `mcp-workstation up did not start: ${this.spawnError.message}` : `mcp-workstation up exited (${this.exitedWith}) before it was ready`);
        polls += 1;
        if ((await readyzStatus(this.admin, agent)) === 200) return { readyMs: performance.now() - this.spawnedAt, polls };
        await delay(pollMs);
      }
    } finally {
      agent.destroy();
    }
    throw new Error(`mcp-workstation up did not answer 200 on ${where} within ${timeoutMs} ms`);
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * SIGTERM to the daemon alone (what `kill <pid>` and a service manager's stop send): it must
   * stop its children itself. Timed until the daemon and every process of its tree seen before
   * the stop are gone. After `graceMs`, SIGKILL to its group and to every survivor (the
   * supervisor puts each child in a process group of its own).
   */
  async stop(graceMs: number): Promise<StopResult> {
    running.delete(this);
    const tree = snapshotTree(this.pid).processes.filter((info) => info.pid !== this.pid);
    const started = performance.now();
    signal(this.pid, 'SIGTERM');
    const gone = await allGone(this.exit, tree, graceMs);
    const stopMs = performance.now() - started;
    if (!gone) {
      signal(-this.pid, 'SIGKILL');
      await within(this.exit, 5_000);
      for (const info of tree.filter(isSameLiveProcess)) signal(info.pid, 'SIGKILL');
    }
    rmSync(this.configDir, { recursive: true, force: true });
    return { stopMs, forced: !gone };
  }

  /** Synchronous: SIGKILL to the group and to the children's own groups (process 'exit'). */
  killNow(): void {
    for (const info of snapshotTree(this.pid).processes) if (info.pid !== this.pid) signal(-info.pid, 'SIGKILL');
    signal(-this.pid, 'SIGKILL');
    rmSync(this.configDir, { recursive: true, force: true });
  }
}

/** For the benchmark's exit handler: no daemon, and no child of one, outlives it. */
export function killAllDaemonsNow(): void {
  for (const daemon of running) daemon.killNow();
  running.clear();
}

/**
 * A config file (0600, as docs/configuration.md asks of a file that may hold secrets) with
 * `servers` copies of the test server (shared sessions, the default), the MCP listener on
 * `listenPort` (0: the daemon picks), the admin listener at `admin`, no tunnel, and a state
 * directory of its own so no registration (or API key) of the machine's user is read or
 * written. Log level and everything else stay at their defaults.
 */
function writeConfig(dir: string, servers: number, admin: AdminAddress, listenPort: number): string {
  const file = join(dir, 'config.json');
  const serverMap: Record<string, { command: string; args: string[] }> = {};
  for (let i = 1; i <= servers; i++) serverMap[`bench-${i}`] = { command: process.execPath, args: [BENCH_SERVER, 'stdio'] };
  const config = {
    listen: { host: '127.0.0.1', port: listenPort },
    admin: 'socketPath' in admin ? admin.socketPath : `${admin.host}:${admin.port}`,
    logFormat: 'json',
    stateDir: join(dir, 'state'),
    tunnel: { enabled: false },
    servers: serverMap,
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/**
 * Our environment (with the benchmark's marker) without the MCP_WORKSTATION_ settings of
 * whoever runs the benchmark: the config file alone decides.
 */
function daemonEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('MCP_WORKSTATION_')) continue;
    env[name] = value;
  }
  return env;
}

async function allGone(exit: Promise<void>, tree: ProcessInfo[], timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  const exited = await within(exit, timeoutMs);
  if (!exited) return false;
  let alive = tree.filter(isSameLiveProcess);
  while (alive.length > 0 && performance.now() < deadline) {
    await delay(2);
    alive = alive.filter(isSameLiveProcess);
  }
  return alive.length === 0;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/**
 * A timer that holds the event loop: once the daemon is gone nothing else may, and a caller
 * awaiting a poll must not see its process end under it.
 */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` settled within `ms`; the timer is cleared either way so it holds nothing up. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The HTTP status of GET /readyz on the admin listener, or 0 when nothing answers (yet). */
function readyzStatus(admin: AdminAddress, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ ...admin, path: '/readyz', method: 'GET', agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
