import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Runs the official MCP conformance suites (@modelcontextprotocol/conformance, installed as
 * the root devDependencies mcp-conformance-2025 and mcp-conformance-2026) against a server
 * URL: every server scenario of a suite, each in its own CLI process
 * (`conformance server --url U --scenario S -o DIR`), at most `concurrency` at a time, and
 * reads each scenario's checks.json. Counting follows the CLI's own summary: SUCCESS checks
 * pass, FAILURE checks fail, WARNING, INFO and SKIPPED count for neither.
 */

export type SuiteId = '2025-11-25' | '2026-07-28';

export interface Suite {
  id: SuiteId;
  /** The npm alias in the root package.json's devDependencies. */
  packageName: string;
  /** The version that alias must resolve to (the expectations are measured against it). */
  version: string;
  /** `conformance <listArgs>` prints the suite's server scenarios. */
  listArgs: string[];
  /** Added to `conformance server --url U --scenario S -o DIR` for every scenario. */
  scenarioArgs: string[];
}

export const SUITES: Record<SuiteId, Suite> = {
  // Every server scenario that applies at 2025-11-25, the two the CLI calls pending
  // (json-schema-2020-12, server-sse-polling) included.
  '2025-11-25': {
    id: '2025-11-25',
    packageName: 'mcp-conformance-2025',
    version: '0.1.16',
    listArgs: ['list', '--server', '--spec-version', '2025-11-25'],
    scenarioArgs: [],
  },
  // The server scenarios 2026-07-28 requires (the frozen requirement set), each run the way
  // `server --requirements 2026-07-28` runs it: at the 2026-07-28 wire, applicability forced.
  '2026-07-28': {
    id: '2026-07-28',
    packageName: 'mcp-conformance-2026',
    version: '0.2.0-alpha.12',
    listArgs: ['list', '--server', '--requirements', '2026-07-28'],
    scenarioArgs: ['--spec-version', '2026-07-28', '--force'],
  },
};

export interface Check {
  id: string;
  name?: string;
  description?: string;
  status: string;
  errorMessage?: string;
  details?: unknown;
}

export interface ScenarioResult {
  scenario: string;
  passed: number;
  failed: number;
  warnings: number;
  /** The FAILURE checks (or one made up by the runner when the CLI left no checks.json). */
  failures: Check[];
  warningChecks: Check[];
  exitCode: number | null;
  durationMs: number;
}

export interface SuiteRun {
  suite: SuiteId;
  url: string;
  scenarios: ScenarioResult[];
  passed: number;
  failed: number;
  warnings: number;
  durationMs: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The CLI's entry script of a suite; fails when the devDependency is missing or another version. */
export function conformanceCli(suite: Suite): string {
  let packageJson: string;
  try {
    packageJson = require.resolve(`${suite.packageName}/package.json`);
  } catch {
    throw new Error(`${suite.packageName} (@modelcontextprotocol/conformance@${suite.version}) is not installed: run npm install`);
  }
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string; bin: string | Record<string, string> };
  if (manifest.version !== suite.version) {
    throw new Error(`${suite.packageName} is ${manifest.version}, the expectations are for ${suite.version}: run npm install`);
  }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.conformance;
  return join(dirname(packageJson), bin);
}

const running = new Set<ChildProcess>();

/** Runs `node <cli> <args>` to completion; SIGKILL after `timeoutMs`. */
export function runCli(node: string, cli: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [cli, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      running.delete(child);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** For afterEach: kills CLI processes still running (a test that failed half-way). */
export function stopConformanceRuns(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** The scenario names under the "Server scenarios" heading of `conformance list`. */
export function parseServerScenarios(listing: string): string[] {
  const lines = listing.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith('Server scenarios'));
  if (start === -1) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\s+- (\S+)/.exec(line);
    if (!match) break;
    names.push(match[1]);
  }
  return names;
}

export async function listServerScenarios(node: string, suite: Suite, cwd: string): Promise<string[]> {
  const result = await runCli(node, conformanceCli(suite), suite.listArgs, { cwd, timeoutMs: 60_000 });
  const scenarios = parseServerScenarios(result.stdout);
  if (result.code !== 0 || scenarios.length === 0) {
    throw new Error(`conformance ${suite.listArgs.join(' ')} (${suite.packageName}) listed no server scenarios (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return scenarios;
}

function isCheck(value: unknown): value is Check {
  return typeof value === 'object' && value !== null && typeof (value as Check).id === 'string' && typeof (value as Check).status === 'string';
}

/** Every checks.json under `dir` (the CLI writes DIR/server-<scenario>-<timestamp>/checks.json). */
function readChecks(dir: string): Check[] | null {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file === 'checks.json' || file.endsWith('/checks.json'));
  if (files.length === 0) return null;
  return files.flatMap((file) => {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (!Array.isArray(parsed)) throw new Error(`${join(dir, file)} is not an array of checks`);
    return parsed.filter(isCheck);
  });
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function runScenario(options: { node: string; suite: Suite; url: string; scenario: string; workDir: string; timeoutMs: number }): Promise<ScenarioResult> {
  const { node, suite, url, scenario, workDir } = options;
  const outputDir = join(workDir, suite.id, scenario);
  mkdirSync(outputDir, { recursive: true });
  const started = Date.now();
  const result = await runCli(node, conformanceCli(suite), ['server', '--url', url, '--scenario', scenario, '-o', outputDir, ...suite.scenarioArgs], {
    cwd: workDir,
    timeoutMs: options.timeoutMs,
  });
  const durationMs = Date.now() - started;
  let checks: Check[] | null;
  let unreadable = '';
  try {
    checks = readChecks(outputDir);
  } catch (err) {
    checks = null;
    unreadable = `: ${(err as Error).message}`;
  }
  if (checks === null) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs} ms` : `exit code ${result.code}${result.signal ? `, signal ${result.signal}` : ''}`;
    const failure: Check = {
      id: 'conformance-runner',
      status: 'FAILURE',
      errorMessage: `the CLI left no readable checks.json (${why})${unreadable}\n${tail(result.stdout)}\n${tail(result.stderr)}`.trimEnd(),
    };
    return { scenario, passed: 0, failed: 1, warnings: 0, failures: [failure], warningChecks: [], exitCode: result.code, durationMs };
  }
  const failures = checks.filter((check) => check.status === 'FAILURE');
  const warningChecks = checks.filter((check) => check.status === 'WARNING');
  return {
    scenario,
    passed: checks.filter((check) => check.status === 'SUCCESS').length,
    failed: failures.length,
    warnings: warningChecks.length,
    failures,
    warningChecks,
    exitCode: result.code,
    durationMs,
  };
}

/** `fn` over `items`, at most `limit` at once; results in the order of `items`. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface RunSuiteOptions {
  node: string;
  suite: Suite;
  url: string;
  /** Where the CLIs write their results (a directory per scenario). */
  workDir: string;
  /**
   * Scenarios running at once (default 1). Two at once only where each client has a child of
   * its own (per-session): at a shared 2025-era child, two scenarios' calls that ask their
   * clients something in the same moment cannot be told apart (the child's stdio carries no
   * link to the call; docs/sessions.md), so both questions fail after the ambiguity wait. That
   * is the shared child's documented limit, not what these single-client scenarios test.
   */
  concurrency?: number;
  /** Per scenario CLI process (default 120 s; the 2026 CLI also stops a scenario itself after 30 s). */
  scenarioTimeoutMs?: number;
}

export async function runSuite(options: RunSuiteOptions): Promise<SuiteRun> {
  const started = Date.now();
  const scenarios = await listServerScenarios(options.node, options.suite, options.workDir);
  const results = await mapConcurrently(scenarios, options.concurrency ?? 1, (scenario) =>
    runScenario({ ...options, scenario, timeoutMs: options.scenarioTimeoutMs ?? 120_000 }),
  );
  const sum = (key: 'passed' | 'failed' | 'warnings') => results.reduce((total, result) => total + result[key], 0);
  return {
    suite: options.suite.id,
    url: options.url,
    scenarios: results,
    passed: sum('passed'),
    failed: sum('failed'),
    warnings: sum('warnings'),
    durationMs: Date.now() - started,
  };
}
