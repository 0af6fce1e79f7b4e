import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, assertBuilt } from './support';

// `npm run soak` (test/soak/) for a few seconds, so CI exercises the soak program: it builds,
// runs the built CLI under churn (sessions, calls, progress, cancellations, child kills,
// reloads), samples it and writes its results. Too short for slopes to be judged: the full
// hour is run by hand (docs/reliability.md).

const run = promisify(execFile);

describe('the soak program (npm run soak), briefly', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'mcpw-soak-smoke-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('runs 20 s of churn against the built CLI and passes, with its results written', async () => {
    assertBuilt();
    await run(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'test', 'soak')], { cwd: REPO_ROOT, timeout: 120_000 });
    const args = ['--seconds', '20', '--sample-seconds', '5', '--kill-every', '6', '--reload-every', '9', '--sessions', '12', '--session-idle-ms', '3000', '--out', out];
    const result = await run(process.execPath, [join(REPO_ROOT, 'test', 'soak', 'dist', 'soak', 'main.js'), ...args], { cwd: REPO_ROOT, timeout: 150_000 }).catch(
      (err: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`the soak failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
      },
    );
    expect(result.stdout).toMatch(/\] PASS\n/);
    const json = readdirSync(out).find((name) => /^soak-.*Z\.json$/.test(name));
    expect(json).toBeDefined();
    expect(readdirSync(out)).toContain(json!.replace(/\.json$/, '.md'));
    const report = JSON.parse(readFileSync(join(out, json!), 'utf8')) as {
      passed: boolean;
      samples: unknown[];
      disruptions: { kills: number; reloads: number; probes: number; probesFailed: number };
      operations: Record<string, { ok: number; unexpectedFailures: number }>;
      progressNotifications: number;
      survivors: number[];
      baseline: Record<string, number>;
      afterLoad: Record<string, number>;
    };
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
  }, 240_000);
});
