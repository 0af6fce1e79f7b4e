import { CONTENDERS, contenderById } from './contenders.js';
import type { Contender, ContenderId } from './contenders.js';

/**
 * How much of everything one run does. `full` is what the issue asks for; `quick` runs in
 * under a minute for a first look; `smoke` only proves that every part starts and answers.
 */
export interface Profile {
  name: 'full' | 'quick' | 'smoke';
  rounds: number;
  /** Samples of each yardstick (an empty Node process, the test server's start). */
  referenceSamples: number;
  latencyCalls: number;
  latencyWarmupCalls: number;
  /** The latency phase stops here even if `latencyCalls` were not made (a spawn per call is slow). */
  latencyMaxMs: number;
  payloadBytes: number;
  payloadCalls: number;
  payloadMaxMs: number;
  /**
   * Before each run, wait up to this long for a second in which other people's processes use
   * less than a quarter of the machine (0: do not wait). A shared machine stays shared; this
   * only avoids starting a contender in the middle of someone's build.
   */
  quietWaitMs: number;
  /**
   * A run during which others used more than this share of the machine is run again (at
   * most `maxReruns` times) and the quieter attempt is kept. Infinity: never.
   */
  rerunAboveForeignShare: number;
  maxReruns: number;
  /**
   * SIGTERM to SIGKILL for a contender's process group. Stopping is not measured; a short
   * grace only saves time (a run under --prof gets 10 s, so profiles are written on exit).
   */
  stopGraceMs: number;
  /** Longest wait for a tree to stop moving (process count, RSS) before it is measured. */
  settleMs: number;
  /** Concurrent sessions for the connect and throughput phases. */
  sessions: number;
  throughputMs: number;
  churnMs: number;
  churnMaxSessions: number;
  /** Paced new sessions: how many, and the pause before each. */
  pacedSessions: number;
  pacedGapMs: number;
  idleSessions: number;
  idleConcurrency: number;
  /** Also measure native's idle sessions, as the reference for the shared figure. */
  idleReference: boolean;
}

const PROFILES: Record<Profile['name'], Profile> = {
  full: {
    name: 'full',
    rounds: 3,
    referenceSamples: 3,
    latencyCalls: 2000,
    latencyWarmupCalls: 100,
    latencyMaxMs: 15_000,
    payloadBytes: 1024 * 1024,
    payloadCalls: 50,
    payloadMaxMs: 10_000,
    settleMs: 3_000,
    quietWaitMs: 30_000,
    stopGraceMs: 10_000,
    rerunAboveForeignShare: 0.15,
    maxReruns: 2,
    sessions: 32,
    throughputMs: 10_000,
    churnMs: 5_000,
    churnMaxSessions: 2_000,
    pacedSessions: 5,
    pacedGapMs: 500,
    idleSessions: 1000,
    idleConcurrency: 50,
    idleReference: true,
  },
  quick: {
    name: 'quick',
    rounds: 1,
    referenceSamples: 1,
    latencyCalls: 300,
    latencyWarmupCalls: 30,
    latencyMaxMs: 700,
    payloadBytes: 1024 * 1024,
    payloadCalls: 3,
    payloadMaxMs: 600,
    settleMs: 600,
    quietWaitMs: 0,
    stopGraceMs: 1_000,
    rerunAboveForeignShare: Number.POSITIVE_INFINITY,
    maxReruns: 0,
    sessions: 32,
    throughputMs: 2_000,
    churnMs: 600,
    churnMaxSessions: 500,
    pacedSessions: 1,
    pacedGapMs: 300,
    idleSessions: 1000,
    idleConcurrency: 50,
    idleReference: false,
  },
  smoke: {
    name: 'smoke',
    rounds: 1,
    referenceSamples: 1,
    latencyCalls: 3,
    latencyWarmupCalls: 0,
    latencyMaxMs: 3_000,
    payloadBytes: 64 * 1024,
    payloadCalls: 1,
    payloadMaxMs: 3_000,
    settleMs: 500,
    quietWaitMs: 0,
    stopGraceMs: 1_000,
    rerunAboveForeignShare: Number.POSITIVE_INFINITY,
    maxReruns: 0,
    sessions: 2,
    throughputMs: 200,
    churnMs: 200,
    churnMaxSessions: 1,
    pacedSessions: 1,
    pacedGapMs: 50,
    idleSessions: 10,
    idleConcurrency: 10,
    idleReference: false,
  },
};

/** The contenders whose idle-sessions cost is measured: the target is for shared; native is the reference. */
export function idleContenders(options: BenchOptions): Contender[] {
  const wanted: ContenderId[] = options.profile.idleReference ? ['mcpw-shared', 'native'] : ['mcpw-shared'];
  return options.contenders.filter((contender) => wanted.includes(contender.id));
}

/** Run contenders' root process under a Node profiler; the profiles land beside the logs. */
export type ProfilerKind = 'cpu' | 'heap';

/**
 * The parts beside the contenders: the tunnel (network namespaces), the daemon (`up`), and
 * the owner check of the loopback listener (`up` and `bridge` side by side).
 */
export type PartId = 'tunnel' | 'daemon' | 'owner-check';
export const PARTS: readonly PartId[] = ['tunnel', 'daemon', 'owner-check'];

export interface BenchOptions {
  profile: Profile;
  contenders: Contender[];
  parts: PartId[];
  /** Where the report (.md), the raw results (.json) and the contenders' logs go. */
  outDir: string;
  profiler?: ProfilerKind;
  /** Extra `node` flags for mcp-workstation's own process (to try a fix against the same floor). */
  mcpwNodeFlags: string[];
}

export const USAGE = `Usage: npm run bench -- [--quick | --smoke] [--rounds <n>] [--only <id,id…>] [--out <dir>] [--prof cpu|heap]

  --quick         1 round, short phases: a first look in under a minute
  --smoke         a few calls per contender: proves every part starts and answers
  --rounds <n>    interleaved rounds (default 3; quick and smoke 1)
  --only <ids>    contenders and parts to run, comma-separated: ${CONTENDERS.map((c) => c.id).join(', ')},
                  ${PARTS.join(', ')} (default: all of them)
  --out <dir>     where to write <timestamp>.md, .json and logs/ (default bench-results/)
  --mcpw-node-flags "<flags>"
                  extra node flags for the mcp-workstation contenders' own process, e.g.
                  "--max-semi-space-size=1", to measure a runtime setting against the same floor
  --prof cpu|heap run each contender's root process with node --cpu-prof or --heap-prof;
                  the profiles go to logs/<timestamp>/profiles (profiling slows it: the
                  figures of such a run are not comparable)`;

export function parseOptions(args: string[], defaultOutDir: string): BenchOptions {
  let profile = PROFILES.full;
  let rounds: number | undefined;
  let contenders = [...CONTENDERS];
  let parts: PartId[] = [...PARTS];
  let outDir = defaultOutDir;
  let profiler: ProfilerKind | undefined;
  let mcpwNodeFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    // Node flags are values that start with "--" themselves.
    const value = (mayStartWithDashes = false) => {
      const next = args[++i];
      if (next === undefined || (!mayStartWithDashes && next.startsWith('--'))) throw new Error(`${flag} needs a value\n\n${USAGE}`);
      return next;
    };
    if (flag === '--quick') profile = PROFILES.quick;
    else if (flag === '--smoke') profile = PROFILES.smoke;
    else if (flag === '--rounds') rounds = positiveInteger(flag, value());
    else if (flag === '--only') ({ contenders, parts } = onlyThese(value()));
    else if (flag === '--out') outDir = value();
    else if (flag === '--prof') profiler = profilerKind(value());
    else if (flag === '--mcpw-node-flags') mcpwNodeFlags = value(true).split(/\s+/).filter(Boolean);
    else if (flag === '--help' || flag === '-h') throw new UsageRequested();
    else throw new Error(`unknown option ${flag}\n\n${USAGE}`);
  }
  const stopGraceMs = profiler ? Math.max(profile.stopGraceMs, 10_000) : profile.stopGraceMs;
  return { profile: { ...profile, rounds: rounds ?? profile.rounds, stopGraceMs }, contenders, parts, outDir, profiler, mcpwNodeFlags };
}

function onlyThese(list: string): { contenders: Contender[]; parts: PartId[] } {
  const ids = list.split(',').map((id) => id.trim()).filter(Boolean);
  const parts = ids.filter((id): id is PartId => (PARTS as readonly string[]).includes(id));
  const contenders = ids.filter((id) => !(PARTS as readonly string[]).includes(id)).map((id) => contenderById(id));
  return { contenders, parts };
}

function profilerKind(text: string): ProfilerKind {
  if (text === 'cpu' || text === 'heap') return text;
  throw new Error(`--prof takes cpu or heap, not ${JSON.stringify(text)}`);
}

export class UsageRequested extends Error {
  constructor() {
    super(USAGE);
  }
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number of at least 1, not ${JSON.stringify(text)}`);
  return value;
}
