import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithNetns } from '../support/netns';
import { REPO_ROOT, assertBuilt, commandLine } from './support';

// `npm run soak` (test/soak/) for a few seconds, so CI exercises the soak program: it builds,
// runs the built CLI under churn (sessions, calls, progress, cancellations, child kills,
// reloads), samples it and writes its results; once on loopback only, once with the tunnel
// path too (the gateway and WireGuard in network namespaces, a share of the workers through
// the gateway's public URL). Too short for slopes to be judged: the full hour is run by hand
// (docs/reliability.md).

const run = promisify(execFile);

interface PathReport {
  name: string;
  workers: number;
  operations: Record<string, { ok: number; unexpectedFailures: number }>;
  probes: number;
  probesFailed: number;
}

interface SoakReport {
  passed: boolean;
  samples: Array<{ values: Record<string, number | null> }>;
  disruptions: { kills: number; reloads: number; probes: number; probesFailed: number };
  operations: Record<string, { ok: number; unexpectedFailures: number }>;
  progressNotifications: number;
  survivors: number[];
  baseline: Record<string, number>;
  afterLoad: Record<string, number>;
  paths: PathReport[];
  tunnel: {
    ran: boolean;
    note: string | null;
    namespaces?: string[];
    wgInterfaces?: string[];
    teardown?: { leftovers: string[]; problems: string[] };
  };
}

let built: Promise<unknown> | undefined;

/** Builds test/soak (once per file), runs it with `args` and returns its stdout and its results. */
async function soak(args: string[], out: string): Promise<{ stdout: string; report: SoakReport }> {
  assertBuilt();
  built ??= run(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'test', 'soak')], { cwd: REPO_ROOT, timeout: 120_000 });
  await built;
  const result = await run(process.execPath, [join(REPO_ROOT, 'test', 'soak', 'dist', 'soak', 'main.js'), ...args, '--out', out], { cwd: REPO_ROOT, timeout: 200_000 }).catch(
    (err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`the soak failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    },
  );
  const json = readdirSync(out).find((name) => /^soak-.*Z\.json$/.test(name));
  expect(json).toBeDefined();
  expect(readdirSync(out)).toContain(json!.replace(/\.json$/, '.md'));
  return { stdout: result.stdout, report: JSON.parse(readFileSync(join(out, json!), 'utf8')) as SoakReport };
}

/** What every short run must show: churn with disruptions, probes answered, the daemon back after the load. */
function expectAHealthyRun(report: SoakReport): void {
  expect(report.passed).toBe(true);
  expect(report.samples.length).toBeGreaterThanOrEqual(3);
  expect(report.disruptions.kills).toBeGreaterThanOrEqual(1);
  expect(report.disruptions.reloads).toBeGreaterThanOrEqual(1);
  expect(report.disruptions.probesFailed).toBe(0);
  for (const operation of ['echo', 'sum', 'progress', 'cancel']) expect(report.operations[operation].ok).toBeGreaterThan(0);
  expect(report.progressNotifications).toBeGreaterThan(0);
  expect(report.survivors).toEqual([]);
  // After the load: every session reaped, the per-session children gone.
  expect(report.afterLoad.sessions).toBe(0);
  expect(report.afterLoad.children).toBeLessThanOrEqual(report.baseline.children);
}

const SHORT_RUN = ['--seconds', '20', '--sample-seconds', '5', '--kill-every', '6', '--reload-every', '9', '--session-idle-ms', '3000'];

describe('the soak program (npm run soak), briefly', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'mcpw-soak-smoke-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('runs 20 s of churn against the built CLI on loopback (--no-tunnel) and passes, with its results written', async () => {
    const { stdout, report } = await soak([...SHORT_RUN, '--sessions', '12', '--no-tunnel'], out);
    expect(stdout).toMatch(/\] PASS\n/);
    expectAHealthyRun(report);
    expect(report.paths.map((path) => path.name)).toEqual(['local']);
    expect(report.paths[0]!.workers).toBe(12);
    expect(report.tunnel).toEqual({ ran: false, note: 'not asked for (--no-tunnel)' });
  }, 240_000);
});

describeWithNetns('the soak program through the tunnel, briefly', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'mcpw-soak-smoke-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('runs 20 s with 3 of 15 workers through the gateway and WireGuard to the same daemon, passes on both paths, and leaves nothing behind', async () => {
    const { stdout, report } = await soak([...SHORT_RUN, '--sessions', '15', '--tunnel', '--tunnel-sessions', '3'], out);
    expect(stdout).toMatch(/tunnel teardown: nothing left/);
    expect(stdout).toMatch(/\] PASS\n/);
    expectAHealthyRun(report);

    expect(report.paths.map((path) => [path.name, path.workers])).toEqual([['local', 12], ['tunnel', 3]]);
    for (const path of report.paths) {
      for (const operation of ['open', 'echo', 'sum', 'progress']) expect(path.operations[operation]!.ok).toBeGreaterThan(0);
      for (const counts of Object.values(path.operations)) expect(counts.unexpectedFailures).toBe(0);
      expect(path.probes).toBeGreaterThanOrEqual(3);
      expect(path.probesFailed).toBe(0);
    }
    // The tunnel side sampled: the agent's wireguard-go and the gateway.
    for (const key of ['agentWgRss', 'agentWgFds', 'gatewayRss', 'gatewayFds']) expect(report.samples.every((sample) => typeof sample.values[key] === 'number')).toBe(true);

    // Torn down, as the report says and as this machine shows.
    expect(report.tunnel.ran).toBe(true);
    expect(report.tunnel.teardown).toEqual(expect.objectContaining({ leftovers: [], problems: [] }));
    const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const namespace of report.tunnel.namespaces!) expect(namespaces).not.toContain(namespace);
    const wireguardGo = new Set(report.tunnel.wgInterfaces!.map((name) => `wireguard-go -f ${name}`));
    const running = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && wireguardGo.has(commandLine(Number(entry))));
    expect(running).toEqual([]);
  }, 240_000);
});
