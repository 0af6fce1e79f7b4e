import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { netnsPrerequisiteProblem } from '../support/netns';
import { REPO_ROOT, assertBuilt, commandLine, isGone, processesWithEnv, waitFor, withDeadline } from './support';

// `npm run bench` works: the benchmark's smoke profile starts every contender as a real
// process, makes a few calls through each with the SDK's client, writes its report and leaves
// no process behind. It asserts that the benchmark runs and answers, never how fast.

const execFileAsync = promisify(execFile);
const BENCH_MAIN = join(REPO_ROOT, 'test', 'bench', 'dist', 'main.js');
const CONTENDERS = ['native', 'sg-stateful', 'sg-stateless', 'mcpw-shared', 'mcpw-shared-json', 'mcpw-per-session', 'mcpw-stateless'];
const MARKER_VARIABLE = 'MCP_WORKSTATION_BENCH_SMOKE_MARKER';
const OWNER_CHECK_LISTENERS = ['up', 'bridge', 'bare-check', 'bare'];

interface PhaseCounts {
  ok: number;
  errors: number;
  firstError?: string;
}

interface SmokeRun {
  contender: string;
  failure?: string;
  latency?: PhaseCounts & { p50Ms: number };
  throughput?: PhaseCounts & { treeCpuMs: number };
  churn?: PhaseCounts;
  open?: { rssBytes: number; processes: number };
}

interface OwnerCheckSeries {
  n: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  errors: number;
}

interface SmokeResults {
  results: {
    runs: SmokeRun[];
    idleRuns: Array<{ contender: string; failure?: string; sessions?: PhaseCounts }>;
    tunnelRuns: Array<{ failure?: string; echo?: { gateway: { ok: number; errors: number }; loopback: { ok: number; errors: number } }; transfer?: unknown }>;
    daemonRuns: Array<{ failure?: string; readyMs?: number; idle?: unknown; stopMs?: number }>;
    ownerCheckRuns: Array<{ failure?: string; newConnection?: Record<string, OwnerCheckSeries>; keptAlive?: Record<string, OwnerCheckSeries>; pids?: number[] }>;
  };
}

const marker = `${MARKER_VARIABLE}=${randomUUID()}`;
let outDir = '';
let bench: ChildProcess | undefined;

beforeAll(async () => {
  assertBuilt();
  // The benchmark runs as compiled JavaScript (each part is a process of its own).
  await execFileAsync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'test', 'bench')], {
    cwd: REPO_ROOT,
    timeout: 60_000,
  });
  outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
}, 90_000);

afterAll(async () => {
  if (bench && bench.exitCode === null && bench.signalCode === null) bench.kill('SIGKILL');
  for (const pid of processesWithEnv(marker)) process.kill(pid, 'SIGKILL');
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  bench = spawn(process.execPath, [BENCH_MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, [MARKER_VARIABLE]: marker.split('=')[1] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = bench;
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return withDeadline(exit, timeoutMs, `the benchmark to finish\n${stderr}`).catch((err: Error) => {
    child.kill('SIGTERM'); // it stops its contenders on SIGTERM
    throw err;
  });
}

describe('npm run bench (smoke profile)', () => {
  it('starts every contender, gets answers through each, writes the report, and leaves nothing running', async () => {
    const { code, stdout, stderr } = await runBench(['--smoke', '--out', outDir], 80_000);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const jsonFile = readdirSync(outDir).find((name) => name.endsWith('.json'));
    expect(jsonFile).toBeDefined();
    const { results } = JSON.parse(readFileSync(join(outDir, jsonFile as string), 'utf8')) as SmokeResults;
    expect(results.runs.map((run) => run.contender).sort()).toEqual([...CONTENDERS].sort());
    for (const run of results.runs) {
      const answered = {
        contender: run.contender,
        failure: run.failure,
        latencyCalls: (run.latency?.ok ?? 0) > 0,
        throughputCalls: (run.throughput?.ok ?? 0) > 0,
        newSessions: (run.churn?.ok ?? 0) > 0,
        errors: [run.latency, run.throughput, run.churn].map((phase) => phase?.firstError).filter(Boolean),
        measuredTree: (run.open?.rssBytes ?? 0) > 0 && (run.open?.processes ?? 0) >= 1,
      };
      expect(answered).toEqual({ contender: run.contender, failure: undefined, latencyCalls: true, throughputCalls: true, newSessions: true, errors: [], measuredTree: true });
    }
    const idle = results.idleRuns.find((run) => run.contender === 'mcpw-shared');
    expect({ failure: idle?.failure, opened: idle?.sessions?.ok, errors: idle?.sessions?.errors }).toEqual({ failure: undefined, opened: 10, errors: 0 });

    const reportFile = readdirSync(outDir).find((name) => name.endsWith('.md')) as string;
    const report = readFileSync(join(outDir, reportFile), 'utf8');
    expect(stdout).toContain(report.trim());
    for (const heading of ['## Figures', '## Ratios', '## Targets', '### Tunnel', '### Daemon', '### Owner check']) expect(report).toContain(heading);
    expect(report).not.toContain('TODO');

    // The daemon part: `mcp-workstation up` became ready, idled and stopped.
    const [daemon] = results.daemonRuns;
    expect({ failure: daemon?.failure, ready: (daemon?.readyMs ?? 0) > 0, idle: daemon?.idle !== undefined, stopped: daemon?.stopMs !== undefined }).toEqual({ failure: undefined, ready: true, idle: true, stopped: true });
    // The owner-check part: up, bridge and the bare pair answered every request, on new
    // connections and on one kept-alive connection, and the check let the benchmark's own user in.
    const [ownerCheck] = results.ownerCheckRuns;
    const answeredBy = (series: Record<string, OwnerCheckSeries> | undefined) =>
      OWNER_CHECK_LISTENERS.map((id) => {
        const figures = series?.[id];
        return { id, answered: (figures?.n ?? 0) > 0, figures: Number.isFinite(figures?.p50Ms) && Number.isFinite(figures?.p99Ms), refused: figures?.statuses['403'] ?? 0, errors: figures?.errors };
      });
    const everyListener = OWNER_CHECK_LISTENERS.map((id) => ({ id, answered: true, figures: true, refused: 0, errors: 0 }));
    expect({ failure: ownerCheck?.failure, newConnection: answeredBy(ownerCheck?.newConnection), keptAlive: answeredBy(ownerCheck?.keptAlive) }).toEqual({
      failure: undefined,
      newConnection: everyListener,
      keptAlive: everyListener,
    });
    // The tunnel part needs network namespaces (root); where they cannot be made it says why.
    const [tunnel] = results.tunnelRuns;
    const problem = netnsPrerequisiteProblem();
    if (problem === null || process.env.CI) {
      expect({ failure: tunnel?.failure, viaGateway: (tunnel?.echo?.gateway.ok ?? 0) > 0, onLoopback: (tunnel?.echo?.loopback.ok ?? 0) > 0, transferred: tunnel?.transfer !== undefined }).toEqual({
        failure: undefined,
        viaGateway: true,
        onLoopback: true,
        transferred: true,
      });
      expect(tunnel?.echo?.gateway.errors).toBe(0);
    } else {
      expect(tunnel?.failure).toContain(problem);
    }

    // `up` runs without the marker (the benchmark clears MCP_WORKSTATION_ variables for it), so
    // the owner-check part's processes are also looked for by the pids it recorded.
    const ownerCheckPids = ownerCheck?.pids ?? [];
    expect(ownerCheckPids.length).toBeGreaterThanOrEqual(3);
    const left = () => [...processesWithEnv(marker), ...ownerCheckPids.filter((pid) => !isGone(pid))];
    const survivors = await waitFor(() => left().length === 0 || undefined, { what: 'every process the benchmark started to be gone', timeoutMs: 5_000 }).then(
      () => [],
      () => left().map((pid) => `${pid} ${commandLine(pid)}`),
    );
    expect(survivors).toEqual([]);
  }, 90_000);

  it('names a bad option and shows the usage, with exit code 2', async () => {
    const { code, stderr } = await runBench(['--rounds', 'three'], 15_000);
    expect(code).toBe(2);
    expect(stderr).toContain('--rounds must be a whole number');
    const unknown = await runBench(['--fast'], 15_000);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --fast');
    expect(unknown.stderr).toContain('Usage: npm run bench');
  });
});
