import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { snapshotTree } from '../bench/proc-tree.js';
import { ChurnStats, probe, worker } from './churn.js';
import { renderMarkdown, renderTable } from './report.js';
import type { SoakResult } from './report.js';
import { countFds, getOverSocket, sampleDaemon } from './sampler.js';
import type { Sample } from './sampler.js';
import { judge } from './slope.js';
import type { SeriesLimit } from './slope.js';

/**
 * `npm run soak`: `mcp-workstation up` (the built CLI) with two server-everything servers
 * (one shared by 40 sessions, one per-session for 10), 50 workers churning sessions through
 * calls, progress notifications, cancellations and client notifications, a child killed now
 * and then and the config reloaded (SIGHUP, a third server added and removed) now and then.
 * Every --sample-seconds it samples the daemon (RSS, heap, fds, children, event-loop lag);
 * at the end it fits a line per series after the warm-up and fails (exit 1) on growth beyond
 * the stated limits, on any unexpected failure, on a failed probe, or on anything left running.
 *
 *   npm run soak                          # one hour
 *   npm run soak -- --minutes 10
 *   npm run soak -- --seconds 40 --sample-seconds 5 --kill-every 10 --reload-every 15 --session-idle-ms 3000
 *   npm run soak -- --judge soak-results/soak-<time>.json   # judge a run again with the current limits
 */

// Compiled to test/soak/dist/soak/main.js.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI_BIN = path.join(REPO_ROOT, 'packages', 'daemon', 'bin', 'mcp-workstation.js');
const MARKER = 'MCP_WORKSTATION_SOAK_MARKER';
/** Open fds the daemon may hold after the load beyond those it held before it. */
const FD_SLACK = 10;

/** What a process's fds are, counted by kind (socket, pipe, anon_inode:…, or the file's directory). */
function describeFds(pid: number): string {
  const kinds = new Map<string, number>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const kind = /^(socket|pipe|anon_inode:[^\]]*)/.exec(target)?.[1] ?? path.dirname(target);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  } catch {
    return 'unreadable';
  }
  return [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
}

/** The stated limits: growth per minute after the warm-up, in the units shown. */
export const LIMITS: SeriesLimit[] = [
  { key: 'daemonRss', label: 'daemon RSS', unit: 'MB', scale: 1024 * 1024, maxSlopePerMinute: 1 },
  // The whole tree's RSS moves with how many per-session children happen to run at the sample
  // (±150 MB here): shown, judged per child instead.
  { key: 'treeRss', label: 'daemon tree RSS (with children)', unit: 'MB', scale: 1024 * 1024, maxSlopePerMinute: null },
  { key: 'childRss', label: 'RSS per server child (mean)', unit: 'MB', scale: 1024 * 1024, maxSlopePerMinute: 1 },
  { key: 'heapUsed', label: 'JS heap used', unit: 'MB', scale: 1024 * 1024, maxSlopePerMinute: 0.5 },
  { key: 'fds', label: 'open fds (daemon)', unit: 'fds', scale: 1, maxSlopePerMinute: 0.5 },
  { key: 'children', label: 'server children', unit: 'processes', scale: 1, maxSlopePerMinute: 0.1 },
  { key: 'lagP99', label: 'event-loop lag p99', unit: 'ms', scale: 0.001, maxSlopePerMinute: 1 },
  { key: 'healthz', label: '/healthz round trip', unit: 'ms', scale: 0.001, maxSlopePerMinute: 1 },
];

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
      case '--out': if (!value) throw new Error('--out needs a directory'); options.out = path.resolve(value); i += 1; break;
      case '--judge': if (!value) throw new Error('--judge needs a results .json'); options.judgeFile = path.resolve(value); i += 1; break;
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

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Every live process whose environment holds our marker (children that escaped the tree count). */
function markedProcesses(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`${MARKER}=${marker}`)) {
        const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const code = state.slice(state.lastIndexOf(')') + 2)[0];
        if (code !== 'Z' && code !== 'X') pids.push(Number(entry));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
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

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.judgeFile) return judgeAgain(options.judgeFile);
  if (!existsSync(path.join(REPO_ROOT, 'packages', 'daemon', 'dist', 'cli.js'))) throw new Error('the CLI is not built: run npm run build (npm run soak does)');
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(options.out, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'mcpw-soak-'));
  const configFile = path.join(work, 'config.yaml');
  const adminSocket = path.join(work, 'admin.sock');
  writeFileSync(configFile, configText(false, options.sessionIdleMs));
  const logFile = path.join(options.out, `soak-${stamp}-daemon.log`);
  const log = createWriteStream(logFile);
  const marker = randomUUID();

  const say = (text: string) => process.stdout.write(`[soak ${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min] ${text}\n`);
  say(`mcp-workstation up, ${options.sessions} sessions, ${options.durationMs / 60_000} min, a sample every ${options.sampleMs / 1000} s; daemon log: ${logFile}`);

  const daemon: ChildProcess = spawn(process.execPath, [CLI_BIN, 'up', '--config', configFile, '--port', '0', '--admin', adminSocket, '--state-dir', path.join(work, 'state'), '--log-format', 'json'], {
    cwd: work,
    env: { ...process.env, [MARKER]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let daemonOutput = '';
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((resolve) => daemon.once('exit', (code, signal) => ((exitStatus = { code, signal }), resolve())));
  for (const stream of [daemon.stdout, daemon.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (daemonOutput.length < 200_000) daemonOutput += chunk.toString('utf8');
    });
  }
  const pid = daemon.pid as number;
  const problems: string[] = [];
  const samples: Sample[] = [];
  const stats = new ChurnStats(30_000 + 15_000);
  const disruptions = { kills: 0, reloads: 0, probesFailed: 0, probes: 0 };
  let loadRunning = true;
  let origin = '';
  let baseline: Sample | undefined;
  let after: Sample | undefined;
  let survivors: number[] = [];
  const isServer = (line: string) => line.includes('server-everything');
  const loadStart = { at: 0 };
  const minute = () => (loadStart.at ? (Date.now() - loadStart.at) / 60_000 : 0);

  try {
    const endpoint = await waitFor(() => daemonOutput.match(/MCP endpoint: (https?:\/\/[^\s"]+)/)?.[1] ?? (exitStatus ? Promise.reject(new Error('the daemon exited')) : undefined), 60_000, 'the daemon\'s "MCP endpoint" line');
    origin = new URL(endpoint).origin;
    const url = (server: string) => `${origin}/servers/${server}/mcp`;
    await waitFor(() => probe(url('shared')).then(() => true), 60_000, 'a first call through the shared server');
    baseline = await sampleDaemon(pid, adminSocket, 0, isServer, cmdline);
    say(`baseline: daemon RSS ${mb(baseline.values.daemonRss)} MB, fds ${baseline.values.fds}, children ${baseline.values.children}`);

    loadStart.at = Date.now();
    const endAt = loadStart.at + options.durationMs;
    const soloCount = Math.round(options.sessions * options.perSessionShare);
    const workers = Array.from({ length: options.sessions }, (_, i) => {
      const server = i < options.sessions - soloCount ? 'shared' : 'solo';
      return worker({ url: url(server), server, stats, running: () => loadRunning, abandonShare: options.abandonShare });
    });

    // Disruptions: a child killed (SIGKILL) now and then, and a reload (SIGHUP) now and then.
    let withExtra = false;
    const killTimer = setInterval(() => {
      const children = snapshotTree(pid).processes.filter((p) => p.pid !== pid && p.state !== 'Z' && isServer(cmdline(p.pid)));
      if (children.length === 0) return;
      // Half the time the shared child (the first started), else any.
      const victim = disruptions.kills % 2 === 0 ? children[0] : children[Math.floor(Math.random() * children.length)];
      stats.disrupted();
      try {
        process.kill(victim.pid, 'SIGKILL');
        disruptions.kills += 1;
      } catch {
        // it had just exited
      }
    }, options.killEveryMs);
    const reloadTimer = setInterval(() => {
      withExtra = !withExtra;
      writeFileSync(configFile, configText(withExtra, options.sessionIdleMs));
      stats.disrupted();
      daemon.kill('SIGHUP');
      disruptions.reloads += 1;
    }, options.reloadEveryMs);

    // Samples, each with a probe: a fresh session that must answer (within the restart wait).
    while (Date.now() < endAt && !exitStatus) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.sampleMs, Math.max(0, endAt - Date.now()))));
      if (exitStatus) break;
      const sample = await sampleDaemon(pid, adminSocket, minute(), isServer, cmdline);
      samples.push(sample);
      disruptions.probes += 1;
      await waitFor(() => probe(url('shared')).then(() => true), 45_000, 'a probe call').catch((err: Error) => {
        disruptions.probesFailed += 1;
        problems.push(`probe at minute ${sample.minute.toFixed(1)} failed: ${err.message}`);
      });
      const totals = stats.totals();
      say(
        `rss ${mb(sample.values.daemonRss)} MB (tree ${mb(sample.values.treeRss)}), heap ${mb(sample.values.heapUsed)} MB, fds ${sample.values.fds}, children ${sample.values.children}, ` +
          `lag p99 ${ms(sample.values.lagP99)} ms, /healthz ${ms(sample.values.healthz)} ms, sessions ${sample.values.sessions}; ops ok ${totals.ok}, failed ${totals.expectedFailures} expected / ${totals.unexpectedFailures} unexpected; kills ${disruptions.kills}, reloads ${disruptions.reloads}`,
      );
    }
    clearInterval(killTimer);
    clearInterval(reloadTimer);
    loadRunning = false;
    if (exitStatus) problems.push(`the daemon exited during the soak: ${JSON.stringify(exitStatus)}`);
    await waitFor(() => Promise.all(workers).then(() => true), 120_000, 'the workers to end their sessions').catch((err: Error) => problems.push(err.message));
    // Back to the configuration of the baseline (two servers), so "after the load" compares like with like.
    if (withExtra && !exitStatus) {
      writeFileSync(configFile, configText(false, options.sessionIdleMs));
      daemon.kill('SIGHUP');
      const withoutExtra = async () => {
        const status = JSON.parse((await getOverSocket(adminSocket, '/status')).text) as { components: Array<{ name: string }> };
        return status.components.some((component) => component.name === 'server extra') ? undefined : true;
      };
      await waitFor(withoutExtra, 30_000, 'the reload back to the starting configuration (no server extra in /status)', 250).catch((err: Error) => problems.push(err.message));
    }

    // After the load: abandoned sessions reaped, per-session children gone, fds back.
    if (!exitStatus) {
      await waitFor(
        async () => {
          const s = await sampleDaemon(pid, adminSocket, minute(), isServer, cmdline);
          return s.values.sessions === 0 && (s.values.children ?? 0) <= (baseline?.values.children ?? 0) ? s : undefined;
        },
        150_000,
        'sessions at 0 and children back to the baseline after the load',
        1000,
      ).catch((err: Error) => problems.push(err.message));
      // Idle keep-alive connections close after the server's keepAliveTimeout (5 s): fds settle within seconds.
      const start = baseline.values.fds ?? 0;
      await waitFor(() => ((countFds(pid) ?? 0) <= start + FD_SLACK ? true : undefined), 30_000, 'the open fds to settle', 500).catch(() => undefined);
      after = await sampleDaemon(pid, adminSocket, minute(), isServer, cmdline);
      const fdGrowth = (after.values.fds ?? 0) - start;
      if (fdGrowth > FD_SLACK) problems.push(`open fds after the load ${after.values.fds}, at the start ${start} (+${fdGrowth}): ${describeFds(pid)}`);
    }
  } catch (err) {
    problems.push(`the soak could not run: ${(err as Error).message}`);
    loadRunning = false;
  } finally {
    // A normal stop: SIGTERM, the daemon exits in time, nothing it started survives.
    if (!exitStatus) {
      daemon.kill('SIGTERM');
      await waitFor(() => (exitStatus ? true : undefined), 30_000, 'the daemon to exit after SIGTERM').catch((err: Error) => {
        problems.push(err.message);
        daemon.kill('SIGKILL');
      });
      await exited;
      if (exitStatus && (exitStatus as { code: number | null }).code !== 0 && loadStart.at) problems.push(`the daemon exited with ${JSON.stringify(exitStatus)} after SIGTERM`);
    }
    survivors = await waitFor(() => (markedProcesses(marker).length === 0 ? [] : undefined), 10_000, 'every process the daemon started to be gone').catch(() => markedProcesses(marker));
    if (survivors.length > 0) {
      problems.push(`left running after the daemon stopped: ${survivors.map((p) => `${p} ${cmdline(p).slice(0, 120)}`).join('; ')}`);
      for (const survivor of survivors) process.kill(survivor, 'SIGKILL');
    }
    await new Promise<void>((resolve) => log.end(resolve));
    rmSync(work, { recursive: true, force: true });
  }

  const verdicts = judge(samples, LIMITS, options.warmupMinutes, options.minJudgedMinutes);
  const totals = stats.totals();
  if (totals.unexpectedFailures > 0) problems.push(`${totals.unexpectedFailures} operations failed with no disruption near them (first: ${stats.unexpected[0]?.operation}: ${stats.unexpected[0]?.message})`);
  if (totals.ok === 0) problems.push('no operation succeeded');
  for (const verdict of verdicts) if (verdict.verdict === 'fail') problems.push(`${verdict.label} grew ${verdict.slopePerMinute?.toFixed(3)} ${verdict.unit}/min after the warm-up (limit ${verdict.maxSlopePerMinute})`);

  const result: SoakResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    options: { ...options, out: path.relative(REPO_ROOT, options.out) || '.' },
    mode: 'local (mcp-workstation up, loopback)',
    baseline: baseline?.values ?? null,
    afterLoad: after?.values ?? null,
    samples,
    verdicts,
    operations: Object.fromEntries(stats.byOperation),
    sessionsOpened: stats.sessionsOpened,
    sessionsAbandoned: stats.sessionsAbandoned,
    progressNotifications: stats.progressNotifications,
    disruptions,
    unexpected: stats.unexpected,
    survivors,
    problems,
    passed: problems.length === 0,
    daemonLog: path.relative(REPO_ROOT, logFile),
  };
  const jsonFile = path.join(options.out, `soak-${stamp}.json`);
  const mdFile = path.join(options.out, `soak-${stamp}.md`);
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(mdFile, renderMarkdown(result));
  process.stdout.write(`\n${renderTable(result)}\n`);
  say(`results: ${jsonFile} and ${mdFile}`);
  say(result.passed ? 'PASS' : `FAIL:\n  - ${problems.join('\n  - ')}`);
  return result.passed ? 0 : 1;
}

/** Re-judges a results file's samples with the current LIMITS (for a run made before a limit changed). */
function judgeAgain(file: string): number {
  const result = JSON.parse(readFileSync(file, 'utf8')) as SoakResult;
  const options = result.options as { warmupMinutes: number; minJudgedMinutes: number };
  for (const sample of [...result.samples, ...(result.baseline ? [{ values: result.baseline }] : []), ...(result.afterLoad ? [{ values: result.afterLoad }] : [])]) addDerived(sample.values);
  result.verdicts = judge(result.samples, LIMITS, options.warmupMinutes, options.minJudgedMinutes);
  const slopeProblems = result.verdicts.filter((v) => v.verdict === 'fail').map((v) => `${v.label} grew ${v.slopePerMinute?.toFixed(3)} ${v.unit}/min after the warm-up (limit ${v.maxSlopePerMinute})`);
  result.problems = [...result.problems.filter((p) => !/ after the warm-up \(limit /.test(p)), ...slopeProblems];
  result.passed = result.problems.length === 0;
  const out = file.replace(/\.json$/, '.judged');
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${out}.md`, renderMarkdown(result));
  process.stdout.write(`${renderTable(result)}\n\n${result.passed ? 'PASS' : `FAIL:\n  - ${result.problems.join('\n  - ')}`}\nwritten: ${out}.json and ${out}.md\n`);
  return result.passed ? 0 : 1;
}

/** Series computed from the sampled ones: the mean RSS of a server child. */
function addDerived(values: Record<string, number | null>): void {
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
