import { readyShare, serversUnderDaemonMs } from './daemon-ready-share.js';
import type { DaemonRun } from './daemon-run.js';
import { median } from './stats.js';
import type { TargetCheck } from './targets.js';

/** The daemon part's markdown section and its two targets, both from medians over the rounds. */

const MB = 2 ** 20;
const READY_TARGET_MS = 300;
const IDLE_CPU_TARGET_PERCENT = 0.5;
/** Linux's clock tick, the resolution of /proc CPU times. */
const TICK_MS = 10;
/** A window in which one tick is at most a tenth of the idle target (20 s): shorter ones are shown, not judged. */
const SHORTEST_JUDGED_WINDOW_MS = (10 * TICK_MS * 100) / IDLE_CPU_TARGET_PERCENT;

function num(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Every figure the section shows, for one round or as medians. */
interface Figures {
  readyMs?: number;
  childrenStartMs?: number;
  minusAloneMs?: number;
  minusUnderDaemonMs?: number;
  daemonOwnMs?: number;
  emptyNodeStartMs?: number;
  firstLogMs?: number;
  listeningMs?: number;
  childrenUnderDaemonMs?: number;
  afterLastAnswerMs?: number;
  stopMs?: number;
  warmupCpuPercent?: number;
  treeCpuPercent?: number;
  daemonCpuPercent?: number;
  wakeupsPerSecond?: number;
  readyRssMB?: number;
  idleRssMB?: number;
  idleRootRssMB?: number;
  processes?: number;
  foreignCpuShare?: number;
}

function figures(run: DaemonRun): Figures {
  const { timeline, idle } = run;
  // Derived from the raw figures here (not read from run.readyShare) so older results render too.
  const share = readyShare(run.readyMs, run.yardsticks?.childrenStartMs, timeline, run.servers);
  return {
    readyMs: run.readyMs,
    childrenStartMs: run.yardsticks?.childrenStartMs,
    minusAloneMs: share.minusServersAloneMs,
    minusUnderDaemonMs: share.minusServersUnderDaemonMs,
    daemonOwnMs: share.daemonOwnMs,
    emptyNodeStartMs: run.yardsticks?.emptyNodeStartMs,
    firstLogMs: timeline?.firstLogMs,
    listeningMs: timeline?.listeningMs,
    childrenUnderDaemonMs: serversUnderDaemonMs(timeline, run.servers),
    afterLastAnswerMs: run.afterLastAnswerMs,
    stopMs: run.stopMs,
    warmupCpuPercent: idle?.warmup?.treeCpuPercent,
    treeCpuPercent: idle?.treeCpuPercent,
    daemonCpuPercent: idle?.daemonCpuPercent,
    wakeupsPerSecond: idle?.daemonWakeupsPerSecond,
    readyRssMB: run.atReady ? run.atReady.rssBytes / MB : undefined,
    idleRssMB: idle ? idle.rssBytes / MB : undefined,
    idleRootRssMB: idle ? idle.rootRssBytes / MB : undefined,
    processes: idle?.processes,
    foreignCpuShare: idle?.foreignCpuShare,
  };
}

/** Each figure's median over the rounds that have it (a failed round's missing figures are left out). */
function medians(runs: DaemonRun[]): Figures {
  const all = runs.map(figures);
  const keys = new Set(all.flatMap((f) => Object.keys(f))) as Set<keyof Figures>;
  const result: Figures = {};
  for (const key of keys) result[key] = median(all.map((f) => f[key]));
  return result;
}

function startRow(label: string, f: Figures): string[] {
  return [
    label,
    num(f.readyMs),
    num(f.childrenStartMs),
    num(f.childrenUnderDaemonMs),
    num(f.minusAloneMs),
    num(f.minusUnderDaemonMs),
    `**${num(f.daemonOwnMs)}**`,
    num(f.emptyNodeStartMs),
    num(f.firstLogMs),
    num(f.listeningMs),
    num(f.afterLastAnswerMs),
    num(f.stopMs),
  ];
}

function idleRow(label: string, f: Figures): string[] {
  const others = f.foreignCpuShare === undefined || !Number.isFinite(f.foreignCpuShare) ? '–' : `${Math.round(f.foreignCpuShare * 100)}%`;
  return [label, num(f.warmupCpuPercent, 3), `**${num(f.treeCpuPercent, 3)}**`, num(f.daemonCpuPercent, 3), num(f.wakeupsPerSecond, 1), num(f.readyRssMB, 1), `${num(f.idleRssMB, 1)} (${num(f.idleRootRssMB, 1)})`, num(f.processes), others];
}

type RowOf = (label: string, f: Figures) => string[];

/** The medians first, then each round. */
function rowsOf(runs: DaemonRun[], row: RowOf): string[][] {
  return [row(`median of ${runs.length}`, medians(runs)), ...runs.map((run) => row(`round ${run.round}${run.failure ? ' (failed)' : ''}`, figures(run)))];
}

function startPart(runs: DaemonRun[]): string {
  const forced = runs.filter((run) => run.stopForced).map((run) => `round ${run.round}`);
  return `${table(
    ['', 'ready ms', 'servers alone ms', 'servers under daemon ms', 'ready − alone ms', 'ready − under daemon ms', "daemon's own ms", 'Node alone ms', 'first log ms', 'listening ms', 'last answer → ready ms', 'stop ms'],
    rowsOf(runs, startRow),
  )}

- ready: spawn of \`node mcp-workstation.js up --config …\` → the first 200 from \`/readyz\` on the admin listener, asked every ${runs[0].readyPollMs} ms (late by at most one interval).
- servers alone: the same ${runs[0].servers} test servers spawned by the benchmark together and sent initialize, spawn → the last answer (same round, just before the daemon). Servers under daemon: from the daemon's log, listening (the servers are spawned right after) → the last \`MCP server "…" initialized\` line.
- **daemon's own**: its share of the time to ready with its children's own start taken out: the larger of ready − alone (charges it for slowing its children down, but the yardstick is another moment of a shared machine) and ready − under daemon (the same start, but time it made its children lose counts as theirs). Target: under ${READY_TARGET_MS} ms.
- Node alone: \`node -e\` writing one byte, spawn → that byte. From the daemon's log, in ms after the spawn: first log = Node started, the CLI loaded and the config checked; listening = both listeners up; last answer → ready = the last \`initialized\` line → the \`/readyz\` 200 the benchmark saw.
- stop: SIGTERM to the daemon → it and every process of its tree gone${forced.length ? ` (forced with SIGKILL in ${forced.join(', ')})` : ''}.`;
}

function idlePart(runs: DaemonRun[]): string {
  const windowS = Math.round((runs.find((run) => run.idle)?.idle?.windowMs ?? Number.NaN) / 1000);
  const warmupS = Math.round((runs.find((run) => run.idle?.warmup)?.idle?.warmup?.windowMs ?? 0) / 1000);
  const window = Number.isFinite(windowS) ? `${windowS} s` : 'window';
  const tick = Number.isFinite(windowS) ? `; one clock tick over the window is ${num((100 * TICK_MS) / (windowS * 1000), 3)} %` : '';
  const warmup = warmupS
    ? `the tree's CPU over the first ${warmupS} s after ready (and settling), in % of one core: the start's one-off GCs (V8's memory reducer, in every process) land here, so they are shown but not judged`
    : "none in this profile: the start's one-off GCs (V8's memory reducer, 5 to 10 s after ready) may fall into the idle window";
  return `${table(['', 'warm-up CPU %', 'idle CPU % of a core', 'daemon alone %', 'wake-ups/s', 'RSS at ready MB', 'idle RSS MB (daemon)', 'processes', "others' CPU"], rowsOf(runs, idleRow))}

- warm-up: ${warmup}.
- idle CPU: utime+stime of the whole tree (daemon and its ${runs[0].servers} children) over the next ${window}, no session and no request, ÷ the window (target: under ${IDLE_CPU_TARGET_PERCENT} %)${tick}. Daemon alone: its own process. Wake-ups/s: voluntary context switches of its main thread (how often its event loop woke up).
- RSS: sum over the tree right after ready, and at the end of the idle window (the daemon's own process in brackets). Others' CPU: share of the machine other people's processes used during the idle window.`;
}

export function renderDaemonSection(runs: DaemonRun[]): string {
  if (runs.length === 0) return '### Daemon (`mcp-workstation up`)\n\n_not run_\n';
  const flags = runs.find((run) => run.nodeFlags)?.nodeFlags;
  const variation = flags ? `> The daemon ran with node flags \`${flags.join(' ')}\`: these are not its default figures.\n\n` : '';
  const failed = runs.filter((run) => run.failure).map((run) => `- round ${run.round} stopped early:\n\n  \`\`\`\n  ${run.failure?.split('\n').join('\n  ')}\n  \`\`\``);
  return `### Daemon (\`mcp-workstation up\` from a config file, ${runs[0].servers} test servers, admin listener, no tunnel)

${variation}${startPart(runs)}

${idlePart(runs)}
${failed.length ? `\n${failed.join('\n')}\n` : ''}`;
}

const READY_TARGET = `daemon: ready in under ${READY_TARGET_MS} ms after its children answer`;
const IDLE_TARGET = `daemon: idle CPU under ${IDLE_CPU_TARGET_PERCENT}% of a core`;

function readyCheck(runs: DaemonRun[], m: Figures): TargetCheck {
  if (m.daemonOwnMs === undefined || !Number.isFinite(m.daemonOwnMs)) {
    return { target: READY_TARGET, measured: runs.length ? 'no round reached ready' : 'needs the daemon run', verdict: 'not measured' };
  }
  const rounds = runs.filter((run) => !run.failure).length;
  const charged = `${num(m.daemonOwnMs)} ms (median over ${rounds} round${rounds === 1 ? '' : 's'}): spawn → /readyz 200 ${num(m.readyMs)} ms minus its ${runs[0].servers} servers' own start, alone ${num(m.childrenStartMs)} ms / under the daemon ${num(m.childrenUnderDaemonMs)} ms, charged the larger remainder (${num(m.minusAloneMs)} / ${num(m.minusUnderDaemonMs)} ms)`;
  const where = `Where it goes: Node's own start ${num(m.emptyNodeStartMs)} ms; first log line at ${num(m.firstLogMs)} ms (the CLI loaded, config checked); listening at ${num(m.listeningMs)} ms; the last server's answer → /readyz 200 ${num(m.afterLastAnswerMs)} ms`;
  return { target: READY_TARGET, measured: `${charged}. ${where}`, verdict: m.daemonOwnMs < READY_TARGET_MS ? 'met' : 'missed' };
}

function idleCheck(runs: DaemonRun[], m: Figures): TargetCheck {
  if (m.treeCpuPercent === undefined || !Number.isFinite(m.treeCpuPercent)) {
    return { target: IDLE_TARGET, measured: runs.length ? 'no round finished its idle window' : 'needs the daemon run', verdict: 'not measured' };
  }
  const windowMs = median(runs.map((run) => run.idle?.windowMs));
  const warmupS = Math.round((median(runs.map((run) => run.idle?.warmup?.windowMs)) || 0) / 1000);
  const tooShort = windowMs < SHORTEST_JUDGED_WINDOW_MS;
  const warmup = warmupS ? ` after a ${warmupS} s warm-up (which used ${num(m.warmupCpuPercent, 3)}%: the start's one-off GCs)` : ' right after ready (no warm-up)';
  const resolution = tooShort ? ` (too short to judge: one clock tick is ${num((100 * TICK_MS) / windowMs, 2)}% of a core over it; the full profile idles 60 s)` : '';
  const measured = `${num(m.treeCpuPercent, 3)}% of a core (the daemon itself ${num(m.daemonCpuPercent, 3)}%, its event loop woken ${num(m.wakeupsPerSecond, 0)} times/s) over ${Math.round(windowMs / 1000)} s idle${warmup}${resolution}, ${runs[0].servers} servers, no tunnel, no session; RSS ${num(m.idleRssMB, 1)} MB (daemon ${num(m.idleRootRssMB, 1)} MB)`;
  return { target: IDLE_TARGET, measured, verdict: tooShort ? 'not measured' : m.treeCpuPercent < IDLE_CPU_TARGET_PERCENT ? 'met' : 'missed' };
}

/** The issue's two daemon targets, judged on medians over the rounds of this run. */
export function daemonTargets(runs: DaemonRun[]): TargetCheck[] {
  const m = medians(runs);
  return [readyCheck(runs, m), idleCheck(runs, m)];
}
