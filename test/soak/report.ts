import { writeFileSync } from 'node:fs';
import type { Sample } from './sampler.js';
import type { SeriesVerdict } from './slope.js';

/** The soak's results as a plain-text table (stdout) and markdown (soak-results/). */

export interface OperationCounts {
  ok: number;
  expectedFailures: number;
  unexpectedFailures: number;
}

export type UnexpectedFailure = { at: string; operation: string; server: string; message: string };

/** One way the workers reach the daemon: on loopback, or through the gateway and the tunnel. */
export interface PathResult {
  name: 'local' | 'tunnel';
  /** How, in words. */
  via: string;
  workers: number;
  sessionsOpened: number;
  sessionsAbandoned: number;
  progressNotifications: number;
  operations: Record<string, OperationCounts>;
  probes: number;
  probesFailed: number;
  unexpected: UnexpectedFailure[];
}

/** What the teardown of the tunnel testbed left (nothing, when it went right). */
export interface TunnelTeardown {
  namespaces: string[];
  wgInterfaces: string[];
  problems: string[];
  leftovers: string[];
}

export interface TunnelReport {
  ran: boolean;
  /** Why it did not run. */
  note: string | null;
  agentId?: string;
  namespaces?: string[];
  wgInterfaces?: string[];
  publicUrls?: Record<string, string>;
  gatewayLog?: string;
  /** Added by the run outside the namespaces, once it tore them down. */
  teardown?: TunnelTeardown;
}

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
  /** Over every path. */
  operations: Record<string, OperationCounts>;
  sessionsOpened: number;
  sessionsAbandoned: number;
  progressNotifications: number;
  disruptions: { kills: number; reloads: number; probes: number; probesFailed: number };
  unexpected: UnexpectedFailure[];
  /** Per path (absent in results from before the tunnel path). */
  paths?: PathResult[];
  tunnel?: TunnelReport;
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
  agentWgRss: [1024 * 1024, 'MB'],
  gatewayRss: [1024 * 1024, 'MB'],
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
  return [...lines, '', summaryLine(result), ...pathLines(result)].join('\n');
}

function sumOperations(operations: Record<string, OperationCounts>): { ok: number; expected: number; unexpected: number } {
  return Object.values(operations).reduce((t, s) => ({ ok: t.ok + s.ok, expected: t.expected + s.expectedFailures, unexpected: t.unexpected + s.unexpectedFailures }), { ok: 0, expected: 0, unexpected: 0 });
}

function summaryLine(result: SoakResult): string {
  const totals = sumOperations(result.operations);
  return (
    `${result.sessionsOpened} sessions opened (${result.sessionsAbandoned} abandoned), ${totals.ok} operations ok, ${totals.expected} failed next to a disruption, ${totals.unexpected} failed otherwise; ` +
    `${result.progressNotifications} progress notifications; ${result.disruptions.kills} children killed, ${result.disruptions.reloads} reloads; probes ${result.disruptions.probes - result.disruptions.probesFailed}/${result.disruptions.probes}`
  );
}

/** One line per path that ran, and one for a tunnel that did not (with why). */
function pathLines(result: SoakResult): string[] {
  const lines = (result.paths ?? []).map((p) => {
    const totals = sumOperations(p.operations);
    return (
      `  ${p.name} (${p.via}; ${p.workers} workers): ${p.sessionsOpened} sessions opened (${p.sessionsAbandoned} abandoned), ${totals.ok} operations ok, ` +
      `${totals.expected} failed next to a disruption, ${totals.unexpected} failed otherwise; probes ${p.probes - p.probesFailed}/${p.probes}`
    );
  });
  if (result.tunnel && !result.tunnel.ran) lines.push(`  tunnel: not run, ${result.tunnel.note}`);
  if (result.tunnel?.teardown) lines.push(`  tunnel teardown: ${teardownLine(result.tunnel.teardown)}`);
  return lines;
}

export function teardownLine(teardown: TunnelTeardown): string {
  const wrong = [...teardown.problems, ...teardown.leftovers];
  return wrong.length === 0 ? `nothing left (namespaces ${teardown.namespaces.join(' and ')} removed, no wireguard-go, no process of the run, no socket, no key)` : wrong.join('; ');
}

/** Which paths ran, and per path and operation the counts. */
function pathsMarkdown(result: SoakResult): string[] {
  if (!result.paths) return [];
  const tunnel = result.tunnel;
  return [
    `Paths run: ${result.paths.map((p) => p.name).join(', ')}${tunnel && !tunnel.ran ? ` (tunnel not run: ${tunnel.note})` : ''}.`,
    '',
    '| path | via | workers | sessions opened | abandoned | operations ok | failed next to a disruption | failed otherwise | probes ok |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.paths.map((p) => {
      const totals = sumOperations(p.operations);
      return `| ${p.name} | ${p.via} | ${p.workers} | ${p.sessionsOpened} | ${p.sessionsAbandoned} | ${totals.ok} | ${totals.expected} | ${totals.unexpected} | ${p.probes - p.probesFailed}/${p.probes} |`;
    }),
    '',
    '| path | operation | ok | failed next to a disruption | failed otherwise |',
    '| --- | --- | --- | --- | --- |',
    ...result.paths.flatMap((p) => Object.entries(p.operations).map(([name, s]) => `| ${p.name} | ${name} | ${s.ok} | ${s.expectedFailures} | ${s.unexpectedFailures} |`)),
    '',
    ...(tunnel?.ran ? [`Tunnel: agent ${tunnel.agentId}, namespaces ${tunnel.namespaces?.join(' and ')}, WireGuard interfaces ${tunnel.wgInterfaces?.join(' and ')}, gateway log ${tunnel.gatewayLog}.`, ''] : []),
  ];
}

function minutesMarkdown(result: SoakResult): string[] {
  const tunnel = result.tunnel?.ran === true;
  const tunnelHeader = tunnel ? ' agent wireguard-go RSS MB | its fds | gateway RSS MB | gateway fds |' : '';
  const tunnelCells = (v: Sample['values']) => (tunnel ? ` ${shown('agentWgRss', v.agentWgRss)} | ${v.agentWgFds ?? '-'} | ${shown('gatewayRss', v.gatewayRss)} | ${v.gatewayFds ?? '-'} |` : '');
  const columns = 9 + (tunnel ? 4 : 0);
  return [
    `| minute | daemon RSS MB | tree RSS MB | heap MB | fds | children | lag p99 ms | /healthz ms | sessions |${tunnelHeader}`,
    `|${' --- |'.repeat(columns)}`,
    ...result.samples.map(
      (s) =>
        `| ${s.minute.toFixed(1)} | ${shown('daemonRss', s.values.daemonRss)} | ${shown('treeRss', s.values.treeRss)} | ${shown('heapUsed', s.values.heapUsed)} | ${s.values.fds ?? '-'} | ${s.values.children ?? '-'} | ${shown('lagP99', s.values.lagP99)} | ${shown('healthz', s.values.healthz)} | ${s.values.sessions ?? '-'} |${tunnelCells(s.values)}`,
    ),
  ];
}

export function renderMarkdown(result: SoakResult): string {
  const table = [HEADER, HEADER.map(() => '---'), ...rows(result)].map((row) => `| ${row.join(' | ')} |`);
  const ops = Object.entries(result.operations).map(([name, s]) => `| ${name} | ${s.ok} | ${s.expectedFailures} | ${s.unexpectedFailures} |`);
  return [
    `# Soak ${result.startedAt}: ${result.passed ? 'PASS' : 'FAIL'}`,
    '',
    `${result.mode}; commit ${result.commit ?? 'unknown'}; Node ${result.node}; options \`${JSON.stringify(result.options)}\`; finished ${result.finishedAt}.`,
    '',
    ...table,
    '',
    summaryLine(result),
    '',
    ...pathsMarkdown(result),
    '| operation (every path) | ok | failed next to a disruption | failed otherwise |',
    '| --- | --- | --- | --- |',
    ...ops,
    '',
    ...minutesMarkdown(result),
    '',
    result.problems.length ? `Problems:\n\n${result.problems.map((p) => `- ${p}`).join('\n')}` : 'No problems.',
    '',
  ].join('\n');
}

/** PASS, or FAIL with every problem. */
export function verdictText(result: SoakResult): string {
  return result.passed ? 'PASS' : `FAIL:\n  - ${result.problems.join('\n  - ')}`;
}

/** <base>.json and <base>.md; returns their paths. */
export function writeResults(result: SoakResult, base: string): { json: string; md: string } {
  const files = { json: `${base}.json`, md: `${base}.md` };
  writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(files.md, renderMarkdown(result));
  return files;
}
