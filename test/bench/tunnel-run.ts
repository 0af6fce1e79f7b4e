import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAverage } from './machine.js';
import { snapshotTree } from './proc-tree.js';
import { median, mean, percentile } from './stats.js';
import { netnsPrerequisiteProblem } from './tunnel-netns.js';
import { Probe } from './tunnel-probe-process.js';
import type { Samples } from './tunnel-probe-protocol.js';
import { delay } from './process-group.js';
import { AGENT_TUNNEL_PORT, RELAY_PORT, TunnelTestbed, destroyAllTestbedsNow, missingBuild } from './tunnel-testbed.js';

export { renderTunnelSection, tunnelTargets } from './tunnel-report.js';

/**
 * The tunnel part of the benchmark (issue #6): the reference gateway and `mcp-workstation up`
 * in two network namespaces joined by WireGuard (wireguard-go), measured from probes inside
 * them. Per round, on a fresh testbed:
 *
 *  1. the daemon tree's idle CPU and RSS with the tunnel connected and no session open;
 *  2. echo in one session through the gateway's public URL (a client in G), against the same
 *     bridge on loopback (a client in A), interleaved in blocks; plus the same call to the
 *     agent's tunnel listener straight from G (WireGuard without the gateway's proxy), the same
 *     through a byte relay in the gateway's place (what any proxy process adds), and a raw TCP
 *     ping-pong through the tunnel and on loopback, so the added time splits into its parts;
 *  3. a 5 MB `bytes` result through the gateway, against 5 MB over raw TCP through the same
 *     WireGuard pair in the same direction (agent → gateway side), and against the test server
 *     answering HTTP itself on the agent's tunnel address (no bridge), interleaved in blocks.
 *
 * It measures, never asserts; a failure is recorded and everything started is stopped.
 */

export type TunnelProfileName = 'full' | 'quick' | 'smoke';

export interface TunnelOptions {
  name: TunnelProfileName;
  /** Sequential echo calls per path, after the warm-up, split into interleaved blocks. */
  echoCalls: number;
  echoWarmupCalls: number;
  echoBlocks: number;
  /** Each block of one path stops here even if its calls were not all made. */
  echoBlockMaxMs: number;
  /** Raw TCP round trips (64 bytes) per path. */
  pingPongs: number;
  transferBytes: number;
  /** Transfers per kind, split into interleaved blocks (each block has one untimed warm-up). */
  transfers: number;
  transferBlocks: number;
  /** The idle window for the daemon tree's CPU. */
  idleMs: number;
  /** SIGTERM to SIGKILL for the gateway and the agent. */
  stopGraceMs: number;
}

const FIVE_MB = 5 * 1024 * 1024;

export const TUNNEL_OPTIONS: Record<TunnelProfileName, TunnelOptions> = {
  full: { name: 'full', echoCalls: 2000, echoWarmupCalls: 100, echoBlocks: 10, echoBlockMaxMs: 10_000, pingPongs: 2000, transferBytes: FIVE_MB, transfers: 20, transferBlocks: 4, idleMs: 60_000, stopGraceMs: 10_000 },
  quick: { name: 'quick', echoCalls: 300, echoWarmupCalls: 30, echoBlocks: 3, echoBlockMaxMs: 1_000, pingPongs: 300, transferBytes: FIVE_MB, transfers: 3, transferBlocks: 1, idleMs: 5_000, stopGraceMs: 5_000 },
  smoke: { name: 'smoke', echoCalls: 5, echoWarmupCalls: 1, echoBlocks: 1, echoBlockMaxMs: 3_000, pingPongs: 5, transferBytes: FIVE_MB, transfers: 1, transferBlocks: 1, idleMs: 1_000, stopGraceMs: 5_000 },
};

/** Timings of one kind of operation, all blocks together. */
export interface TimingFigures {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  ok: number;
  errors: number;
  firstError?: string;
}

export interface TransferFigures {
  /** Median over the transfers. */
  medianMs: number;
  /** Bytes per second at the median. */
  megabytesPerSecond: number;
  ok: number;
  errors: number;
  firstError?: string;
}

/** One round of the tunnel part: a fresh testbed. JSON-serialisable. */
export interface TunnelRun {
  round: number;
  profile: TunnelProfileName;
  /** What was asked (calls, transfers, the idle window). */
  options: TunnelOptions;
  /** The machine's 1-minute load average when the round started: others share the cores. */
  loadAverage?: number;
  /** Namespaces to tunnel ready (gateway start, token, register, `up`). */
  setupMs?: number;
  tunnelAddresses?: { agent: string; gateway: string };
  /** `mcp-workstation up`'s whole tree (node, wireguard-go, the stdio server), tunnel connected, no session. */
  idle?: { windowMs: number; cpuMs: number; percentOfCore: number; rssMB: number; processes: number; commands: string[] };
  echo?: {
    /** Client in G → gateway (loopback) → WireGuard → agent's tunnel listener → bridge. */
    gateway: TimingFigures;
    /** Client in G → WireGuard → agent's tunnel listener → bridge: no gateway proxy. */
    direct: TimingFigures;
    /** Client in G → a byte relay (loopback) → WireGuard → …: a proxy process that does no HTTP. Absent in older results. */
    relay?: TimingFigures;
    /** Client in A → the agent's loopback listener → bridge. */
    loopback: TimingFigures;
  };
  /** echo p50 through the gateway minus on loopback. */
  addedP50Ms?: number;
  /** 64-byte TCP round trips on one connection: G → agent's tunnel address, and loopback inside A. */
  pingPong?: { tunnel: TimingFigures; loopback: TimingFigures };
  transfer?: {
    bytes: number;
    /** The `bytes` tool through the gateway (client in G). */
    mcpGateway: TransferFigures;
    /** The same, to the agent's tunnel listener from G without the gateway. */
    mcpDirect: TransferFigures;
    /** The same on the agent's loopback listener (client in A). */
    mcpLoopback: TransferFigures;
    /** Raw TCP from a server on the agent's tunnel address to a client in G: one byte out, `bytes` back. */
    rawTunnel: TransferFigures;
    /** The same raw TCP on loopback inside A. */
    rawLoopback: TransferFigures;
    /** The test server's own Streamable HTTP on the agent's tunnel address, from G: no bridge at all. Absent in older results. */
    nativeTunnel?: TransferFigures;
    /** rawTunnel time ÷ mcpGateway time: MCP's throughput as a share of raw TCP's through the tunnel. */
    ratio: number;
  };
  durationMs?: number;
  failure?: string;
}

/** Why the tunnel cannot be measured here (namespaces, root, wireguard-go, the build), with the fix; or null. */
export function tunnelPrerequisiteProblem(): string | null {
  return netnsPrerequisiteProblem() ?? missingBuild();
}

/** For the benchmark's exit path (SIGINT too): every process, namespace and file it made, now. */
export function killAllTunnelProcessesNow(): void {
  destroyAllTestbedsNow();
}

/** Ports of the raw TCP servers inside A (on the agent's tunnel address and on loopback). */
const RAW_ECHO_PORT = 8101;
const RAW_BULK_PORT = 8102;
const PING_BYTES = 64;

interface Probes {
  /** In G: the MCP client of the gateway and direct paths, and the raw TCP client through the tunnel. */
  gatewaySide: Probe;
  /** In A: the MCP client on loopback, and the raw TCP client on loopback. */
  agentSide: Probe;
  /** In A: the raw TCP servers. */
  servers: Probe;
  /** In G: the byte relay in the gateway's place (its own process, as the gateway is). */
  relay: Probe;
}

export async function runTunnel(options: TunnelOptions, logDir: string, progress: (text: string) => void, round = 1): Promise<TunnelRun> {
  const run: TunnelRun = { round, profile: options.name, options, loadAverage: loadAverage() };
  const problem = tunnelPrerequisiteProblem();
  if (problem) return { ...run, failure: `the tunnel was not measured: ${problem}` };
  const started = Date.now();
  let testbed: TunnelTestbed | undefined;
  let probes: Probes | undefined;
  try {
    testbed = await TunnelTestbed.create(logDir, round);
    probes = await setUp(testbed, run, logDir, round);
    progress(`  tunnel round ${round}: ready in ${((run.setupMs ?? 0) / 1000).toFixed(1)} s; idle ${options.idleMs / 1000} s`);
    await measureIdle(testbed, run, options);
    progress(`  tunnel round ${round}: echo (${options.echoCalls} calls per path) and ping-pong`);
    await measureEcho(testbed, probes, run, options);
    progress(`  tunnel round ${round}: ${options.transfers} × ${options.transferBytes / 2 ** 20} MiB per kind`);
    await measureTransfers(testbed, probes, run, options);
  } catch (err) {
    run.failure = failureText(err);
  } finally {
    await Promise.all(Object.values(probes ?? {}).map((probe: Probe) => probe.stop()));
    await testbed?.destroy(options.stopGraceMs).catch((err: Error) => (run.failure = [run.failure, err.message].filter(Boolean).join('\n')));
  }
  run.durationMs = Date.now() - started;
  return run;
}

/** Gateway, registration, agent, probes; ready once echo through the gateway answers. */
async function setUp(testbed: TunnelTestbed, run: TunnelRun, logDir: string, round: number): Promise<Probes> {
  const started = Date.now();
  const probeLog = (name: string) => join(logDir, `tunnel-probe-${name}-round${round}.log`);
  const probes: Probes = {
    gatewaySide: Probe.start('the probe in the gateway namespace', testbed.net.gateway, probeLog('gateway-side')),
    agentSide: Probe.start('the probe in the agent namespace', testbed.net.agent, probeLog('agent-side')),
    servers: Probe.start('the raw TCP servers in the agent namespace', testbed.net.agent, probeLog('servers')),
    relay: Probe.start('the byte relay in the gateway namespace', testbed.net.gateway, probeLog('relay')),
  };
  try {
    await testbed.startGateway();
    await testbed.registerAgent();
    await testbed.startAgent();
    await firstEchoThroughGateway(testbed, probes.gatewaySide);
  } catch (err) {
    await Promise.all(Object.values(probes).map((probe: Probe) => probe.stop()));
    throw err;
  }
  run.setupMs = Date.now() - started;
  run.tunnelAddresses = { agent: testbed.agentTunnelAddress, gateway: testbed.gatewayTunnelAddress };
  return probes;
}

/** The agent says "tunnel ready" before the gateway may have seen its handshake: retry until a call goes through. */
async function firstEchoThroughGateway(testbed: TunnelTestbed, probe: Probe): Promise<void> {
  const deadline = Date.now() + 30_000;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      await probe.open('first', testbed.publicUrl, testbed.apiKey);
      const answer = await probe.calls({ session: 'first', tool: 'echo', calls: 1, warmupCalls: 0, maxMs: 10_000 });
      await probe.close('first');
      if (answer.ok === 1) return;
      lastError = answer.firstError ?? 'no answer';
    } catch (err) {
      lastError = (err as Error).message;
    }
    await delay(250);
  }
  throw new Error(`no echo through the gateway within 30 s: ${lastError}`);
}

async function measureIdle(testbed: TunnelTestbed, run: TunnelRun, options: TunnelOptions): Promise<void> {
  const pid = testbed.agent!.pid;
  const before = snapshotTree(pid);
  const from = performance.now();
  await delay(options.idleMs);
  const after = snapshotTree(pid);
  const windowMs = performance.now() - from;
  const cpuMs = after.cpuMs - before.cpuMs;
  run.idle = {
    windowMs,
    cpuMs,
    percentOfCore: (cpuMs / windowMs) * 100,
    rssMB: after.rssBytes / 2 ** 20,
    processes: after.count,
    commands: after.processes.filter((info) => info.state !== 'Z').map((info) => commandOf(info.pid)),
  };
}

async function measureEcho(testbed: TunnelTestbed, probes: Probes, run: TunnelRun, options: TunnelOptions): Promise<void> {
  const { gatewaySide, agentSide, servers } = probes;
  await probes.relay.relay('127.0.0.1', RELAY_PORT, testbed.agentTunnelAddress, AGENT_TUNNEL_PORT);
  await gatewaySide.open('gateway', testbed.publicUrl, testbed.apiKey);
  await gatewaySide.open('direct', testbed.directUrl);
  await gatewaySide.open('relay', testbed.relayUrl);
  await agentSide.open('loopback', testbed.loopbackUrl);
  const paths = [
    { name: 'gateway' as const, probe: gatewaySide },
    { name: 'direct' as const, probe: gatewaySide },
    { name: 'relay' as const, probe: gatewaySide },
    { name: 'loopback' as const, probe: agentSide },
  ];
  const samples = { gateway: [] as Samples[], direct: [] as Samples[], relay: [] as Samples[], loopback: [] as Samples[] };
  const perBlock = Math.ceil(options.echoCalls / options.echoBlocks);
  for (let block = 0; block < options.echoBlocks; block++) {
    // Rotated each block, so no path always runs first (or right after another's burst).
    for (const path of rotate(paths, block)) {
      const warmupCalls = block === 0 ? options.echoWarmupCalls : 0;
      samples[path.name].push(await path.probe.calls({ session: path.name, tool: 'echo', calls: perBlock, warmupCalls, maxMs: options.echoBlockMaxMs }));
    }
  }
  run.echo = { gateway: timing(samples.gateway), direct: timing(samples.direct), relay: timing(samples.relay), loopback: timing(samples.loopback) };
  await gatewaySide.close('relay').catch(() => undefined);
  run.addedP50Ms = run.echo.gateway.p50Ms - run.echo.loopback.p50Ms;

  await servers.serve(testbed.agentTunnelAddress, RAW_ECHO_PORT, RAW_BULK_PORT, options.transferBytes);
  await servers.serve('127.0.0.1', RAW_ECHO_PORT, RAW_BULK_PORT, options.transferBytes);
  const tunnel: Samples[] = [];
  const loopback: Samples[] = [];
  const pingsPerBlock = Math.ceil(options.pingPongs / options.echoBlocks);
  for (let block = 0; block < options.echoBlocks; block++) {
    const warmup = block === 0 ? 50 : 5;
    tunnel.push(await gatewaySide.pingPong(testbed.agentTunnelAddress, RAW_ECHO_PORT, pingsPerBlock, warmup, PING_BYTES));
    loopback.push(await agentSide.pingPong('127.0.0.1', RAW_ECHO_PORT, pingsPerBlock, warmup, PING_BYTES));
  }
  run.pingPong = { tunnel: timing(tunnel), loopback: timing(loopback) };
}

async function measureTransfers(testbed: TunnelTestbed, probes: Probes, run: TunnelRun, options: TunnelOptions): Promise<void> {
  const { gatewaySide, agentSide } = probes;
  const size = options.transferBytes;
  const perBlock = Math.ceil(options.transfers / options.transferBlocks);
  const maxMs = 120_000;
  const kinds = [
    { name: 'mcpGateway' as const, measure: () => gatewaySide.calls({ session: 'gateway', tool: 'bytes', size, calls: perBlock, warmupCalls: 1, maxMs }) },
    { name: 'rawTunnel' as const, measure: () => gatewaySide.bulk(testbed.agentTunnelAddress, RAW_BULK_PORT, size, perBlock, 1) },
    { name: 'mcpDirect' as const, measure: () => gatewaySide.calls({ session: 'direct', tool: 'bytes', size, calls: perBlock, warmupCalls: 1, maxMs }) },
    { name: 'mcpLoopback' as const, measure: () => agentSide.calls({ session: 'loopback', tool: 'bytes', size, calls: perBlock, warmupCalls: 1, maxMs }) },
    { name: 'rawLoopback' as const, measure: () => agentSide.bulk('127.0.0.1', RAW_BULK_PORT, size, perBlock, 1) },
    { name: 'nativeTunnel' as const, measure: () => gatewaySide.calls({ session: 'native', tool: 'bytes', size, calls: perBlock, warmupCalls: 1, maxMs }) },
  ];
  const samples = { mcpGateway: [] as Samples[], rawTunnel: [] as Samples[], mcpDirect: [] as Samples[], mcpLoopback: [] as Samples[], rawLoopback: [] as Samples[], nativeTunnel: [] as Samples[] };
  await testbed.startNativeServer();
  await gatewaySide.open('native', testbed.nativeUrl);
  for (let block = 0; block < options.transferBlocks; block++) {
    for (const kind of rotate(kinds, block)) samples[kind.name].push(await kind.measure());
  }
  const figures = (name: keyof typeof samples) => transferFigures(samples[name], size);
  const mcpGateway = figures('mcpGateway');
  const rawTunnel = figures('rawTunnel');
  run.transfer = {
    bytes: size,
    mcpGateway,
    mcpDirect: figures('mcpDirect'),
    mcpLoopback: figures('mcpLoopback'),
    rawTunnel,
    rawLoopback: figures('rawLoopback'),
    nativeTunnel: figures('nativeTunnel'),
    ratio: rawTunnel.medianMs / mcpGateway.medianMs,
  };
  await gatewaySide.close('native').catch(() => undefined);
  await gatewaySide.close('gateway').catch(() => undefined);
  await gatewaySide.close('direct').catch(() => undefined);
  await agentSide.close('loopback').catch(() => undefined);
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function merged(blocks: Samples[]): Samples {
  return {
    samplesMs: blocks.flatMap((block) => block.samplesMs),
    ok: blocks.reduce((sum, block) => sum + block.ok, 0),
    errors: blocks.reduce((sum, block) => sum + block.errors, 0),
    firstError: blocks.find((block) => block.firstError)?.firstError,
  };
}

function timing(blocks: Samples[]): TimingFigures {
  const all = merged(blocks);
  return { p50Ms: percentile(all.samplesMs, 50), p99Ms: percentile(all.samplesMs, 99), meanMs: mean(all.samplesMs), ok: all.ok, errors: all.errors, firstError: all.firstError };
}

function transferFigures(blocks: Samples[], bytes: number): TransferFigures {
  const all = merged(blocks);
  const medianMs = median(all.samplesMs);
  return { medianMs, megabytesPerSecond: bytes / 2 ** 20 / (medianMs / 1000), ok: all.ok, errors: all.errors, firstError: all.firstError };
}

function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.map((word) => word.split('/').pop()).join(' ').slice(0, 80);
  } catch {
    return `(pid ${pid})`;
  }
}

function failureText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
