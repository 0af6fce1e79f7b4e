import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { killAllContendersNow, stopAllContenders } from './contender-process.js';
import { REPO_ROOT, assertRunnable } from './contenders.js';
import type { Contender } from './contenders.js';
import { killAllLoadGeneratorsNow } from './load-generator-process.js';
import { DAEMON_OPTIONS, killAllDaemonsNow, runDaemon } from './daemon-run.js';
import { OWNER_CHECK_OPTIONS, killAllOwnerCheckYardsticksNow, runOwnerCheck } from './owner-check-run.js';
import { ForeignCpu, markOurProcesses } from './foreign-cpu.js';
import { describeMachine } from './machine.js';
import { UsageRequested, idleContenders, parseOptions } from './profile.js';
import type { BenchOptions } from './profile.js';
import type { BenchResults, ContenderRun } from './records.js';
import { measureReferences } from './reference.js';
import { renderReport } from './report.js';
import { runContender, runIdle } from './runner.js';
import type { RunContext } from './runner.js';
import { summarize } from './summary.js';
import { checkTargets } from './targets.js';
import { TUNNEL_OPTIONS, killAllTunnelProcessesNow, runTunnel } from './tunnel-run.js';

/**
 * `npm run bench`: every contender, interleaved A B C A B C … for the rounds asked, then the
 * idle-sessions runs, then a markdown table (printed and written to <out>/<timestamp>.md) and
 * the raw results (<timestamp>.json). Exit code 0 when it ran; targets missed are reported,
 * not failed: this measures, it does not assert.
 */

function progress(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

/** `daemonNodeFlags`: a profiler's and --mcpw-node-flags, for the daemon and owner-check parts' `up` and `bridge` (after the product's own flags). */
async function runAll(options: BenchOptions, results: BenchResults, context: RunContext, daemonNodeFlags: string[]): Promise<void> {
  const { profile, contenders, parts } = options;
  for (let round = 1; round <= profile.rounds; round++) {
    for (const contender of contenders) {
      const started = Date.now();
      const run = await runQuietly(contender, round, context);
      progress(`round ${round}/${profile.rounds}: ${contender.id} (${((Date.now() - started) / 1000).toFixed(1)} s)${run.failure ? ` failed: ${run.failure.split('\n')[0]}` : ''}`);
      results.runs.push(run);
    }
    if (parts.includes('tunnel')) {
      const started = Date.now();
      const run = await runTunnel(TUNNEL_OPTIONS[profile.name], context.logDir, progress, round);
      progress(`round ${round}/${profile.rounds}: tunnel (${((Date.now() - started) / 1000).toFixed(1)} s)${run.failure ? ` failed: ${run.failure.split('\n')[0]}` : ''}`);
      results.tunnelRuns.push(run);
    }
    if (parts.includes('daemon')) {
      const started = Date.now();
      const run = await runDaemon(DAEMON_OPTIONS[profile.name], context.logDir, progress, { round, foreignCpu: context.foreignCpu, nodeFlags: daemonNodeFlags });
      progress(`round ${round}/${profile.rounds}: daemon (${((Date.now() - started) / 1000).toFixed(1)} s)${run.failure ? ` failed: ${run.failure.split('\n')[0]}` : ''}`);
      results.daemonRuns.push(run);
    }
    if (parts.includes('owner-check')) {
      const started = Date.now();
      const run = await runOwnerCheck(OWNER_CHECK_OPTIONS[profile.name], context.logDir, progress, { round, foreignCpu: context.foreignCpu, nodeFlags: daemonNodeFlags });
      progress(`round ${round}/${profile.rounds}: owner-check (${((Date.now() - started) / 1000).toFixed(1)} s)${run.failure ? ` failed: ${run.failure.split('\n')[0]}` : ''}`);
      results.ownerCheckRuns?.push(run);
    }
    for (const contender of idleContenders(options)) {
      const started = Date.now();
      const run = await runIdle(contender, round, context);
      progress(`round ${round}/${profile.rounds}: ${contender.id}, ${profile.idleSessions} idle sessions (${((Date.now() - started) / 1000).toFixed(1)} s)${run.failure ? ` failed: ${run.failure.split('\n')[0]}` : ''}`);
      results.idleRuns.push(run);
    }
  }
}

/** A run, run again while others disturbed it (bounded by profile.maxReruns); the quietest is kept. */
async function runQuietly(contender: Contender, round: number, context: RunContext): Promise<ContenderRun> {
  const { profile } = context;
  let kept = await runContender(contender, round, context);
  let attempts = 1;
  while (attempts <= profile.maxReruns && !kept.failure && (kept.foreignCpuShare ?? 0) > profile.rerunAboveForeignShare) {
    progress(`  others used ${Math.round((kept.foreignCpuShare ?? 0) * 100)}% of the machine during ${contender.id}: running it again`);
    const again = await runContender(contender, round, context);
    attempts += 1;
    if (!again.failure && (again.foreignCpuShare ?? 1) < (kept.foreignCpuShare ?? 1)) kept = again;
  }
  return { ...kept, attempts };
}

/** Node flags that make the contender's root process write a profile into `dir` on exit. */
function profilerFlags(options: BenchOptions, dir: string): string[] {
  if (!options.profiler) return [];
  mkdirSync(dir, { recursive: true });
  return options.profiler === 'cpu' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : ['--heap-prof', `--heap-prof-dir=${dir}`];
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

async function main(args: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(args, join(REPO_ROOT, 'bench-results'));
  } catch (err) {
    const usage = err instanceof UsageRequested;
    (usage ? process.stdout : process.stderr).write(`${(err as Error).message}\n`);
    return usage ? 0 : 2;
  }
  assertRunnable();
  markOurProcesses();
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, '-');
  const outDir = resolve(options.outDir);
  const logDir = join(outDir, 'logs', stamp);
  mkdirSync(logDir, { recursive: true });
  const results: BenchResults = {
    startedAt,
    command: `npm run bench${args.length ? ` -- ${args.map(quoteArg).join(' ')}` : ''}`,
    profile: options.profile,
    machine: describeMachine(REPO_ROOT),
    contenders: options.contenders.map((c) => c.id),
    mcpwNodeFlags: options.mcpwNodeFlags.length ? options.mcpwNodeFlags : undefined,
    profiler: options.profiler,
    runs: [],
    idleRuns: [],
    tunnelRuns: [],
    daemonRuns: [],
    ownerCheckRuns: [],
  };
  progress('measuring the yardsticks (an empty Node process, the test server starting)');
  results.references = await measureReferences(options.profile.referenceSamples);
  const foreignCpu = new ForeignCpu();
  foreignCpu.start();
  const othersFrom = foreignCpu.mark();
  const profileDir = join(logDir, 'profiles');
  const profiler = profilerFlags(options, profileDir);
  const nodeFlags = (contender: Contender) => [...profiler, ...(contender.id.startsWith('mcpw-') ? options.mcpwNodeFlags : [])];
  await runAll(options, results, { profile: options.profile, logDir, nodeFlags, foreignCpu }, [...profiler, ...options.mcpwNodeFlags]);
  results.finishedAt = new Date().toISOString();
  results.foreignCpuShare = foreignCpu.shareSince(othersFrom);
  foreignCpu.stop();
  const summary = summarize(results);
  const report = renderReport(results, summary, checkTargets(summary, results, options.profile.sessions, options.profile.idleSessions));
  const reportFile = join(outDir, `${stamp}.md`);
  writeFileSync(reportFile, report);
  writeFileSync(join(outDir, `${stamp}.json`), `${JSON.stringify({ results, summary }, null, 2)}\n`);
  process.stdout.write(`${report}\n`);
  progress(`report: ${relative(process.cwd(), reportFile)} (raw results beside it, contender logs in ${relative(process.cwd(), logDir)})`);
  if (options.profiler) progress(`${options.profiler} profiles: ${relative(process.cwd(), profileDir)} (open them in Chrome DevTools, or \`node test/bench/dist/cpuprofile-top.js <file>\`)`);
  return 0;
}

// Whatever happens, no contender or load generator outlives the benchmark.
process.on('exit', () => {
  killAllContendersNow();
  killAllLoadGeneratorsNow();
  killAllTunnelProcessesNow();
  killAllDaemonsNow();
  killAllOwnerCheckYardsticksNow();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping the contenders`);
    stopAllContenders().finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err: Error) => {
    progress(`failed: ${err.stack ?? err.message}`);
    await stopAllContenders();
    process.exit(1);
  },
);
