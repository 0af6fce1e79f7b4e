import type { BenchResults, ContenderRun } from './records.js';
import { errorCount } from './records.js';
import { ratio } from './stats.js';
import type { ContenderFigures, Summary } from './summary.js';
import { figuresFor } from './summary.js';
import type { TargetCheck } from './targets.js';
import { renderDaemonSection } from './daemon-report.js';
import { renderOwnerCheckSection } from './owner-check-report.js';
import { renderTunnelSection } from './tunnel-report.js';

/** The markdown report: figures, ratios, idle sessions, targets, the tunnel, daemon and owner-check parts, rounds, machine. */

function num(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const percent = (share: number) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : '–');

/** Numbers right-aligned after the first column, unless `textColumns` says the table is prose. */
function table(header: string[], rows: string[][], textColumns = false): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (i === 0 || textColumns ? '---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

function figuresTable(summary: Summary, results: BenchResults): string {
  const { profile } = results;
  const header = [
    'contender',
    'p50 ms',
    'p99 ms',
    `${sizeLabel(profile.payloadBytes)} p50 ms`,
    `calls/s (${profile.sessions} sessions)`,
    'new sessions/s',
    'one new session ms',
    `connect ${profile.sessions} ms`,
    `RSS ${profile.sessions} open MB (own)`,
    'RSS peak MB',
    `processes ${profile.sessions} open / peak`,
    'CPU ms/call',
    'errors',
  ];
  const rows = summary.contenders.map((f) => [
    `${f.label}${f.failedRounds ? ` (${f.failedRounds} failed round${f.failedRounds > 1 ? 's' : ''})` : ''}`,
    num(f.p50Ms) + (f.latencyCalls < profile.latencyCalls ? ` (n=${f.latencyCalls})` : ''),
    num(f.p99Ms),
    num(f.payloadP50Ms, 1),
    num(f.callsPerSecond, 0),
    num(f.sessionsPerSecond, 1),
    num(f.pacedSessionMs, 1),
    num(f.connectMs, 0),
    `${num(f.openRssMB, 1)} (${num(f.openRootRssMB, 1)})`,
    num(f.peakRssMB, 1),
    `${num(f.openProcesses, 0)} / ${num(f.peakProcesses, 0)}`,
    num(f.cpuMsPerCall, 3),
    String(f.errors),
  ]);
  return table(header, rows);
}

function ratiosTable(summary: Summary): string {
  const native = figuresFor(summary, 'native');
  const sg = figuresFor(summary, 'sg-stateful');
  const versus = (f: ContenderFigures, reference: ContenderFigures | undefined, read: (g: ContenderFigures) => number) =>
    reference ? times(ratio(read(f), read(reference))) : '–';
  const rows = summary.contenders.map((f) => [
    f.label,
    versus(f, native, (g) => g.p50Ms),
    versus(f, native, (g) => g.callsPerSecond),
    versus(f, sg, (g) => g.callsPerSecond),
    versus(f, native, (g) => g.sessionsPerSecond),
    versus(f, sg, (g) => g.sessionsPerSecond),
    versus(f, native, (g) => g.openRssMB),
    versus(f, sg, (g) => g.openRssMB),
    versus(f, native, (g) => g.cpuMsPerCall),
  ]);
  return table(
    ['contender', 'p50 ÷ native', 'calls/s ÷ native', 'calls/s ÷ sg --stateful', 'sessions/s ÷ native', 'sessions/s ÷ sg --stateful', 'RSS open ÷ native', 'RSS open ÷ sg --stateful', 'CPU/call ÷ native'],
    rows,
  );
}

function idleTable(summary: Summary, wanted: number): string {
  if (summary.idle.length === 0) return '_not run (its contenders were not selected)_';
  const rows = summary.idle.map((f) => [
    f.label,
    `${num(f.sessionsOpened, 0)} of ${wanted}${f.errors ? ` (${f.errors} errors)` : ''}`,
    num(f.baselineMB, 1),
    num(f.loadedMB, 1),
    num(f.addedMB, 1) + (f.settled ? '' : ' (still moving)'),
    num(f.perSessionKB, 1),
  ]);
  return table(['contender', 'sessions open', 'RSS before MB', `RSS with ${wanted} MB`, 'added MB', 'KB per session'], rows);
}

function targetsTable(checks: TargetCheck[]): string {
  const mark = { met: '**met**', missed: '**missed**', 'not measured': 'not measured', TODO: 'TODO' } as const;
  return table(['target', 'measured (same run)', 'verdict'], checks.map((check) => [check.target, check.measured, mark[check.verdict]]), true);
}

function roundsTable(results: BenchResults): string {
  const rows = results.runs.map((run: ContenderRun) => [
    run.contender,
    String(run.round),
    num(run.latency?.p50Ms ?? Number.NaN),
    num(run.throughput && run.throughput.elapsedMs ? (run.throughput.ok * 1000) / run.throughput.elapsedMs : Number.NaN, 0),
    num(run.churn && run.churn.elapsedMs ? (run.churn.ok * 1000) / run.churn.elapsedMs : Number.NaN, 1),
    num(run.open ? run.open.rssBytes / 2 ** 20 : Number.NaN, 1),
    num(run.throughput?.ok ? run.throughput.treeCpuMs / run.throughput.ok : Number.NaN, 3),
    num(run.throughput?.ok ? run.throughput.clientCpuMs / run.throughput.ok : Number.NaN, 3),
    String(errorCount(run)),
    percent(run.foreignCpuShare ?? Number.NaN) + ((run.attempts ?? 1) > 1 ? ` (best of ${run.attempts})` : ''),
  ]);
  return table(['contender', 'round', 'p50 ms', 'calls/s', 'sessions/s', 'RSS open MB', 'CPU ms/call', 'client CPU ms/call', 'errors', "others' CPU"], rows);
}

function failures(results: BenchResults): string {
  const failed = [...results.runs, ...results.idleRuns].filter((run) => run.failure);
  const firstErrors = results.runs.flatMap((run) =>
    [run.latency, run.payload, run.connect, run.throughput, run.closeAll, run.churn]
      .filter((phase) => phase?.firstError)
      .map((phase) => `- ${run.contender} round ${run.round}: ${phase?.errors} error(s), first: ${phase?.firstError}`),
  );
  const lines = [...failed.map((run) => `- ${run.contender} round ${run.round} stopped early:\n\n  \`\`\`\n  ${run.failure?.split('\n').join('\n  ')}\n  \`\`\``), ...firstErrors];
  return lines.length ? `## Errors\n\n${lines.join('\n')}\n` : '';
}

function quietPolicy(results: BenchResults): string {
  const { profile } = results;
  if (profile.maxReruns === 0) return '';
  return ` Before each run the benchmark waited (at most ${profile.quietWaitMs / 1000} s) for a second in which others used less than 15 % of the machine; a run during which they used more than ${Math.round(profile.rerunAboveForeignShare * 100)} % was run again (at most ${profile.maxReruns} more times) and the quietest attempt kept.`;
}

function variations(results: BenchResults): string {
  const notes: string[] = [];
  if (results.mcpwNodeFlags) notes.push(`mcp-workstation ran with extra node flags \`${results.mcpwNodeFlags.join(' ')}\`: these are not its default figures.`);
  if (results.profiler) notes.push(`Every contender ran under \`--${results.profiler}-prof\`: profiling slows them, compare nothing here with a normal run.`);
  return notes.length ? `> ${notes.join('\n> ')}

` : '';
}

function yardsticks(results: BenchResults): string {
  const r = results.references;
  if (!r) return '';
  return `Yardsticks (same machine, start of the run): an empty Node process ${num(r.emptyNodeRssMB, 1)} MB RSS; the test server over stdio answers initialize ${num(r.serverStartMs, 0)} ms after its spawn (${num(r.serverStartCpuMs, 0)} ms of CPU) and then holds ${num(r.serverRssMB, 1)} MB. So a Node bridge in front of a Node child weighs at least native + ${num(r.emptyNodeRssMB, 1)} MB, and a bridge that starts a child per session opens at most about ${num(1000 / r.serverStartCpuMs, 1)} sessions/s per free core.`;
}

function sizeLabel(bytes: number): string {
  return bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 1024} KiB`;
}

export function renderReport(results: BenchResults, summary: Summary, checks: TargetCheck[]): string {
  const { profile, machine } = results;
  const idleWanted = profile.idleSessions;
  const contenders = results.contenders.join(', ');
  return `# mcp-workstation benchmark: ${results.startedAt}

\`${results.command}\` · profile **${profile.name}** · ${profile.rounds} interleaved round(s) of ${contenders}

${variations(results)}Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}; supergateway ${machine.supergateway}; commit ${machine.commit}.
Other people's processes used at least **${percent(results.foreignCpuShare ?? Number.NaN)}** of the machine's CPU during the run (sampled each second; per run in the last table); the load generator shares the cores too.${quietPolicy(results)}

## Figures (medians over the rounds)

${figuresTable(summary, results)}

- p50/p99: \`tools/call echo\` in one session, ${profile.latencyCalls} sequential calls (at most ${profile.latencyMaxMs / 1000} s; n= when fewer were made) after ${profile.latencyWarmupCalls} warm-up calls. ${sizeLabel(profile.payloadBytes)} p50: the \`bytes\` tool, ${profile.payloadCalls} calls.
- calls/s: ${profile.sessions} sessions calling echo in closed loops for ${profile.throughputMs / 1000} s. CPU ms/call: utime+stime of the contender's whole process tree over that phase ÷ calls.
- new sessions/s: one after another for ${profile.churnMs / 1000} s: initialize (+ initialized), tools/list, DELETE. Stateless contenders have no session to DELETE. One new session ms: the same, ${profile.pacedSessions} times with a ${profile.pacedGapMs} ms pause before each (p50): what one user waits when the bridge had time to prepare (a spare child).
- RSS/processes: sum over the contender's process tree (from /proc), ${profile.sessions} sessions open after the connect phase settled, (own) = the contender's own process without its children; peak sampled every 100 ms over the whole run.

${yardsticks(results)}

## Ratios

${ratiosTable(summary)}

## ${idleWanted.toLocaleString('en')} idle sessions (fresh process, RSS of the tree before and after opening them)

${idleTable(summary, idleWanted)}

## Targets

${targetsTable(checks)}

${renderTunnelSection(results.tunnelRuns)}

${renderDaemonSection(results.daemonRuns)}

${renderOwnerCheckSection(results.ownerCheckRuns ?? [])}

## Rounds

${roundsTable(results)}

${failures(results)}`;
}
