import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { snapshotTree } from '../bench/proc-tree.js';
import { shebangNodeFlags } from '../bench/shebang-flags.js';
import { probe } from './churn.js';
import { allUnexpected, mergeOperations, pathProblems, pathResult, probePath, soakPath, startWorkers } from './paths.js';
import type { SoakPath } from './paths.js';
import { cmdline, describeFds, markedProcesses } from './processes.js';
import { renderTable, teardownLine, verdictText, writeResults } from './report.js';
import type { SoakResult, TunnelReport } from './report.js';
import { countFds, getOverSocket, sampleDaemon } from './sampler.js';
import type { Sample } from './sampler.js';
import { judge } from './slope.js';
import type { SeriesLimit } from './slope.js';
import { TunnelSide, decideTunnel, runInsideTestbed, tunnelProblem } from './tunnel.js';
import type { TunnelChoice } from './tunnel.js';
import { waitFor } from './wait.js';

/**
 * `npm run soak`: `mcp-workstation up` (the built CLI) with two server-everything servers
 * (one shared, one per-session), 50 workers churning sessions through calls, progress
 * notifications, cancellations and client notifications, a child killed now and then and the
 * config reloaded (SIGHUP, a third server added and removed) now and then.
 *
 * Two paths: `local`, the workers on the daemon's loopback listener, and `tunnel`, 10 of the
 * 50 through the reference gateway's public URL and WireGuard to the same daemon (registered
 * as an agent; network namespaces, see tunnel.ts). The tunnel runs by default where it can
 * (root, `ip netns`, wg and wireguard-go, the gateway built); elsewhere the soak says why and
 * runs local only, except under CI, where that fails. --tunnel requires it, --no-tunnel skips it.
 *
 * Every --sample-seconds it samples the daemon (RSS, heap, fds, children, event-loop lag) and,
 * with the tunnel, the agent's wireguard-go and the gateway (RSS, fds); at the end it fits a
 * line per series after the warm-up and fails (exit 1) on growth beyond the stated limits, on
 * any unexpected failure on either path, on a failed probe, on anything left running, or on
 * anything the tunnel's teardown left behind.
 *
 *   npm run soak                          # one hour
 *   npm run soak -- --minutes 10
 *   npm run soak -- --seconds 40 --sample-seconds 5 --kill-every 10 --reload-every 15 --session-idle-ms 3000
 *   npm run soak -- --tunnel --tunnel-sessions 10   # the tunnel path required, 10 workers on it (the default)
 *   npm run soak -- --no-tunnel           # local only
 *   npm run soak -- --judge soak-results/soak-<time>.json   # judge a run again with the current limits
 */

// Compiled to test/soak/dist/soak/main.js.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI_BIN = path.join(REPO_ROOT, 'packages', 'daemon', 'bin', 'mcp-workstation.js');

const MARKER = 'MCP_WORKSTATION_SOAK_MARKER';
/** Open fds the daemon may hold after the load beyond those it held before it. */
const FD_SLACK = 10;
const MB = 1024 * 1024;

/** The stated limits: growth per minute after the warm-up, in the units shown. */
export const LIMITS: SeriesLimit[] = [
  { key: 'daemonRss', label: 'daemon RSS', unit: 'MB', scale: MB, maxSlopePerMinute: 1 },
  // The whole tree's RSS moves with how many per-session children happen to run at the sample
  // (±150 MB here): shown, judged per child instead.
  { key: 'treeRss', label: 'daemon tree RSS (with children)', unit: 'MB', scale: MB, maxSlopePerMinute: null },
  { key: 'childRss', label: 'RSS per server child (mean)', unit: 'MB', scale: MB, maxSlopePerMinute: 1 },
  { key: 'heapUsed', label: 'JS heap used', unit: 'MB', scale: MB, maxSlopePerMinute: 0.5 },
  { key: 'fds', label: 'open fds (daemon)', unit: 'fds', scale: 1, maxSlopePerMinute: 0.5 },
  { key: 'children', label: 'server children', unit: 'processes', scale: 1, maxSlopePerMinute: 0.1 },
  { key: 'lagP99', label: 'event-loop lag p99', unit: 'ms', scale: 0.001, maxSlopePerMinute: 1 },
  { key: 'healthz', label: '/healthz round trip', unit: 'ms', scale: 0.001, maxSlopePerMinute: 1 },
];

/**
 * With the tunnel: the agent's wireguard-go (the daemon starts it; it carries every tunnel
 * byte) and the reference gateway, each process alone, held to the daemon's own limits.
 */
export const TUNNEL_LIMITS: SeriesLimit[] = [
  { key: 'agentWgRss', label: 'agent wireguard-go RSS', unit: 'MB', scale: MB, maxSlopePerMinute: 1 },
  { key: 'agentWgFds', label: 'open fds (agent wireguard-go)', unit: 'fds', scale: 1, maxSlopePerMinute: 0.5 },
  { key: 'gatewayRss', label: 'gateway RSS', unit: 'MB', scale: MB, maxSlopePerMinute: 1 },
  { key: 'gatewayFds', label: 'open fds (gateway)', unit: 'fds', scale: 1, maxSlopePerMinute: 0.5 },
];

const limitsFor = (tunnelRan: boolean) => (tunnelRan ? [...LIMITS, ...TUNNEL_LIMITS] : LIMITS);

interface Options {
  durationMs: number;
  sessions: number;
  perSessionShare: number;
  sampleMs: number;
  warmupMinutes: number;
  minJudgedMinutes: number;
  killEveryMs: number;
  reloadEveryMs: number;
  out: string;
  abandonShare: number;
  sessionIdleMs: number;
  tunnel: TunnelChoice;
  /** Workers on the tunnel path, out of `sessions`; null: a fifth of them. */
  tunnelSessions: number | null;
  /** Set by the run outside the namespaces for the run inside (tunnel.ts). */
  insideTestbed: string | null;
  /** Judge a results file again with the current limits, instead of running. */
  judgeFile: string | null;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    durationMs: 60 * 60_000,
    sessions: 50,
    perSessionShare: 0.2,
    sampleMs: 60_000,
    warmupMinutes: 5,
    minJudgedMinutes: 10,
    killEveryMs: 120_000,
    reloadEveryMs: 180_000,
    out: path.join(REPO_ROOT, 'soak-results'),
    abandonShare: 0.1,
    sessionIdleMs: 60_000,
    tunnel: 'auto',
    tunnelSessions: null,
    insideTestbed: null,
    judgeFile: null,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    const number = () => {
      const n = Number(value);
      if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number, got ${JSON.stringify(value)}`);
      i += 1;
      return n;
    };
    const file = (what: string) => {
      if (!value) throw new Error(`${flag} needs ${what}`);
      i += 1;
      return path.resolve(value);
    };
    switch (flag) {
      case '--minutes': options.durationMs = number() * 60_000; break;
      case '--seconds': options.durationMs = number() * 1000; break;
      case '--sessions': options.sessions = Math.max(1, Math.round(number())); break;
      case '--sample-seconds': options.sampleMs = number() * 1000; break;
      case '--warmup-minutes': options.warmupMinutes = number(); break;
      case '--min-judged-minutes': options.minJudgedMinutes = number(); break;
      case '--kill-every': options.killEveryMs = number() * 1000; break;
      case '--reload-every': options.reloadEveryMs = number() * 1000; break;
      case '--session-idle-ms': options.sessionIdleMs = number(); break;
      case '--tunnel': options.tunnel = 'on'; break;
      case '--no-tunnel': options.tunnel = 'off'; break;
      case '--tunnel-sessions': options.tunnelSessions = Math.round(number()); break;
      case '--inside-testbed': options.insideTestbed = file('the handoff file'); break;
      case '--out': options.out = file('a directory'); break;
      case '--judge': options.judgeFile = file('a results .json'); break;
      case '--help':
        process.stdout.write(readFileSync(__filename, 'utf8').match(/\/\*\*([\s\S]*?)\*\//)?.[1].replace(/^ \* ?/gm, '') ?? '');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${flag} (see --help)`);
    }
  }
  return options;
}

function everythingArgv(): string[] {
  const packageJson = require.resolve('@modelcontextprotocol/server-everything/package.json', { paths: [REPO_ROOT] });
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: string | Record<string, string> };
  const entry = typeof bin === 'string' ? bin : Object.values(bin)[0];
  return [process.execPath, path.join(path.dirname(packageJson), entry), 'stdio'];
}

function configText(withExtra: boolean, sessionIdleMs: number): string {
  const [command, ...args] = everythingArgv();
  const server = (name: string, extra: string[] = []) => [`  ${name}:`, `    command: ${JSON.stringify(command)}`, `    args: ${JSON.stringify(args)}`, ...extra.map((line) => `    ${line}`)];
  return [
    'limits:',
    // Abandoned sessions are reaped within a minute, so they show as churn, not as growth.
    `  sessionIdleMs: ${sessionIdleMs}`,
    'servers:',
    ...server('shared'),
    ...server('solo', ['sessionMode: per-session']),
    ...(withExtra ? server('extra') : []),
    '',
  ].join('\n');
}

type Say = (text: string) => void;

function sayer(startedAt: Date): Say {
  return (text) => process.stdout.write(`[soak ${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min] ${text}\n`);
}

const timeStamp = (at: Date) => at.toISOString().replace(/[:.]/g, '-');

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.judgeFile) return judgeAgain(options.judgeFile);
  if (!existsSync(path.join(REPO_ROOT, 'packages', 'daemon', 'dist', 'cli.js'))) throw new Error('the CLI is not built: run npm run build (npm run soak does)');
  const startedAt = new Date();
  const say = sayer(startedAt);
  if (options.insideTestbed) {
    const tunnel = TunnelSide.open(options.insideTestbed);
    return runSoak(options, { startedAt, say, tunnel, tunnelReport: tunnel.report(), resultsBase: tunnel.handoff.resultsBase });
  }
  mkdirSync(options.out, { recursive: true });
  const decision = decideTunnel(options.tunnel, options.tunnel === 'off' ? null : tunnelProblem(), Boolean(process.env.CI));
  if (decision.kind === 'refused') {
    say(`FAIL: ${decision.error}`);
    return 1;
  }
  if (decision.kind === 'tunnel') return soakThroughTunnel(options, say);
  say(`local only; the tunnel path: ${decision.note}`);
  const resultsBase = path.join(options.out, `soak-${timeStamp(startedAt)}`);
  return runSoak(options, { startedAt, say, tunnel: null, tunnelReport: { ran: false, note: decision.note }, resultsBase });
}

/** The testbed, the soak inside it, the teardown; then the teardown goes into the results and the verdict is said. */
async function soakThroughTunnel(options: Options, say: Say): Promise<number> {
  const run = await runInsideTestbed(__filename, process.argv.slice(2), options.out, say);
  const teardownProblems = run.teardown ? [...run.teardown.problems.map((p) => `tearing the tunnel down: ${p}`), ...run.teardown.leftovers.map((l) => `left after the tunnel's teardown: ${l}`)] : [];
  if (run.teardown) say(`tunnel teardown: ${teardownLine(run.teardown)}`);
  const jsonFile = `${run.resultsBase}.json`;
  const ended = run.exit === null ? 'never started' : run.exit.signal ? `was killed by ${run.exit.signal}` : `exited with ${run.exit.code}`;
  if (!existsSync(jsonFile)) {
    say(`FAIL:\n  - ${[...run.problems, `the soak inside the agent namespace ${ended} and wrote no results`, ...teardownProblems].join('\n  - ')}`);
    return 1;
  }
  const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as SoakResult;
  if (result.tunnel && run.teardown) result.tunnel.teardown = run.teardown;
  result.problems.push(...run.problems, ...teardownProblems);
  if (run.exit?.code !== 0 && result.passed) result.problems.push(`the soak inside the agent namespace ${ended}`);
  result.passed = result.problems.length === 0;
  writeResults(result, run.resultsBase);
  say(verdictText(result));
  return result.passed ? 0 : 1;
}

interface RunContext {
  startedAt: Date;
  say: Say;
  /** The tunnel path, when the soak runs inside the testbed. */
  tunnel: TunnelSide | null;
  tunnelReport: TunnelReport;
  /** <results dir>/soak-<time>: .json, .md and -daemon.log. */
  resultsBase: string;
}

type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** The daemon under soak: its output (kept for the endpoint line, and in the log file) and its exit. */
class SoakedDaemon {
  private output = '';
  exitStatus: ExitStatus | null = null;
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    private readonly log: NodeJS.WritableStream,
  ) {
    this.exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => ((this.exitStatus = { code, signal }), resolve())));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        if (this.output.length < 200_000) this.output += chunk.toString('utf8');
      });
    }
  }

  static start(args: string[], cwd: string, marker: string, logFile: string): SoakedDaemon {
    const child = spawn(process.execPath, [...shebangNodeFlags(CLI_BIN), CLI_BIN, 'up', ...args], { cwd, env: { ...process.env, [MARKER]: marker }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new SoakedDaemon(child, createWriteStream(logFile));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** A match of `pattern` in what it wrote; throws once it exited without one. */
  wrote(pattern: RegExp): RegExpMatchArray | undefined {
    const match = this.output.match(pattern);
    if (!match && this.exitStatus) throw new Error(`the daemon exited (${JSON.stringify(this.exitStatus)})`);
    return match ?? undefined;
  }

  closeLog(): Promise<void> {
    return new Promise((resolve) => this.log.end(resolve));
  }
}

async function runSoak(options: Options, context: RunContext): Promise<number> {
  const { say, tunnel, resultsBase } = context;
  const work = mkdtempSync(path.join(os.tmpdir(), 'mcpw-soak-'));
  const configFile = path.join(work, 'config.yaml');
  const adminSocket = path.join(work, 'admin.sock');
  writeFileSync(configFile, configText(false, options.sessionIdleMs));
  const logFile = `${resultsBase}-daemon.log`;
  const marker = randomUUID();
  const tunnelWorkers = tunnel ? Math.min(options.sessions, options.tunnelSessions ?? Math.round(options.sessions / 5)) : 0;
  say(
    `mcp-workstation up, ${options.sessions} sessions (${options.sessions - tunnelWorkers} local${tunnel ? `, ${tunnelWorkers} through the tunnel` : ''}), ` +
      `${options.durationMs >= 60_000 ? `${options.durationMs / 60_000} min` : `${options.durationMs / 1000} s`}, a sample every ${options.sampleMs / 1000} s; daemon log: ${logFile}`,
  );

  const stateArgs = tunnel ? tunnel.daemonArgs() : ['--state-dir', path.join(work, 'state')];
  const daemon = SoakedDaemon.start(['--config', configFile, '--port', '0', '--admin', adminSocket, ...stateArgs, '--log-format', 'json'], work, marker, logFile);
  const pid = daemon.pid;
  const problems: string[] = [];
  const samples: Sample[] = [];
  const disruptions = { kills: 0, reloads: 0, probesFailed: 0, probes: 0 };
  const paths: SoakPath[] = [];
  let baseline: Sample | undefined;
  let after: Sample | undefined;
  let survivors: number[] = [];
  const isServer = (line: string) => line.includes('server-everything');
  const loadStart = { at: 0 };
  const minute = () => (loadStart.at ? (Date.now() - loadStart.at) / 60_000 : 0);
  let loadRunning = true;
  const timers: NodeJS.Timeout[] = [];
  const sample = async (): Promise<Sample> => {
    const taken = await sampleDaemon(pid, adminSocket, minute(), isServer, cmdline);
    return tunnel ? { ...taken, values: { ...taken.values, ...tunnel.sample(pid) } } : taken;
  };

  try {
    const endpoint = await waitFor(() => daemon.wrote(/MCP endpoint: (https?:\/\/[^\s"]+)/)?.[1], 60_000, 'the daemon\'s "MCP endpoint" line');
    const origin = new URL(endpoint).origin;
    paths.push(soakPath('local', 'the daemon\'s loopback listener', (server) => `${origin}/servers/${server}/mcp`, options.sessions - tunnelWorkers));
    if (tunnel) {
      await waitFor(() => daemon.wrote(/tunnel ready/), 60_000, 'the daemon\'s "tunnel ready" line');
      paths.push(soakPath('tunnel', 'the gateway\'s public URL, WireGuard, the daemon\'s tunnel listener', (server) => tunnel.url(server), tunnelWorkers, tunnel.headers()));
    }
    // A first call on each path (through the gateway: once it saw the agent's handshake).
    for (const soaked of paths) await waitFor(() => probe1(soaked), 60_000, `a first call through the shared server (${soaked.name})`);
    baseline = await sample();
    say(`baseline: daemon RSS ${mb(baseline.values.daemonRss)} MB, fds ${baseline.values.fds}, children ${baseline.values.children}${tunnel ? `; ${tunnelSummary(baseline)}` : ''}`);

    loadStart.at = Date.now();
    const endAt = loadStart.at + options.durationMs;
    const workers = paths.flatMap((soaked) => startWorkers(soaked, options.perSessionShare, options.abandonShare, () => loadRunning));
    const disrupted = () => paths.forEach((soaked) => soaked.stats.disrupted());

    // Disruptions: a child killed (SIGKILL) now and then, and a reload (SIGHUP) now and then.
    let withExtra = false;
    timers.push(setInterval(() => {
      const children = snapshotTree(pid).processes.filter((p) => p.pid !== pid && p.state !== 'Z' && isServer(cmdline(p.pid)));
      if (children.length === 0) return;
      // Half the time the shared child (the first started), else any.
      const victim = disruptions.kills % 2 === 0 ? children[0] : children[Math.floor(Math.random() * children.length)];
      disrupted();
      try {
        process.kill(victim.pid, 'SIGKILL');
        disruptions.kills += 1;
      } catch {
        // it had just exited
      }
    }, options.killEveryMs));
    timers.push(setInterval(() => {
      withExtra = !withExtra;
      writeFileSync(configFile, configText(withExtra, options.sessionIdleMs));
      disrupted();
      daemon.child.kill('SIGHUP');
      disruptions.reloads += 1;
    }, options.reloadEveryMs));

    // Samples, each with a probe per path: a fresh session that must answer (within the restart wait).
    while (Date.now() < endAt && !daemon.exitStatus) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.sampleMs, Math.max(0, endAt - Date.now()))));
      if (daemon.exitStatus) break;
      const taken = await sample();
      samples.push(taken);
      if (tunnel && taken.values.gatewayRss === null && !problems.some((p) => p.startsWith('the gateway'))) problems.push(`the gateway (pid ${tunnel.handoff.gatewayPid}) was gone at minute ${taken.minute.toFixed(1)}`);
      for (const soaked of paths) {
        await probePath(soaked, 45_000).catch((err: Error) => problems.push(`probe (${soaked.name}) at minute ${taken.minute.toFixed(1)} failed: ${err.message}`));
      }
      say(sampleLine(taken, paths, disruptions));
    }
    timers.forEach(clearInterval);
    loadRunning = false;
    if (daemon.exitStatus) problems.push(`the daemon exited during the soak: ${JSON.stringify(daemon.exitStatus)}`);
    await waitFor(() => Promise.all(workers).then(() => true), 120_000, 'the workers to end their sessions').catch((err: Error) => problems.push(err.message));
    // Back to the configuration of the baseline (two servers), so "after the load" compares like with like.
    if (withExtra && !daemon.exitStatus) {
      writeFileSync(configFile, configText(false, options.sessionIdleMs));
      daemon.child.kill('SIGHUP');
      const withoutExtra = async () => {
        const status = JSON.parse((await getOverSocket(adminSocket, '/status')).text) as { components: Array<{ name: string }> };
        return status.components.some((component) => component.name === 'server extra') ? undefined : true;
      };
      await waitFor(withoutExtra, 30_000, 'the reload back to the starting configuration (no server extra in /status)', 250).catch((err: Error) => problems.push(err.message));
    }

    // After the load: abandoned sessions reaped, per-session children gone, fds back.
    if (!daemon.exitStatus) {
      await waitFor(
        async () => {
          const s = await sample();
          return s.values.sessions === 0 && (s.values.children ?? 0) <= (baseline?.values.children ?? 0) ? s : undefined;
        },
        150_000,
        'sessions at 0 and children back to the baseline after the load',
        1000,
      ).catch((err: Error) => problems.push(err.message));
      // Idle keep-alive connections close after the server's keepAliveTimeout (5 s): fds settle within seconds.
      const start = baseline.values.fds ?? 0;
      await waitFor(() => ((countFds(pid) ?? 0) <= start + FD_SLACK ? true : undefined), 30_000, 'the open fds to settle', 500).catch(() => undefined);
      after = await sample();
      const fdGrowth = (after.values.fds ?? 0) - start;
      if (fdGrowth > FD_SLACK) problems.push(`open fds after the load ${after.values.fds}, at the start ${start} (+${fdGrowth}): ${describeFds(pid)}`);
    }
  } catch (err) {
    problems.push(`the soak could not run: ${(err as Error).message}`);
  } finally {
    timers.forEach(clearInterval);
    loadRunning = false;
    survivors = await stopDaemon(daemon, marker, loadStart.at > 0, problems);
    if (tunnel) problems.push(...tunnelLeftovers(tunnel));
    await daemon.closeLog();
    rmSync(work, { recursive: true, force: true });
  }

  for (const soaked of paths) {
    disruptions.probes += soaked.probes;
    disruptions.probesFailed += soaked.probesFailed;
  }
  const pathResults = paths.map(pathResult);
  const verdicts = judge(samples, limitsFor(tunnel !== null), options.warmupMinutes, options.minJudgedMinutes);
  for (const soaked of pathResults) problems.push(...pathProblems(soaked));
  for (const verdict of verdicts) if (verdict.verdict === 'fail') problems.push(`${verdict.label} grew ${verdict.slopePerMinute?.toFixed(3)} ${verdict.unit}/min after the warm-up (limit ${verdict.maxSlopePerMinute})`);

  const result: SoakResult = {
    startedAt: context.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    options: { ...options, out: path.relative(REPO_ROOT, options.out) || '.', insideTestbed: undefined },
    mode: tunnel ? 'local (mcp-workstation up, loopback) and tunnel (the reference gateway, WireGuard, the same daemon as a registered agent)' : 'local (mcp-workstation up, loopback)',
    baseline: baseline?.values ?? null,
    afterLoad: after?.values ?? null,
    samples,
    verdicts,
    operations: mergeOperations(pathResults),
    sessionsOpened: sum(pathResults.map((p) => p.sessionsOpened)),
    sessionsAbandoned: sum(pathResults.map((p) => p.sessionsAbandoned)),
    progressNotifications: sum(pathResults.map((p) => p.progressNotifications)),
    disruptions,
    unexpected: allUnexpected(pathResults),
    paths: pathResults,
    tunnel: context.tunnelReport,
    survivors,
    problems,
    passed: problems.length === 0,
    daemonLog: path.relative(REPO_ROOT, logFile),
  };
  const files = writeResults(result, resultsBase);
  process.stdout.write(`\n${renderTable(result)}\n`);
  say(`results: ${files.json} and ${files.md}`);
  // Inside the testbed the verdict waits for the teardown, which the run outside does and judges.
  say(tunnel ? `${result.passed ? 'no problem so far' : `${problems.length} problems so far`}; the tunnel testbed is torn down next` : verdictText(result));
  return result.passed ? 0 : 1;
}

/** One call that must succeed on a path, for waitFor (not counted as one of the samples' probes). */
const probe1 = (soaked: SoakPath) => probe(soaked.url('shared'), soaked.headers).then(() => true);

/**
 * A normal stop: SIGTERM, the daemon exits in time (with 0 when it had run the load), nothing
 * it started survives (found by the environment marker). Returns the survivors (killed).
 */
async function stopDaemon(daemon: SoakedDaemon, marker: string, loadRan: boolean, problems: string[]): Promise<number[]> {
  if (!daemon.exitStatus) {
    daemon.child.kill('SIGTERM');
    await waitFor(() => (daemon.exitStatus ? true : undefined), 30_000, 'the daemon to exit after SIGTERM').catch((err: Error) => {
      problems.push(err.message);
      daemon.child.kill('SIGKILL');
    });
    await daemon.exited;
    const status = daemon.exitStatus as ExitStatus | null;
    if (status && status.code !== 0 && loadRan) problems.push(`the daemon exited with ${JSON.stringify(status)} after SIGTERM`);
  }
  const survivors = await waitFor(() => (markedProcesses(MARKER, marker).length === 0 ? [] : undefined), 10_000, 'every process the daemon started to be gone').catch(() => markedProcesses(MARKER, marker));
  if (survivors.length > 0) {
    problems.push(`left running after the daemon stopped: ${survivors.map((p) => `${p} ${cmdline(p).slice(0, 120)}`).join('; ')}`);
    for (const survivor of survivors) process.kill(survivor, 'SIGKILL');
  }
  return survivors;
}

/** After the daemon stopped: its wireguard-go gone and its WireGuard interface removed (we run in the agent's namespace). */
function tunnelLeftovers(tunnel: TunnelSide): string[] {
  const problems: string[] = [];
  const wireguardGo = tunnel.wireguardGoLeft();
  if (wireguardGo.length > 0) problems.push(`the agent's wireguard-go outlived the daemon: ${wireguardGo.join(', ')}`);
  const iface = tunnel.handoff.wgInterface;
  if (spawnSync('ip', ['link', 'show', 'dev', iface], { stdio: 'ignore' }).status === 0) problems.push(`the WireGuard interface ${iface} is still there after the daemon stopped`);
  return problems;
}

function tunnelSummary(taken: Sample): string {
  const v = taken.values;
  return `agent wireguard-go ${mb(v.agentWgRss)} MB, ${v.agentWgFds ?? '-'} fds; gateway ${mb(v.gatewayRss)} MB, ${v.gatewayFds ?? '-'} fds`;
}

function sampleLine(taken: Sample, paths: readonly SoakPath[], disruptions: { kills: number; reloads: number }): string {
  const v = taken.values;
  const perPath = paths.map((soaked) => {
    const totals = soaked.stats.totals();
    return `${soaked.name} ok ${totals.ok}, failed ${totals.expectedFailures} expected / ${totals.unexpectedFailures} unexpected`;
  });
  return (
    `rss ${mb(v.daemonRss)} MB (tree ${mb(v.treeRss)}), heap ${mb(v.heapUsed)} MB, fds ${v.fds}, children ${v.children}, ` +
    `lag p99 ${ms(v.lagP99)} ms, /healthz ${ms(v.healthz)} ms, sessions ${v.sessions}; ${perPath.join('; ')}; kills ${disruptions.kills}, reloads ${disruptions.reloads}` +
    (paths.some((soaked) => soaked.name === 'tunnel') ? `; ${tunnelSummary(taken)}` : '')
  );
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** Re-judges a results file's samples with the current LIMITS (for a run made before a limit changed). */
function judgeAgain(file: string): number {
  const result = JSON.parse(readFileSync(file, 'utf8')) as SoakResult;
  const options = result.options as { warmupMinutes: number; minJudgedMinutes: number };
  for (const sample of [...result.samples, ...(result.baseline ? [{ values: result.baseline }] : []), ...(result.afterLoad ? [{ values: result.afterLoad }] : [])]) addDerived(sample.values);
  result.verdicts = judge(result.samples, limitsFor(result.tunnel?.ran === true), options.warmupMinutes, options.minJudgedMinutes);
  const slopeProblems = result.verdicts.filter((v) => v.verdict === 'fail').map((v) => `${v.label} grew ${v.slopePerMinute?.toFixed(3)} ${v.unit}/min after the warm-up (limit ${v.maxSlopePerMinute})`);
  result.problems = [...result.problems.filter((p) => !/ after the warm-up \(limit /.test(p)), ...slopeProblems];
  result.passed = result.problems.length === 0;
  const files = writeResults(result, file.replace(/\.json$/, '.judged'));
  process.stdout.write(`${renderTable(result)}\n\n${verdictText(result)}\nwritten: ${files.json} and ${files.md}\n`);
  return result.passed ? 0 : 1;
}

/** Series computed from the sampled ones, for results from before the sampler took them: the mean RSS of a server child. */
function addDerived(values: Record<string, number | null>): void {
  if (values.childRss !== undefined) return;
  const { treeRss, daemonRss, children } = values;
  values.childRss = typeof treeRss === 'number' && typeof daemonRss === 'number' && typeof children === 'number' && children > 0 ? (treeRss - daemonRss) / children : null;
}

function gitCommit(): string | null {
  try {
    const head = readFileSync(path.join(REPO_ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    try {
      return readFileSync(path.join(REPO_ROOT, '.git', ref), 'utf8').trim();
    } catch {
      const packed = readFileSync(path.join(REPO_ROOT, '.git', 'packed-refs'), 'utf8');
      return packed.split('\n').find((line) => line.endsWith(` ${ref}`))?.split(' ')[0] ?? null;
    }
  } catch {
    return null;
  }
}

const mb = (bytes: number | null | undefined) => (typeof bytes === 'number' ? (bytes / 1024 / 1024).toFixed(1) : '-');
const ms = (seconds: number | null | undefined) => (typeof seconds === 'number' ? (seconds * 1000).toFixed(1) : '-');

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`soak: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
