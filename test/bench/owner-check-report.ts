import type { Connection, SeriesFigures } from './owner-check-requests.js';
import type { ListenerId, OwnerCheckRun } from './owner-check-run.js';
import { median } from './stats.js';

/** The owner-check part's markdown section: medians over the rounds, the differences, each round. */

const LABELS: Record<ListenerId, string> = {
  up: '`up` (loopback listener)',
  bridge: '`bridge` (mcp-workstation shared)',
  'bare-check': 'bare node:http + the daemon\'s owner check',
  bare: 'bare node:http, no check',
};

function num(value: number | undefined, digits = 3): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function signed(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value < 0 ? '−' : '+'}${num(Math.abs(value))}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function seriesOf(run: OwnerCheckRun, connection: Connection, id: ListenerId): SeriesFigures | undefined {
  return (connection === 'new' ? run.newConnection : run.keptAlive)?.[id];
}

type Pick = 'p50Ms' | 'p99Ms';

/** One listener's figure, median over the rounds that have it. */
function overRounds(runs: OwnerCheckRun[], connection: Connection, id: ListenerId, pick: Pick): number {
  return median(runs.map((run) => seriesOf(run, connection, id)?.[pick]));
}

const FIGURES: Array<[Connection, Pick]> = [
  ['new', 'p50Ms'],
  ['new', 'p99Ms'],
  ['kept-alive', 'p50Ms'],
  ['kept-alive', 'p99Ms'],
];

/** "400 × 900", every round's answers together, and the requests that got none. */
function answers(runs: OwnerCheckRun[], id: ListenerId): string {
  const counts: Record<string, number> = {};
  let errors = 0;
  for (const run of runs) {
    for (const series of [run.newConnection?.[id], run.keptAlive?.[id]]) {
      for (const [status, count] of Object.entries(series?.statuses ?? {})) counts[status] = (counts[status] ?? 0) + count;
      errors += series?.errors ?? 0;
    }
  }
  const parts = Object.entries(counts).map(([status, count]) => `${status} × ${count}`);
  if (errors) parts.push(`${errors} unanswered`);
  return parts.join(', ') || '–';
}

function listenerRow(runs: OwnerCheckRun[], id: ListenerId): string[] {
  return [LABELS[id], ...FIGURES.map(([connection, pick]) => num(overRounds(runs, connection, id, pick))), answers(runs, id)];
}

function differenceRow(runs: OwnerCheckRun[], label: string, minuend: ListenerId, subtrahend: ListenerId): string[] {
  const cells = FIGURES.map(([connection, pick]) => `**${signed(overRounds(runs, connection, minuend, pick) - overRounds(runs, connection, subtrahend, pick))}**`);
  return [label, ...cells, ''];
}

/** A round's p50 difference between two listeners. */
function p50Difference(run: OwnerCheckRun, connection: Connection, minuend: ListenerId, subtrahend: ListenerId): number {
  return (seriesOf(run, connection, minuend)?.p50Ms ?? Number.NaN) - (seriesOf(run, connection, subtrahend)?.p50Ms ?? Number.NaN);
}

function roundRow(run: OwnerCheckRun): string[] {
  const others = run.foreignCpuShare === undefined || !Number.isFinite(run.foreignCpuShare) ? '–' : `${Math.round(run.foreignCpuShare * 100)}%`;
  const tcp = run.tcpEntries ? `${run.tcpEntries.before} → ${run.tcpEntries.after}` : '–';
  const p50 = (connection: Connection, id: ListenerId) => num(seriesOf(run, connection, id)?.p50Ms);
  return [
    `${run.round}${run.failure ? ' (failed)' : ''}`,
    p50('new', 'up'),
    p50('new', 'bridge'),
    signed(p50Difference(run, 'new', 'bare-check', 'bare')),
    p50('kept-alive', 'up'),
    p50('kept-alive', 'bridge'),
    signed(p50Difference(run, 'kept-alive', 'bare-check', 'bare')),
    tcp,
    others,
  ];
}

/** Connections the kept-alive requests used, when any listener needed more than one. */
function reconnections(runs: OwnerCheckRun[]): string {
  const more = runs.flatMap((run) =>
    Object.entries(run.keptAlive ?? {})
      .filter(([, series]) => series.connections > 1)
      .map(([id, series]) => `${id} ${series.connections} in round ${run.round}`),
  );
  return more.length ? ` Kept-alive requests that needed more than one connection: ${more.join(', ')}.` : '';
}

export function renderOwnerCheckSection(runs: OwnerCheckRun[]): string {
  const heading = "### Owner check: the loopback listener's check of who opened a connection";
  if (runs.length === 0) return `${heading}\n\n_not run_\n`;
  const { requests, warmup } = runs[0];
  const flags = runs.find((run) => run.nodeFlags)?.nodeFlags;
  const variation = flags ? `> \`up\` and \`bridge\` ran with node flags \`${flags.join(' ')}\`: these are not their default figures.\n\n` : '';
  const failed = runs.filter((run) => run.failure).map((run) => `- round ${run.round} stopped early:\n\n  \`\`\`\n  ${run.failure?.split('\n').join('\n  ')}\n  \`\`\``);
  const figures = table(
    [`listener (median of ${runs.length} round${runs.length === 1 ? '' : 's'})`, 'new connection p50 ms', 'new connection p99 ms', 'kept-alive p50 ms', 'kept-alive p99 ms', 'answers'],
    [
      listenerRow(runs, 'up'),
      listenerRow(runs, 'bridge'),
      differenceRow(runs, 'up − bridge: what `up` adds over `bridge` (both have the check)', 'up', 'bridge'),
      listenerRow(runs, 'bare-check'),
      listenerRow(runs, 'bare'),
      differenceRow(runs, 'the owner check alone (with − without)', 'bare-check', 'bare'),
    ],
  );
  const rounds = table(
    ['round', 'up new p50 ms', 'bridge new p50 ms', 'check alone new p50 ms', 'up kept-alive p50 ms', 'bridge kept-alive p50 ms', 'check alone kept-alive p50 ms', '/proc/net/tcp{,6} entries', "others' CPU"],
    runs.map(roundRow),
  );
  return `${heading}

${variation}${figures}

${rounds}

- Each request: one JSON-RPC \`ping\` POSTed to \`/mcp\` without a session, timed from the request's start to the last byte of the answer (the bridges answer 400: no session; the check has passed it by then, \`/mcp\` being no health path). ${requests} timed requests per listener after ${warmup} untimed, the listeners taking turns request by request; node:http's client, in the benchmark's own process.
- new connection: connect, POST, read, close (the next request starts once the socket is closed), so every request waits for its connection's owner to be read from /proc/net/tcp{,6}. The benchmark closes with a reset, so its own connections leave no TIME_WAIT entry in those tables: a lookup reads through them, and a round's ${(requests + warmup) * 4} graceful closes would slow its own later lookups. kept-alive: one connection for all of them; its owner was read during the warm-up, so each request only looks the verdict up.
- \`up\`: \`mcp-workstation up\` from a config file, the test server over stdio (shared sessions), no tunnel, the admin listener on a unix socket, a temporary state directory. \`bridge\`: the \`mcp-workstation shared\` contender (\`bridge --stateful\`). Both serve through the same front (packages/daemon/src/wiring.ts), owner check included, so **up − bridge** is what \`up\`'s set-up adds, not the check.
- The bare pair, in one process of its own: node:http answering the same POST the same way (400 after reading the body), once behind the daemon's own LocalUserGate (its built module, used as the front uses it) and once with nothing: **the owner check alone** is their difference. Each round's difference of p50s is in the second table.
- /proc/net/tcp{,6} entries: before and after the new-connection requests, every TCP socket of the machine (other people's, and theirs in TIME_WAIT, included): what a lookup reads through, so the new-connection figures grow with it. Others' CPU: share of the machine other people's processes used during the round.${reconnections(runs)}
${failed.length ? `\n${failed.join('\n')}\n` : ''}`;
}
