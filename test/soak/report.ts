import type { Sample } from './sampler.js';
import type { SeriesVerdict } from './slope.js';

/** The soak's results as a plain-text table (stdout) and markdown (soak-results/). */

export interface SoakResult {
  startedAt: string;
  finishedAt: string;
  commit: string | null;
  node: string;
  options: Record<string, unknown>;
  mode: string;
  baseline: Sample['values'] | null;
  afterLoad: Sample['values'] | null;
  samples: Sample[];
  verdicts: SeriesVerdict[];
  operations: Record<string, { ok: number; expectedFailures: number; unexpectedFailures: number }>;
  sessionsOpened: number;
  sessionsAbandoned: number;
  progressNotifications: number;
  disruptions: { kills: number; reloads: number; probes: number; probesFailed: number };
  unexpected: Array<{ at: string; operation: string; server: string; message: string }>;
  survivors: number[];
  problems: string[];
  passed: boolean;
  daemonLog: string;
}

const SCALES: Record<string, [number, string]> = {
  daemonRss: [1024 * 1024, 'MB'],
  childRss: [1024 * 1024, 'MB'],
  treeRss: [1024 * 1024, 'MB'],
  heapUsed: [1024 * 1024, 'MB'],
  lagP99: [0.001, 'ms'],
  lagMax: [0.001, 'ms'],
  healthz: [0.001, 'ms'],
};

function shown(key: string, value: number | null | undefined): string {
  if (typeof value !== 'number') return '-';
  const [scale] = SCALES[key] ?? [1];
  const scaled = value / scale;
  return Number.isInteger(scaled) ? String(scaled) : scaled.toFixed(2);
}

const fixed = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits));

function rows(result: SoakResult): string[][] {
  return result.verdicts.map((v) => [
    v.label,
    v.unit,
    shown(v.key, result.baseline?.[v.key]),
    fixed(v.first),
    fixed(v.last),
    shown(v.key, result.afterLoad?.[v.key]),
    v.slopePerMinute === null ? '-' : v.slopePerMinute.toFixed(3),
    v.maxSlopePerMinute === null ? 'shown only' : `≤ ${v.maxSlopePerMinute}`,
    v.verdict,
  ]);
}

const HEADER = ['series', 'unit', 'before load', 'first sample', 'last sample', 'after load', 'slope /min (after warm-up)', 'limit /min', 'verdict'];

export function renderTable(result: SoakResult): string {
  const table = [HEADER, ...rows(result)];
  const widths = HEADER.map((_, col) => Math.max(...table.map((row) => row[col].length)));
  const lines = table.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return [...lines, '', summaryLine(result)].join('\n');
}

function summaryLine(result: SoakResult): string {
  const totals = Object.values(result.operations).reduce((t, s) => ({ ok: t.ok + s.ok, expected: t.expected + s.expectedFailures, unexpected: t.unexpected + s.unexpectedFailures }), { ok: 0, expected: 0, unexpected: 0 });
  return (
    `${result.sessionsOpened} sessions opened (${result.sessionsAbandoned} abandoned), ${totals.ok} operations ok, ${totals.expected} failed next to a disruption, ${totals.unexpected} failed otherwise; ` +
    `${result.progressNotifications} progress notifications; ${result.disruptions.kills} children killed, ${result.disruptions.reloads} reloads; probes ${result.disruptions.probes - result.disruptions.probesFailed}/${result.disruptions.probes}`
  );
}

export function renderMarkdown(result: SoakResult): string {
  const table = [HEADER, HEADER.map(() => '---'), ...rows(result)].map((row) => `| ${row.join(' | ')} |`);
  const ops = Object.entries(result.operations).map(([name, s]) => `| ${name} | ${s.ok} | ${s.expectedFailures} | ${s.unexpectedFailures} |`);
  const minutes = result.samples.map((s) => `| ${s.minute.toFixed(1)} | ${shown('daemonRss', s.values.daemonRss)} | ${shown('treeRss', s.values.treeRss)} | ${shown('heapUsed', s.values.heapUsed)} | ${s.values.fds ?? '-'} | ${s.values.children ?? '-'} | ${shown('lagP99', s.values.lagP99)} | ${shown('healthz', s.values.healthz)} | ${s.values.sessions ?? '-'} |`);
  return [
    `# Soak ${result.startedAt}: ${result.passed ? 'PASS' : 'FAIL'}`,
    '',
    `${result.mode}; commit ${result.commit ?? 'unknown'}; Node ${result.node}; options \`${JSON.stringify(result.options)}\`; finished ${result.finishedAt}.`,
    '',
    ...table,
    '',
    summaryLine(result),
    '',
    '| operation | ok | failed next to a disruption | failed otherwise |',
    '| --- | --- | --- | --- |',
    ...ops,
    '',
    '| minute | daemon RSS MB | tree RSS MB | heap MB | fds | children | lag p99 ms | /healthz ms | sessions |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...minutes,
    '',
    result.problems.length ? `Problems:\n\n${result.problems.map((p) => `- ${p}`).join('\n')}` : 'No problems.',
    '',
  ].join('\n');
}
