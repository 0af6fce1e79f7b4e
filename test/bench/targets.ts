import type { ContenderId } from './contenders.js';
import { daemonTargets } from './daemon-report.js';
import type { BenchResults } from './records.js';
import { tunnelTargets } from './tunnel-report.js';
import { ratio } from './stats.js';
import type { ContenderFigures, Summary } from './summary.js';
import { figuresFor } from './summary.js';

/**
 * The issue's targets, judged on ratios measured in the same run. A target whose contenders
 * were not run is "not measured"; a target whose part is not built yet is "TODO" and names
 * what will be measured there: nothing is faked.
 */

export type Verdict = 'met' | 'missed' | 'not measured' | 'TODO';

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: Verdict;
}

type Read = (figures: ContenderFigures) => number;

const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

/** `subject`'s figure over `reference`'s, compared with a bound. */
function ratioTarget(
  summary: Summary,
  target: string,
  subject: ContenderId,
  reference: ContenderId,
  read: Read,
  bound: { atMost?: number; atLeast?: number },
): TargetCheck {
  const a = figuresFor(summary, subject);
  const b = figuresFor(summary, reference);
  const value = a && b ? ratio(read(a), read(b)) : Number.NaN;
  if (!Number.isFinite(value)) return { target, measured: `needs ${subject} and ${reference}`, verdict: 'not measured' };
  const met = (bound.atMost === undefined || value <= bound.atMost) && (bound.atLeast === undefined || value >= bound.atLeast);
  return { target, measured: `${x(value)} (${format(read(a!))} vs ${format(read(b!))})`, verdict: met ? 'met' : 'missed' };
}

function format(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Adds how long one new session takes after a pause (the spare child's effect) to the measured text. */
function withPacedFigure(summary: Summary, check: TargetCheck): TargetCheck {
  const perSession = figuresFor(summary, 'mcpw-per-session');
  const sg = figuresFor(summary, 'sg-stateful');
  if (!perSession || !sg || !Number.isFinite(perSession.pacedSessionMs) || !Number.isFinite(sg.pacedSessionMs)) return check;
  const speedup = ratio(sg.pacedSessionMs, perSession.pacedSessionMs);
  return { ...check, measured: `${check.measured} back to back; one session after a pause: ${format(perSession.pacedSessionMs)} ms vs ${format(sg.pacedSessionMs)} ms (${x(speedup)} faster)` };
}

function oneChildTarget(summary: Summary, sessions: number): TargetCheck {
  // The third process is the daemon's watchdog (packages/supervisor/src/watchdog.ts: a POSIX
  // sh of about 1 MB, one per daemon, that stops the servers if the daemon is SIGKILLed).
  const target = `shared: one child process whatever the number of sessions (tree = bridge + its watchdog + 1 child, with ${sessions} open and at peak)`;
  const shared = figuresFor(summary, 'mcpw-shared');
  if (!shared || !Number.isFinite(shared.openProcesses)) return { target, measured: 'needs mcpw-shared', verdict: 'not measured' };
  const met = shared.openProcesses === 3 && shared.peakProcesses === 3;
  return { target, measured: `${shared.openProcesses} processes with ${sessions} open, ${shared.peakProcesses} at peak`, verdict: met ? 'met' : 'missed' };
}

function idleTarget(summary: Summary, wantedSessions: number): TargetCheck {
  const target = `shared: ${wantedSessions.toLocaleString('en')} idle sessions add at most 30 MB`;
  const idle = summary.idle.find((figures) => figures.id === 'mcpw-shared');
  if (!idle || !Number.isFinite(idle.addedMB)) return { target, measured: 'needs mcpw-shared', verdict: 'not measured' };
  const complete = idle.sessionsOpened >= wantedSessions && idle.errors === 0;
  const measured = `${idle.addedMB.toFixed(1)} MB for ${idle.sessionsOpened} sessions (${idle.perSessionKB.toFixed(1)} KB each)${complete ? '' : `, ${idle.errors} errors`}`;
  return { target, measured, verdict: complete && idle.addedMB <= 30 ? 'met' : 'missed' };
}

/**
 * The issue's unqualified targets (latency, throughput) are judged on the default mode,
 * shared; per-session latency too, since one session meets one child the same way. The
 * ratios table shows every contender against the floor and supergateway.
 */
export function checkTargets(summary: Summary, results: Pick<BenchResults, 'tunnelRuns' | 'daemonRuns'>, sessions: number, idleSessions: number): TargetCheck[] {
  const p50: Read = (f) => f.p50Ms;
  const callsPerSecond: Read = (f) => f.callsPerSecond;
  const sessionsPerSecond: Read = (f) => f.sessionsPerSecond;
  const openRss: Read = (f) => f.openRssMB;
  return [
    ratioTarget(summary, 'shared: latency p50 within 1.10× native', 'mcpw-shared', 'native', p50, { atMost: 1.1 }),
    ratioTarget(summary, 'per-session: latency p50 within 1.10× native', 'mcpw-per-session', 'native', p50, { atMost: 1.1 }),
    ratioTarget(summary, `shared: throughput (${sessions} sessions) at least 0.8× native`, 'mcpw-shared', 'native', callsPerSecond, { atLeast: 0.8 }),
    ratioTarget(summary, 'shared: throughput at least 1.5× supergateway --stateful', 'mcpw-shared', 'sg-stateful', callsPerSecond, { atLeast: 1.5 }),
    ratioTarget(summary, 'shared: new sessions/s at least 0.8× native', 'mcpw-shared', 'native', sessionsPerSecond, { atLeast: 0.8 }),
    withPacedFigure(summary, ratioTarget(summary, 'per-session: new sessions/s at least 10× supergateway --stateful', 'mcpw-per-session', 'sg-stateful', sessionsPerSecond, { atLeast: 10 })),
    ratioTarget(summary, `shared: RSS with ${sessions} sessions open at most 1.2× native`, 'mcpw-shared', 'native', openRss, { atMost: 1.2 }),
    oneChildTarget(summary, sessions),
    idleTarget(summary, idleSessions),
    ...tunnelTargets(results.tunnelRuns),
    ...daemonTargets(results.daemonRuns),
  ];
}
