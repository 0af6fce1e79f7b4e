import type {
  ChurnResult,
  LatencyResult,
  LoadCommand,
  LoadResult,
  OperationCounts,
  ThroughputResult,
} from './load-protocol.js';
import { serveIpcCommands } from './ipc-commands.js';
import { LoadSession } from './load-session.js';
import { mean, percentile } from './stats.js';

/**
 * The load generator: a process of its own (forked by the orchestrator with an IPC channel)
 * that runs one command at a time with the SDK's client and answers with counts and timings.
 * Every loop is bounded by a count and a deadline.
 */

/** Successes, failures and the first failure's message. */
class Tally {
  ok = 0;
  errors = 0;
  firstError?: string;

  async attempt(operation: () => Promise<void>): Promise<boolean> {
    try {
      await operation();
      this.ok += 1;
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    }
  }

  fail(err: unknown): void {
    this.errors += 1;
    this.firstError ??= err instanceof Error ? err.message : String(err);
  }

  counts(elapsedMs: number): OperationCounts {
    return { ok: this.ok, errors: this.errors, firstError: this.firstError, elapsedMs };
  }
}

const openSessions: LoadSession[] = [];

/** The Accept header this run's client sends with its POSTs (argv[2], from the contender); the SDK's own when absent. */
const clientAccept: string | undefined = process.argv[2] || undefined;

async function latency(command: Extract<LoadCommand, { kind: 'latency' }>): Promise<LatencyResult> {
  const tally = new Tally();
  const started = performance.now();
  const deadline = started + command.maxMs;
  let session: LoadSession;
  try {
    session = await LoadSession.open(command.url, clientAccept);
  } catch (err) {
    tally.fail(err);
    return { ...tally.counts(performance.now() - started), p50Ms: Number.NaN, p99Ms: Number.NaN, meanMs: Number.NaN };
  }
  const call = command.tool === 'echo' ? () => session.echo() : () => session.bytes(command.size ?? 0);
  // Warm-up (JIT, connection pool, lazy paths) gets at most a quarter of the phase's time.
  const warmupDeadline = started + command.maxMs / 4;
  for (let i = 0; i < command.warmupCalls && performance.now() < warmupDeadline; i++) await call().catch(() => undefined);
  const samples: number[] = [];
  const measuredFrom = performance.now();
  for (let i = 0; i < command.calls && performance.now() < deadline; i++) {
    const before = performance.now();
    if (await tally.attempt(call)) samples.push(performance.now() - before);
  }
  const elapsedMs = performance.now() - measuredFrom;
  await session.close().catch((err) => tally.fail(err));
  return { ...tally.counts(elapsedMs), p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), meanMs: mean(samples) };
}

async function connect(command: Extract<LoadCommand, { kind: 'connect' }>): Promise<OperationCounts> {
  const tally = new Tally();
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: command.sessions }, () => LoadSession.open(command.url, clientAccept)));
  const elapsedMs = performance.now() - started;
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') {
      openSessions.push(outcome.value);
      tally.ok += 1;
    } else {
      tally.fail(outcome.reason);
    }
  }
  return tally.counts(elapsedMs);
}

async function throughput(command: Extract<LoadCommand, { kind: 'throughput' }>): Promise<ThroughputResult> {
  const tally = new Tally();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + command.durationMs;
  await Promise.all(
    openSessions.map(async (session) => {
      while (performance.now() < deadline) await tally.attempt(() => session.echo());
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { ...tally.counts(performance.now() - started), clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

async function closeAll(): Promise<OperationCounts> {
  const tally = new Tally();
  const started = performance.now();
  const sessions = openSessions.splice(0);
  const outcomes = await Promise.allSettled(sessions.map((session) => session.close()));
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') tally.ok += 1;
    else tally.fail(outcome.reason);
  }
  return tally.counts(performance.now() - started);
}

/** A whole short session: initialize (+ initialized), tools/list, DELETE. */
async function oneSession(url: string): Promise<void> {
  const session = await LoadSession.open(url, clientAccept);
  try {
    await session.listTools();
  } finally {
    await session.close();
  }
}

async function churn(command: Extract<LoadCommand, { kind: 'churn' }>): Promise<ChurnResult> {
  const tally = new Tally();
  const samples: number[] = [];
  const started = performance.now();
  const deadline = started + command.durationMs;
  for (let i = 0; i < command.maxSessions && performance.now() < deadline; i++) {
    const before = performance.now();
    if (await tally.attempt(() => oneSession(command.url))) samples.push(performance.now() - before);
  }
  return { ...tally.counts(performance.now() - started), p50Ms: percentile(samples, 50) };
}

/**
 * Sessions with a pause before each, so a bridge that prepares ahead (a spare child) has had
 * the time to: the wait one user sees, where back-to-back churn measures the sustained rate.
 */
async function paced(command: Extract<LoadCommand, { kind: 'paced' }>): Promise<ChurnResult> {
  const tally = new Tally();
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < command.sessions; i++) {
    await new Promise((resolve) => setTimeout(resolve, command.gapMs));
    const before = performance.now();
    if (await tally.attempt(() => oneSession(command.url))) samples.push(performance.now() - before);
  }
  return { ...tally.counts(performance.now() - started), p50Ms: percentile(samples, 50) };
}

async function idle(command: Extract<LoadCommand, { kind: 'idle' }>): Promise<OperationCounts> {
  const tally = new Tally();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < command.sessions) {
      next += 1;
      try {
        openSessions.push(await LoadSession.open(command.url, clientAccept));
        tally.ok += 1;
      } catch (err) {
        tally.fail(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.sessions) }, worker));
  return tally.counts(performance.now() - started);
}

function run(command: LoadCommand): Promise<LoadResult> {
  switch (command.kind) {
    case 'latency':
      return latency(command);
    case 'connect':
      return connect(command);
    case 'throughput':
      return throughput(command);
    case 'closeAll':
      return closeAll();
    case 'churn':
      return churn(command);
    case 'paced':
      return paced(command);
    case 'idle':
      return idle(command);
  }
}

if (require.main === module) serveIpcCommands('load-generator.js', run);
