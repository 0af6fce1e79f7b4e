import { median } from './stats.js';
import type { TargetCheck } from './targets.js';
import type { TunnelRun } from './tunnel-run.js';

/** The tunnel part's markdown section and its targets, judged on medians over the rounds of one run. */

/** Each figure the section shows, read from one round; NaN when that round did not get there. */
const FIGURES = {
  loopbackP50: (run: TunnelRun) => run.echo?.loopback.p50Ms,
  gatewayP50: (run: TunnelRun) => run.echo?.gateway.p50Ms,
  addedP50: (run: TunnelRun) => run.addedP50Ms,
  loopbackP99: (run: TunnelRun) => run.echo?.loopback.p99Ms,
  gatewayP99: (run: TunnelRun) => run.echo?.gateway.p99Ms,
  /** The agent's tunnel listener from G, minus loopback: WireGuard both ways and the listener. */
  wireguardPart: (run: TunnelRun) => difference(run.echo?.direct.p50Ms, run.echo?.loopback.p50Ms),
  /** Through the gateway minus straight to the tunnel listener: the gateway's proxy. */
  gatewayPart: (run: TunnelRun) => difference(run.echo?.gateway.p50Ms, run.echo?.direct.p50Ms),
  /** A byte relay in the gateway's place minus straight: what any separate proxy process adds here. */
  relayPart: (run: TunnelRun) => difference(run.echo?.relay?.p50Ms, run.echo?.direct.p50Ms),
  rttAdded: (run: TunnelRun) => difference(run.pingPong?.tunnel.p50Ms, run.pingPong?.loopback.p50Ms),
  mcpGatewayMs: (run: TunnelRun) => run.transfer?.mcpGateway.medianMs,
  rawTunnelMs: (run: TunnelRun) => run.transfer?.rawTunnel.medianMs,
  transferRatio: (run: TunnelRun) => run.transfer?.ratio,
  mcpDirectMs: (run: TunnelRun) => run.transfer?.mcpDirect.medianMs,
  mcpLoopbackMs: (run: TunnelRun) => run.transfer?.mcpLoopback.medianMs,
  rawLoopbackMs: (run: TunnelRun) => run.transfer?.rawLoopback.medianMs,
  nativeTunnelMs: (run: TunnelRun) => run.transfer?.nativeTunnel?.medianMs,
  /** Raw TCP's time ÷ the native server's through the tunnel: the best ratio any bridge could reach. */
  nativeRatio: (run: TunnelRun) => ratioOf(run.transfer?.rawTunnel.medianMs, run.transfer?.nativeTunnel?.medianMs),
  idlePercent: (run: TunnelRun) => run.idle?.percentOfCore,
  idleRssMB: (run: TunnelRun) => run.idle?.rssMB,
};

type FigureName = keyof typeof FIGURES;

function ratioOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

function difference(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}

/** The median over the rounds that have the figure (a round that failed late still has its early figures). */
function overRounds(runs: TunnelRun[], name: FigureName): number {
  return median(runs.map(FIGURES[name]));
}

function num(value: number | undefined, digits = 2): string {
  return value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function signed(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}

const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

function errorsOf(run: TunnelRun): number {
  return phasesOf(run).reduce((sum, [, figures]) => sum + (figures?.errors ?? 0), 0) + (run.failure ? 1 : 0);
}

/** " (n=…)" after a p50 made of fewer calls than asked (a path slower than its time limit). */
function callsNote(run: TunnelRun | undefined, path: 'gateway' | 'loopback'): string {
  const made = run?.echo?.[path].ok;
  return run && made !== undefined && made < run.options.echoCalls ? ` (n=${made})` : '';
}

function row(label: string, read: (name: FigureName) => number | undefined, errors: string, run?: TunnelRun): string[] {
  return [
    label,
    num(read('loopbackP50'), 3) + callsNote(run, 'loopback'),
    num(read('gatewayP50'), 3) + callsNote(run, 'gateway'),
    signed(read('addedP50'), 3),
    `${num(read('loopbackP99'))} / ${num(read('gatewayP99'))}`,
    signed(read('wireguardPart'), 3),
    signed(read('gatewayPart'), 3),
    signed(read('relayPart'), 3),
    signed(read('rttAdded'), 3),
    num(read('mcpGatewayMs'), 1),
    num(read('rawTunnelMs'), 1),
    times(read('transferRatio') ?? Number.NaN),
    `${num(read('nativeTunnelMs'), 1)} / ${times(read('nativeRatio') ?? Number.NaN)}`,
    `${num(read('mcpDirectMs'), 1)} / ${num(read('mcpLoopbackMs'), 1)} / ${num(read('rawLoopbackMs'), 1)}`,
    num(read('idlePercent'), 3),
    num(read('idleRssMB'), 1),
    errors,
  ];
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function sizeLabel(runs: TunnelRun[]): string {
  const bytes = runs.find((run) => run.transfer)?.transfer?.bytes ?? 5 * 2 ** 20;
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

export function renderTunnelSection(runs: TunnelRun[]): string {
  const size = sizeLabel(runs);
  const heading = '### Tunnel: gateway → WireGuard (wireguard-go, two network namespaces) → agent → bridge';
  if (runs.length === 0) return `${heading}\n\n_not run_\n`;
  const { options } = runs[0]!;
  const header = [
    'round',
    'echo p50 loopback ms',
    'echo p50 via gateway ms',
    'added p50 ms',
    'p99 loopback / gateway ms',
    'of which WireGuard + listener ms',
    'of which gateway proxy ms',
    'a byte relay in its place ms',
    'TCP RTT added ms',
    `${size} via gateway ms`,
    `${size} raw TCP tunnel ms`,
    'raw ÷ MCP',
    `${size} native server through the tunnel ms / raw ÷ native`,
    `${size} direct / loopback / raw loopback ms`,
    'idle CPU % of a core',
    'idle RSS MB',
    'errors',
  ];
  const rows = [
    row(`median of ${runs.length} round${runs.length === 1 ? '' : 's'}`, (name) => overRounds(runs, name), String(runs.reduce((sum, run) => sum + errorsOf(run), 0))),
    ...runs.map((run) => row(`${run.round}${run.failure ? ' (failed)' : ''}`, (name) => FIGURES[name](run), String(errorsOf(run)), run)),
  ];
  const failures = runs.filter((run) => run.failure).map((run) => `- round ${run.round}: ${run.failure?.split('\n').join('\n  ')}`);
  const firstErrors = runs.flatMap((run) => errorLines(run));
  return `${heading}

${table(header, rows)}

- The first row holds each column's median over the rounds (so its parts need not add up exactly).
- echo p50/p99: \`tools/call echo\` in one session, ${options.echoCalls} calls per path (n= when fewer were made: each of the ${options.echoBlocks} interleaved blocks, in rotating order, stops after ${options.echoBlockMaxMs / 1000} s) after ${options.echoWarmupCalls} warm-up calls; loopback: a client inside the agent's namespace on \`mcp-workstation up\`'s loopback listener; via gateway: a client inside the gateway's namespace on the gateway's public URL (loopback there too, so the difference is the gateway, WireGuard and the agent's tunnel listener), with its API key. Added p50 = via gateway − loopback.
- The split: WireGuard + listener = the same call from the gateway's namespace straight to the agent's tunnel listener (no gateway) − loopback; gateway proxy = via gateway − that. A byte relay in its place: the same call through a process in the gateway's namespace that only copies TCP bytes to the agent's tunnel listener (no HTTP, no key check) − straight: what any separate proxy process adds on this machine, the floor for the gateway's part. TCP RTT added: 64-byte ping-pong on one TCP connection through the tunnel − the same on loopback (what WireGuard itself adds per round trip; an MCP call is one round trip on a kept-alive connection).
- ${size}: the \`bytes\` tool's result, median of ${options.transfers} transfers (in ${options.transferBlocks} interleaved blocks, each after an untimed warm-up, rotating order), timed by the SDK client to the parsed result; raw TCP tunnel: a server on the agent's tunnel address sends ${size} for each byte a client in the gateway's namespace writes on one kept-alive connection, timed to the last byte (the direction the result travels). raw ÷ MCP ≥ 0.8 is the target (MCP's throughput as a share of raw TCP's). Native server through the tunnel: the same result from the test server answering Streamable HTTP itself on the agent's tunnel address (no bridge, no gateway), from the gateway's namespace; raw ÷ native is the best any bridge could reach here. Direct / loopback / raw loopback: the same result from the agent's tunnel listener without the gateway, on the agent's loopback listener, and raw TCP on loopback: where the time goes.
- idle: utime+stime of \`mcp-workstation up\`'s whole tree (node, wireguard-go, the stdio server) over ${options.idleMs / 1000} s with the tunnel connected and no session open, as % of one core; RSS summed over that tree at the end of the window.
${failures.length || firstErrors.length ? `\nErrors:\n\n${[...failures, ...firstErrors].join('\n')}\n` : ''}`;
}

/** Every measured phase of a round, named as its errors are reported; undefined when it did not run. */
function phasesOf(run: TunnelRun): Array<[string, { errors: number; firstError?: string } | undefined]> {
  return [
    ['echo via gateway', run.echo?.gateway],
    ['echo direct', run.echo?.direct],
    ['echo via a byte relay', run.echo?.relay],
    ['echo loopback', run.echo?.loopback],
    ['ping-pong tunnel', run.pingPong?.tunnel],
    ['ping-pong loopback', run.pingPong?.loopback],
    ['MCP via gateway', run.transfer?.mcpGateway],
    ['MCP direct', run.transfer?.mcpDirect],
    ['MCP loopback', run.transfer?.mcpLoopback],
    ['raw TCP tunnel', run.transfer?.rawTunnel],
    ['raw TCP loopback', run.transfer?.rawLoopback],
    ['native server through the tunnel', run.transfer?.nativeTunnel],
  ];
}

function errorLines(run: TunnelRun): string[] {
  return phasesOf(run).filter(([, figures]) => figures?.firstError).map(([what, figures]) => `- round ${run.round}, ${what}: ${figures?.errors} error(s), first: ${figures?.firstError}`);
}

/** The tunnel's two targets and the daemon-with-tunnel idle CPU, on medians over the rounds. */
export function tunnelTargets(runs: TunnelRun[]): TargetCheck[] {
  return [addedLatencyTarget(runs), transferTarget(runs), idleCpuTarget(runs)];
}

function notMeasured(runs: TunnelRun[]): string {
  const failure = runs.find((run) => run.failure)?.failure?.split('\n')[0];
  return failure ?? 'the tunnel part did not run';
}

function addedLatencyTarget(runs: TunnelRun[]): TargetCheck {
  const target = 'tunnel: added p50 over loopback at most 0.5 ms';
  const added = overRounds(runs, 'addedP50');
  if (!Number.isFinite(added)) return { target, measured: notMeasured(runs), verdict: 'not measured' };
  const measured =
    `${signed(added, 3)} ms (p50 ${num(overRounds(runs, 'gatewayP50'), 3)} ms via gateway vs ${num(overRounds(runs, 'loopbackP50'), 3)} ms on loopback; ` +
    `WireGuard + listener ${signed(overRounds(runs, 'wireguardPart'), 3)} ms, gateway proxy ${signed(overRounds(runs, 'gatewayPart'), 3)} ms, a byte relay in its place ${signed(overRounds(runs, 'relayPart'), 3)} ms; raw TCP RTT through the tunnel ${signed(overRounds(runs, 'rttAdded'), 3)} ms)`;
  return { target, measured, verdict: added <= 0.5 ? 'met' : 'missed' };
}

function transferTarget(runs: TunnelRun[]): TargetCheck {
  const size = sizeLabel(runs);
  const target = 'tunnel: a 5 MB result at least 0.8× raw TCP through the same tunnel';
  const ratio = overRounds(runs, 'transferRatio');
  if (!Number.isFinite(ratio)) return { target, measured: notMeasured(runs), verdict: 'not measured' };
  const measured =
    `${times(ratio)} (${size}: ${num(overRounds(runs, 'mcpGatewayMs'), 1)} ms via gateway vs ${num(overRounds(runs, 'rawTunnelMs'), 1)} ms raw TCP; ` +
    `the same result on loopback ${num(overRounds(runs, 'mcpLoopbackMs'), 1)} ms, raw TCP on loopback ${num(overRounds(runs, 'rawLoopbackMs'), 1)} ms; ` +
    `the test server answering HTTP itself through the same tunnel, no bridge: ${num(overRounds(runs, 'nativeTunnelMs'), 1)} ms, ${times(overRounds(runs, 'nativeRatio'))} raw TCP)`;
  return { target, measured, verdict: ratio >= 0.8 ? 'met' : 'missed' };
}

function idleCpuTarget(runs: TunnelRun[]): TargetCheck {
  const target = 'daemon with tunnel: idle CPU under 0.5% of a core';
  const percent = overRounds(runs, 'idlePercent');
  if (!Number.isFinite(percent)) return { target, measured: notMeasured(runs), verdict: 'not measured' };
  const window = median(runs.map((run) => run.idle?.windowMs));
  const processes = median(runs.map((run) => run.idle?.processes));
  const measured = `${num(percent, 3)}% of a core over ${num(window / 1000, 0)} s, tunnel connected, no session (${num(processes, 0)} processes, RSS ${num(overRounds(runs, 'idleRssMB'), 1)} MB)`;
  return { target, measured, verdict: percent < 0.5 ? 'met' : 'missed' };
}
