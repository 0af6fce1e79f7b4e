import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shebangNodeFlags } from './shebang-flags.js';

/**
 * What is measured: the same stdio server behind each bridge, and the same server speaking
 * Streamable HTTP itself (the floor). Every contender is one `node` command line; ports are
 * picked free by the caller.
 */

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const BENCH_SERVER = join(__dirname, 'bench-server.js');
const MCP_WORKSTATION_CLI = join(REPO_ROOT, 'packages', 'daemon', 'bin', 'mcp-workstation.js');
const MCP_WORKSTATION_DIST = join(REPO_ROOT, 'packages', 'daemon', 'dist', 'cli.js');
const SUPERGATEWAY_CLI = join(REPO_ROOT, 'node_modules', 'supergateway', 'dist', 'index.js');

export type ContenderId = 'native' | 'sg-stateful' | 'sg-stateless' | 'mcpw-shared' | 'mcpw-shared-json' | 'mcpw-per-session' | 'mcpw-stateless';

export interface Contender {
  id: ContenderId;
  /** How the table names it. */
  label: string;
  /** Whether it keeps sessions (Mcp-Session-Id): sessions per second and DELETE mean something. */
  stateful: boolean;
  /** Arguments to `node` that start it listening on 127.0.0.1:<port>. */
  nodeArgs(port: number): string[];
  /** GET path that answers 200 once it can serve (the readiness condition). */
  readyPath: string;
  /** The Accept header the load generator's client POSTs with; the SDK client's own when absent. */
  clientAccept?: string;
}

/** The stdio server as one command line, each word single-quoted (paths may hold spaces). */
function stdioServerLine(): string {
  return [process.execPath, BENCH_SERVER, 'stdio'].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
}

/**
 * supergateway is run at `--logLevel none`: its default (`info`) logs every message's
 * payload, which would measure its logging rather than its bridging. Its best case is the
 * fair comparison.
 */
function supergateway(stateful: boolean): (port: number) => string[] {
  return (port) => [
    SUPERGATEWAY_CLI,
    '--stdio', stdioServerLine(),
    '--outputTransport', 'streamableHttp',
    ...(stateful ? ['--stateful'] : []),
    '--port', String(port),
    '--logLevel', 'none',
    '--healthEndpoint', '/healthz',
  ];
}

/**
 * The node flags mcp-workstation runs with as shipped: its bin's shebang
 * (`#!/usr/bin/env -S node <flags>`, the same flags as the service units). The benchmark
 * starts `node <flags> <bin>` so the product is measured as people run it.
 */
export const MCP_WORKSTATION_NODE_FLAGS: readonly string[] = shebangNodeFlags(MCP_WORKSTATION_CLI);

/**
 * mcp-workstation at its default log level (info: no payloads). `--maxSessions 1200`
 * because the idle-sessions figure opens 1,000 sessions and the default cap is exactly 1,000.
 */
function mcpWorkstation(mode: 'shared' | 'per-session' | 'stateless'): (port: number) => string[] {
  const sessionArgs = mode === 'stateless' ? [] : ['--stateful', '--sessionMode', mode];
  return (port) => [
    ...MCP_WORKSTATION_NODE_FLAGS,
    MCP_WORKSTATION_CLI,
    'bridge',
    '--stdio', stdioServerLine(),
    '--outputTransport', 'streamableHttp',
    ...sessionArgs,
    '--port', String(port),
    '--maxSessions', '1200',
  ];
}

export const CONTENDERS: readonly Contender[] = [
  { id: 'native', label: 'native SDK Streamable HTTP (floor)', stateful: true, readyPath: '/healthz', nodeArgs: (port) => [BENCH_SERVER, 'http', '--port', String(port)] },
  { id: 'sg-stateful', label: 'supergateway 4 --stateful', stateful: true, readyPath: '/healthz', nodeArgs: supergateway(true) },
  { id: 'sg-stateless', label: 'supergateway 4 stateless', stateful: false, readyPath: '/healthz', nodeArgs: supergateway(false) },
  { id: 'mcpw-shared', label: 'mcp-workstation shared', stateful: true, readyPath: '/readyz', nodeArgs: mcpWorkstation('shared') },
  // The same bridge, its client ranking JSON first: a quick answer then comes back as a JSON
  // body instead of a one-write SSE stream (quick-answer.ts), which the SDK's client parses
  // faster. What a client gains by saying so (docs/performance.md).
  {
    id: 'mcpw-shared-json',
    label: 'mcp-workstation shared, client prefers JSON',
    stateful: true,
    readyPath: '/readyz',
    nodeArgs: mcpWorkstation('shared'),
    clientAccept: 'application/json, text/event-stream;q=0.9',
  },
  { id: 'mcpw-per-session', label: 'mcp-workstation per-session', stateful: true, readyPath: '/readyz', nodeArgs: mcpWorkstation('per-session') },
  { id: 'mcpw-stateless', label: 'mcp-workstation stateless', stateful: false, readyPath: '/readyz', nodeArgs: mcpWorkstation('stateless') },
];

export function contenderById(id: string): Contender {
  const found = CONTENDERS.find((contender) => contender.id === id);
  if (!found) throw new Error(`unknown contender ${JSON.stringify(id)}; known: ${CONTENDERS.map((c) => c.id).join(', ')}`);
  return found;
}

/** Everything the contenders run must exist before the first round starts. */
export function assertRunnable(): void {
  const missing: string[] = [];
  if (!existsSync(BENCH_SERVER)) missing.push(`${BENCH_SERVER} (run \`npx tsc -p test/bench\`)`);
  if (!existsSync(MCP_WORKSTATION_DIST)) missing.push(`${MCP_WORKSTATION_DIST} (run \`npm run build\`)`);
  if (!existsSync(SUPERGATEWAY_CLI)) missing.push(`${SUPERGATEWAY_CLI} (run \`npm ci\`: supergateway is a devDependency)`);
  if (missing.length > 0) throw new Error(`cannot run the benchmark, missing:\n  ${missing.join('\n  ')}\n\`npm run bench\` builds everything first.`);
}
